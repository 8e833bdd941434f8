"""Writers of the other sheet formats offices bring, so tests make their own files: .xls (xlwt), .ods (the
zip and XML written by hand), .xlsb (a minimal BIFF12 writer), and any of them from an .xlsx.

A sheet is ``(name, rows, merges)``: rows of values (str, int, float, bool, date, datetime, None) from A1,
merges as Excel writes them (``"A1:G1"``). Only what the readers need is written; each writer has options
for the hostile shapes the tests make (huge repeats, declared dimensions, records left out).
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import openpyxl
from openpyxl.utils import range_boundaries

Sheet = tuple[str, Sequence[Sequence[object]], Sequence[str]]


def _box(ref: str) -> tuple[int, int, int, int]:
    """(top, left, bottom, right), 1-based, of "A1:G1"."""
    left, top, right, bottom = range_boundaries(ref)
    return top, left, bottom, right


# --- .xls ------------------------------------------------------------------------------------------------------------


def write_xls(path: Path, sheets: Sequence[Sheet]) -> Path:
    """An .xls (BIFF8) as Excel 97-2003 saves it, written by xlwt."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    date_style = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    time_style = xlwt.easyxf(num_format_str="yyyy-mm-dd hh:mm:ss")
    for name, rows, merges in sheets:
        ws = book.add_sheet(name, cell_overwrite_ok=True)
        covered = set()
        for ref in merges:
            top, left, bottom, right = _box(ref)
            value = rows[top - 1][left - 1] if top <= len(rows) and left <= len(rows[top - 1]) else None
            ws.write_merge(top - 1, bottom - 1, left - 1, right - 1, _xls_value(value))
            covered.update((r, c) for r in range(top, bottom + 1) for c in range(left, right + 1))
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is None or (r, c) in covered:
                    continue
                if hasattr(value, "code"):  # an error value (tests.fuzz.sheets.Error)
                    ws.row(r - 1).set_cell_error(c - 1, _ERROR_CODES.get(value.code, 0x0F))
                elif isinstance(value, dt.datetime):
                    ws.write(r - 1, c - 1, value, date_style if value.time() == dt.time() else time_style)
                elif isinstance(value, dt.date):
                    ws.write(r - 1, c - 1, value, date_style)
                else:
                    ws.write(r - 1, c - 1, _xls_value(value))
    book.save(str(path))
    return path


def _xls_value(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)  # BIFF holds every number as a double, as Excel does
    return value


# --- .ods ------------------------------------------------------------------------------------------------------------

_ODS_MIME = "application/vnd.oasis.opendocument.spreadsheet"
_ODS_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
           'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
           'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
           'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
           'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"')
_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
             'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">'
             f'<manifest:file-entry manifest:full-path="/" manifest:media-type="{_ODS_MIME}"/>'
             '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
             '</manifest:manifest>')


def _ods_cell(value: object, span: tuple[int, int] | None = None, repeat: int = 1) -> str:
    attrs = ""
    if span and span != (1, 1):
        attrs += f' table:number-rows-spanned="{span[0]}" table:number-columns-spanned="{span[1]}"'
    if repeat > 1:
        attrs += f' table:number-columns-repeated="{repeat}"'
    if value is None:
        return f"<table:table-cell{attrs}/>"
    if hasattr(value, "code"):  # an error value, as LibreOffice saves one
        return (f'<table:table-cell{attrs} table:formula="of:=1/0" office:value-type="string" office:string-value="" '
                f'calcext:value-type="error"><text:p>{escape(value.code)}</text:p></table:table-cell>')
    if isinstance(value, bool):
        return (f'<table:table-cell{attrs} office:value-type="boolean" office:boolean-value="{str(value).lower()}">'
                f"<text:p>{'TRUE' if value else 'FALSE'}</text:p></table:table-cell>")
    if isinstance(value, int | float):
        return (f'<table:table-cell{attrs} office:value-type="float" office:value="{value!r}">'
                f"<text:p>{value}</text:p></table:table-cell>")
    if isinstance(value, dt.datetime | dt.date):
        iso = value.isoformat() if not isinstance(value, dt.datetime) or value.time() != dt.time() \
            else value.date().isoformat()
        return (f'<table:table-cell{attrs} office:value-type="date" office:date-value="{iso}">'
                f"<text:p>{iso}</text:p></table:table-cell>")
    lines = "".join(f"<text:p>{escape(line)}</text:p>" for line in str(value).split("\n"))
    return f'<table:table-cell{attrs} office:value-type="string">{lines}</table:table-cell>'


def ods_table(name: str, rows: Sequence[Sequence[object]], merges: Sequence[str] = (), tail: str = "") -> str:
    """One table:table element; ``tail`` is raw XML added after the rows (repeated rows, say)."""
    spans, covered = {}, set()
    for ref in merges:
        top, left, bottom, right = _box(ref)
        spans[(top, left)] = (bottom - top + 1, right - left + 1)
        covered.update((r, c) for r in range(top, bottom + 1) for c in range(left, right + 1) if (r, c) != (top, left))
    out = [f"<table:table table:name={quoteattr(name)}>"]
    width = max((len(r) for r in rows), default=0)
    for r, row in enumerate(rows, start=1):
        cells = []
        for c in range(1, width + 1):
            value = row[c - 1] if c <= len(row) else None
            if (r, c) in covered:
                cells.append("<table:covered-table-cell/>")
            else:
                cells.append(_ods_cell(value, spans.get((r, c))))
        out.append("<table:table-row>" + "".join(cells) + "</table:table-row>")
    out.append(tail + "</table:table>")
    return "".join(out)


def write_ods(path: Path, sheets: Sequence[Sheet], *, tails: dict[str, str] | None = None,
              content: str | None = None, extra: dict[str, bytes] | None = None,
              compression: int = zipfile.ZIP_DEFLATED, filler: tuple[str, int] | None = None) -> Path:
    """An .ods as LibreOffice saves it: mimetype first and stored, then the manifest and content.xml."""
    tables = "".join(ods_table(n, rows, merges, (tails or {}).get(n, "")) for n, rows, merges in sheets)
    body = content if content is not None else (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} office:version="1.2">'
        f"<office:body><office:spreadsheet>{tables}</office:spreadsheet></office:body></office:document-content>")
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), _ODS_MIME, compress_type=zipfile.ZIP_STORED)
        if "META-INF/manifest.xml" not in (extra or {}):
            z.writestr("META-INF/manifest.xml", _MANIFEST, compress_type=compression)
        z.writestr("content.xml", body, compress_type=compression)
        for name, data in (extra or {}).items():
            z.writestr(name, data, compress_type=compression)
        if filler:  # a member of ``size`` spaces, written a megabyte at a time (a zip bomb, made cheaply)
            name, size = filler
            info = zipfile.ZipInfo(name, (2026, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as f:
                chunk = b" " * (1 << 20)
                for _ in range(size >> 20):
                    f.write(chunk)
    return path


def write_fods(path: Path, sheets: Sequence[Sheet]) -> Path:
    """A flat OpenDocument spreadsheet (.fods): the whole document as one XML file, as LibreOffice saves “Flat XML”."""
    tables = "".join(ods_table(n, rows, merges) for n, rows, merges in sheets)
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?><office:document {_ODS_NS} office:version="1.2" '
                    f'office:mimetype="{_ODS_MIME}"><office:meta/><office:body><office:spreadsheet>{tables}'
                    "</office:spreadsheet></office:body></office:document>", encoding="utf-8")
    return path


# --- .xlsb (BIFF12) --------------------------------------------------------------------------------------------------


def _varint(value: int, most: int) -> bytes:
    out = bytearray()
    for _ in range(most):
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            break
    return bytes(out)


def record(kind: int, body: bytes = b"") -> bytes:
    """One BIFF12 record: its type (1–2 bytes) and size (1–4 bytes), each seven bits a byte, then the body."""
    return _varint(kind, 2) + _varint(len(body), 4) + body


def _wide(text: str) -> bytes:
    data = text.encode("utf-16-le")
    return struct.pack("<I", len(data) // 2) + data


_XLSB_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="bin" ContentType="application/vnd.ms-excel.sheet.binary.macroEnabled.main"/>'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/></Types>')
_PKG_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
             '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
             '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
             'officeDocument" Target="xl/workbook.bin"/></Relationships>')
_REL = ('<Relationship Id="{id}" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/{kind}" '
        'Target="{target}"/>')
_EPOCH = dt.datetime(1899, 12, 30)


_ERROR_CODES = {"#NULL!": 0x00, "#DIV/0!": 0x07, "#VALUE!": 0x0F, "#REF!": 0x17, "#NAME?": 0x1D, "#NUM!": 0x24,
                "#N/A": 0x2A}


def _xlsb_cell(col: int, value: object, strings: list[str]) -> bytes:
    if hasattr(value, "code"):
        return record(0x03, struct.pack("<IIB", col, 0, _ERROR_CODES.get(value.code, 0x0F)))
    if isinstance(value, bool):
        return record(0x04, struct.pack("<IIB", col, 0, int(value)))
    if isinstance(value, dt.datetime | dt.date):
        moment = value if isinstance(value, dt.datetime) else dt.datetime.combine(value, dt.time())
        return record(0x05, struct.pack("<IId", col, 1, (moment - _EPOCH).total_seconds() / 86400))
    if isinstance(value, int) and -(1 << 29) <= value < (1 << 29):
        return record(0x02, struct.pack("<IIi", col, 0, value << 2 | 2))  # an RK number holding an integer
    if isinstance(value, int | float):
        return record(0x05, struct.pack("<IId", col, 0, float(value)))
    strings.append(str(value))
    return record(0x07, struct.pack("<III", col, 0, len(strings) - 1))


def xlsb_sheet(rows: Sequence[Sequence[object]], merges: Sequence[str], strings: list[str],
               dimension: tuple[int, int, int, int] | None = None, extra_rows: bytes = b"") -> bytes:
    """A worksheet part: BrtBeginSheet, BrtWsDim, the sheet data (row headers and cells), merges, BrtEndSheet.
    ``dimension`` (first row, last row, first column, last column; 0-based) overrides the one computed."""
    width = max((len(r) for r in rows), default=1)
    dim = dimension or (0, max(len(rows) - 1, 0), 0, max(width - 1, 0))
    out = [record(0x81), record(0x94, struct.pack("<4I", *dim)), record(0x91)]
    for r, row in enumerate(rows):
        if all(v is None for v in row):
            continue
        out.append(record(0x00, struct.pack("<IIHBBB", r, 0, 0x12C, 0, 0, 0)))
        out.extend(_xlsb_cell(c, v, strings) for c, v in enumerate(row) if v is not None)
    out.append(extra_rows)
    out.append(record(0x92))
    if merges:
        out.append(record(0xB1, struct.pack("<I", len(merges))))
        for ref in merges:
            top, left, bottom, right = _box(ref)
            out.append(record(0xB0, struct.pack("<4I", top - 1, bottom - 1, left - 1, right - 1)))
        out.append(record(0xB2))
    out.append(record(0x82))
    return b"".join(out)


def write_xlsb(path: Path, sheets: Sequence[Sheet], *, dimension: tuple[int, int, int, int] | None = None,
               extra_rows: bytes = b"", parts: dict[str, bytes] | None = None) -> Path:
    """An .xlsb with a workbook, its sheets, shared strings and the styles calamine needs to tell a date."""
    strings: list[str] = []
    sheet_parts = [xlsb_sheet(rows, merges, strings, dimension, extra_rows) for _, rows, merges in sheets]
    book = [record(0x83), record(0x8F)]
    for i, (name, _, _) in enumerate(sheets, start=1):
        book.append(record(0x9C, struct.pack("<II", 0, i) + _wide(f"rId{i}") + _wide(name)))
    book += [record(0x90), record(0x84)]
    sst = [record(0x9F, struct.pack("<II", len(strings), len(strings)))]
    sst += [record(0x13, b"\x00" + _wide(s)) for s in strings]
    sst.append(record(0xA0))
    xf = struct.pack("<HH", 0, 0) + b"\x00" * 12
    date_xf = struct.pack("<HH", 0, 14) + b"\x00" * 12
    styles = [record(0x0278), record(0x0269, struct.pack("<I", 2)), record(0x2F, xf), record(0x2F, date_xf),
              record(0x026A), record(0x0279)]
    rels = "".join(_REL.format(id=f"rId{i}", kind="worksheet", target=f"worksheets/sheet{i}.bin")
                   for i in range(1, len(sheets) + 1))
    n = len(sheets)
    rels += _REL.format(id=f"rId{n + 1}", kind="sharedStrings", target="sharedStrings.bin")
    rels += _REL.format(id=f"rId{n + 2}", kind="styles", target="styles.bin")
    members = {
        "[Content_Types].xml": _XLSB_CT.encode(),
        "_rels/.rels": _PKG_RELS.encode(),
        "xl/workbook.bin": b"".join(book),
        "xl/_rels/workbook.bin.rels": ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships '
                                       'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
                                       f"{rels}</Relationships>").encode(),
        "xl/sharedStrings.bin": b"".join(sst),
        "xl/styles.bin": b"".join(styles),
    }
    for i, data in enumerate(sheet_parts, start=1):
        members[f"xl/worksheets/sheet{i}.bin"] = data
    members.update(parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return path


# --- any of them from an .xlsx -------------------------------------------------------------------------------------

WRITERS = {".xls": write_xls, ".et": write_xls, ".ods": write_ods, ".fods": write_fods, ".xlsb": write_xlsb}


def sheets_of(xlsx: Path) -> list[Sheet]:
    """The sheets of a (small, trusted) .xlsx: values and merges."""
    wb = openpyxl.load_workbook(xlsx)
    try:
        return [(ws.title, [list(r) for r in ws.iter_rows(values_only=True)],
                 [str(m) for m in ws.merged_cells.ranges]) for ws in wb.worksheets]
    finally:
        wb.close()


def save_as(xlsx: Path, dest: Path) -> Path:
    """The .xlsx saved in the format ``dest``'s suffix names."""
    if dest.suffix.lower() in (".xlsx", ".xlsm"):
        dest.write_bytes(xlsx.read_bytes())
        return dest
    return WRITERS[dest.suffix.lower()](dest, sheets_of(xlsx))


def peak_mb() -> int:
    """This process's own peak memory in MB, for the tests' child processes: ru_maxrss keeps the parent's across
    exec, VmHWM does not."""
    import resource

    try:
        status = Path("/proc/self/status").read_text()
        return int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmHWM"))) // 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024

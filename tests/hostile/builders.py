"""Generators of hostile inputs, written by code into a folder: raw xlsx parts, bombs, OLE files, packages.

No binary blobs: every file the catalogue uses is made here, at run time.
"""

from __future__ import annotations

import posixpath
import random
import re
import sqlite3
import struct
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.utils import get_column_letter

from tests.data import other_formats as F

# -- ordinary sheets ----------------------------------------------------------------------------------------------


def read_rows(path: Path) -> list[tuple]:
    """All rows of the first sheet of a (small, trusted) workbook."""
    wb = openpyxl.load_workbook(path, read_only=True)
    try:
        return [tuple(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def write_sheet(path: Path, header: Sequence[object], rows: Iterable[Sequence[object]], title: str | None = None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    if title:
        ws.append([title])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def header_and_row(export: Path, row: int = 0) -> tuple[list, list]:
    """The header row and one data row of a sheet ``gridapp export`` wrote (title above the header)."""
    rows = read_rows(export)
    head = next(i for i, r in enumerate(rows) if r and sum(v is not None for v in r) > 1)
    return list(rows[head]), list(rows[head + 1 + row])


def with_value(header: list, row: list, column: str, value: object) -> list:
    out = list(row)
    out[[str(h).lstrip("*") for h in header].index(column)] = value
    return out


# -- raw xlsx (every part written by hand, so dimensions, merges and strings are whatever we say) ----------------

_CT = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml" '
       'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
       '{shared}</Types>')
_SHARED_CT = ('<Override PartName="/xl/sharedStrings.xml" '
              'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
         '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
         '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
         'officeDocument" Target="xl/workbook.xml"/></Relationships>')
_WB = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
       '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
       'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
       '<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
            'worksheet" Target="worksheets/sheet1.xml"/>{shared}</Relationships>')
_SHARED_REL = ('<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
               'sharedStrings" Target="sharedStrings.xml"/>')
_NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'


def _cell(ref: str, value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, SharedRef):
        return f'<c r="{ref}" t="s"><v>{value.index}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{escape(str(value))}</t></is></c>'


class SharedRef:
    """A cell holding the shared string at ``index``."""

    def __init__(self, index: int):
        self.index = index


def sheet_rows_xml(rows: Sequence[Sequence[object]], first_row: int = 1) -> str:
    out = []
    for n, row in enumerate(rows, start=first_row):
        cells = "".join(_cell(f"{get_column_letter(i + 1)}{n}", v) for i, v in enumerate(row))
        out.append(f'<row r="{n}">{cells}</row>')
    return "".join(out)


def raw_xlsx(path: Path, rows: Sequence[Sequence[object]], *, dimension: str | None = None,
             extra_cells: str = "", merges: Sequence[str] = (), shared_writer=None, padding: int = 0) -> Path:
    """A workbook written part by part. ``extra_cells`` is appended as raw row XML after ``rows``;
    ``shared_writer(stream)`` writes the body of sharedStrings.xml; ``padding`` bytes of spaces sit inside
    the sheet (compressed away: a zip bomb)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        shared = shared_writer is not None
        z.writestr("[Content_Types].xml", _CT.format(shared=_SHARED_CT if shared else ""))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB)
        z.writestr("xl/_rels/workbook.xml.rels", _WB_RELS.format(shared=_SHARED_REL if shared else ""))
        with z.open("xl/worksheets/sheet1.xml", "w", force_zip64=padding > 0) as f:
            f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet {_NS}>'.encode())
            if dimension:
                f.write(f'<dimension ref="{dimension}"/>'.encode())
            f.write(b"<sheetData>")
            f.write(sheet_rows_xml(rows).encode())
            f.write(extra_cells.encode())
            chunk = b" " * (1 << 20)
            left = padding
            while left > 0:
                f.write(chunk[:min(left, len(chunk))])
                left -= len(chunk)
            f.write(b"</sheetData>")
            if merges:
                f.write(f'<mergeCells count="{len(merges)}">'.encode())
                f.write("".join(f'<mergeCell ref="{m}"/>' for m in merges).encode())
                f.write(b"</mergeCells>")
            f.write(b"</worksheet>")
        if shared:
            with z.open("xl/sharedStrings.xml", "w", force_zip64=True) as f:
                shared_writer(f)
    return path


def huge_shared_string(size: int):
    """A sharedStrings.xml body with one string of ``size`` characters (it compresses to almost nothing)."""

    def write(f) -> None:
        f.write(f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst {_NS} count="1" uniqueCount="1">'
                "<si><t>".encode())
        chunk = b"A" * (1 << 20)
        left = size
        while left > 0:
            f.write(chunk[:min(left, len(chunk))])
            left -= len(chunk)
        f.write(b"</t></si></sst>")

    return write


# -- other hostile files -------------------------------------------------------------------------------------------

def junk(path: Path, size: int = 5000, seed: int = 12) -> Path:
    path.write_bytes(random.Random(seed).randbytes(size))
    return path


def truncated(src: Path, dest: Path, fraction: float = 0.5) -> Path:
    data = src.read_bytes()
    dest.write_bytes(data[: int(len(data) * fraction)])
    return dest


def flipped(src: Path, dest: Path, offset: int | None = None) -> Path:
    data = bytearray(src.read_bytes())
    at = len(data) // 2 if offset is None else offset % len(data)
    data[at] ^= 0xFF
    dest.write_bytes(bytes(data))
    return dest


def encrypted_office_file(path: Path) -> Path:
    """An OLE compound file shaped like a password-protected xlsx (EncryptionInfo + EncryptedPackage streams),
    as Excel and WPS write one when a password is set. The streams hold filler, not a real cipher text."""
    sector = 512
    free, end_chain, fat_sect = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    stream = 4096  # >= the mini-stream cutoff, so both live in ordinary sectors
    per = stream // sector
    # sector 0: FAT, 1: directory, 2..: EncryptionInfo, then EncryptedPackage
    fat = [fat_sect, end_chain]
    info_start = 2
    fat += [info_start + i + 1 for i in range(per - 1)] + [end_chain]
    pkg_start = info_start + per
    fat += [pkg_start + i + 1 for i in range(per - 1)] + [end_chain]
    fat += [free] * (sector // 4 - len(fat))
    header = bytearray(sector)
    header[0:8] = bytes.fromhex("D0CF11E0A1B11AE1")
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 44, 1)  # FAT sectors
    struct.pack_into("<I", header, 48, 1)  # first directory sector
    struct.pack_into("<I", header, 56, 4096)  # mini stream cutoff
    struct.pack_into("<IIII", header, 60, end_chain, 0, end_chain, 0)  # no mini FAT, no DIFAT sectors
    header[76:80] = struct.pack("<I", 0)
    for i in range(1, 109):
        header[76 + 4 * i: 80 + 4 * i] = struct.pack("<I", free)

    def entry(name: str, kind: int, left: int, right: int, child: int, start: int, size: int) -> bytes:
        raw = name.encode("utf-16-le") + b"\0\0"
        e = bytearray(128)
        e[0:len(raw)] = raw
        struct.pack_into("<HBB", e, 64, len(raw), kind, 1)
        struct.pack_into("<III", e, 68, left, right, child)
        struct.pack_into("<II", e, 116, start, size)
        return bytes(e)

    nostream = 0xFFFFFFFF
    directory = (entry("Root Entry", 5, nostream, nostream, 1, end_chain, 0)
                 + entry("EncryptionInfo", 2, nostream, 2, nostream, info_start, stream)
                 + entry("EncryptedPackage", 2, nostream, nostream, nostream, pkg_start, stream)
                 + bytes(128))
    info = bytearray(stream)
    struct.pack_into("<HHI", info, 0, 4, 4, 0x40)  # agile encryption, as Office 2010 and later write
    body = b"<?xml version=\"1.0\"?><encryption xmlns=\"http://schemas.microsoft.com/office/2006/encryption\"/>"
    info[8:8 + len(body)] = body
    package = struct.pack("<Q", 8000) + random.Random(7).randbytes(stream - 8)
    path.write_bytes(bytes(header) + struct.pack(f"<{sector // 4}I", *fat) + directory + bytes(info) + package)
    return path


def nested_manifest_package(path: Path, depth: int = 200_000) -> Path:
    """A zip with the two names a package has, whose manifest.json nests ``depth`` arrays."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.comment = b"S" * 64  # where the signature would be: the last 64 bytes of the file
        z.writestr("manifest.json", "[" * depth + "]" * depth)
        z.writestr("payload.bin", b"\0" * 16)
    return path


def traversal_package(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as z:
        z.comment = b"S" * 64
        z.writestr("manifest.json", '{"kind": "gridapp-sync-package"}')
        z.writestr(posixpath.join(posixpath.pardir, "payload.bin"), b"x")
    return path


def foreign_sqlite(path: Path) -> Path:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.execute("INSERT INTO notes (body) VALUES ('not a gridapp database')")
    conn.commit()
    conn.close()
    return path


def set_schema_label(db: Path, label: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("UPDATE alembic_version SET version_num = ?", (label,))
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def drop_table(db: Path, table: str) -> None:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA foreign_keys = OFF")
    conn.execute(f'DROP TABLE "{table}"')
    conn.commit()
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()


def damage_pages(db: Path, first_page: int = 3, pages: int = 4, seed: int = 5) -> None:
    """Overwrite whole pages in the middle of a database with random bytes (a failing disk's work)."""
    size = 4096
    with db.open("r+b") as f:
        f.seek(first_page * size)
        f.write(random.Random(seed).randbytes(pages * size))


def damage_header(db: Path) -> None:
    with db.open("r+b") as f:
        f.write(random.Random(9).randbytes(100))


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    lines = [",".join(header)] + [",".join("" if v is None else str(v) for v in row) for row in rows]
    return "\r\n".join(lines) + "\r\n"


# -- the other sheet formats (.xls, .et, .ods, .xlsb), written by tests/data/other_formats.py ------------------------


def other_format(path: Path, header: Sequence[object], rows: Iterable[Sequence[object]], title: str | None = None) -> Path:
    """A sheet like ``write_sheet``'s in the format ``path``'s suffix names (.xls, .et, .ods, .xlsb)."""
    body = ([[title]] if title else []) + [list(header)] + [list(r) for r in rows]
    return F.WRITERS[path.suffix.lower()](path, [("Sheet1", body, [])])


def ods_rows_repeated_bomb(path: Path, rows) -> Path:
    """An .ods whose last row is repeated 1,048,576 times over 16,384 empty columns, as LibreOffice pads a sheet."""
    tail = ('<table:table-row table:number-rows-repeated="1048576"><table:table-cell '
            'table:number-columns-repeated="16384"/></table:table-row>')
    return F.write_ods(path, [("Sheet1", rows, [])], tails={"Sheet1": tail})


def ods_far_cell(path: Path, rows) -> Path:
    """An .ods with one cell at row 1,048,573, column 301, below a million repeated empty rows."""
    tail = ('<table:table-row table:number-rows-repeated="1048570"><table:table-cell/></table:table-row>'
            '<table:table-row><table:table-cell table:number-columns-repeated="300"/>'
            '<table:table-cell office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>')
    return F.write_ods(path, [("Sheet1", rows, [])], tails={"Sheet1": tail})


def ods_repeated_values(path: Path, rows) -> Path:
    """An .ods whose one row of 400 cells holding text is repeated 200,000 times (80 million cells, 2 KB)."""
    tail = ('<table:table-row table:number-rows-repeated="200000"><table:table-cell table:number-columns-repeated="400"'
            ' office:value-type="string"><text:p>x</text:p></table:table-cell></table:table-row>')
    return F.write_ods(path, [("Sheet1", rows, [])], tails={"Sheet1": tail})


def ods_zip_bomb(path: Path, rows) -> Path:
    """An .ods holding a 300 MB member of spaces (about 300 KB on disk)."""
    return F.write_ods(path, [("Sheet1", rows, [])], filler=("Thumbnails/filler.xml", 300 << 20))


def xls_far_cell(path: Path, rows) -> Path:
    """An .xls with the rows and one cell at IV65536, the far corner of a BIFF8 sheet."""
    import xlwt

    book = xlwt.Workbook(encoding="utf-8")
    ws = book.add_sheet("Sheet1")
    for r, row in enumerate(rows):
        for c, v in enumerate(row):
            ws.write(r, c, v)
    ws.write(65535, 255, "far")
    book.save(str(path))
    return path


def xlsb_far(path: Path, rows, *, dimension: bool) -> Path:
    """An .xlsb declaring A1:XFD1048576 as its dimension (``dimension``), or holding a cell at XFD1048576."""
    far = F.record(0x00, (1048575).to_bytes(4, "little") + b"\x00" * 8)  # BrtRowHdr of row 1048576
    far += F.record(0x07, (16383).to_bytes(4, "little") + b"\x00" * 8)  # BrtCellIsst in column XFD
    if dimension:
        return F.write_xlsb(path, [("Sheet1", rows, [])], dimension=(0, 1048575, 0, 16383))
    return F.write_xlsb(path, [("Sheet1", rows, [])], extra_rows=far)


def junk_after_ole_magic(path: Path) -> Path:
    """The eight bytes of a compound document, then 6,000 random ones."""
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + random.Random(3).randbytes(6000))
    return path


def encrypted_xls(path: Path) -> Path:
    """An .xls whose globals hold a FILEPASS record, as Excel writes one with an opening password."""
    import xlwt

    book = xlwt.Workbook()
    book.add_sheet("Sheet1").write(0, 0, "x")
    plain = path.with_name("plain.xls")
    book.save(str(plain))
    data = bytearray(plain.read_bytes())
    plain.unlink()
    # The BIFF stream starts right after the compound document's 512-byte header with a BOF record;
    # a FILEPASS (type 0x2F) in place of the record after it marks the workbook as encrypted.
    assert data[512:514] == b"\x09\x08"
    at = 512 + 4 + int.from_bytes(data[514:516], "little")
    data[at:at + 2] = (0x2F).to_bytes(2, "little")
    path.write_bytes(bytes(data))
    return path


def xlsb_sheet_missing(path: Path, rows) -> Path:
    """A workbook.bin naming a sheet whose relationship is not there (calamine itself panics on it)."""
    F.write_xlsb(path, [("Sheet1", rows, [])])
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["xl/_rels/workbook.bin.rels"] = parts["xl/_rels/workbook.bin.rels"].replace(b'Id="rId1"', b'Id="rId9"')
    with zipfile.ZipFile(path, "w") as z:
        for n, d in parts.items():
            z.writestr(n, d)
    return path




# -- workbook parts other projects' test files hold (pivot tables, chart/dialog/macro sheets, external links) ------

_R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PIVOT_CACHE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><pivotCacheDefinition '
                'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="' + _R + '" r:id="rId1" '
                'refreshOnLoad="1" recordCount="1"><cacheSource type="worksheet"><worksheetSource ref="A1:F3" '
                'sheet="Sheet1"/></cacheSource><cacheFields count="1"><cacheField name="社区" numFmtId="0">'
                '<sharedItems count="1"><s v="永宁社区"/></sharedItems></cacheField></cacheFields></pivotCacheDefinition>')
_PIVOT_RECORDS = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><pivotCacheRecords '
                  'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1"><r><x v="0"/></r>'
                  '</pivotCacheRecords>')
_PIVOT_TABLE = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><pivotTableDefinition '
                'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" name="数据透视表1" cacheId="1" '
                'dataCaption="值"><location ref="A3:B5" firstHeaderRow="1" firstDataRow="1" firstDataCol="1"/>'
                '<pivotFields count="1"><pivotField axis="axisRow" showAll="0"><items count="2"><item x="0"/>'
                '<item t="default"/></items></pivotField></pivotFields></pivotTableDefinition>')
_SHEET_XML = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><{tag} '
              'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="' + _R + '">{body}</{tag}>')
_EXTERNAL = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><externalLink '
             'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="' + _R + '">'
             '<externalBook r:id="rId1"><sheetNames><sheetName val="汇总"/></sheetNames><sheetDataSet>'
             '<sheetData sheetId="0"><row r="1"><cell r="A1" t="str"><v>旧值</v></cell></row></sheetData>'
             '</sheetDataSet></externalBook></externalLink>')
WORKBOOK_PARTS = ("pivot-table", "chartsheet-first", "chartsheet-only", "dialogsheet", "macrosheet", "external-link",
                  "all-hidden", "very-hidden")


def workbook_with(path: Path, header: Sequence[object], rows: Iterable[Sequence[object]], shape: str,
                  title: str | None = None) -> Path:
    """A sheet as ``write_sheet`` writes it, with the parts of ``shape`` (one of ``WORKBOOK_PARTS``) added the
    way Excel stores them: a pivot table and its cache over the data; a chart sheet before the data or instead of
    it; a dialog or Excel 4 macro sheet before it; a link to another workbook; every sheet hidden."""
    write_sheet(path, header, rows, title=title)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    book = parts["xl/workbook.xml"].decode()
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    types = parts["[Content_Types].xml"].decode()

    def rel(rid: str, kind: str, target: str, into: str = "") -> str:
        return f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'

    def add_sheet(tag: str, kind: str, folder: str, name: str, first: bool, body: str = "") -> None:
        nonlocal book, rels
        parts[f"xl/{folder}/sheet9.xml"] = _SHEET_XML.format(tag=tag, body=body).encode()
        rels = rels.replace("</Relationships>", rel("rId90", kind, f"{folder}/sheet9.xml") + "</Relationships>")
        entry = f'<sheet name="{name}" sheetId="9" r:id="rId90" />'
        book = book.replace("<sheets>", "<sheets>" + entry) if first else book.replace("</sheets>", entry + "</sheets>")

    if shape == "pivot-table":
        parts["xl/pivotCache/pivotCacheDefinition1.xml"] = _PIVOT_CACHE.encode()
        parts["xl/pivotCache/pivotCacheRecords1.xml"] = _PIVOT_RECORDS.encode()
        parts["xl/pivotCache/_rels/pivotCacheDefinition1.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats'
            '.org/package/2006/relationships">' + rel("rId1", _R + "/pivotCacheRecords", "pivotCacheRecords1.xml")
            + "</Relationships>").encode()
        parts["xl/pivotTables/pivotTable1.xml"] = _PIVOT_TABLE.encode()
        parts["xl/pivotTables/_rels/pivotTable1.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats'
            '.org/package/2006/relationships">' + rel("rId1", _R + "/pivotCacheDefinition",
                                                      posixpath.join(posixpath.pardir, "pivotCache", "pivotCacheDefinition1.xml")) + "</Relationships>").encode()
        add_sheet("worksheet", _R + "/worksheet", "worksheets", "透视", False,
                  '<sheetData><row r="3"><c r="A3" t="inlineStr"><is><t>行标签</t></is></c></row></sheetData>')
        parts["xl/worksheets/_rels/sheet9.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats'
            '.org/package/2006/relationships">' + rel("rId1", _R + "/pivotTable", posixpath.join(posixpath.pardir, "pivotTables", "pivotTable1.xml"))
            + "</Relationships>").encode()
        rels = rels.replace("</Relationships>", rel("rId91", _R + "/pivotCacheDefinition",
                                                    "pivotCache/pivotCacheDefinition1.xml") + "</Relationships>")
        book = book.replace("<calcPr", '<pivotCaches><pivotCache cacheId="1" r:id="rId91"/></pivotCaches><calcPr')
    elif shape in ("chartsheet-first", "chartsheet-only"):
        add_sheet("chartsheet", _R + "/chartsheet", "chartsheets", "图表1", True, '<sheetViews><sheetView '
                  'workbookViewId="0"/></sheetViews><drawing r:id="rId1"/>')
        if shape == "chartsheet-only":
            book = re.sub(r'<sheet name="Sheet1"[^>]*/>', "", book)
    elif shape == "dialogsheet":
        add_sheet("dialogsheet", _R + "/dialogsheet", "dialogsheets", "对话框1", True,
                  '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>姓名</t></is></c></row></sheetData>')
    elif shape == "macrosheet":
        add_sheet("xm:macrosheet", "http://schemas.microsoft.com/office/2006/relationships/xlMacrosheet",
                  "macrosheets", "宏1", True, "<sheetData/>")
        parts["xl/macrosheets/sheet9.xml"] = parts["xl/macrosheets/sheet9.xml"].replace(
            b"<xm:macrosheet ", b'<xm:macrosheet xmlns:xm="http://schemas.microsoft.com/office/excel/2006/main" ')
    elif shape == "external-link":
        parts["xl/externalLinks/externalLink1.xml"] = _EXTERNAL.encode()
        parts["xl/externalLinks/_rels/externalLink1.xml.rels"] = (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.openxmlformats'
            '.org/package/2006/relationships"><Relationship Id="rId1" Type="' + _R + '/externalLinkPath" '
            'Target="file:///C:/%E6%B1%87%E6%80%BB.xlsx" TargetMode="External"/></Relationships>').encode()
        rels = rels.replace("</Relationships>", rel("rId92", _R + "/externalLink", "externalLinks/externalLink1.xml")
                            + "</Relationships>")
        book = book.replace("<definedNames", '<externalReferences><externalReference r:id="rId92"/>'
                                             "</externalReferences><definedNames")
    elif shape in ("all-hidden", "very-hidden"):
        book = book.replace('state="visible"', f'state="{"hidden" if shape == "all-hidden" else "veryHidden"}"')
    else:
        raise ValueError(shape)
    parts["xl/workbook.xml"] = book.encode()
    parts["xl/_rels/workbook.xml.rels"] = rels.encode()
    parts["[Content_Types].xml"] = types.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path

"""Generators of hostile spreadsheets, written part by part so the project keeps no binary blobs.

``write_xlsx`` writes a minimal but valid .xlsx from rows of Python values and a few markers (a formula
without its result, an error value, a date-styled number, raw cell XML). The other functions build
on it the shapes a hostile or broken file takes: far-away cells, huge and overlapping merged ranges,
huge strings, members that inflate out of proportion or lie about their size, junk XML, a
password-protected (encrypted) workbook, and files that are no workbook at all.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

from openpyxl.utils import get_column_letter

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"


@dataclass(frozen=True)
class Formula:
    """A formula cell; ``cached`` None writes no result, as a program that does not calculate saves it."""

    text: str
    cached: object = None


@dataclass(frozen=True)
class Error:
    code: str = "#REF!"


@dataclass(frozen=True)
class DateNum:
    """A number shown as a date (style 1 is yyyy-mm-dd)."""

    serial: float


@dataclass(frozen=True)
class Raw:
    """Cell XML written as given, for the odd cases."""

    xml: str


def _attr(text: str) -> str:
    return escape(text, {'"': "&quot;"})


class _Strings:
    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def add(self, text: str) -> int:
        return self.index.setdefault(text, len(self.index))

    def xml(self) -> bytes:
        items = "".join(f'<si><t xml:space="preserve">{escape(s)}</t></si>' for s in self.index)
        return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="{MAIN}" '
                f'count="{len(self.index)}" uniqueCount="{len(self.index)}">{items}</sst>').encode()


def cell_xml(ref: str, value: object, strings: _Strings) -> str:
    if value is None:
        return ""
    if isinstance(value, Raw):
        return value.xml
    if isinstance(value, bool):
        return f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
    if isinstance(value, int | float):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    if isinstance(value, DateNum):
        return f'<c r="{ref}" s="1"><v>{value.serial!r}</v></c>'
    if isinstance(value, Error):
        return f'<c r="{ref}" t="e"><v>{escape(value.code)}</v></c>'
    if isinstance(value, Formula):
        if value.cached is None:
            return f'<c r="{ref}"><f>{escape(value.text)}</f></c>'
        if isinstance(value.cached, str):
            return f'<c r="{ref}" t="str"><f>{escape(value.text)}</f><v>{escape(value.cached)}</v></c>'
        return f'<c r="{ref}"><f>{escape(value.text)}</f><v>{value.cached!r}</v></c>'
    return f'<c r="{ref}" t="s"><v>{strings.add(str(value))}</v></c>'


def rows_xml(rows: Sequence[Sequence[object]], strings: _Strings, *, first: int = 1) -> str:
    out = []
    for r, row in enumerate(rows, start=first):
        cells = "".join(cell_xml(f"{get_column_letter(c)}{r}", v, strings) for c, v in enumerate(row, start=1))
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


_STYLES = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{MAIN}">'
           '<numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/></numFmts>'
           '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
           '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
           '<borders count="1"><border/></borders>'
           '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
           '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
           '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
           '</styleSheet>').encode()


def package_parts(sheets: Sequence[tuple[str, bytes]], strings: bytes | None, *, styles: bytes | None = _STYLES) -> dict[str, bytes]:
    """The parts of a workbook around its sheets' XML: content types, relationships, workbook, styles."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, len(sheets) + 1))
    if strings is not None:
        overrides += ('<Override PartName="/xl/sharedStrings.xml" '
                      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>')
    if styles is not None:
        overrides += ('<Override PartName="/xl/styles.xml" '
                      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>')
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
             '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Default Extension="xml" ContentType="application/xml"/>'
             '<Override PartName="/xl/workbook.xml" '
             'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
             f'{overrides}</Types>')
    root_rels = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="{PKG_REL}">'
                 f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>')
    sheet_entries = "".join(f'<sheet name="{_attr(name)}" sheetId="{i}" r:id="rId{i}"/>'
                            for i, (name, _) in enumerate(sheets, start=1))
    workbook = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="{MAIN}" '
                f'xmlns:r="{REL}"><sheets>{sheet_entries}</sheets></workbook>')
    rels = "".join(f'<Relationship Id="rId{i}" Type="{REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                   for i in range(1, len(sheets) + 1))
    n = len(sheets)
    if strings is not None:
        rels += f'<Relationship Id="rId{n + 1}" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/>'
    if styles is not None:
        rels += f'<Relationship Id="rId{n + 2}" Type="{REL}/styles" Target="styles.xml"/>'
    parts = {
        "[Content_Types].xml": types.encode(),
        "_rels/.rels": root_rels.encode(),
        "xl/workbook.xml": workbook.encode(),
        "xl/_rels/workbook.xml.rels": (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
                                       f'<Relationships xmlns="{PKG_REL}">{rels}</Relationships>').encode(),
    }
    if styles is not None:
        parts["xl/styles.xml"] = styles
    if strings is not None:
        parts["xl/sharedStrings.xml"] = strings
    for i, (_, xml) in enumerate(sheets, start=1):
        parts[f"xl/worksheets/sheet{i}.xml"] = xml
    return parts


def sheet_xml(data: str, *, merges: Iterable[str] = (), dimension: str | None = None, after: str = "") -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    merges = list(merges)
    merged = (f'<mergeCells count="{len(merges)}">' + "".join(f'<mergeCell ref="{m}"/>' for m in merges)
              + "</mergeCells>") if merges else ""
    return (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{MAIN}" xmlns:r="{REL}">'
            f'{dim}<sheetData>{data}</sheetData>{merged}{after}</worksheet>').encode()


def write_parts(path: Path, parts: dict[str, bytes], *, compression: int = zipfile.ZIP_DEFLATED) -> Path:
    with zipfile.ZipFile(path, "w", compression) as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return path


def write_xlsx(path: Path, rows: Sequence[Sequence[object]], *, merges: Iterable[str] = (), extra_cells: str = "",
               dimension: str | None = None, sheet_name: str = "Sheet1", after: str = "") -> Path:
    """A one-sheet workbook of ``rows`` (row 1 first); ``extra_cells`` is row XML appended after them."""
    strings = _Strings()
    data = rows_xml(rows, strings) + extra_cells
    sheet = sheet_xml(data, merges=merges, dimension=dimension, after=after)
    return write_parts(path, package_parts([(sheet_name, sheet)], strings.xml()))


# --- hostile shapes --------------------------------------------------------------------------------------

def far_cell(path: Path, rows: Sequence[Sequence[object]], ref: str = "XFD1048576", value: str = "x") -> Path:
    """A normal sheet with one more cell, far away (a 5 KB file that claims a million rows)."""
    row = int("".join(ch for ch in ref if ch.isdigit()))
    return write_xlsx(path, rows, extra_cells=f'<row r="{row}"><c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c></row>',
                      dimension=f"A1:{ref}")


def huge_merge(path: Path, rows: Sequence[Sequence[object]], ranges: Sequence[str] = ("H3:XFD1048576",)) -> Path:
    """Merged ranges reaching the sheet's far corner, overlapping if several."""
    return write_xlsx(path, rows, merges=ranges)


def long_shared_string(path: Path, rows: Sequence[Sequence[object]], length: int, *, char: str = "长") -> Path:
    """A shared string of ``length`` characters, streamed into the zip so the test never holds it whole,
    used by the first data cell."""
    strings = _Strings()
    data = rows_xml(rows, strings)
    big = len(strings.index)
    data += f'<row r="{len(rows) + 1}"><c r="A{len(rows) + 1}" t="s"><v>{big}</v></c></row>'
    parts = package_parts([("Sheet1", sheet_xml(data))], b"")
    del parts["xl/sharedStrings.xml"]
    write_parts(path, parts)
    head = strings.xml().replace(b"</sst>", b"<si><t>")
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
        out.write(head)
        chunk = (char * 65536).encode()
        left = length
        while left > 0:
            n = min(left, 65536)
            out.write(chunk if n == 65536 else (char * n).encode())
            left -= n
        out.write(b"</t></si></sst>")
    return path


def long_inline_string(path: Path, rows: Sequence[Sequence[object]], length: int, *, noise: bool = False) -> Path:
    """A cell holding a string longer than Excel allows, inline in the sheet; with ``noise`` random characters
    that do not compress (so no ratio check stops the file first)."""
    import random

    n = len(rows) + 1
    text = ("".join(random.Random(length).choices([chr(c) for c in range(0x4E00, 0x9FFF)], k=length)) if noise
            else "字" * length)
    return write_xlsx(path, rows, extra_cells=f'<row r="{n}"><c r="B{n}" t="inlineStr"><is><t>{text}</t></is></c></row>')


def inflating_member(path: Path, rows: Sequence[Sequence[object]], size: int, *, name: str = "xl/media/pad.bin") -> Path:
    """A workbook carrying a member of ``size`` zero bytes: megabytes that compress to a few kilobytes."""
    write_xlsx(path, rows)
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z, z.open(name, "w", force_zip64=True) as out:
        block = bytes(1 << 20)
        for _ in range(size >> 20):
            out.write(block)
    return path


def lying_sizes(path: Path, rows: Sequence[Sequence[object]], member: str = "xl/worksheets/sheet1.xml",
                *, padding: int = 8 << 20) -> Path:
    """A workbook whose sheet XML is ``padding`` bytes larger than its zip headers declare: a reader that
    trusts the declared size alone would be surprised."""
    strings = _Strings()
    data = rows_xml(rows, strings)
    sheet = sheet_xml(data, after="<!--" + " " * padding + "-->")
    parts = package_parts([("Sheet1", sheet)], strings.xml())
    write_parts(path, parts)
    blob = bytearray(path.read_bytes())
    declared = 4096
    encoded = member.encode()
    pos = 0
    while (pos := blob.find(encoded, pos)) != -1:
        # The local header (PK\3\4) has the uncompressed size at +22; the central one (PK\1\2) at +24.
        if blob[pos - 30:pos - 26] == b"PK\x03\x04":
            struct.pack_into("<I", blob, pos - 30 + 22, declared)
        elif blob[pos - 46:pos - 42] == b"PK\x01\x02":
            struct.pack_into("<I", blob, pos - 46 + 24, declared)
        pos += len(encoded)
    path.write_bytes(bytes(blob))
    return path


def junk_sheet_xml(path: Path, xml: bytes) -> Path:
    """A workbook whose sheet part is ``xml`` as given (unclosed tags, binary junk, a DTD, entities)."""
    parts = package_parts([("Sheet1", xml)], _Strings().xml())
    return write_parts(path, parts)


def billion_laughs(path: Path) -> Path:
    entities = '<!ENTITY a "aaaaaaaaaa">' + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'
                                                 for i in range(8))
    xml = (f'<?xml version="1.0"?>\n<!DOCTYPE worksheet [{entities}]>\n<worksheet xmlns="{MAIN}"><sheetData>'
           '<row r="1"><c r="A1" t="inlineStr"><is><t>&i;</t></is></c></row></sheetData></worksheet>').encode()
    return junk_sheet_xml(path, xml)


# --- files that are no zip ------------------------------------------------------------------------------

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_FREE, _END, _FAT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal OLE compound document (version 3, 512-byte sectors) holding ``streams`` under its root:
    the container of an encrypted .xlsx (EncryptionInfo, EncryptedPackage) and of .xls/.doc files.
    Each stream is padded to 4,096 bytes so none lives in the mini stream."""
    sector = 512
    data_sectors: list[bytes] = []
    starts = []
    sizes = []
    for payload in streams.values():
        payload = payload.ljust(4096, b"\0")
        starts.append(len(data_sectors))
        sizes.append(len(payload))
        count = -(-len(payload) // sector)
        for i in range(count):
            data_sectors.append(payload[i * sector:(i + 1) * sector].ljust(sector, b"\0"))
    dir_start = len(data_sectors)

    def entry(name: str, kind: int, start: int, size: int, child: int = _FREE, right: int = _FREE) -> bytes:
        encoded = (name + "\0").encode("utf-16-le")
        return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
                + struct.pack("<III", _FREE, right, child) + bytes(16) + bytes(4) + bytes(16)
                + struct.pack("<IIi", start, size, 0))

    names = list(streams)
    entries = [entry("Root Entry", 5, _END, 0, child=1 if names else _FREE)]
    for i, name in enumerate(names):
        entries.append(entry(name, 2, starts[i], sizes[i], right=i + 2 if i + 1 < len(names) else _FREE))
    directory = b"".join(entries)
    directory = directory.ljust(-(-len(directory) // sector) * sector, b"\0")
    dir_sectors = [directory[i:i + sector] for i in range(0, len(directory), sector)]
    fat_index = dir_start + len(dir_sectors)
    fat = [_FREE] * (sector // 4)
    for start, size in zip(starts, sizes, strict=True):
        count = -(-size // sector)
        for i in range(count):
            fat[start + i] = start + i + 1 if i + 1 < count else _END
    for i in range(len(dir_sectors)):
        fat[dir_start + i] = dir_start + i + 1 if i + 1 < len(dir_sectors) else _END
    fat[fat_index] = _FAT
    header = (_OLE_MAGIC + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6) + bytes(6)
              + struct.pack("<IIIIIIIII", 0, 1, dir_start, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<I", fat_index) + struct.pack("<I", _FREE) * 108)
    return header + b"".join(data_sectors) + b"".join(dir_sectors) + struct.pack(f"<{len(fat)}I", *fat)


def encrypted_xlsx(path: Path) -> Path:
    """What Excel saves for a workbook with an opening password: a compound document, not a zip."""
    info = struct.pack("<HHI", 4, 4, 0x40) + b"<?xml version=\"1.0\"?><encryption/>"
    package = struct.pack("<Q", 1234) + zlib.compress(b"not really encrypted")
    path.write_bytes(compound_file({"EncryptionInfo": info, "EncryptedPackage": package}))
    return path


def word_document(path: Path) -> Path:
    """A Word 97 document (renamed to .xlsx by the user): a compound document without encryption."""
    path.write_bytes(compound_file({"WordDocument": b"\xec\xa5" + bytes(100), "1Table": bytes(64)}))
    return path


def pdf(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n")
    return path


def random_bytes(path: Path, seed: int = 1, size: int = 4096) -> Path:
    import random

    path.write_bytes(random.Random(seed).randbytes(size))
    return path

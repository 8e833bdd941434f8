"""Reading .xls, WPS .et, .ods and .xlsb through python-calamine, within the same bounds as our .xlsx reader.

calamine builds each worksheet as a dense rectangle from its first to its last cell before Python sees a
row, and a process that cannot allocate it is killed, not told (a file with one cell in A1 and one at
IV65536 takes a gigabyte). So the cells' extent is measured first, from the file's own records, without
calamine: the BIFF records of the .xls stream, the rows of the .ods content (repeats counted, not
expanded), the records of each .xlsb sheet. A sheet past ``gridapp.io.limits`` is refused naming where;
only then does calamine read it, and its values become what the .xlsx reader yields (integral numbers as
int, dates as datetime, text cleaned). Whatever calamine raises, a Rust panic included, is a sentence.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import struct
import sys
import tempfile
import threading
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from xml.parsers import expat

import python_calamine as pc

from gridapp.core.errors import ValidationError
from gridapp.io import limits
from gridapp.io.cells import clean_cell
from gridapp.io.source import ole_stream
from gridapp.io.xlsx_reader import (
    Marker,
    RawSheet,
    Workbook,
    _Refused,
    _what_broke,
    column_letters,
)

LABELS = {"xls": ".xls", "ods": ".ods", "xlsb": ".xlsb"}
_MIDNIGHT = dt.time()
# Error values by their code in BIFF8 and BIFF12 alike.
ERRORS = {0x00: "#NULL!", 0x07: "#DIV/0!", 0x0F: "#VALUE!", 0x17: "#REF!", 0x1D: "#NAME?", 0x24: "#NUM!",
          0x2A: "#N/A", 0x2B: "#GETTING_DATA"}


@dataclass
class Extent:
    """Where a sheet's cells holding something lie (1-based, inclusive), and its merged ranges."""

    top: int = 0
    left: int = 0
    bottom: int = 0
    right: int = 0
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    # Cells holding an error value (#REF!), which calamine reads as empty: (row, column) → the error as shown.
    errors: dict[tuple[int, int], str] = field(default_factory=dict)

    def add(self, row: int, col: int, last_row: int | None = None, last_col: int | None = None) -> None:
        last_row, last_col = last_row or row, last_col or col
        if not self.top:
            self.top, self.left, self.bottom, self.right = row, col, last_row, last_col
            return
        self.top, self.left = min(self.top, row), min(self.left, col)
        self.bottom, self.right = max(self.bottom, last_row), max(self.right, last_col)


def _label(fmt: str, path: Path) -> str:
    suffix = path.suffix.lower()
    return ".et" if fmt == "xls" and suffix == ".et" else LABELS[fmt]


def _damaged(path: Path, fmt: str, detail: str) -> ValidationError:
    return ValidationError(f"文件 {path.name} 已损坏或不是有效的 {_label(fmt, path)} 文件：{detail}")


def _check(path: Path, fmt: str, sheet: str, extent: Extent) -> None:
    """Refuse a sheet whose cells reach past the limits, before calamine lays them out."""
    if not extent.top:
        return
    where = f"{column_letters(extent.right)}{extent.bottom}"
    if extent.bottom > limits.MAX_ROWS or extent.right > limits.MAX_COLUMNS:
        raise ValidationError(
            f"文件 {path.name} 无法导入：工作表“{sheet}”单元格 {where} 超出可读取的范围（最多 {limits.MAX_ROWS:,} 行、"
            f"{limits.MAX_COLUMNS:,} 列），请删除表格中远离数据的多余内容后再导入")
    area = (extent.bottom - extent.top + 1) * (extent.right - extent.left + 1)
    if area > limits.MAX_DENSE_CELLS:
        raise ValidationError(
            f"文件 {path.name} 无法导入：工作表“{sheet}”的数据从 {column_letters(extent.left)}{extent.top} 到 {where}，"
            f"共 {area:,} 个单元格，超过 {_label(fmt, path)} 格式可读取的上限 {limits.MAX_DENSE_CELLS:,} 个；"
            "请删除远离数据的多余内容，或另存为 .xlsx 后再导入")


# --- .xls and .et: the BIFF records of the Workbook stream ---------------------------------------------------------

# Records holding a cell's value, each starting with its row and column (MULRK: several columns).
_BIFF_CELLS = {0x00FD, 0x0203, 0x027E, 0x0204, 0x0205, 0x0006, 0x00D6, 0x0003, 0x0004, 0x0002, 0x0005, 0x0406}
_MULRK, _BOF, _EOF, _BOUNDSHEET, _MERGED, _FILEPASS, _DIMENSIONS = 0x00BD, 0x0809, 0x000A, 0x0085, 0x00E5, 0x002F, 0x0200


def _xls_extents(path: Path) -> dict[str, Extent]:
    """Each worksheet's extent and merges, by name, read from the BIFF records (no cell is decoded)."""
    try:
        data = ole_stream(path, ("Workbook", "Book"))
    except (OSError, ValueError, struct.error) as exc:
        raise _damaged(path, "xls", _ole_words(exc)) from None
    if data is None:
        raise _damaged(path, "xls", "其中没有工作簿数据（可能是 Word 文档等其他 Office 文件）")
    names: dict[int, str] = {}
    by_offset: dict[int, Extent] = {}
    current: Extent | None = None
    outer: Extent | None = None
    depth = 0
    pos, end = 0, len(data)
    unpack = struct.unpack_from
    while pos + 4 <= end:
        kind, size = unpack("<HH", data, pos)
        body = pos + 4
        if kind in _BIFF_CELLS and current is not None and size >= 4:
            row, col = unpack("<HH", data, body)
            current.add(row + 1, col + 1)
            if kind == 0x0205 and size >= 8 and data[body + 7] == 1:  # BOOLERR holding an error
                current.errors[(row + 1, col + 1)] = ERRORS.get(data[body + 6], "#VALUE!")
            elif kind == 0x0006 and size >= 14 and data[body + 6] == 2 and data[body + 12:body + 14] == b"\xff\xff":
                current.errors[(row + 1, col + 1)] = ERRORS.get(data[body + 8], "#VALUE!")  # a formula's error result
        elif kind == _MULRK and current is not None and size >= 6:
            row, first = unpack("<HH", data, body)
            (last,) = unpack("<H", data, body + size - 2)
            current.add(row + 1, first + 1, row + 1, max(first, last) + 1)
        elif kind == _BOF:
            depth += 1
            if depth == 1:  # a sheet's own substream, not a chart embedded in it
                current = by_offset.setdefault(pos, Extent()) if pos else None
            elif depth == 2:
                outer, current = current, None
        elif kind == _EOF:
            depth = max(depth - 1, 0)
            if depth == 1:
                current = outer
        elif kind == _DIMENSIONS and current is not None:
            # calamine sizes a sheet from these before reading it: first past last wraps to a vast number
            if size >= 14:
                first_row, end_row, first_col, end_col = unpack("<IIHH", data, body)
            elif size >= 8:
                first_row, end_row, first_col, end_col = unpack("<HHHH", data, body)
            else:
                first_row = end_row = first_col = end_col = 0
            if first_row > end_row or first_col > end_col or end_row > 1 << 20 or end_col > 1 << 14:
                raise _damaged(path, "xls", f"工作表的范围记录（第 {first_row + 1}–{end_row} 行）不合理")
        elif kind == _BOUNDSHEET and size >= 8:
            (offset,) = unpack("<I", data, body)
            names[offset] = _sheet_name(data[body + 6:body + size])
        elif kind == _MERGED and current is not None and size >= 2:
            (count,) = unpack("<H", data, body)
            for i in range(min(count, (size - 2) // 8)):
                r0, r1, c0, c1 = unpack("<HHHH", data, body + 2 + 8 * i)
                current.merges.append((r0 + 1, c0 + 1, max(r0, r1) + 1, max(c0, c1) + 1))
            if len(current.merges) > limits.MAX_MERGED_RANGES:
                raise ValidationError(f"文件 {path.name} 无法导入：合并单元格超过 {limits.MAX_MERGED_RANGES:,} 处")
        elif kind == _FILEPASS and current is None and depth <= 1:
            raise ValidationError(f"文件 {path.name} 设有打开密码，请在 Excel 或 WPS 中取消密码后再导入")
        pos = body + size
    return {names.get(offset, f"#{i}"): ext for i, (offset, ext) in enumerate(sorted(by_offset.items()))}


def _sheet_name(raw: bytes) -> str:
    """A BOUNDSHEET's name: a short string, one byte of length then a flag (BIFF8) or the bytes (BIFF5)."""
    if not raw:
        return ""
    n = raw[0]
    if len(raw) >= 2 and raw[1] in (0, 1) and len(raw) - 2 >= n * (2 if raw[1] else 1):
        chars = raw[2:2 + n * (2 if raw[1] else 1)]
        return chars.decode("utf-16-le" if raw[1] else "latin-1", "replace")
    return raw[1:1 + n].decode("gbk", "replace")


def _ole_words(exc: BaseException) -> str:
    detail = str(exc)
    if "truncated" in detail or "short" in detail:
        return "文件不完整，可能没有下载或复制完"
    return "复合文档的目录或扇区链已损坏"


# --- .ods and .xlsb: a zip checked as the .xlsx reader checks one ---------------------------------------------------


class _Package(Workbook):
    """An .ods or .xlsb zip: its directory, sizes and ratios checked before any member is inflated."""

    def __init__(self, path: Path, fmt: str):  # the container only: calamine reads the parts
        self.fmt = fmt
        self._open_package(path)

    def _damaged(self, exc: BaseException | str) -> ValidationError:
        return _damaged(self.path, self.fmt, _what_broke(exc))

    def read_bytes(self, member: str) -> Iterator[bytes]:
        stream = self._open(member)
        try:
            while chunk := stream.read():
                yield chunk
        except _Refused as exc:
            raise self._refused(exc.reason) from None
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise self._damaged(exc) from None
        finally:
            stream.close()


_ODS = "urn:oasis:names:tc:opendocument:xmlns:"
_TABLE = _ODS + "table:1.0 "
_VALUE_TYPE = _ODS + "office:1.0 value-type"
_CALCEXT_VALUE_TYPE = "urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0 value-type"
_CELLS = (_TABLE + "table-cell", _TABLE + "covered-table-cell")


class _OdsScan:
    """The extents of an .ods's tables from its content.xml, as expat reports elements (a tree is never built:
    a million cells cost seconds as elements, a fraction as events)."""

    def __init__(self, path: Path):
        self.path = path
        self.out: dict[str, Extent] = {}
        self.extent: Extent | None = None
        self.depth = 0  # tables nested in a cell (sub-tables) are not rows of the sheet
        self.row = self.col = 0
        self.repeat_rows = self.repeat_cols = 1
        self.cell: tuple[int, int, bool] | None = None  # (column, repeat, has content) of the open cell
        self.error: list[str] | None = None  # the text of an open error cell
        self.parser = None

    def count(self, attrs: dict[str, str], name: str) -> int:
        raw = attrs.get(_TABLE + name)
        if raw is None:
            return 1
        try:
            return max(int(raw), 1)
        except ValueError:
            raise _damaged(self.path, "ods", f"table:{name}=“{raw[:20]}”不是数字") from None

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == _TABLE + "table":
            self.depth += 1
            if self.depth == 1:
                self.extent = self.out.setdefault(attrs.get(_TABLE + "name") or f"#{len(self.out) + 1}", Extent())
                self.row = 0
            return
        if self.depth != 1 or self.extent is None:
            return
        if self.cell is not None:  # an element inside a cell (text:p): the cell holds something
            self.cell = (self.cell[0], self.cell[1], True)
        elif tag in _CELLS:
            repeat = self.count(attrs, "number-columns-repeated")
            self.cell = (self.col, repeat, _VALUE_TYPE in attrs)
            if attrs.get(_CALCEXT_VALUE_TYPE) == "error":
                self.error = []
                self.parser.CharacterDataHandler = self.text  # text is read only in an error cell
            if tag == _CELLS[0]:
                spans = (self.count(attrs, "number-rows-spanned"), self.count(attrs, "number-columns-spanned"))
                if spans != (1, 1):
                    merges = self.extent.merges
                    merges.append((self.row + 1, self.col + 1, self.row + spans[0], self.col + spans[1]))
                    if len(merges) > limits.MAX_MERGED_RANGES:
                        raise ValidationError(f"文件 {self.path.name} 无法导入：合并单元格超过 "
                                              f"{limits.MAX_MERGED_RANGES:,} 处")
        elif tag == _TABLE + "table-row":
            self.col, self.repeat_rows = 0, self.count(attrs, "number-rows-repeated")

    def end(self, tag: str) -> None:
        if tag == _TABLE + "table":
            self.depth -= 1
        elif self.depth == 1 and self.extent is not None and tag in _CELLS and self.cell is not None:
            col, repeat, content = self.cell
            if content:
                self.extent.add(self.row + 1, col + 1, self.row + self.repeat_rows, col + repeat)
                if self.error is not None:
                    text = "".join(self.error).strip()[:20] or "#VALUE!"
                    for r in range(self.row + 1, self.row + 1 + min(self.repeat_rows, 64)):
                        self.extent.errors.update(((r, c), text) for c in range(col + 1, col + 1 + min(repeat, 64)))
            self.col += repeat
            if self.error is not None:
                self.parser.CharacterDataHandler = None
            self.cell = self.error = None
        elif self.depth == 1 and tag == _TABLE + "table-row":
            self.row += self.repeat_rows

    def text(self, data: str) -> None:
        if self.error is not None and len(self.error) < 8:
            self.error.append(data)


def _ods_extents(path: Path) -> dict[str, Extent]:
    """Each table's extent and merges, repeated rows and columns counted, never expanded."""
    pkg = _Package(path, "ods")
    scan = _OdsScan(path)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = scan.start, scan.end
    parser.buffer_text = True
    scan.parser = parser
    try:
        if pkg._has("META-INF/manifest.xml") and b"encryption-data" in _member(pkg, "META-INF/manifest.xml"):
            raise ValidationError(f"文件 {path.name} 设有打开密码，请在 LibreOffice 或 WPS 中取消密码后再导入")
        if not pkg._has("content.xml"):
            raise pkg._damaged("缺少 content.xml")
        for chunk in pkg.read_bytes("content.xml"):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError as exc:
        raise pkg._damaged(f"content.xml 不是完好的 XML：{expat.ErrorString(exc.code)}") from None
    finally:
        pkg.close()
    return scan.out


# BIFF12 records: a cell's column is its first four bytes; a row header's first four bytes its row.
_B12_ROW, _B12_MERGE, _B12_BUNDLE_SH = 0x0000, 0x00B0, 0x009C
_B12_CELLS = frozenset(range(0x02, 0x0C))  # Rk, Error, Bool, Real, St, Isst, FmlaString/Num/Bool/Error (1 is blank)


def _records(data: bytes) -> Iterator[tuple[int, int, int]]:
    """The (type, start, size) of each record of a BIFF12 part: type and size each a variable-length number."""
    pos, end = 0, len(data)
    while pos < end:
        byte = data[pos]
        kind = byte & 0x7F
        pos += 1
        if byte & 0x80:
            kind |= (data[pos] & 0x7F) << 7
            pos += 1
        size = shift = 0
        for _ in range(4):
            byte = data[pos]
            pos += 1
            size |= (byte & 0x7F) << shift
            shift += 7
            if not byte & 0x80:
                break
        if pos + size > end:
            raise EOFError("truncated record")
        yield kind, pos, size
        pos += size


def _xlsb_extents(path: Path) -> dict[str, Extent]:
    """Each worksheet's extent and merges from its records, in workbook order, by name."""
    pkg = _Package(path, "xlsb")
    out: dict[str, Extent] = {}
    unpack = struct.unpack_from
    try:
        if not pkg._has("xl/workbook.bin"):
            raise pkg._damaged("缺少 xl/workbook.bin")
        rels = pkg._rels("xl/workbook.bin")
        sheets: list[tuple[str, str]] = []
        book = _member(pkg, "xl/workbook.bin")
        for kind, at, size in _safe(pkg, "xl/workbook.bin", book):
            if kind == _B12_BUNDLE_SH and size >= 12:
                body = book[at:at + size]
                rel, after = _wide_string(body, 8)
                name, _ = _wide_string(body, after)
                if rel not in rels:  # calamine panics on a sheet without its relationship
                    raise pkg._damaged(f"工作表“{name[:40]}”在 xl/_rels/workbook.bin.rels 中没有对应的部件")
                target = rels[rel][1]
                if pkg._has(target):
                    sheets.append((name, target))
        for name, part in sheets:
            extent = out[name] = Extent()
            data = _member(pkg, part)
            row = 0
            first_row = last_row = 0
            first_col, last_col = 1 << 32, -1
            for kind, at, size in _safe(pkg, part, data):
                if kind in _B12_CELLS:
                    if size >= 4 and row:
                        col = unpack("<I", data, at)[0] + 1
                        if col < first_col:
                            first_col = col
                        if col > last_col:
                            last_col = col
                        if not first_row:
                            first_row = row
                        last_row = max(last_row, row)
                        if kind in (0x03, 0x0B) and size >= 9:  # BrtCellError, BrtFmlaError
                            extent.errors[(row, col)] = ERRORS.get(data[at + 8], "#VALUE!")
                elif kind == _B12_ROW and size >= 4:
                    row = unpack("<I", data, at)[0] + 1
                    first_row = min(first_row, row) if first_row else 0
                elif kind == _B12_MERGE and size >= 16:
                    r0, r1, c0, c1 = unpack("<4I", data, at)
                    extent.merges.append((r0 + 1, c0 + 1, max(r0, r1) + 1, max(c0, c1) + 1))
                    if len(extent.merges) > limits.MAX_MERGED_RANGES:
                        raise pkg._refused(f"工作表“{name}”的合并单元格超过 {limits.MAX_MERGED_RANGES:,} 处")
            if last_col >= 0:
                extent.add(first_row, first_col, last_row, last_col)
    finally:
        pkg.close()
    return out


def _member(pkg: _Package, part: str) -> bytes:
    """A part's bytes, read through the same bounded stream as every member (calamine holds it whole too)."""
    return b"".join(pkg.read_bytes(part))


def _safe(pkg: _Package, part: str, data: bytes) -> Iterator[tuple[int, int, int]]:
    try:
        yield from _records(data)
    except (IndexError, EOFError, struct.error) as exc:
        raise pkg._damaged(f"{part} 的记录不完整或已损坏（{exc}）") from None


def _wide_string(body: bytes, at: int) -> tuple[str, int]:
    (n,) = struct.unpack_from("<I", body, at)
    n = min(n, (len(body) - at - 4) // 2)
    return body[at + 4:at + 4 + 2 * n].decode("utf-16-le", "replace"), at + 4 + 2 * n


# --- reading through calamine --------------------------------------------------------------------------------------

_EXTENTS = {"xls": _xls_extents, "ods": _ods_extents, "xlsb": _xlsb_extents}


def read_sheets(path: Path, only: str | None = None, fmt: str = "xls") -> Iterator[RawSheet]:
    """The worksheets of an .xls/.et, .ods (or flat .fods) or .xlsb one at a time (or only ``only``), each
    measured first."""
    if fmt == "fods":
        with _packed(path) as packed:
            yield from read_sheets(packed, only, "ods")
        return
    extents = _EXTENTS[fmt](path)
    if fmt != "xlsb":  # calamine lays out every sheet of an .xls or .ods as it opens it, not one at a time
        for name, extent in extents.items():
            _check(path, fmt, name, extent)
    with _named_as(path, fmt) as readable:
        try:
            with _panics_off_stderr():
                book = pc.CalamineWorkbook.from_path(str(readable))
        except BaseException as exc:  # calamine's errors and Rust panics alike are the file's
            if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
                raise
            raise _calamine_failed(path, fmt, exc) from None
        try:
            yield from _sheets(book, path, fmt, only, extents)
        finally:
            with contextlib.suppress(BaseException):  # closing what failed is not the user's problem
                book.close()


def _sheets(book, path: Path, fmt: str, only: str | None, extents: dict[str, Extent]) -> Iterator[RawSheet]:
    try:
        metas = [m for m in book.sheets_metadata if str(m.typ).endswith("WorkSheet")]
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise _calamine_failed(path, fmt, exc) from None
    names = [m.name for m in metas]
    if only is not None:
        if only not in names:
            raise ValidationError(f"{path.name} 中没有名为“{only}”的工作表（有：{'、'.join(names)}）")
        names = [only]
    if not names:
        raise ValidationError(f"{path.name} 中没有工作表（只有图表、对话框或宏表），没有可导入的内容")
    every = [m.name for m in book.sheets_metadata]
    for name in names:
        extent = extents.get(name)
        if extent is None and len(extents) == len(every):  # a name read otherwise (an old code page): by place
            extent = list(extents.values())[every.index(name)]
        if extent is None:
            raise _damaged(path, fmt, f"找不到工作表“{name}”的数据")
        _check(path, fmt, name, extent)
        yield _read(book, path, fmt, name, extent)


_STDERR = threading.Lock()


@contextlib.contextmanager
def _panics_off_stderr() -> Iterator[None]:
    """calamine prints a Rust panic (and, with RUST_BACKTRACE, its backtrace) on the process's stderr before it
    comes back as an exception that is turned into a sentence: the desk sees the sentence only. Whatever else
    reaches stderr meanwhile is passed on afterwards."""
    try:
        saved = os.dup(2)
    except OSError:  # no stderr at all (a windowed program)
        yield
        return
    with _STDERR, tempfile.TemporaryFile() as sink:
        if sys.stderr is not None:  # None in a windowed program
            sys.stderr.flush()
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            text = sink.read(1 << 16)
            if text and b"panicked at" not in text:
                os.write(2, text)


@contextlib.contextmanager
def _packed(path: Path) -> Iterator[Path]:
    """A flat OpenDocument file (.fods, one XML document) as the .ods calamine reads: the document as its
    content.xml, in a folder of its own under the same name, so every sentence still names the file."""
    limits.check_size(path, limits.MAX_CSV_BYTES)
    with tempfile.TemporaryDirectory(prefix="gridapp-") as folder:
        packed = Path(folder) / path.name
        try:
            with zipfile.ZipFile(packed, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
                z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet",
                           compress_type=zipfile.ZIP_STORED)
                z.writestr("META-INF/manifest.xml", _FLAT_MANIFEST)
                with path.open("rb") as src, z.open("content.xml", "w", force_zip64=True) as dest:
                    shutil.copyfileobj(src, dest, 1 << 20)
        except OSError as exc:
            raise ValidationError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
        yield packed


_FLAT_MANIFEST = ('<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:'
                  'opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" '
                  'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/></manifest:manifest>')


_SUFFIXES = {"xls": (".xls", ".et", ".xla", ".xlt", ".ett"), "ods": (".ods",), "xlsb": (".xlsb",)}


@contextlib.contextmanager
def _named_as(path: Path, fmt: str) -> Iterator[Path]:
    """The path, or a copy named with the format's suffix: calamine picks its reader by the name, and an
    .xls saved as .xlsx, or an .xlsb as .xls, is read as what it is."""
    if path.suffix.lower() in _SUFFIXES[fmt]:
        yield path
        return
    with tempfile.TemporaryDirectory(prefix="gridapp-") as folder:
        copy = Path(folder) / f"sheet{_SUFFIXES[fmt][0]}"
        try:
            shutil.copyfile(path, copy)
        except OSError as exc:
            raise ValidationError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
        yield copy


def _read(book, path: Path, fmt: str, name: str, extent: Extent) -> RawSheet:
    sheet = RawSheet(name)
    sheet.merges = list(extent.merges)
    if not extent.top:
        return sheet
    try:
        with _panics_off_stderr():
            ws = book.get_sheet_by_name(name)
        start = ws.start
        if start is None:
            return sheet
        top, left = start[0] + 1, start[1] + 1
        if (top + ws.height - 1 > limits.MAX_ROWS or left + ws.width - 1 > limits.MAX_COLUMNS
                or ws.height * ws.width > limits.MAX_DENSE_CELLS):
            _check(path, fmt, name, Extent(top, left, top + ws.height - 1, left + ws.width - 1))
        if fmt == "xls" and not sheet.merges:
            sheet.merges = [(r0 + 1, c0 + 1, r1 + 1, c1 + 1) for (r0, c0), (r1, c1) in ws.merged_cell_ranges or ()]
        errors: dict[int, list[tuple[int, str]]] = {}
        for (r, c), error in extent.errors.items():
            errors.setdefault(r, []).append((c, error))
        texts: dict[str, str] = {}
        for r, values in enumerate(ws.iter_rows(), start=top):
            row = _row(values, left, path, name, r, texts)
            for c, error in errors.get(r, ()):
                row.extend([None] * (c - len(row)))
                row[c - 1] = Marker(error)
                sheet.marked.add(r)
            if row:
                sheet.rows[r] = row
                sheet.height = r
                sheet.width = max(sheet.width, len(row))
    except ValidationError:
        raise
    except BaseException as exc:
        if isinstance(exc, KeyboardInterrupt | SystemExit | MemoryError):
            raise
        raise _calamine_failed(path, fmt, exc) from None
    return sheet


def _row(values: list, left: int, path: Path, sheet: str, r: int, texts: dict[str, str]) -> list[object]:
    """A row's values from column A on, as the .xlsx reader gives them; trailing empty cells dropped.

    ``texts`` keeps each distinct text cleaned once (the .xlsx reader cleans each shared string once)."""
    out: list[object] = [None] * (left - 1)
    append = out.append
    for v in values:
        cls = v.__class__
        if cls is str:
            if not v:
                append(None)
                continue
            text = texts.get(v)
            if text is None:
                if len(v) > limits.MAX_CELL_CHARS:
                    where = f"{column_letters(len(out) + 1)}{r}"
                    raise ValidationError(f"文件 {path.name} 工作表“{sheet}”单元格 {where} 的文字超过 "
                                          f"{limits.MAX_CELL_CHARS:,} 个字符（Excel 单元格的上限），请删减后再导入")
                text = clean_cell(v)
                if len(texts) < 100_000:
                    texts[v] = text
            append(text)
        elif cls is float:
            # Excel keeps 15 significant digits: below that an integral number is the int the .xlsx reader
            # reads; above, a float, so an ID number stored as a number is told as it is from an .xlsx.
            append(int(v) if v.is_integer() and -1e15 < v < 1e15 else v)
        elif cls is dt.date:
            append(dt.datetime.combine(v, _MIDNIGHT))
        else:
            append(v)
    while out and out[-1] is None:
        out.pop()
    return out


def _calamine_failed(path: Path, fmt: str, exc: BaseException) -> ValidationError:
    name = type(exc).__name__
    detail = str(exc)
    if name == "PasswordError" or "password" in detail.lower() or "encrypt" in detail.lower():
        return ValidationError(f"文件 {path.name} 设有打开密码，请在 Excel 或 WPS 中取消密码后再导入")
    if name == "PanicException":
        words = "读取时遇到无法解析的内容"
    elif "eof" in detail.lower() or "end of" in detail.lower() or "truncat" in detail.lower():
        words = "文件不完整，可能没有下载或复制完"
    elif name == "ZipError":
        words = "压缩包结构已损坏"
    elif name == "XmlError":
        words = "其中的 XML 不完好"
    else:
        words = "内容不符合该格式"
    return _damaged(path, fmt, f"{words}（{name}）")


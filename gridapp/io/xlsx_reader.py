"""Reading an .xlsx's cells in one bounded, streaming pass, whatever the file claims about itself.

openpyxl's full reader builds an object per cell of every merged range and of the sheet's dimensions
(a 5 KB file with one cell at XFD1048576 takes the machine's memory) and reads the shared strings
whole. This reader checks the zip's members before reading any, reads each member through a stream
that stops at its limit, keeps only the cells that hold something, and leaves merged ranges as
rectangles for the caller to clip to the data. It reads the cached values (what Excel shows) and
marks, in the same pass, the formulas saved without their result and the cells holding an error value.
All bounds are in ``gridapp.io.limits``.
"""

from __future__ import annotations

import contextlib
import posixpath
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from xml.etree.ElementTree import ParseError, iterparse

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel, from_ISO8601

from gridapp.core.errors import ValidationError
from gridapp.io import limits, xlsx_scan
from gridapp.io.cells import clean_cell

_MAIN_NS = ("http://schemas.openxmlformats.org/spreadsheetml/2006/main", "http://purl.oclc.org/ooxml/spreadsheetml/main")
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
_REF = re.compile(r"\$?([A-Za-z]{1,3})\$?(\d{1,7})")
_READ_CHUNK = 64 * 1024
# Worksheet tags by local name, in each namespace a workbook may use (transitional, strict, none).
_TAGS = {f"{{{ns}}}{local}" if ns else local: local for ns in (*_MAIN_NS, "")
         for local in ("c", "row", "v", "f", "is", "mergeCell")}


class Marker:
    """In place of a value: a formula saved without its result (``error`` None), or an error value (#REF!)."""

    __slots__ = ("error",)

    def __init__(self, error: str | None = None):
        self.error = error

    def __repr__(self) -> str:
        return f"Marker({self.error!r})"


UNCOMPUTED = Marker()


@dataclass
class RawSheet:
    """The cells of one worksheet that hold something, by 1-based row and column; text already cleaned."""

    name: str
    rows: dict[int, list[object]] = field(default_factory=dict)  # row → values from column A on
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (top, left, bottom, right), as declared
    marked: set[int] = field(default_factory=set)  # rows holding a Marker
    height: int = 0  # the last row and column holding something
    width: int = 0


class _Refused(Exception):
    """A bound was hit inside a stream; turned into a sentence naming the file by the caller."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


_CONTAINER_ERRORS = (_Refused, zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError, NotImplementedError)


def _n(value: int) -> str:
    return f"{value:,}"


class _Bounded:
    """A zip member read in chunks, stopped past ``limit`` bytes, past a run of text longer than any cell
    may hold, or at a DTD (no part of an .xlsx has one; entity definitions are how XML bombs work)."""

    def __init__(self, raw, limit: int, member: str, budget: list[int]):
        self.raw, self.limit, self.member, self.budget = raw, limit, member, budget
        self.total = 0
        self.run = 0  # bytes since the last "<"
        self.tail = b""  # the end of the last chunk, for a declaration split between two

    def read(self, n: int = -1) -> bytes:
        data = self.raw.read(_READ_CHUNK if n is None or n < 0 or n > _READ_CHUNK else n)
        self.total += len(data)
        self.budget[0] -= len(data)
        if self.total > self.limit:
            raise _Refused(f"其中的 {self.member} 解压后超过 {self.limit >> 20} MB，可能是恶意构造的文件")
        if self.budget[0] < 0:
            raise _Refused(f"解压后共超过 {limits.MAX_TOTAL_BYTES >> 20} MB，可能是恶意构造的文件")
        first = data.find(b"<")
        if first == -1:
            self.run += len(data)
        else:
            if self.run + first > limits.MAX_TEXT_BYTES:
                self.run += first
            else:
                self.run = len(data) - data.rfind(b"<") - 1
        if self.run > limits.MAX_TEXT_BYTES:
            raise _Refused(f"{self.member} 中有一段文字超过 {_n(limits.MAX_CELL_CHARS)} 个字符（Excel 单元格的上限）")
        seam = self.tail + data[:16]
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data or b"<!DOCTYPE" in seam or b"<!ENTITY" in seam:
            raise _Refused(f"{self.member} 含有 DTD 声明，不是 Excel 保存的文件")
        self.tail = data[-16:]
        return data

    def close(self) -> None:
        self.raw.close()


_CJK = re.compile(r"[\u4e00-\u9fff]")


def _what_broke(exc: BaseException | str) -> str:
    """What is wrong with the container, in words (the library's English words and class names mean
    nothing at the desk; our own Chinese detail is kept)."""
    if isinstance(exc, str):
        return exc
    detail = str(exc)
    if _CJK.search(detail):
        return detail
    if isinstance(exc, EOFError) or "truncated" in detail.lower() or "end of" in detail.lower():
        return "文件不完整，可能没有下载或复制完"
    if isinstance(exc, zlib.error) or "crc" in detail.lower():
        return "压缩的数据已损坏"
    if isinstance(exc, zipfile.BadZipFile):
        return "压缩包结构已损坏"
    if isinstance(exc, OSError):
        return f"读取失败：{exc.strerror}" if exc.strerror and _CJK.search(exc.strerror) else "读取文件时出错"
    return "内容不符合 Excel 文件的格式"


def _part_key(name: str) -> str:
    """A zip part's name as compared: forward slashes, no leading slash, any case (OOXML names are
    case-insensitive, and some Windows tools write backslashes)."""
    return name.replace("\\", "/").lstrip("/").lower()


def column_index(letters: str) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


def column_letters(index: int) -> str:
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


class Workbook:
    """An .xlsx opened for reading: its members checked, its sheet list, styles and shared strings read."""

    def __init__(self, path: Path):
        self._open_package(path)
        try:
            self._read_workbook()
            self.date_styles, self.timedelta_styles = self._read_styles()
            self.strings = self._read_strings()
        except BaseException:
            self.zip.close()
            raise

    # --- the container ---------------------------------------------------------------------------------

    def _open_package(self, path: Path) -> None:
        """The zip opened after its size, directory and members' declared sizes and ratios were checked."""
        self.path = path
        self.name = path.name
        limits.check_size(path)
        try:
            self._check_directory()
            self.zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, KeyError, NotImplementedError) as exc:
            raise self._damaged(exc) from None
        try:
            self._check_members()
        except BaseException:
            self.zip.close()
            raise
        self.budget = [limits.MAX_TOTAL_BYTES]
        # Part names as some writers store them (xl\\sharedStrings.xml, xl/SharedStrings.xml) found too.
        self._names = {_part_key(i.filename): i.filename for i in self.zip.infolist()}

    def _damaged(self, exc: BaseException | str) -> ValidationError:
        return ValidationError(f"{self.name} 不是有效的 Excel（.xlsx）文件，或文件已损坏（{_what_broke(exc)}）")

    def _refused(self, reason: str) -> ValidationError:
        return ValidationError(f"文件 {self.name} 无法导入：{reason}")

    def _check_directory(self) -> None:
        """The zip's central directory is bounded before ``ZipFile`` reads it into objects, one per entry."""
        with self.path.open("rb") as f:
            end = zipfile._EndRecData(f)  # the end record (zip64 aware), as ZipFile itself reads it
        if end is None:
            raise zipfile.BadZipFile("没有 zip 目录")
        entries, directory = end[zipfile._ECD_ENTRIES_TOTAL], end[zipfile._ECD_SIZE]
        if entries > 10_000 or directory > 8 << 20:
            raise ValidationError(f"文件 {self.name} 无法导入：其中有 {_n(entries)} 个部件，远多于任何 Excel 文件，"
                                  "可能是恶意构造的文件")

    def _check_members(self) -> None:
        """Declared sizes and compression ratios, before any member is inflated."""
        total = 0
        for info in self.zip.infolist():
            if info.flag_bits & 0x1:
                raise ValidationError(f"文件 {self.name} 的内容设有密码，请在 Excel 中取消密码后再导入")
            size, packed = info.file_size, max(info.compress_size, 1)
            total += size
            if size > limits.MAX_MEMBER_BYTES:
                raise self._refused(f"其中的 {info.filename} 解压后有 {size >> 20} MB，超过上限 "
                                    f"{limits.MAX_MEMBER_BYTES >> 20} MB，可能是恶意构造的文件")
            if size > limits.RATIO_FLOOR and size / packed > limits.MAX_RATIO:
                raise self._refused(f"其中的 {info.filename} 压缩比为 {size // packed}:1（上限 {limits.MAX_RATIO}:1），"
                                    "解压后远大于文件本身，可能是恶意构造的“压缩炸弹”")
        if total > limits.MAX_TOTAL_BYTES:
            raise self._refused(f"解压后共 {total >> 20} MB，超过上限 {limits.MAX_TOTAL_BYTES >> 20} MB")

    def _has(self, part: str) -> bool:
        return _part_key(part) in self._names

    def _open(self, member: str) -> _Bounded:
        try:
            return _Bounded(self.zip.open(self._names.get(_part_key(member), member)), limits.MAX_MEMBER_BYTES,
                            member, self.budget)
        except RuntimeError as exc:  # an encrypted member
            raise self._damaged(exc) from None
        except NotImplementedError:
            raise self._damaged(f"{member} 使用了不支持的压缩方式") from None
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:  # a member's local header damaged
            raise self._damaged(exc) from None

    def _parse(self, member: str, events: tuple[str, ...] = ("end",)) -> Iterator[tuple[str, object]]:
        """The XML events of a member, every failure of the container or the XML a sentence."""
        stream = self._open(member)
        try:
            yield from iterparse(stream, events)
        except ParseError as exc:
            raise self._damaged(f"{member} 不是完好的 XML：{exc}") from None
        except _CONTAINER_ERRORS as exc:
            raise self._container_failed(exc) from None
        finally:
            stream.close()

    def _container_failed(self, exc: BaseException) -> ValidationError:
        """A bound hit while a member was read, or the zip or its compression damaged, as a sentence."""
        return self._refused(exc.reason) if isinstance(exc, _Refused) else self._damaged(exc)

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id → (type, target part name)."""
        folder, name = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", name + ".rels")
        out: dict[str, tuple[str, str]] = {}
        if not self._has(rels):
            return out
        for _, el in self._parse(rels):
            if el.tag == _PKG_REL and el.get("TargetMode") != "External":
                target = el.get("Target") or ""
                target = target[1:] if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                out[el.get("Id") or ""] = (el.get("Type") or "", target)
        return out

    def _read_workbook(self) -> None:
        root = next((t for kind, t in self._rels("").values() if kind.endswith("/officeDocument")), "xl/workbook.xml")
        if not self._has(root):
            raise self._damaged("缺少 xl/workbook.xml")
        rels = self._rels(root)
        self.sheets: list[tuple[str, str]] = []  # (name, part)
        self.epoch = CALENDAR_WINDOWS_1900
        for _, el in self._parse(root):
            local = el.tag.rpartition("}")[2]
            if local == "sheet":
                kind, target = rels.get(el.get(f"{{{_REL_NS}}}id") or el.get("{http://purl.oclc.org/ooxml/officeDocument/relationships}id") or "", ("", ""))
                if kind.endswith("/worksheet") and self._has(target):
                    self.sheets.append((el.get("name") or target, target))
            elif local == "workbookPr" and el.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
        by_kind = {kind.rpartition("/")[2]: target for kind, target in rels.values()}
        self._strings_part = by_kind.get("sharedStrings")
        self._styles_part = by_kind.get("styles")

    def _read_styles(self) -> tuple[set[int], set[int]]:
        """The cell styles (by index) that show a number as a date or as a duration."""
        if not self._styles_part or not self._has(self._styles_part):
            return set(), set()
        custom: dict[int, str] = {}
        xfs: list[int] = []
        in_cell_xfs = False
        for event, el in self._parse(self._styles_part, ("start", "end")):
            local = el.tag.rpartition("}")[2]
            if local == "cellXfs":
                in_cell_xfs = event == "start"
            elif event == "end" and local == "numFmt":
                with contextlib.suppress(ValueError):
                    custom[int(el.get("numFmtId") or "")] = el.get("formatCode") or ""
            elif event == "end" and local == "xf" and in_cell_xfs:
                try:
                    xfs.append(int(el.get("numFmtId") or 0))
                except ValueError:
                    xfs.append(0)
        dates, durations = set(), set()
        for index, fmt_id in enumerate(xfs):
            fmt = custom.get(fmt_id) or BUILTIN_FORMATS.get(fmt_id) or "General"
            if is_date_format(fmt):
                dates.add(index)
            if is_timedelta_format(fmt):
                durations.add(index)
        return dates, durations

    def _read_strings(self) -> list[str | None]:
        """The shared strings; one longer than a cell may hold is kept as None and refused where a cell uses it."""
        if not self._strings_part or not self._has(self._strings_part):
            return []
        budget = self.budget[0]
        try:
            return self._scan_strings()
        except xlsx_scan.NotPlain:
            self.budget[0] = budget
            return self._parse_strings()

    def _add_string(self, strings: list[str | None], text: str) -> None:
        text = text.replace("x005F_", "")  # as openpyxl reads them
        strings.append(clean_cell(text) if len(text) <= limits.MAX_CELL_CHARS else None)
        if len(strings) > limits.MAX_CELLS:
            raise self._refused(f"共享字符串超过 {_n(limits.MAX_CELLS)} 个")

    def _scan_strings(self) -> list[str | None]:
        """The shared strings by byte patterns: plain items scanned, the others (rich text, phonetic guides)
        parsed one by one; NotPlain for anything around them the scan does not take."""
        strings: list[str | None] = []
        stream = self._open(self._strings_part)
        chunks = xlsx_scan.Chunks(stream)
        plain, item, end_match = xlsx_scan._SI.match, xlsx_scan._SI_ANY.match, xlsx_scan._SST_END.match
        try:
            while (root := xlsx_scan._ROOT.match(chunks.buf)) is None:
                if len(chunks.buf) > 1 << 16 or not chunks.more():
                    raise xlsx_scan.NotPlain
            namespace = xlsx_scan.check_root(chunks.buf[:root.end()])
            buf, pos = chunks.buf, root.end()
            while True:
                if m := plain(buf, pos):
                    self._add_string(strings, xlsx_scan.text(m.group(1)))
                    pos = m.end()
                    continue
                close = buf.find(b"</si>", pos) if item(buf, pos) else -1
                if close != -1:
                    self._add_string(strings, _text_of(xlsx_scan.element(namespace, buf[pos:close + 5])))
                    pos = close + 5
                    continue
                if end_match(buf, pos) and end_match(buf, pos).end() == len(buf) and not chunks.more():
                    return strings
                if len(buf) - pos > xlsx_scan.MAX_ROW_BYTES or (buf.find(b"</si>", pos) != -1 and close == -1):
                    raise xlsx_scan.NotPlain
                chunks.buf = buf[pos:]
                if not chunks.more() and not end_match(chunks.buf):
                    raise xlsx_scan.NotPlain  # cut short, or not a string item: the parser says which
                buf, pos = chunks.buf, 0
        except _CONTAINER_ERRORS as exc:
            raise self._container_failed(exc) from None
        finally:
            stream.close()

    def _parse_strings(self) -> list[str | None]:
        strings: list[str | None] = []
        for _, el in self._parse(self._strings_part):
            local = el.tag.rpartition("}")[2]
            if local != "si":
                continue
            self._add_string(strings, _text_of(el))
            el.clear()
        return strings

    # --- the sheets ------------------------------------------------------------------------------------

    def read_sheet(self, name: str, part: str) -> RawSheet:
        """One worksheet's cells; a cell outside the bounds, or too long, is refused naming its place.

        The plain shapes every common writer produces are scanned as bytes; a sheet holding anything else is
        read again, from its start, by the XML parser (the same cells, several times slower)."""
        budget = self.budget[0]
        try:
            return self._scan_sheet(name, part)
        except xlsx_scan.NotPlain:
            self.budget[0] = budget  # the bytes read so far are read again, not twice the file
            return self._parse_sheet(name, part)

    def _parse_sheet(self, name: str, part: str) -> RawSheet:
        sheet = RawSheet(name)
        rows = _Rows(self, sheet)
        pending: list[tuple[int | None, object, int]] = []  # (column or None, value, flag) of the open row
        cells_in_row = 0
        for _, el in self._parse(part):
            tag = _TAGS.get(el.tag)
            if tag is None:
                continue
            if tag == "c":
                cells_in_row += 1
                if cells_in_row > 16_384:
                    raise self._wide_row(name)
                item = self._cell(el, name)
                if item is not None:
                    pending.append(item)
                el.clear()
            elif tag == "row":
                rows.end(el.get("r"), pending)
                pending = []
                cells_in_row = 0
                el.clear()
            elif tag == "mergeCell":
                rows.merge(el.get("ref") or "")
                el.clear()
        return sheet

    def _scan_sheet(self, name: str, part: str) -> RawSheet:
        """The sheet by byte patterns (``xlsx_scan``); NotPlain as soon as it holds a shape they do not take."""
        sheet = RawSheet(name)
        rows = _Rows(self, sheet)
        stream = self._open(part)
        chunks = xlsx_scan.Chunks(stream)
        try:
            while (m := xlsx_scan._SHEET_DATA.search(chunks.buf)) is None:
                if len(chunks.buf) > 4 << 20 or not chunks.more():
                    raise xlsx_scan.NotPlain
            head = chunks.buf[:m.end()]
            xlsx_scan.check_root(head)
            self._outside_rows(rows, chunks.feed(head))
            pos = m.end() if not m.group(1) else None
            if pos is not None:
                pos = self._scan_rows(rows, chunks, pos)
            tail = chunks.buf[m.end() if pos is None else pos:]
            chunks.buf = b""
            while True:
                self._outside_rows(rows, chunks.feed(tail))
                if not chunks.more():
                    break
                tail, chunks.buf = chunks.buf, b""
            self._outside_rows(rows, chunks.close())
        except _CONTAINER_ERRORS as exc:
            raise self._container_failed(exc) from None
        finally:
            stream.close()
        return sheet

    def _outside_rows(self, rows: _Rows, events) -> None:
        """What the XML parser found around the rows: merged ranges; a cell or row there is not the plain shape."""
        for _, el in events:
            tag = _TAGS.get(el.tag)
            if tag == "mergeCell":
                rows.merge(el.get("ref") or "")
            elif tag is not None:
                raise xlsx_scan.NotPlain
            el.clear()

    def _scan_rows(self, rows: _Rows, chunks: xlsx_scan.Chunks, pos: int) -> int:
        """The rows of ``<sheetData>`` from ``pos``; where ``</sheetData>`` starts in ``chunks.buf``."""
        name = rows.sheet.name
        strings, dates = self.strings, self.date_styles
        columns: dict[bytes, int] = {}
        kinds: dict[bytes, tuple[str, int]] = {}
        seen_dates: dict[tuple[bytes, int], object] = {}
        texts: dict[bytes, str] = {}  # inline text as written → as read: a column repeats its values down the sheet
        row_match, cell_findall, end_match = xlsx_scan._ROW.match, xlsx_scan._CELL.findall, xlsx_scan._SHEET_DATA_END.match
        simple_findall = xlsx_scan._SIMPLE_CELL.findall
        cell_kinds, first = xlsx_scan.cell_kinds, itemgetter(0)
        buf = chunks.buf
        while True:
            m = row_match(buf, pos)
            end = buf.find(b"</row>", pos) if m is not None and not m.group(2) else -1
            if m is None or (end == -1 and not m.group(2)):
                if m is None and end_match(buf, pos):
                    chunks.buf = buf
                    return pos
                complete = m is None and (buf.find(b"</row>", pos) != -1 or buf.find(b"</sheetData>", pos) != -1)
                if complete or len(buf) - pos > xlsx_scan.MAX_ROW_BYTES:
                    raise xlsx_scan.NotPlain
                chunks.buf = buf[pos:]
                if not chunks.more():
                    raise xlsx_scan.NotPlain  # cut short: the parser says where
                buf, pos = chunks.buf, 0
                continue
            if m.group(2):  # <row r="7"/>
                rows.end(xlsx_scan.row_number(m.group(1)), [])
                pos = m.end()
                continue
            p = m.end()
            content = len(buf[p:end].rstrip(b" \t\r\n"))
            cells = simple_findall(buf, p, end)
            if sum(map(len, map(first, cells))) != content:  # a cell of another shape: the full pattern
                cells = cell_findall(buf, p, end)
                if sum(map(len, map(first, cells))) != content:
                    raise xlsx_scan.NotPlain  # something between the cells, for the parser to word
            if len(cells) > 16_384:
                raise xlsx_scan.NotPlain  # a row wider than Excel's, for the parser to word
            values: list[object] = []  # the row itself while its cells run from column A on, one after another
            append = values.append
            pending: list[tuple[int | None, object, int]] | None = None
            for _, letters, digits, attrs, formula, v, inline, inline_text in cells:
                column = columns.get(letters)
                if column is None:
                    column = columns[letters] = column_index(letters.decode("ascii"))
                kind, style = (kinds.get(attrs) or cell_kinds(kinds, attrs)) if attrs else ("n", 0)
                value: object = None
                if v and kind == "s":  # the common cases inline; the rest as _cell reads them
                    try:
                        index = int(v)
                        value = strings[index] if index >= 0 else None
                    except (ValueError, IndexError):
                        pass
                elif v and kind == "n" and b"&" not in v:
                    if style in dates:
                        value = seen_dates.get((v, style))
                    else:
                        with contextlib.suppress(ValueError):
                            value = float(v) if (b"." in v or b"E" in v or b"e" in v) else int(v)
                elif inline and kind == "inlineStr" and not v:  # text written in the cell (openpyxl, XlsxWriter)
                    value = texts.get(inline_text)
                    if value is None:
                        value = clean_cell(xlsx_scan.text(inline_text))
                        if len(value) > limits.MAX_CELL_CHARS:
                            value = None  # refused where the cell is put in place, as the long way does
                        elif len(texts) < 10_000 and len(inline_text) <= 256:
                            texts[inline_text] = value
                if value is None:
                    item = self._value(kind, xlsx_scan.text(v) or None,
                                       clean_cell(xlsx_scan.text(inline_text)) if inline else None,
                                       bool(formula), style, column, (letters + digits).decode("ascii"), name)
                    if item is None:
                        continue
                    if v and kind == "n" and style in dates and item[2] == 0 and len(seen_dates) < 10_000:
                        seen_dates[(v, style)] = item[1]
                    if pending is None and item[2] == 0 and item[1].__class__ is not str and column == len(values) + 1:
                        append(item[1])
                        continue
                    value = item
                elif pending is None and column == len(values) + 1:
                    append(value)
                    continue
                else:
                    value = (column, value, 0)
                if pending is None:  # from here on the row is put in place cell by cell, as the parser's are
                    pending = [(c, v2, 0) for c, v2 in enumerate(values, 1)]
                pending.append(value)
            r = xlsx_scan.row_number(m.group(1))
            if pending is None and len(values) <= limits.MAX_COLUMNS:
                rows.end_row(r, values)
            else:
                rows.end(r, pending if pending is not None else [(c, v2, 0) for c, v2 in enumerate(values, 1)])
            pos = end + 6

    def _wide_row(self, name: str) -> ValidationError:
        return self._refused(f"工作表“{name}”的一行中有超过 16,384 个单元格（Excel 的列数上限），文件已损坏")

    def _cell(self, el, sheet: str) -> tuple[int | None, object, int] | None:
        """(column, value, flag) of a cell holding something; flag 1 is a formula without its result, 2 an error."""
        kind = el.get("t", "n")
        ref = el.get("r")
        column: int | None = None
        if ref:
            m = _REF.fullmatch(ref)
            if m is None:
                raise self._damaged(f"工作表“{sheet}”的单元格地址“{ref[:20]}”无效")
            column = column_index(m.group(1))
        value: str | None = None
        inline: str | None = None
        formula = False
        for child in el:
            local = _TAGS.get(child.tag)
            if local == "v":
                value = child.text or None
            elif local == "is":
                inline = clean_cell(_text_of(child))
            elif local == "f":
                formula = True
        s = el.get("s")
        return self._value(kind, value, inline, formula, int(s) if s and s.isdigit() else 0, column, ref, sheet)

    def _value(self, kind: str, value: str | None, inline: str | None, formula: bool, style: int,
               column: int | None, ref: str | None, sheet: str) -> tuple[int | None, object, int] | None:
        """A cell's (column, value, flag) from its type, ``<v>`` text, ``<is>`` text (cleaned) and style."""
        value = inline if kind == "inlineStr" else value
        if value is None:
            if kind == "n" and formula:
                return (column, None, 1)
            return None
        if kind == "n":
            try:
                number = float(value) if ("." in value or "E" in value or "e" in value) else int(value)
            except ValueError:
                raise self._damaged(f"工作表“{sheet}”单元格 {ref or ''} 的数值“{value[:20]}”无效") from None
            if style in self.date_styles:
                try:
                    return (column, from_excel(number, self.epoch, timedelta=style in self.timedelta_styles), 0)
                except (OverflowError, ValueError):
                    return (column, "#VALUE!", 2)
            return (column, number, 0)
        if kind == "s":
            try:
                index = int(value)
                text = self.strings[index] if index >= 0 else None
            except (ValueError, IndexError):
                raise self._damaged(f"工作表“{sheet}”单元格 {ref or ''} 指向不存在的共享字符串 {value[:20]}") from None
            if text is None:
                raise self._too_long(sheet, ref)
            return (column, text, 0)
        if kind == "b":
            return (column, value.strip() in ("1", "true"), 0)
        if kind == "e":
            return (column, value, 2)
        if kind == "d":
            try:
                return (column, from_ISO8601(value), 0)
            except ValueError:
                return (column, value, 0)
        if kind == "str":  # a formula's text result
            return (column, clean_cell(value), 0)
        return (column, value, 0)  # inline text, cleaned above; an unknown type as written

    def _too_long(self, sheet: str, ref: str | None) -> ValidationError:
        return ValidationError(f"文件 {self.name} 工作表“{sheet}”单元格 {ref or ''} 的文字超过 "
                               f"{_n(limits.MAX_CELL_CHARS)} 个字符（Excel 单元格的上限），请删减后再导入")

    def close(self) -> None:
        self.zip.close()


class _Rows:
    """A worksheet being filled row by row, as either reading path finds the rows: row numbers, the bounds."""

    def __init__(self, book: Workbook, sheet: RawSheet):
        self.book, self.sheet = book, sheet
        self.number = 0  # the last row's number
        self.elements = 0  # rows seen, empty ones included
        self.stored = 0

    def end(self, r: str | None, cells: list[tuple[int | None, object, int]]) -> None:
        """A row's end: its number (its r, or the next), its cells put in place."""
        self.elements += 1
        name = self.sheet.name
        try:
            self.number = int(r) if r else self.number + 1
        except ValueError:
            raise self.book._damaged(f"工作表“{name}”的行号“{r[:20]}”无效") from None
        if cells:
            self.stored += self._store(self.number, cells)
            if self.stored > limits.MAX_CELLS:
                raise self.book._refused(f"工作表“{name}”的数据超过 {_n(limits.MAX_CELLS)} 个单元格，请拆分后再导入")
        elif self.elements > limits.MAX_ROWS * 2:
            raise self.book._refused(f"工作表“{name}”超过 {_n(limits.MAX_ROWS * 2)} 行，请删除多余的空行或拆分后再导入")

    def end_row(self, r: str | None, values: list[object]) -> None:
        """A row's end when its cells are already its values from column A on (no marker, no long text, none
        past the columns' bound): what ``end`` does, without putting each cell in place."""
        self.elements += 1
        try:
            self.number = int(r) if r else self.number + 1
        except ValueError:
            raise self.book._damaged(f"工作表“{self.sheet.name}”的行号“{r[:20]}”无效") from None
        row = self.number
        if not values:
            if self.elements > limits.MAX_ROWS * 2:
                raise self.book._refused(f"工作表“{self.sheet.name}”超过 {_n(limits.MAX_ROWS * 2)} 行，"
                                         "请删除多余的空行或拆分后再导入")
            return
        sheet = self.sheet
        if row > limits.MAX_ROWS or row in sheet.rows:
            self.elements -= 1
            self.end(r, [(c, v, 0) for c, v in enumerate(values, 1)])
            return
        sheet.rows[row] = values
        self.stored += len(values)
        if self.stored > limits.MAX_CELLS:
            raise self.book._refused(f"工作表“{sheet.name}”的数据超过 {_n(limits.MAX_CELLS)} 个单元格，请拆分后再导入")
        if row > sheet.height:
            sheet.height = row
        if len(values) > sheet.width:
            sheet.width = len(values)

    def _store(self, row: int, cells: list[tuple[int | None, object, int]]) -> int:
        """Put a row's cells in place; the number of slots its values take."""
        sheet = self.sheet
        values = sheet.rows.get(row)
        if values is None:
            values = sheet.rows[row] = []
        width = len(values)
        append = values.append
        column = 0
        for col, value, flag in cells:
            column = col if col is not None else column + 1
            if row > limits.MAX_ROWS or column > limits.MAX_COLUMNS:
                where = f"{column_letters(column)}{row}"
                raise self.book._refused(
                    f"工作表“{sheet.name}”单元格 {where} 超出可读取的范围（最多 {_n(limits.MAX_ROWS)} 行、"
                    f"{_n(limits.MAX_COLUMNS)} 列），请删除表格中远离数据的多余内容后再导入")
            if value.__class__ is str and len(value) > limits.MAX_CELL_CHARS:
                raise self.book._too_long(sheet.name, f"{column_letters(column)}{row}")
            if flag:
                value = UNCOMPUTED if flag == 1 else Marker(str(value))
                sheet.marked.add(row)
            if column == width + 1:
                append(value)
                width = column
                continue
            if width < column:
                values.extend([None] * (column - width))
                width = column
            values[column - 1] = value
        if values:
            sheet.height = max(sheet.height, row)
            sheet.width = max(sheet.width, width)
        return width

    def merge(self, ref: str) -> None:
        merges = self.sheet.merges
        merges.append(self._box(ref))
        if len(merges) > limits.MAX_MERGED_RANGES:
            raise self.book._refused(f"工作表“{self.sheet.name}”的合并单元格超过 {_n(limits.MAX_MERGED_RANGES)} 处")

    def _box(self, ref: str) -> tuple[int, int, int, int]:
        parts = ref.split(":")
        found = [_REF.fullmatch(p) for p in parts]
        if not 1 <= len(parts) <= 2 or not all(found):
            raise self.book._damaged(f"工作表“{self.sheet.name}”的合并单元格“{ref[:30]}”无效")
        (c0, r0), (c1, r1) = [(column_index(m.group(1)), int(m.group(2))) for m in (found[0], found[-1])]
        return (min(r0, r1), min(c0, c1), max(r0, r1), max(c0, c1))


def _text_of(el) -> str:
    """A string item's text: its plain text and its rich-text runs, without phonetic guides."""
    parts = []
    for child in el:
        local = child.tag.rpartition("}")[2]
        if local == "t":
            parts.append(child.text or "")
        elif local == "r":
            for t in child:
                if t.tag.rpartition("}")[2] == "t":
                    parts.append(t.text or "")
    return "".join(parts)


def read_sheets(path: Path, only: str | None = None) -> Iterator[RawSheet]:
    """The worksheets of an .xlsx one at a time (or only the one named ``only``), cells bounded by ``limits``."""
    book = Workbook(path)
    try:
        sheets = book.sheets
        if only is not None:
            sheets = [s for s in sheets if s[0] == only]
            if not sheets:
                names = "、".join(n for n, _ in book.sheets)
                raise ValidationError(f"{path.name} 中没有名为“{only}”的工作表（有：{names}）")
        for name, part in sheets:
            yield book.read_sheet(name, part)
    finally:
        book.close()

"""Reading the sheets people bring: find the header, however it is laid out, and yield data rows.

Copes with title and filler rows above the header, two-row headers with merged group cells,
vertically merged cells in the data, columns in any order, empty rows, and the totals and
signature rows at the bottom. Every text cell loses invisible characters before anything reads it
(a zero-width space pasted from a web page would otherwise fail an ID number). A formula whose result
the file does not carry (saved by a program that does not calculate) is marked on its row, not read
as an empty cell.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType

from gridapp.core.errors import ValidationError
from gridapp.core.validation import strip_invisible, to_halfwidth
from gridapp.io import calamine_reader, limits
from gridapp.io.cells import clean_cell  # noqa: F401  (re-exported: where callers found it)
from gridapp.io.csv_reader import read_csv
from gridapp.io.html_reader import read_html
from gridapp.io.source import source_kind
from gridapp.io.xlsx_reader import UNCOMPUTED, Marker, RawSheet, read_sheets
from gridapp.io.xml2003_reader import read_xml2003

HEADER_SCAN_ROWS = 25
_SPACE = re.compile(r"\s")
_FOOTER = re.compile(r"^(合计|总计|小计|共计|共\d|填表人|制表人|填报人|审核人|负责人|经办人|签字|签名|盖章|单位盖章|说明|备注[:：]|注[:：])")


def norm_header(value: object) -> str:
    """Header text reduced for matching: no spaces, markers or bracketed notes."""
    s = to_halfwidth(strip_invisible(str(value or "")))
    s = re.sub(r"[(（\[【].*?[)）\]】]", "", s)
    return re.sub(r"[\s*＊:：#]", "", s)


@dataclass(frozen=True)
class Column:
    index: int  # 0-based
    header: str  # as written (both rows joined for a two-row header)


_NO_ERRORS: Mapping[int, str] = MappingProxyType({})


@dataclass(frozen=True, slots=True)  # slots: a sheet may hold 300,000 of them
class SheetRow:
    number: int  # the row number as Excel shows it
    values: tuple[object, ...]
    # Columns (0-based) holding a formula without a saved result; their values read None.
    uncomputed: frozenset[int] = frozenset()
    blank: bool = False  # nothing but such formulas or errors: a row only if one is in a column that is read
    errors: Mapping[int, str] = field(default_factory=lambda: _NO_ERRORS)  # columns (0-based) holding an error value (#REF!)


@dataclass
class Sheet:
    title: str  # text above the header (sheet title rows), for context like the community name
    name: str
    header_rows: tuple[int, ...]
    columns: list[Column]
    rows: list[SheetRow]


def read_sheet(path: Path | str, known_headers: Sequence[str], *, sheet: str | None = None) -> Sheet:
    """The best-matching sheet of a workbook (.xlsx, .xls/.et, .ods, .xlsb) or a .csv file, with its header found among ``known_headers``.

    What the path is comes from its content (``source_kind``); cells are read within ``gridapp.io.limits``."""
    path = Path(path)
    known = {norm_header(h) for h in known_headers}
    kind = source_kind(path)
    if kind == "csv":
        sheets: Iterator[RawSheet] = iter([read_csv(path)])
    elif kind == "html":
        sheets = iter(read_html(path))
    elif kind == "xml2003":
        sheets = iter(read_xml2003(path))
    elif kind == "xlsx":
        sheets = read_sheets(path, sheet)
    else:
        sheets = calamine_reader.read_sheets(path, sheet, kind)
    best: _Layout | None = None
    best_score = 0
    for raw in sheets:  # one sheet's cells in memory at a time, besides the best so far
        found = _layout(_Grid(raw, path.name), known)
        if found is not None:
            score = sum(1 for c in found.columns if norm_header(c.header) in known)
            if score > best_score:
                best, best_score = found, score
        del raw, found  # the best sheet's cells are held by its layout alone, and let go row by row below
    if best is None:
        expected = "、".join(list(dict.fromkeys(known_headers))[:6])
        raise ValidationError(f"{path.name} 中找不到表头（应包含 {expected} 等列）")
    return Sheet(best.title, best.grid.name, best.header_rows, best.columns, _rows(best))


_EMPTY: list[object] = []


class _Grid:
    """A worksheet's values, merged cells reading as their top-left cell, merged ranges clipped to the data.

    Each merged range is filled with its top-left value over the rows and columns that hold data, so a
    range declared to the sheet's far corner costs no more than the data it covers."""

    def __init__(self, raw: RawSheet, file: str) -> None:
        self.name = raw.name
        self.width = raw.width
        height = raw.height
        rows: list[list[object]] = [_EMPTY] * height
        for r, values in raw.rows.items():
            rows[r - 1] = values
        self.marked = set(raw.marked)
        # Cells of merged ranges in the rows the header may take, for the title (a merged cell's text once).
        self.merged_top: set[tuple[int, int]] = set()
        fills = []
        area = 0
        for top, left, bottom, right in raw.merges:
            bottom, right = min(bottom, height), min(right, self.width)
            if top > bottom or left > right:
                continue  # wholly outside the data
            area += (bottom - top + 1) * (right - left + 1)
            if area > limits.MAX_MERGED_CELLS:
                raise ValidationError(f"文件 {file} 工作表“{raw.name}”的合并单元格共覆盖超过 {limits.MAX_MERGED_CELLS:,} "
                                      "个单元格，请取消多余的合并后再导入")
            for r in range(top, min(bottom, HEADER_SCAN_ROWS + 1) + 1):
                self.merged_top.update((r, c) for c in range(left, right + 1))
            if top == bottom and left == right:
                continue
            anchor = rows[top - 1]
            fills.append((top, left, bottom, right, anchor[left - 1] if left <= len(anchor) else None))
        for top, left, bottom, right, value in fills:  # every value read before any is filled
            span = [value] * (right - left + 1)
            for r in range(top, bottom + 1):
                row = rows[r - 1]
                if row is _EMPTY:
                    row = rows[r - 1] = []
                if len(row) < right:
                    row.extend([None] * (right - len(row)))
                row[left - 1:right] = span
            if value.__class__ is Marker:
                self.marked.update(range(top, bottom + 1))
        self.rows = rows

    def value(self, r: int, c: int) -> object:  # 1-based
        row = self.rows[r - 1]
        v = row[c - 1] if c <= len(row) else None
        return None if v.__class__ is Marker else v


@dataclass
class _Layout:
    grid: _Grid
    header_rows: tuple[int, ...]
    columns: list[Column]
    title: str


def _layout(grid: _Grid, known: set[str]) -> _Layout | None:
    """Where the header is (one row, or two with merged group cells), its columns and the title above it."""
    value, width, height = grid.value, grid.width, len(grid.rows)

    def matches(texts: list[str]) -> int:
        return sum(1 for t in texts if t in known)

    best = (0, 0, 0)  # score, first header row, number of header rows
    for r in range(1, min(height, HEADER_SCAN_ROWS) + 1):
        one = [norm_header(value(r, c)) for c in range(1, width + 1)]
        score = matches(one)
        if score > best[0]:
            best = (score, r, 1)
        # A two-row header's upper row names at least one known column (序号 or 姓名 merged down, say);
        # one naming none is a title row, whose text is context, not part of the header.
        if r + 1 <= height and score:
            two = [_pick(norm_header(value(r, c)), norm_header(value(r + 1, c)), known) for c in range(1, width + 1)]
            score2 = matches(two)
            if score2 > best[0] and score2 > score:
                best = (score2, r, 2)
    score, first, count = best
    if score < 2:
        return None
    header_rows = tuple(range(first, first + count))
    columns = []
    for c in range(1, width + 1):
        texts = [norm_header(value(r, c)) for r in header_rows]
        header = _pick(texts[0], texts[-1], known) if count == 2 else texts[0]
        if header:
            columns.append(Column(c - 1, header))
    title = " ".join(
        str(value(r, c)) for r in range(1, first) for c in range(1, width + 1)
        if value(r, c) is not None and (c == 1 or (r, c) not in grid.merged_top)
    )
    return _Layout(grid, header_rows, columns, title)


def _rows(layout: _Layout) -> list[SheetRow]:
    """The data rows below the header, up to the totals or signature lines."""
    grid = layout.grid
    width = grid.width
    rows: list[SheetRow] = []
    for r in range(layout.header_rows[-1] + 1, len(grid.rows) + 1):
        row = grid.rows[r - 1]
        if not row:
            continue
        grid.rows[r - 1] = _EMPTY  # read once: its values live on in the row's tuple
        missing: frozenset[int] = frozenset()
        errors: Mapping[int, str] = _NO_ERRORS
        if r in grid.marked:
            missing = frozenset(i for i, v in enumerate(row) if v is UNCOMPUTED)
            errors = {i: v.error for i, v in enumerate(row) if v.__class__ is Marker and v.error is not None}
            row = [None if v.__class__ is Marker else v for v in row]
        values = tuple(row) + (None,) * (width - len(row))
        first = _first_text(values)
        if first is None and not missing and not errors:
            continue
        if first is not None and _FOOTER.match(_SPACE.sub("", to_halfwidth(first))):
            break
        rows.append(SheetRow(r, values, missing, blank=first is None, errors=errors))
    return rows


def _first_text(values: tuple[object, ...]) -> str | None:
    """The row's first cell that shows something, as text (a totals or signature line is known by it)."""
    for v in values:
        if v is not None:
            t = strip_invisible(v if v.__class__ is str else str(v)).strip()
            if t:
                return t
    return None


def _pick(upper: str, lower: str, known: set[str]) -> str:
    """For a two-row header: the sub-header when it is a known column, else the group (merged) cell."""
    if lower in known:
        return lower
    if upper in known:
        return upper
    return lower or upper

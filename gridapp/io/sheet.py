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
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zipfile import BadZipFile, ZipFile

from gridapp.core.errors import ValidationError
from gridapp.core.validation import strip_invisible, to_halfwidth

HEADER_SCAN_ROWS = 25
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


@dataclass(frozen=True)
class SheetRow:
    number: int  # the row number as Excel shows it
    values: tuple[object, ...]
    # Columns (0-based) holding a formula without a saved result; their values read None.
    uncomputed: frozenset[int] = frozenset()
    blank: bool = False  # nothing but such formulas: a row only if one of them is in a column that is read


@dataclass
class Sheet:
    title: str  # text above the header (sheet title rows), for context like the community name
    name: str
    header_rows: tuple[int, ...]
    columns: list[Column]
    rows: list[SheetRow]


def open_workbook(path: Path | str, *, formulas: bool = False, read_only: bool = False):
    """The workbook with cached values (or, with ``formulas``, the formulas themselves)."""
    import openpyxl

    path = Path(path)
    if not path.exists():
        raise ValidationError(f"文件不存在：{path}")
    if path.suffix.lower() == ".xls":
        raise ValidationError(f"{path.name} 是旧版 .xls 格式，请在 Excel 中“另存为” .xlsx 后再导入")
    try:
        return openpyxl.load_workbook(path, data_only=not formulas, read_only=read_only)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(f"{path.name} 不是有效的 Excel（.xlsx）文件，或文件已损坏：{exc}") from None


def read_sheet(path: Path | str, known_headers: Sequence[str], *, sheet: str | None = None) -> Sheet:
    """The best-matching sheet of a workbook, with its header found among ``known_headers``."""
    wb = open_workbook(path)
    known = {norm_header(h) for h in known_headers}
    candidates = [wb[sheet]] if sheet else wb.worksheets
    best: _Layout | None = None
    best_score = 0
    for ws in candidates:
        found = _layout(ws, known)
        if found is not None:
            score = sum(1 for c in found.columns if norm_header(c.header) in known)
            if score > best_score:
                best, best_score = found, score
    if best is None:
        expected = "、".join(list(dict.fromkeys(known_headers))[:6])
        raise ValidationError(f"{Path(path).name} 中找不到表头（应包含 {expected} 等列）")
    uncomputed = _uncomputed(path, best) if _may_lack_results(path) else set()
    return Sheet(best.title, best.ws.title, best.header_rows, best.columns, _rows(best, uncomputed))


# Excel writes a control character in text as _xHHHH_ (a line break's \r as _x000D_); openpyxl hands the
# escape on as written.
_EXCEL_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")


def _control(match: re.Match) -> str:
    char = chr(int(match.group(1), 16))
    # Control characters too: the field rules refuse them with a message, rather than store the escape.
    return char if unicodedata.category(char) in ("Cc", "Cf") else match.group(0)


def clean_cell(text: str) -> str:
    """A text cell without zero-width characters, however the file stored them. A cell of nothing else
    stays as it is, for the import to say “只由不可见字符组成” where a value is required."""
    if "_x" in text:
        text = _EXCEL_ESCAPE.sub(_control, text)
    clean = strip_invisible(text)
    return clean if clean.strip() or not text.strip() else text


class _Grid:
    """A worksheet's values, invisible characters removed, merged cells reading as their top-left cell."""

    def __init__(self, ws) -> None:
        self.anchor: dict[tuple[int, int], tuple[int, int]] = {}
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    self.anchor[(r, c)] = (rng.min_row, rng.min_col)
        self.width = ws.max_column or 0
        self.rows = [tuple(clean_cell(v) if isinstance(v, str) else v for v in row)
                     for row in ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=self.width, values_only=True)]

    def value(self, r: int, c: int) -> object:  # 1-based
        r, c = self.anchor.get((r, c), (r, c))
        row = self.rows[r - 1]
        return row[c - 1] if c - 1 < len(row) else None


@dataclass
class _Layout:
    ws: Any
    grid: _Grid
    header_rows: tuple[int, ...]
    columns: list[Column]
    title: str


def _layout(ws, known: set[str]) -> _Layout | None:
    """Where the header is (one row, or two with merged group cells), its columns and the title above it."""
    grid = _Grid(ws)
    value, width, height = grid.value, grid.width, len(grid.rows)

    def matches(texts: list[str]) -> int:
        return sum(1 for t in texts if t in known)

    best = (0, 0, 0)  # score, first header row, number of header rows
    for r in range(1, min(height, HEADER_SCAN_ROWS) + 1):
        one = [norm_header(value(r, c)) for c in range(1, width + 1)]
        score = matches(one)
        if score > best[0]:
            best = (score, r, 1)
        if r + 1 <= height:
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
        if value(r, c) is not None and (c == 1 or (r, c) not in grid.anchor)
    )
    return _Layout(ws, grid, header_rows, columns, title)


def _rows(layout: _Layout, uncomputed: set[tuple[int, int]]) -> list[SheetRow]:
    """The data rows below the header, up to the totals or signature lines."""
    grid = layout.grid
    rows: list[SheetRow] = []
    for r in range(layout.header_rows[-1] + 1, len(grid.rows) + 1):
        values = tuple(grid.value(r, c) for c in range(1, grid.width + 1))
        texts = [t for v in values if v is not None and (t := strip_invisible(str(v)).strip())]
        missing = frozenset(c - 1 for c in range(1, grid.width + 1)
                            if grid.anchor.get((r, c), (r, c)) in uncomputed) if uncomputed else frozenset()
        if not texts and not missing:
            continue
        if texts and _FOOTER.match(re.sub(r"\s", "", to_halfwidth(texts[0]))):
            break
        rows.append(SheetRow(r, values, missing, blank=not texts))
    return rows


# A formula with nothing after it in its cell but an empty value (text in cells is escaped, so "<" is
# always markup). In a cell typed other than number it is a calculated text, truth value or error, and
# an empty calculated text looks just like this: such a cell has its result.
_FORMULA_WITHOUT_VALUE = re.compile(
    rb"<(?:\w+:)?f\b[^>]*?(?:/>|>[^<]*</(?:\w+:)?f>)\s*(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")
_NOT_A_NUMBER = re.compile(rb"""\bt\s*=\s*["'](?!n["'])""")
_FORMULA_TAGS = (b"<f>", b"<f ", b"<f/", b":f>", b":f ")  # a quick look first: most sheets hold none


def _lacks_result(xml: bytes) -> bool:
    for m in _FORMULA_WITHOUT_VALUE.finditer(xml):
        start = xml.rfind(b"<", 0, m.start())  # the cell's start tag: a formula is a cell's first child
        if not _NOT_A_NUMBER.search(xml, start, m.start()):
            return True
    return False


def _may_lack_results(path: Path | str) -> bool:
    """Whether a worksheet of the file may hold a formula without its result: one scan of the XML, so a
    sheet saved by Excel (every result stored) or holding no formulas costs next to nothing."""
    with ZipFile(path) as z:
        for name in z.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                xml = z.read(name)
                if any(tag in xml for tag in _FORMULA_TAGS) and _lacks_result(xml):
                    return True
    return False


def _uncomputed(path: Path | str, layout: _Layout) -> set[tuple[int, int]]:
    """Cells below the header holding a formula whose result the file does not carry.

    Read once more with formulas, streaming, and only where the values read empty: a calculated empty
    text keeps its type ("str") in the values, so only a missing result counts.
    """
    wb = open_workbook(path, formulas=True, read_only=True)
    try:
        found: set[tuple[int, int]] = set()
        first = layout.header_rows[-1] + 1
        # Bounds from the full read: a read-only sheet trusts the file's own (sometimes wrong) dimensions.
        for row in wb[layout.ws.title].iter_rows(min_row=first, max_row=len(layout.grid.rows), max_col=layout.grid.width):
            for cell in row:
                if cell.data_type != "f" or layout.grid.value(cell.row, cell.column) is not None:
                    continue
                if layout.ws.cell(cell.row, cell.column).data_type == "n":
                    found.add((cell.row, cell.column))
        return found
    finally:
        wb.close()


def _pick(upper: str, lower: str, known: set[str]) -> str:
    """For a two-row header: the sub-header when it is a known column, else the group (merged) cell."""
    if lower in known:
        return lower
    if upper in known:
        return upper
    return lower or upper

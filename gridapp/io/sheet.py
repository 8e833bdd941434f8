"""Reading the sheets people bring: find the header, however it is laid out, and yield data rows.

Copes with title and filler rows above the header, two-row headers with merged group cells,
vertically merged cells in the data, columns in any order, empty rows, and the totals and
signature rows at the bottom.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from zipfile import BadZipFile

from gridapp.core.errors import ValidationError
from gridapp.core.validation import to_halfwidth

HEADER_SCAN_ROWS = 25
_FOOTER = re.compile(r"^(合计|总计|小计|共计|共\d|填表人|制表人|填报人|审核人|负责人|经办人|签字|签名|盖章|单位盖章|说明|备注[:：]|注[:：])")


def norm_header(value: object) -> str:
    """Header text reduced for matching: no spaces, markers or bracketed notes."""
    s = to_halfwidth(str(value or ""))
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


@dataclass
class Sheet:
    title: str  # text above the header (sheet title rows), for context like the community name
    name: str
    header_rows: tuple[int, ...]
    columns: list[Column]
    rows: list[SheetRow]


def open_workbook(path: Path | str):
    import openpyxl

    path = Path(path)
    if not path.exists():
        raise ValidationError(f"文件不存在：{path}")
    if path.suffix.lower() == ".xls":
        raise ValidationError(f"{path.name} 是旧版 .xls 格式，请在 Excel 中“另存为” .xlsx 后再导入")
    try:
        return openpyxl.load_workbook(path, data_only=True)
    except (BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ValidationError(f"{path.name} 不是有效的 Excel（.xlsx）文件，或文件已损坏：{exc}") from None


def read_sheet(path: Path | str, known_headers: Sequence[str], *, sheet: str | None = None) -> Sheet:
    """The best-matching sheet of a workbook, with its header found among ``known_headers``."""
    wb = open_workbook(path)
    known = {norm_header(h) for h in known_headers}
    candidates = [wb[sheet]] if sheet else wb.worksheets
    best: Sheet | None = None
    best_score = 0
    for ws in candidates:
        found = _read(ws, known)
        if found is not None:
            score = sum(1 for c in found.columns if norm_header(c.header) in known)
            if score > best_score:
                best, best_score = found, score
    if best is None:
        expected = "、".join(list(dict.fromkeys(known_headers))[:6])
        raise ValidationError(f"{Path(path).name} 中找不到表头（应包含 {expected} 等列）")
    return best


def _read(ws, known: set[str]) -> Sheet | None:
    merged: dict[tuple[int, int], object] = {}
    for rng in ws.merged_cells.ranges:
        top = ws.cell(rng.min_row, rng.min_col).value
        for r in range(rng.min_row, rng.max_row + 1):
            for c in range(rng.min_col, rng.max_col + 1):
                merged[(r, c)] = top
    width = ws.max_column or 0
    all_rows = list(ws.iter_rows(min_row=1, max_row=ws.max_row, max_col=width, values_only=True))

    def value(r: int, c: int) -> object:  # 1-based
        if (r, c) in merged:
            return merged[(r, c)]
        row = all_rows[r - 1]
        return row[c - 1] if c - 1 < len(row) else None

    def matches(texts: list[str]) -> int:
        return sum(1 for t in texts if t in known)

    best = (0, 0, 0)  # score, first header row, number of header rows
    for r in range(1, min(len(all_rows), HEADER_SCAN_ROWS) + 1):
        one = [norm_header(value(r, c)) for c in range(1, width + 1)]
        score = matches(one)
        if score > best[0]:
            best = (score, r, 1)
        if r + 1 <= len(all_rows):
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
        if value(r, c) is not None and (c == 1 or (r, c) not in merged)
    )
    rows: list[SheetRow] = []
    for r in range(first + count, len(all_rows) + 1):
        values = tuple(value(r, c) for c in range(1, width + 1))
        texts = [str(v).strip() for v in values if v is not None and str(v).strip()]
        if not texts:
            continue
        if _FOOTER.match(re.sub(r"\s", "", to_halfwidth(texts[0]))):
            break
        rows.append(SheetRow(r, values))
    return Sheet(title, ws.title, header_rows, columns, rows)


def _pick(upper: str, lower: str, known: set[str]) -> str:
    """For a two-row header: the sub-header when it is a known column, else the group (merged) cell."""
    if lower in known:
        return lower
    if upper in known:
        return upper
    return lower or upper

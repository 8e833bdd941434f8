"""Reading a web page saved as an “Excel” file: the tables of an HTML export named .xls or .et.

Web systems export a list as an HTML table under an .xls name, and Excel opens it; so does this reader. Each
top-level ``<table>`` is a sheet (表1, 表2…), ``rowspan``/``colspan`` become merged ranges, ``<br>`` a line
break, and every cell is text, as in a CSV, so an ID number keeps all its digits. Bounded like a CSV file.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from gridapp.core.errors import ValidationError
from gridapp.io import limits
from gridapp.io.cells import clean_cell
from gridapp.io.csv_reader import decode
from gridapp.io.xlsx_reader import RawSheet, column_letters

_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.IGNORECASE)
_SPACE = re.compile(r"[ \t\r\n\f]+")


class _Tables(HTMLParser):
    def __init__(self, name: str):
        super().__init__(convert_charrefs=True)
        self.name = name
        self.sheets: list[RawSheet] = []
        self.depth = 0  # tables open; only the outermost make sheets, an inner one's text joins its cell
        self.sheet: RawSheet | None = None
        self.row = 0
        # Columns taken in each row, as (first, last): by cells of the row and by rowspans from above.
        self.taken: dict[int, list[tuple[int, int]]] = {}
        self.spanned = 0
        self.cell: list[str] | None = None
        self.at: tuple[int, int, int, int] = (0, 0, 1, 1)  # row, column, rowspan, colspan of the open cell
        self.cells = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.depth += 1
            if self.depth == 1:
                self._end_cell()
                self.sheet = RawSheet(f"表{len(self.sheets) + 1}")
                self.sheets.append(self.sheet)
                self.row, self.taken = 0, {}
        elif self.depth != 1 or self.sheet is None:
            if tag == "br" and self.cell is not None:
                self.cell.append("\n")
        elif tag == "tr":
            self._end_cell()
            self.row += 1
            if self.row > limits.MAX_ROWS:
                raise ValidationError(f"{self.name} 中的表格超过 {limits.MAX_ROWS:,} 行，请拆分后再导入")
        elif tag in ("td", "th"):
            self._end_cell()
            if not self.row:
                self.row = 1
            span = {k: v for k, v in attrs}
            rows, cols = _span(span.get("rowspan")), _span(span.get("colspan"))
            col = 1
            for first, last in sorted(self.taken.get(self.row, ())):
                if first <= col <= last:
                    col = last + 1
            self.at = (self.row, col, min(rows, limits.MAX_ROWS), min(cols, limits.MAX_COLUMNS))
            self.cell = []
        elif tag == "br" and self.cell is not None:
            self.cell.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "table":
            if self.depth == 1:
                self._end_cell()
            self.depth = max(self.depth - 1, 0)
        elif self.depth == 1 and tag in ("td", "th", "tr"):
            self._end_cell()

    def handle_data(self, data: str) -> None:
        if self.cell is not None:
            self.cell.append(data)
            if sum(map(len, self.cell)) > limits.MAX_CELL_CHARS * 4:
                self._too_long()

    def _end_cell(self) -> None:
        if self.cell is None or self.sheet is None:
            return
        row, col, rows, cols = self.at
        lines = ("".join(self.cell)).replace("\xa0", " ").split("\n")
        text = "\n".join(_SPACE.sub(" ", line).strip() for line in lines).strip("\n ")
        self.cell = None
        last = col + cols - 1
        if last > limits.MAX_COLUMNS:
            raise ValidationError(f"{self.name} 的表格第 {row} 行有 {last} 列，超过上限 {limits.MAX_COLUMNS} 列")
        if len(text) > limits.MAX_CELL_CHARS:
            self._too_long(row, col)
        self.spanned += rows
        if self.spanned > limits.MAX_MERGED_CELLS:
            raise ValidationError(f"{self.name} 的表格中合并（rowspan）的行共超过 {limits.MAX_MERGED_CELLS:,} 行，"
                                  "请取消多余的合并后再导入")
        for r in range(row, row + rows):
            self.taken.setdefault(r, []).append((col, last))
        if rows > 1 or cols > 1:
            self.sheet.merges.append((row, col, row + rows - 1, last))
            if len(self.sheet.merges) > limits.MAX_MERGED_RANGES:
                raise ValidationError(f"{self.name} 的合并单元格超过 {limits.MAX_MERGED_RANGES:,} 处")
        values = self.sheet.rows.setdefault(row, [])
        if len(values) < last:
            values.extend([None] * (last - len(values)))
        values[col - 1] = clean_cell(text) if text else None
        self.cells += last - col + 1
        if self.cells > limits.MAX_CELLS:
            raise ValidationError(f"{self.name} 的数据超过 {limits.MAX_CELLS:,} 个单元格，请拆分后再导入")

    def _too_long(self, row: int | None = None, col: int | None = None) -> None:
        where = f"单元格 {column_letters(col)}{row} " if row and col else ""
        raise ValidationError(f"{self.name} 的表格{where}中的文字超过 {limits.MAX_CELL_CHARS:,} 个字符（Excel 单元格的上限），"
                              "请删减后再导入")


def _span(raw: str | None) -> int:
    try:
        return max(1, int((raw or "1").strip()))
    except ValueError:
        return 1


def read_html(path: Path) -> list[RawSheet]:
    """The tables of a web page as sheets, their rows numbered as Excel shows them when it opens the page."""
    name = path.name
    data = limits.read_bounded(path)
    declared = _CHARSET.search(data[:4096])
    text = None
    if declared:
        try:
            text = data.decode(declared.group(1).decode("ascii").lower().replace("gb2312", "gb18030"))
        except (LookupError, UnicodeDecodeError):
            text = None
    if text is None:
        text = decode(data, name)
    parser = _Tables(name)
    parser.feed(text)
    parser.close()
    parser._end_cell()
    sheets = [s for s in parser.sheets if s.rows]
    if not sheets:
        raise ValidationError(f"{name} 是网页（HTML）格式，但其中没有表格，没有可导入的内容")
    for sheet in sheets:
        for number in list(sheet.rows):
            values = sheet.rows[number]
            while values and values[-1] is None:
                values.pop()
            if not values:
                del sheet.rows[number]
        sheet.height = max(sheet.rows, default=0)
        sheet.width = max((len(v) for v in sheet.rows.values()), default=0)
    return sheets

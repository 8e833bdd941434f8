"""Reading an “XML 表格 2003” (Excel 2003 XML Spreadsheet) file, which some systems export under an .xls name.

One ``<Worksheet>`` is one sheet; ``ss:Index`` skips to a row or column, ``ss:MergeAcross``/``ss:MergeDown`` are
merged ranges, ``<Data ss:Type>`` gives the value (String, Number, DateTime, Boolean, Error). Read by expat in
chunks, bounded like every sheet (``gridapp.io.limits``); a DTD or entity declaration is refused.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from xml.parsers import expat

from gridapp.core.errors import ValidationError
from gridapp.io import limits
from gridapp.io.cells import clean_cell
from gridapp.io.xlsx_reader import Marker, RawSheet, column_letters

_SS = "urn:schemas-microsoft-com:office:spreadsheet "
_CHUNK = 1 << 16


class _Refused(Exception):
    pass


class _Book:
    def __init__(self, name: str):
        self.name = name
        self.sheets: list[RawSheet] = []
        self.sheet: RawSheet | None = None
        self.row = self.col = 0
        self.cell: tuple[int, int, str | None] | None = None  # row, column, type of the open Data
        self.text: list[str] | None = None
        self.cells = 0

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        if tag == _SS + "Worksheet":
            self.sheet = RawSheet(attrs.get(_SS + "Name") or f"Sheet{len(self.sheets) + 1}")
            self.sheets.append(self.sheet)
            self.row = 0
        elif self.sheet is None:
            return
        elif tag == _SS + "Row":
            self.row = self._index(attrs, self.row + 1, limits.MAX_ROWS, "行")
            self.col = 0
        elif tag == _SS + "Cell":
            self.col = self._index(attrs, self.col + 1, limits.MAX_COLUMNS, "列")
            across = self._count(attrs, "MergeAcross", limits.MAX_COLUMNS)
            down = self._count(attrs, "MergeDown", limits.MAX_ROWS)
            if across or down:
                self.sheet.merges.append((self.row, self.col, self.row + down, self.col + across))
                if len(self.sheet.merges) > limits.MAX_MERGED_RANGES:
                    raise ValidationError(f"{self.name} 的合并单元格超过 {limits.MAX_MERGED_RANGES:,} 处")
            self.cell = (self.row, self.col, None)
            self.col += across
        elif tag == _SS + "Data" and self.cell is not None:
            self.cell = (self.cell[0], self.cell[1], attrs.get(_SS + "Type") or "String")
            self.text = []

    def end(self, tag: str) -> None:
        if tag == _SS + "Data" and self.cell is not None and self.text is not None:
            self._store(*self.cell, "".join(self.text))
            self.text = None
        elif tag == _SS + "Cell":
            self.cell = None
        elif tag == _SS + "Worksheet":
            self.sheet = None

    def data(self, text: str) -> None:
        if self.text is not None:
            self.text.append(text)
            if len(self.text) > 64 and sum(map(len, self.text)) > limits.MAX_CELL_CHARS:
                self._too_long(*self.cell[:2])

    def _index(self, attrs: dict[str, str], default: int, most: int, what: str) -> int:
        raw = attrs.get(_SS + "Index")
        try:
            n = int(raw) if raw is not None else default
        except ValueError:
            raise ValidationError(f"{self.name} 已损坏：ss:Index=“{raw[:20]}”不是数字") from None
        if n < 1 or n > most:
            where = f"第 {n:,} 行" if what == "行" else f"第 {self.row} 行第 {n:,} 列"
            raise ValidationError(f"{self.name} 工作表“{self.sheet.name}”{where}超出可读取的范围（最多 {limits.MAX_ROWS:,} 行、"
                                  f"{limits.MAX_COLUMNS:,} 列），请删除远离数据的多余内容后再导入")
        return n

    def _count(self, attrs: dict[str, str], name: str, most: int) -> int:
        try:
            return min(max(int(attrs.get(_SS + name) or 0), 0), most)
        except ValueError:
            return 0

    def _store(self, row: int, col: int, kind: str | None, text: str) -> None:
        if len(text) > limits.MAX_CELL_CHARS:
            self._too_long(row, col)
        value: object
        if kind == "Number":
            try:
                number = float(text)
            except ValueError:
                number = None
            value = text if number is None else int(number) if number.is_integer() and abs(number) < 1e15 else number
        elif kind == "DateTime":
            try:
                value = dt.datetime.fromisoformat(text.strip()[:19])
            except ValueError:
                value = clean_cell(text)
        elif kind == "Boolean":
            value = text.strip() in ("1", "true", "TRUE")
        elif kind == "Error":
            value = Marker(text.strip() or "#VALUE!")
            self.sheet.marked.add(row)
        else:
            value = clean_cell(text) if text else None
        if value is None:
            return
        values = self.sheet.rows.setdefault(row, [])
        if len(values) < col:
            values.extend([None] * (col - len(values)))
        values[col - 1] = value
        self.sheet.height = max(self.sheet.height, row)
        self.sheet.width = max(self.sheet.width, col)
        self.cells += 1
        if self.cells > limits.MAX_CELLS:
            raise ValidationError(f"{self.name} 的数据超过 {limits.MAX_CELLS:,} 个单元格，请拆分后再导入")

    def _too_long(self, row: int, col: int) -> None:
        raise ValidationError(f"{self.name} 单元格 {column_letters(col)}{row} 的文字超过 {limits.MAX_CELL_CHARS:,} 个字符"
                              "（Excel 单元格的上限），请删减后再导入")


def _no_dtd(*_args) -> None:
    raise _Refused


def read_xml2003(path: Path) -> list[RawSheet]:
    """The worksheets of an Excel 2003 XML file, rows numbered as Excel shows them."""
    name = path.name
    limits.check_size(path, limits.MAX_CSV_BYTES)
    book = _Book(name)
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler, parser.EndElementHandler = book.start, book.end
    parser.CharacterDataHandler = book.data
    parser.StartDoctypeDeclHandler = parser.EntityDeclHandler = _no_dtd
    parser.buffer_text = True
    try:
        with path.open("rb") as f:
            while chunk := f.read(_CHUNK):
                parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except _Refused:
        raise ValidationError(f"{name} 含有 DTD 声明，不是 Excel 保存的文件，无法导入") from None
    except expat.ExpatError as exc:
        raise ValidationError(f"{name} 已损坏或不是完好的 XML 表格文件（{expat.ErrorString(exc.code)}，"
                              f"第 {exc.lineno} 行）") from None
    except OSError as exc:
        raise ValidationError(f"无法读取文件 {path}：{exc.strerror or exc}") from None
    sheets = [s for s in book.sheets if s.rows]
    if not sheets:
        raise ValidationError(f"{name} 是 XML 表格（Excel 2003 XML）格式，但其中没有数据，没有可导入的内容")
    return sheets

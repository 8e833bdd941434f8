"""Reading a .csv as a sheet of text cells: its encoding and separator found, its size bounded.

Excel saves “CSV UTF-8” with a BOM, plain “CSV” in the system's code page (GBK on a Chinese Windows),
WPS GBK or UTF-8; “Unicode text” is UTF-16 with tabs. Every cell is text, as a CSV holds it, so an ID
number keeps all its digits; an empty field reads as an empty cell, as it would in Excel.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from gridapp.core.errors import ValidationError
from gridapp.io import limits
from gridapp.io.xlsx_reader import RawSheet, column_letters

_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
_SEPARATORS = (",", "\t", ";")
_SNIFF_LINES = 30


def decode(data: bytes, name: str) -> str:
    """The text of a CSV file: by its BOM, else UTF-8 if it is valid UTF-8, else GB18030 (which covers GBK)."""
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as exc:
                raise _undecodable(name, exc.start) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise _undecodable(name, exc.start) from None


def _undecodable(name: str, offset: int) -> ValidationError:
    return ValidationError(f"无法识别 {name} 的文字编码（第 {offset + 1} 个字节起既不是 UTF-8 也不是 GBK/GB18030），"
                           "请在 Excel 中另存为“CSV UTF-8”或 .xlsx 后再导入")


def separator(text: str) -> str:
    """Comma, tab or semicolon: the one splitting the first lines into the most fields, the same number on most."""
    lines = [line for line in text.splitlines()[:_SNIFF_LINES * 2] if line.strip()][:_SNIFF_LINES]
    best, best_score = ",", (0, 0)
    for sep in _SEPARATORS:
        try:
            counts = [len(r) for r in csv.reader(lines, delimiter=sep)]
        except csv.Error:
            continue
        wide = [c for c in counts if c > 1]
        common = max((wide.count(c) for c in set(wide)), default=0)
        score = (common, max(wide, default=0))
        if score > best_score:
            best, best_score = sep, score
    return best


def read_csv(path: Path) -> RawSheet:
    """A CSV file as one sheet named after the file (as Excel names it), its rows numbered as Excel shows them."""
    name = path.name
    data = limits.read_bounded(path)
    text = decode(data, name)
    if "\0" in text:
        raise ValidationError(f"{name} 含有二进制内容，不是文本格式的 CSV 文件")
    sheet = RawSheet(path.stem)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=separator(text))
    cells = 0
    try:
        for number, record in enumerate(reader, start=1):
            if number > limits.MAX_ROWS:
                if any(v.strip() for v in record):
                    raise ValidationError(f"{name} 超过 {limits.MAX_ROWS:,} 行（第 {number} 行），请拆分后再导入")
                continue
            while record and not record[-1]:
                record.pop()
            if not record:
                continue
            if len(record) > limits.MAX_COLUMNS:
                raise ValidationError(f"{name} 第 {number} 行有 {len(record)} 列，超过上限 {limits.MAX_COLUMNS} 列")
            for c, value in enumerate(record, start=1):
                if len(value) > limits.MAX_CELL_CHARS:
                    raise ValidationError(f"{name} 第 {number} 行第 {c} 列（{column_letters(c)} 列）的文字超过 "
                                          f"{limits.MAX_CELL_CHARS:,} 个字符（Excel 单元格的上限），请删减后再导入")
            cells += len(record)
            if cells > limits.MAX_CELLS:
                raise ValidationError(f"{name} 的数据超过 {limits.MAX_CELLS:,} 个单元格，请拆分后再导入")
            sheet.rows[number] = [v if v != "" else None for v in record]
            sheet.height = number
            sheet.width = max(sheet.width, len(record))
    except csv.Error as exc:
        if "field limit" in str(exc):  # the csv module's own bound, far above a cell's
            raise ValidationError(f"{name} 第 {reader.line_num} 行附近有一项文字超过 {limits.MAX_CELL_CHARS:,} 个字符"
                                  "（Excel 单元格的上限），或引号没有配对，请检查后再导入") from None
        raise ValidationError(f"{name} 第 {reader.line_num} 行不是有效的 CSV 格式：{exc}") from None
    return sheet

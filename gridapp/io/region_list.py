"""Reading an update of the GB/T 2260 table: the 民政部 list of one year, however the office saved it.

The 民政部 publishes each year's 县以上行政区划代码 as a web page of two columns (行政区划代码, 单位名称); offices
copy it into a sheet or a text file. Read here: any sheet the import reads (.xlsx, .xls, .csv…) with a code column and
a name column, a text file of ``110000 北京市`` lines, or a whole table in gridapp's own format (a newer
``gbt2260.tsv``). The year comes from the caller, else from the sheet's title or the file's name (“2024年…”).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from gridapp.core import regions
from gridapp.core.errors import ValidationError
from gridapp.core.validation import clean_text

CODE_HEADERS = ("行政区划代码", "区划代码", "代码", "编码", "行政区划编码")
NAME_HEADERS = ("单位名称", "行政区划名称", "区划名称", "名称", "地区名称")
_LINE = re.compile(r"^\s*(\d{6})[\s,，\t]+(\S.*?)\s*$")
_TEXT_BYTES = 4 << 20
_YEAR = re.compile(r"(19[89]\d|20\d\d)\s*年?")


@dataclass(frozen=True)
class RegionList:
    pairs: list[tuple[str, str]]
    year: int | None  # from the title or the file name
    table: regions.RegionTable | None = None  # a whole table in gridapp's format


def _year(*texts: str) -> int | None:
    for t in texts:
        m = _YEAR.search(t or "")
        if m:
            return int(m.group(1))
    return None


def _text_lines(path: Path) -> RegionList | None:
    """A text file of code and name lines (or gridapp's own table); None when the file is not such text."""
    try:
        with path.open("rb") as f:
            data = f.read(_TEXT_BYTES)  # a national list is about 100 KB: a longer file is not such a list
    except OSError:
        return None
    from gridapp.io.csv_reader import decode

    try:
        text = decode(data, path.name)
    except ValidationError:
        return None
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if any(ln.strip() == regions.HEADER for ln in lines[:10]):
        return RegionList([], None, regions.read_table(path))
    pairs, other = [], 0
    for ln in lines:
        m = _LINE.match(ln)
        if m:
            pairs.append((m.group(1), clean_text(m.group(2))))
        else:
            other += 1
    if not pairs or other > max(5, len(pairs) // 50):  # a header or a title line or two, not a sheet of something else
        return None
    title = next((ln for ln in lines if not _LINE.match(ln)), "")
    return RegionList(pairs, _year(title, path.stem))


def read_region_list(path: Path | str) -> RegionList:
    path = Path(path)
    from gridapp.io.source import source_kind

    kind = source_kind(path)  # a sentence for a folder, a missing or empty file, a PDF…
    if kind == "csv" or path.suffix.lower() in (".tsv", ".txt", ".csv"):
        found = _text_lines(path)
        if found is not None:
            return found
    from gridapp.io.sheet import read_sheet

    sheet = read_sheet(path, CODE_HEADERS + NAME_HEADERS)
    code_col = next((c.index for c in sheet.columns if any(h in c.header for h in CODE_HEADERS)), None)
    name_col = next((c.index for c in sheet.columns if any(h in c.header for h in NAME_HEADERS)), None)
    if code_col is None or name_col is None:
        raise ValidationError(f"{path.name} 中没有找到“行政区划代码”和“单位名称”两列")
    pairs = []
    for row in sheet.rows:
        code = row.values[code_col] if code_col < len(row.values) else None
        name = row.values[name_col] if name_col < len(row.values) else None
        if isinstance(code, float) and code.is_integer():
            code = int(code)
        code_text = clean_text(code)
        if not code_text:
            continue
        if not re.fullmatch(r"\d{6}", code_text) or not clean_text(name):
            raise ValidationError(f"{path.name} 第 {row.number} 行的行政区划代码“{code_text}”或名称无效，应为 6 位数字和名称")
        pairs.append((code_text, clean_text(name)))
    return RegionList(pairs, _year(sheet.title, sheet.name, path.stem))


def plan_update(path: Path | str, year: int | None = None,
                base: regions.RegionTable | None = None) -> regions.Update:
    """What reading ``path`` into the table in use would change; nothing is written (``regions.save_update``)."""
    path = Path(path)
    base = base or regions.table()
    found = read_region_list(path)
    if found.table is not None:
        t = found.table
        if t.edition < base.edition:
            raise ValidationError(f"{path.name} 是 {t.edition} 年版代码表，早于当前使用的 {base.edition} 年版，未更新")
        added = tuple(r for r in t.rows() if not base.known(r.code))
        return regions.Update(t, t.edition, added, (), ())
    when = year or found.year
    if when is None:
        raise ValidationError(f"无法从 {path.name} 的标题或文件名看出是哪一年的代码，请指明年份（--year）")
    return regions.merge_list(base, found.pairs, when, str(path))

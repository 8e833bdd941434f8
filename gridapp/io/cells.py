"""Turning spreadsheet cells, as people really fill them, into clean values."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from gridapp.core.errors import ValidationError
from gridapp.core.validation import clean_text, strip_invisible, to_halfwidth

_EXCEL_EPOCH = dt.date(1899, 12, 30)

# Excel writes a control character in text as _xHHHH_ (a line break's \r as _x000D_); the file holds the
# escape as written.
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


def text(value: object) -> str:
    return clean_text(value)


def person_name(value: object) -> str:
    """Names lose padding spaces people add to align two-character names (王　丽 → 王丽)."""
    s = clean_text(value)
    if re.search(r"[\u4e00-\u9fff]", s):
        s = re.sub(r"\s+", "", s)
    return s


def parse_date(value: object, *, field: str = "日期") -> dt.date | None:
    """Excel dates and serials, 2021/3/15, 2021-03-15, 2021.3, 2021年3月, 2021年3月15日, 2020年, 20210315."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1900 <= value <= 2100 and float(value).is_integer():
            return dt.date(int(value), 1, 1)
        if 20000 <= value <= 80000:
            return _EXCEL_EPOCH + dt.timedelta(days=int(value))
        if 19000101 <= value <= 21001231:
            value = str(int(value))
        else:
            raise ValidationError(f"{field}“{value}”不是有效日期")
    s = re.sub(r"\s+", "", to_halfwidth(str(value)))
    m = (re.fullmatch(r"(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?", s)
         or re.fullmatch(r"(\d{4})(\d{2})(\d{2})", s))
    if m:
        y, mo, d = map(int, m.groups())
    elif m := re.fullmatch(r"(\d{4})[-/.年](\d{1,2})月?", s):
        y, mo, d = int(m.group(1)), int(m.group(2)), 1
    elif m := re.fullmatch(r"(\d{4})年?", s):
        y, mo, d = int(m.group(1)), 1, 1
    else:
        raise ValidationError(f"{field}“{value}”无法识别，请写成 2021-03-15、2021.3 或 2021年3月")
    try:
        date = dt.date(y, mo, d)
    except ValueError:
        raise ValidationError(f"{field}“{value}”不存在") from None
    if not 1900 <= date.year <= 2100:
        raise ValidationError(f"{field}“{value}”年份不合理")
    return date


def parse_int(value: object, *, field: str = "数值", minimum: int = 0) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, float):
        if not value.is_integer():
            raise ValidationError(f"{field}应为整数，而不是“{value:g}”")
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        n = value
    else:
        s = re.sub(r"[\s,，]", "", to_halfwidth(str(value)))
        s = re.sub(r"(户|人|个|名)$", "", s)
        if not re.fullmatch(r"-?\d+", s):
            raise ValidationError(f"{field}应为整数，而不是“{value}”")
        n = int(s)
    if n < minimum:
        raise ValidationError(f"{field}不能小于{minimum}")
    return n

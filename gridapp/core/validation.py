"""Validators for national identifiers and contact data, with Chinese messages.

- GB 11643-1999 citizen ID numbers (check digit, birth date, gender digit, 15-digit upgrade)
- GB 32100-2015 unified social credit codes (check character)
- mobile and landline phone numbers
- org unit codes: GB/T 2260 county code + street + community + grid (+ micro-grid) sequences
"""

from __future__ import annotations

import datetime as dt
import operator
import re
from dataclasses import dataclass
from functools import lru_cache

from gridapp.core.errors import ValidationError

# Province-level prefixes of GB/T 2260 (incl. Taiwan, Hong Kong, Macao).
PROVINCE_PREFIXES = frozenset(
    ["11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37", "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65", "71", "81", "82"]
)

# Prefecture-level cities without counties (不设区的地级市): their streets' codes begin with the city's own
# code, as the published 统计用区划代码 show (441900003 东城街道 of 东莞).
CITIES_WITHOUT_COUNTIES = frozenset({"441900", "442000", "460400", "620200"})  # 东莞 中山 儋州 嘉峪关



def cities_without_counties() -> frozenset[str]:
    """The four above, and any the region table in use knows (an office's update may add one)."""
    from gridapp.core import regions

    try:
        return CITIES_WITHOUT_COUNTIES | regions.table().without_counties
    except ValidationError:  # the table cannot be read: the rule still holds for the cities known here
        return CITIES_WITHOUT_COUNTIES


# ID numbers also begin with 830000 (台湾居民居住证, like 810000/820000 for Hong Kong and Macao residents).
ID_PREFIXES = PROVINCE_PREFIXES | {"83"}

_FULLWIDTH = {0xFF01 + i: 0x21 + i for i in range(94)} | {0x3000: 0x20}


def to_halfwidth(text: str) -> str:
    """Full-width digits, letters and the ideographic space become their ASCII forms."""
    return text.translate(_FULLWIDTH)


# Full-width digits, letters and the ideographic space; Chinese punctuation (，。：) stays as written.
_FULLWIDTH_ALNUM = ({0xFF10 + i: 0x30 + i for i in range(10)} | {0xFF21 + i: 0x41 + i for i in range(26)}
                    | {0xFF41 + i: 0x61 + i for i in range(26)} | {0x3000: 0x20})


# Characters that show as nothing but break comparisons, dropped silently wherever text comes in (a
# zero-width space pasted into an ID number): zero-width spaces and joiners, direction marks, the soft
# hyphen, the byte-order mark, invisible operators.
_INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u2060-\u2064\u206a-\u206f\ufeff\ufff9-\ufffb]")
# Characters refused with a message instead (gridapp.core.fields): they reorder what a name shows
# (bidirectional embeddings, overrides and isolates) or are control codes. Tab and line breaks are
# control codes too, allowed only in multi-line fields.
BIDI_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069]")
CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
LINE_CHARACTERS = re.compile("[\t\n\r]")
# Non-breaking and typographic spaces (pasted from web pages and Word) read as a plain space.
_ODD_SPACE = re.compile("[\u00a0\u2000-\u200a\u202f\u205f]")
_ODD_BREAK = re.compile("[\u2028\u2029]")
_ANY_ODD = re.compile(f"{_INVISIBLE.pattern}|{_ODD_SPACE.pattern}|{_ODD_BREAK.pattern}")
# Any character one of the patterns above looks for: text without one (nearly every value) is stored as it
# is, and no rule on characters has anything to say about it.
SPECIAL_CHARACTERS = re.compile("|".join(p.pattern for p in (_ANY_ODD, BIDI_CONTROLS, CONTROL_CHARACTERS,
                                                              LINE_CHARACTERS)))
# What clean_text folds into one space: only real spaces and line breaks, so a control character
# stays in the value and is refused by the field's rule rather than turned into a space.
_SPACES = re.compile("[ \t\n\r\u3000]+")


def strip_invisible(text: str) -> str:
    """Zero-width characters removed; non-breaking spaces as plain spaces. Bidirectional overrides and
    control characters stay, for the field rules to refuse with a message."""
    if not _ANY_ODD.search(text):  # nearly every cell: one scan, no copy
        return text
    return _ODD_BREAK.sub("\n", _ODD_SPACE.sub(" ", _INVISIBLE.sub("", text)))


def only_invisible(text: str) -> bool:
    """True for text that is not empty but shows nothing: zero-width characters and spaces only."""
    return bool(text) and not strip_invisible(text).strip() and bool(_INVISIBLE.search(text))


def clean_text(value: object) -> str:
    """A cell or field value as trimmed text with half-width digits and letters ('' for None)."""
    if value is None:
        return ""
    return _SPACES.sub(" ", strip_invisible(str(value)).translate(_FULLWIDTH_ALNUM)).strip()


# --- GB 11643 ID numbers -------------------------------------------------------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_BYTE_BIAS = 48 * sum(_ID_WEIGHTS)  # what ASCII digits' byte values add to the weighted sum


@dataclass(frozen=True)
class IdNumber:
    number: str  # 18 characters, upper-case X
    birth_date: dt.date
    gender: str  # GB/T 2261.1 code: "1" male, "2" female
    region: str  # first six digits (GB/T 2260 code at issue time)
    upgraded: bool = False  # True when it was given as an old 15-digit number


_ID_FORM = re.compile(r"[0-9]{17}[0-9X]")  # ASCII digits only: \d would let other scripts' digits in


def id_check_digit(first17: str) -> str:
    if len(first17) != 17:
        raise ValueError(first17)
    return _ID_CHECK[sum(map(operator.mul, map(int, first17), _ID_WEIGHTS)) % 11]


def parse_id_number(value: object, *, today: dt.date | None = None) -> IdNumber:
    """Validate and normalise an ID number as typed, pasted or read from Excel.

    Accepts full-width digits, spaces, lower-case x and old 15-digit numbers (upgraded to 18).
    Raises ValidationError with a message naming the problem.
    """
    today = today or dt.date.today()
    if value.__class__ is str and len(value) <= 40:
        return _parsed_text(value, today)
    return _parsed(value, today)


@lru_cache(maxsize=1024)
def _parsed_text(value: str, today: dt.date) -> IdNumber:
    """A text's reading, kept for a while: an import reads each number twice, as read and then as saved.
    The reading depends on the text and the day alone, and a refusal is not kept."""
    return _parsed(value, today)


def _parsed(value: object, today: dt.date) -> IdNumber:
    if isinstance(value, float | int) and not isinstance(value, bool):
        # Excel keeps 15 significant digits: an 18-digit number stored as a number lost its tail.
        if value >= 10**15:
            raise ValidationError(
                "身份证号码被 Excel 存成了数字，后几位已丢失，请把该列设为文本格式后重新填写完整号码",
                field="id_number",
            )
        value = str(int(value))
    upgraded = False
    if isinstance(value, str) and _ID_FORM.fullmatch(value):
        # Already as stored (an import checks each number twice: as read, then as saved): none of the
        # checks of its form below could fail.
        text = value
    else:
        text = re.sub(r"[\s\-]", "", to_halfwidth(str(value or ""))).upper()
        if not text:
            raise ValidationError("身份证号码为空", field="id_number")
        if re.fullmatch(r"\d(\.\d+)?E\+\d+", text):
            raise ValidationError(
                "身份证号码被 Excel 存成了数字（科学计数法），后几位已丢失，请把该列设为文本格式后重新填写完整号码",
                field="id_number",
            )
        if len(text) == 15 and text.isdigit():
            text = text[:6] + "19" + text[6:]
            text += id_check_digit(text)
            upgraded = True
        if len(text) != 18:
            raise ValidationError(f"身份证号码应为18位，实际为{len(text)}位：{text}", field="id_number")
        if not _ID_FORM.fullmatch(text):
            raise ValidationError(f"身份证号码含有非法字符：{text}", field="id_number")
    if text[:2] not in ID_PREFIXES:
        raise ValidationError(f"身份证号码前两位“{text[:2]}”不是有效的省级行政区划代码", field="id_number")
    try:
        birth = dt.date(int(text[6:10]), int(text[10:12]), int(text[12:14]))
    except ValueError:
        raise ValidationError(f"身份证号码中的出生日期“{text[6:14]}”不存在", field="id_number") from None
    if birth > today or birth.year < 1880:
        raise ValidationError(f"身份证号码中的出生日期“{birth.isoformat()}”不合理", field="id_number")
    # The first 17 are ASCII digits (the form above): their bytes less 48 are the digits.
    expected = _ID_CHECK[(sum(map(operator.mul, text[:17].encode("ascii"), _ID_WEIGHTS)) - _ID_BYTE_BIAS) % 11]
    if text[17] != expected:
        raise ValidationError(
            f"身份证号码校验位错误：{text}（最后一位应为 {expected}），请核对是否录错", field="id_number"
        )
    gender = "1" if int(text[16]) % 2 else "2"
    return IdNumber(text, birth, gender, text[:6], upgraded)


def mask_id_number(number: str | None) -> str:
    """3702**********1234: the form shown in lists and printouts."""
    if not number:
        return ""
    if len(number) <= 8:
        return number[:2] + "*" * max(len(number) - 2, 0)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


# --- GB 32100 unified social credit codes ---------------------------------------------------------

CREDIT_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT_AUTHORITIES = frozenset("123456789ANY")


def credit_check_char(first17: str) -> str:
    total = sum(CREDIT_CHARSET.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return CREDIT_CHARSET[(31 - total % 31) % 31]


def parse_credit_code(value: object) -> str:
    """Validate a unified social credit code and return it upper-cased."""
    text = re.sub(r"[\s\-]", "", to_halfwidth(str(value or ""))).upper()
    if not text:
        raise ValidationError("统一社会信用代码为空", field="credit_code")
    if len(text) != 18:
        raise ValidationError(f"统一社会信用代码应为18位，实际为{len(text)}位：{text}", field="credit_code")
    bad = sorted({c for c in text if c not in CREDIT_CHARSET})
    if bad:
        raise ValidationError(
            f"统一社会信用代码含有不允许的字符“{''.join(bad)}”（不使用 I、O、Z、S、V）：{text}", field="credit_code"
        )
    if text[0] not in _CREDIT_AUTHORITIES:
        raise ValidationError(f"统一社会信用代码第1位登记管理部门代码“{text[0]}”无效：{text}", field="credit_code")
    if not text[1].isdigit():
        raise ValidationError(f"统一社会信用代码第2位机构类别代码“{text[1]}”应为数字：{text}", field="credit_code")
    if not text[2:8].isdigit() or text[2:4] not in PROVINCE_PREFIXES | {"10"}:
        raise ValidationError(f"统一社会信用代码第3-8位行政区划码“{text[2:8]}”无效：{text}", field="credit_code")
    expected = credit_check_char(text[:17])
    if text[17] != expected:
        raise ValidationError(
            f"统一社会信用代码校验位错误：{text}（最后一位应为 {expected}），请核对是否录错", field="credit_code"
        )
    return text


# --- phone numbers ---------------------------------------------------------------------------------

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(0\d{2,3})(\d{7,8})(?:转(\d{1,6}))?")


# A mobile number as stored: what nearly every cell of a phone column holds, and what normalising gives back.
_PLAIN_MOBILE = re.compile(r"1[3-9][0-9]{9}")


def normalize_phone(value: object) -> str:
    """One phone number in canonical form: 13812345678 or 0532-88886666 (转123)."""
    if value.__class__ is str and _PLAIN_MOBILE.fullmatch(value):
        return value
    return _normalized_phone(value)


def _normalized_phone(value: object) -> str:
    raw = to_halfwidth(str(value or "")).strip()
    if isinstance(value, float) and value.is_integer():
        raw = str(int(value))
    text = re.sub(r"[\s\-()（）.]", "", raw)
    text = re.sub(r"^(\+?86)(?=1[3-9]\d{9}$)", "", text)
    text = text.replace("ext", "转").replace("EXT", "转").replace("#", "转")
    if not text:
        raise ValidationError("电话号码为空", field="phone")
    if _MOBILE.fullmatch(text):
        return text
    m = _LANDLINE.fullmatch(text)
    if m:
        return f"{m.group(1)}-{m.group(2)}" + (f"转{m.group(3)}" if m.group(3) else "")
    if text.isdigit() and len(text) == 11 and text.startswith("1"):
        raise ValidationError(f"手机号码“{raw}”号段无效", field="phone")
    if text.isdigit() and len(text) in (7, 8):
        raise ValidationError(f"固定电话“{raw}”缺少区号（如 0532-）", field="phone")
    raise ValidationError(f"电话号码“{raw}”格式不正确，应为11位手机号或带区号的固定电话", field="phone")


def split_phones(value: object) -> list[str]:
    """All phone numbers in one cell ("138…、0532-…" or two numbers separated by a space)."""
    if value.__class__ is str and _PLAIN_MOBILE.fullmatch(value):
        return [value]
    return _split_phones(value)


def _split_phones(value: object) -> list[str]:
    raw = to_halfwidth(str(value or "")).strip()
    if isinstance(value, float) and value.is_integer():
        raw = str(int(value))
    if not raw:
        return []
    parts = [p for p in re.split(r"[,，;；/、|\n]+", raw) if p.strip()]
    if len(parts) == 1:
        # "138 1234 5678" is one number; "13812345678 13987654321" is two.
        digits = re.sub(r"\D", "", parts[0])
        if len(digits) == 22 and re.fullmatch(r"[\d\s]+", parts[0]) and len(parts[0].split()) == 2:
            parts = parts[0].split()
    return [normalize_phone(p) for p in parts]


# --- org unit codes --------------------------------------------------------------------------------

LEVEL_CODE_LENGTH = {"district": 6, "street": 9, "community": 12, "grid": 15, "microgrid": 18}
_LENGTH_LEVEL = {v: k for k, v in LEVEL_CODE_LENGTH.items()}


def parse_org_code(value: object, level: str | None = None) -> str:
    """Validate a hierarchical org code (6/9/12/15/18 digits); with ``level``, its length too."""
    text = re.sub(r"\s", "", to_halfwidth(str(value or "")))
    if isinstance(value, float) and value.is_integer():
        if value >= 10**15:  # Excel keeps 15 significant digits: a micro-grid code as a number lost its tail
            raise ValidationError("组织编码被 Excel 存成了数字，后几位已丢失，请把该列设为文本格式后重新填写完整编码",
                                  field="code")
        text = str(int(value))
    if re.fullmatch(r"\d(\.\d+)?E\+\d+", text.upper()):
        raise ValidationError(f"组织编码被 Excel 存成了数字（科学计数法 {text}），后几位已丢失，"
                              "请把该列设为文本格式后重新填写完整编码", field="code")
    if not text:
        raise ValidationError("组织编码为空", field="code")
    if not text.isdigit():
        raise ValidationError(f"组织编码只能由数字组成：{text}", field="code")
    if len(text) not in _LENGTH_LEVEL:
        raise ValidationError(
            f"组织编码长度应为6位（区）、9位（街道）、12位（社区）、15位（网格）或18位（微网格），实际为{len(text)}位：{text}",
            field="code",
        )
    if text[:2] not in PROVINCE_PREFIXES:
        raise ValidationError(f"组织编码前六位“{text[:6]}”不是有效的 GB/T 2260 行政区划代码", field="code")
    if (text[2:6] == "0000" or text[4:6] == "00") and text[:6] not in cities_without_counties():
        raise ValidationError(f"组织编码前六位“{text[:6]}”应为县级行政区划代码"
                              "（不设区的地级市东莞、中山、儋州、嘉峪关用市的代码）", field="code")
    if level is not None and LEVEL_CODE_LENGTH[level] != len(text):
        from gridapp.core.codes import ORG_LEVEL

        raise ValidationError(
            f"{ORG_LEVEL.name(level)}编码应为{LEVEL_CODE_LENGTH[level]}位：{text}", field="code"
        )
    tail = text[6:]
    for i in range(0, len(tail), 3):
        if tail[i : i + 3] == "000":
            raise ValidationError(f"组织编码中的顺序号不能为000：{text}", field="code")
    return text


def level_of_code(code: str) -> str:
    return _LENGTH_LEVEL[len(code)]


def parent_code(code: str) -> str | None:
    return code[:-3] if len(code) > 6 else None


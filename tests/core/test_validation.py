import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gridapp.core.errors import ValidationError
from gridapp.core.validation import (
    credit_check_char,
    id_check_digit,
    mask_id_number,
    normalize_phone,
    parent_code,
    parse_credit_code,
    parse_id_number,
    parse_org_code,
    split_phones,
)

# Examples printed in GB 11643-1999 itself.
STANDARD_IDS = ["11010519491231002X", "440524188001010014"]
# Unified social credit codes of well-known companies (public registration data).
REAL_CREDIT_CODES = ["914403001922038216", "9144030071526726XG", "91110000100005220B"]


@pytest.mark.parametrize("number", STANDARD_IDS)
def test_standard_id_numbers_are_valid(number):
    info = parse_id_number(number)
    assert info.number == number


def test_id_number_parts():
    info = parse_id_number("11010519491231002X")
    assert info.birth_date == dt.date(1949, 12, 31)
    assert info.gender == "2"  # 17th digit 2 is even
    assert info.region == "110105"
    assert parse_id_number("440524188001010014").gender == "1"


def test_id_number_normalisation():
    assert parse_id_number("１１０１０５１９４９１２３１００２x").number == "11010519491231002X"
    assert parse_id_number(" 110105 19491231 002X ").number == "11010519491231002X"


def test_fifteen_digit_id_is_upgraded():
    info = parse_id_number("110105491231002")
    assert info.upgraded
    assert info.number == "11010519491231002X"
    assert parse_id_number(110105491231002).number == "11010519491231002X"  # kept whole by Excel


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("110105194912310021", "校验位错误"),
        ("11010519491231002", "应为18位"),
        ("1101051949123100AX", "非法字符"),
        ("99010519491231002X", "省级行政区划"),
        ("110105194902300028", "出生日期"),
        ("", "为空"),
        (3.702031990062703e17, "存成了数字"),
        (370203199006270300, "后几位已丢失"),
        ("3.70203E+17", "科学计数法"),
    ],
)
def test_bad_id_numbers_say_why(value, words):
    with pytest.raises(ValidationError) as err:
        parse_id_number(value)
    assert words in err.value.message


def test_future_birth_date_rejected():
    body = "11010520990101001"
    with pytest.raises(ValidationError, match="不合理"):
        parse_id_number(body + id_check_digit(body), today=dt.date(2026, 1, 1))


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(0, 999),
    st.integers(0, 16),
    st.integers(1, 9),
)
def test_any_single_digit_error_is_caught(birth, seq, pos, delta):
    body = f"370203{birth:%Y%m%d}{seq:03d}"
    number = body + id_check_digit(body)
    assert parse_id_number(number).number == number
    wrong = number[:pos] + str((int(number[pos]) + delta) % 10) + number[pos + 1 :]
    with pytest.raises(ValidationError):
        parse_id_number(wrong)


def test_mask():
    assert mask_id_number("370203199210160104") == "3702**********0104"
    assert mask_id_number(None) == ""


@pytest.mark.parametrize("code", REAL_CREDIT_CODES)
def test_real_credit_codes(code):
    assert parse_credit_code(code.lower()) == code


@pytest.mark.parametrize(
    ("code", "words"),
    [
        ("914403001922038217", "校验位错误"),
        ("91440300192203821", "应为18位"),
        ("9144030019220382I6", "不允许的字符"),
        ("B14403001922038216", "登记管理部门"),
    ],
)
def test_bad_credit_codes(code, words):
    with pytest.raises(ValidationError) as err:
        parse_credit_code(code)
    assert words in err.value.message


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9), st.sampled_from("159"))
def test_credit_check_char_roundtrip(org, authority):
    first17 = authority + "1" + "370203" + org
    code = first17 + credit_check_char(first17)
    assert parse_credit_code(code) == code


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("137 3940 4689", "13739404689"),
        ("152-7824-5937", "15278245937"),
        ("１8680143699", "18680143699"),
        ("+86 138 1234 5678", "13812345678"),
        ("0532-88886666", "0532-88886666"),
        ("(0532)88886666转123", "0532-88886666转123"),
        (13812345678.0, "13812345678"),
    ],
)
def test_phone_normalisation(raw, expected):
    assert normalize_phone(raw) == expected


@pytest.mark.parametrize(("raw", "words"), [("8888666", "缺少区号"), ("12345678901", "号段"), ("abc", "格式不正确")])
def test_bad_phones(raw, words):
    with pytest.raises(ValidationError, match=words):
        normalize_phone(raw)


def test_two_phones_in_one_cell():
    assert split_phones("13812345678、0532-88886666") == ["13812345678", "0532-88886666"]
    assert split_phones("13812345678 13987654321") == ["13812345678", "13987654321"]
    assert split_phones("138 1234 5678") == ["13812345678"]
    assert split_phones(None) == []


def test_org_codes():
    assert parse_org_code("370203012001001", "grid") == "370203012001001"
    assert parse_org_code(370203012.0) == "370203012"
    assert parent_code("370203012001001") == "370203012001"
    assert parent_code("370203") is None
    for bad, words in (("3702030120", "长度"), ("990203012", "行政区划"), ("370203000", "000"),
                       ("37A203012", "数字"), ("370000012", "县级")):
        with pytest.raises(ValidationError, match=words):
            parse_org_code(bad)
    with pytest.raises(ValidationError, match="街道编码应为9位"):
        parse_org_code("370203012001", "street")


def test_invisible_characters_go_and_odd_spaces_become_spaces():
    from gridapp.core.validation import clean_text, strip_invisible

    assert strip_invisible("37020319\u200b9001\u200c01\u200d1233\u200e\u200f\u2060\ufeff\u00ad") == "370203199001011233"
    # Control characters and direction overrides stay, for the field rules to refuse with a message.
    assert strip_invisible("a\x7fb\x9bc\x01d\u202e") == "a\x7fb\x9bc\x01d\u202e"
    assert strip_invisible("李\u00a0娜\u202f\u2007x") == "李 娜  x"  # non-breaking spaces
    assert strip_invisible("一\t二\n三\u2028四") == "一\t二\n三\n四"  # tabs and line breaks stay
    assert strip_invisible("第一网格") == "第一网格"
    assert clean_text("\ufeff 专职\u00a0网格员\u200b ") == "专职 网格员"

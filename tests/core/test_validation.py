import datetime as dt
import re

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
        ("\u0661\u0661\u0660\u0661\u0660\u0665\u0661\u0669\u0664\u0669\u0661\u0662\u0663\u0661\u0660\u0660\u0662X",
         "非法字符"),  # Arabic-Indic digits are digits to Python, not to an ID number
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


# --- field rules declared with the model (gridapp.core.fields) ---------------------------------------


def _dump(store) -> list[str]:
    import sqlite3

    with sqlite3.connect(store.path) as conn:
        return list(conn.iterdump())


def test_rules_come_from_the_model_columns():
    from gridapp.core import fields
    from gridapp.core.models import SYNCED_MODELS, Compound, OrgUnit, Participation, Person

    assert fields.rule(Person.name).max_length == 50 and fields.rule(Person.name).label == "姓名"
    assert fields.rule(OrgUnit.name).max_length == 100
    assert (fields.rule(OrgUnit.households).minimum, fields.rule(OrgUnit.households).maximum) == (0, 100_000)
    assert fields.rule(OrgUnit.population).maximum == 1_000_000
    assert fields.rule(Compound.built_year).maximum == 2100
    assert (fields.rule(Participation.hours).minimum, fields.rule(Participation.hours).maximum) == (0, 24)
    assert fields.rule(OrgUnit.boundary).multiline and not fields.rule(OrgUnit.name).multiline
    for model in SYNCED_MODELS:  # every field people fill is named in Chinese and every integer fits SQLite
        for key, r in fields.rules(model).items():
            assert r.label != key, (model.__name__, key)
            if r.kind == "int":
                assert fields.INT64[0] <= r.minimum and r.maximum <= fields.INT64[1]


def test_one_check_refuses_with_the_field_and_the_limit():
    from gridapp.core import fields
    from gridapp.core.models import OrgUnit, Person

    cases = [
        (Person.name, "王" * 32767, "姓名过长：最多 50 个字，现有 32767 个"),
        (Person.name, "\u200b\u200b\ufeff", "姓名只由不可见字符组成"),
        (Person.name, "\u202e强王", "姓名含有改变文字显示方向的隐藏字符（U+202E）"),
        (Person.name, "王\u2066强", "U+2066"),
        (Person.name, "王\x07强", "姓名含有控制字符（U+0007）"),
        (Person.name, "王\x85强", "U+0085"),
        (Person.name, "王\n强", "姓名不能含有换行或制表符"),
        (OrgUnit.households, 10**19, "户数应在 0–100000 之间，现为 10000000000000000000"),
        (OrgUnit.households, -1, "户数应在 0–100000 之间，现为 -1"),
        (OrgUnit.households, True, "户数应为整数"),
        (OrgUnit.households, 2.5, "户数应为整数"),
        (OrgUnit.households, dt.date(2020, 1, 1), "户数应为整数，而不是日期“2020-01-01”"),
        (OrgUnit.population, 2**63, "人口应在 0–1000000 之间"),
    ]
    for attribute, value, words in cases:
        with pytest.raises(ValidationError, match=re.escape(words)) as exc:
            fields.check(attribute, value)
        assert exc.value.field == attribute.key
    from gridapp.core.models import Participation

    for bad in (float("nan"), float("inf"), -0.5, 25):
        with pytest.raises(ValidationError, match="服务时长"):
            fields.check(Participation.hours, bad)
    assert fields.check(Person.name, "张\u200b三") == "张三"  # zero-width characters go, as from a sheet
    assert fields.check(Person.notes, "第一行\n第二行\t完") == "第一行\n第二行\t完"  # multi-line field
    assert fields.check(OrgUnit.households, 100_000) == 100_000 and fields.check(OrgUnit.households, 0) == 0


def test_services_refuse_bad_values_and_change_nothing(street_store):
    from gridapp.core.services import grids, orgs, workers

    site = orgs.get(street_store, "370203012")
    community = grids.add_child(street_store, site.id, "云溪社区")
    grid = grids.add_child(street_store, community.id, "第一网格", households=300)
    before = _dump(street_store)
    bad = [
        (lambda: grids.add_child(street_store, community.id, "网" * 32767), "名称过长：最多 100 个字，现有 32767 个"),
        (lambda: grids.add_child(street_store, community.id, "\u200b\u200c"), "只由不可见字符组成"),
        (lambda: grids.update(street_store, grid.id, households=10**19), "户数应在 0–100000 之间"),
        (lambda: grids.update(street_store, grid.id, population=2**63), "人口应在 0–1000000 之间"),
        (lambda: grids.update(street_store, grid.id, name="第一\u202e网格"), "U+202E"),
        (lambda: workers.create_or_update(street_store, {"name": "\u2067张伟", "id_number": "370203199001011233",
                                                         "worker_type": "fulltime"}, grid_id=grid.id), "U+2067"),
        (lambda: workers.create_or_update(street_store, {"name": "张伟", "id_number": "370203199001011233",
                                                         "worker_type": "fulltime", "notes": "注" * 6000},
                                          grid_id=grid.id), "备注过长：最多 5000 个字"),
    ]
    for call, words in bad:
        with pytest.raises(ValidationError, match=re.escape(words)):
            call()
    assert _dump(street_store) == before
    worker = workers.create_or_update(street_store, {"name": "张\u200b伟", "id_number": "370203199001011233",
                                                     "worker_type": "fulltime"}, grid_id=grid.id)
    assert worker.name == "张伟"


# --- issue 19, first step: codes whole cities use ---------------------------------------------------

# Published 统计用区划代码 of prefecture-level cities without counties: the street and community codes
# begin with the city's own code.
CITY_CODES = [("441900003", "street"), ("441900003001", "community"), ("442000001", "street"),
              ("460400500498", "community"), ("620200001", "street"), ("620200", "district")]


@pytest.mark.parametrize(("code", "level"), CITY_CODES)
def test_cities_without_counties_have_codes(code, level):
    assert parse_org_code(code, level) == code


def test_other_prefecture_codes_are_still_not_county_codes():
    for bad in ("441800003", "440000003", "370200012"):
        with pytest.raises(ValidationError, match="县级"):
            parse_org_code(bad)


def test_taiwan_residents_permit_numbers_are_accepted():
    for prefix in ("810000", "820000", "830000"):
        body = prefix + "19800101125"
        assert parse_id_number(body + id_check_digit(body)).number.startswith(prefix)
    with pytest.raises(ValidationError, match="前两位"):
        body = "840000" + "19800101125"
        parse_id_number(body + id_check_digit(body))


def test_credit_code_position_2_is_a_digit():
    first17 = "5H130100H9XNNPURN"
    code = first17 + credit_check_char(first17)
    assert code == "5H130100H9XNNPURN6"  # the check character is right: only position 2 is wrong
    with pytest.raises(ValidationError, match="第2位机构类别代码“H”应为数字"):
        parse_credit_code(code)


def test_an_org_code_excel_stored_as_a_number_is_refused_not_rounded():
    with pytest.raises(ValidationError, match="后几位已丢失"):
        parse_org_code(3.70203012001001e17)
    with pytest.raises(ValidationError, match="科学计数法"):
        parse_org_code("3.70203E+17")
    assert parse_org_code(370203012001001.0) == "370203012001001"  # 15 digits survive as a number


def test_dates_in_messages_have_four_digit_years():
    body = "370203" + "00161108" + "123"
    with pytest.raises(ValidationError, match="0016-11-08"):
        parse_id_number(body + id_check_digit(body))

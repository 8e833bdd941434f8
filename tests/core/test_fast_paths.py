"""The import's shortcuts give what the long way gives, for every input: the phone numbers, the field rules on
text and the cell guard. Each is compared with the long way (kept beside it, or as it read before the
shortcut) over generated text full of the characters the rules look for."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gridapp.core import fields, validation
from gridapp.core.errors import DomainError
from gridapp.core.validation import (
    LINE_CHARACTERS,
    only_invisible,
    strip_invisible,
)
from gridapp.io.spec import Field

# Characters every rule on text looks for, and some it should let be: invisible, odd spaces and breaks,
# direction controls, control codes (C0, DEL, C1), line characters, full-width and other scripts' digits.
ODD = ("\u200b\u200d\u00ad\ufeff\u2060\u061c\u00a0\u2003\u202f\u2028\u2029\u202e\u2066\u2069\x00\x01\x1f\x7f"
       "\x85\x9f\t\n\r \u3000")
PLAIN = "0123456789１３８٣-+()（）.#ext、，;/ 王李xX*"
texts = st.text(alphabet=st.sampled_from(ODD + PLAIN), max_size=24)
mobiles = st.from_regex(r"1[0-9]{10}", fullmatch=True) | st.from_regex(r"[0-9１３٣]{11}", fullmatch=True)


def outcome(fn, value):
    try:
        return ("ok", fn(value))
    except DomainError as exc:
        return ("refused", exc.message, exc.field)


@settings(max_examples=3000, deadline=None)
@given(texts | mobiles | st.none() | st.integers() | st.floats(allow_nan=False))
def test_phone_numbers_read_as_the_long_way_reads_them(value):
    assert outcome(validation.normalize_phone, value) == outcome(validation._normalized_phone, value)
    assert outcome(validation.split_phones, value) == outcome(validation._split_phones, value)


def _text_the_long_way(rule: fields.Rule, value: str) -> str:
    """``Rule._text`` as it read before its one-scan shortcut."""
    if only_invisible(value):
        raise rule._fail(f"{rule.label}只由不可见字符组成，请重新填写")
    text = strip_invisible(value)
    fields.check_characters(text, rule.label, field=rule.key)
    if not rule.multiline and LINE_CHARACTERS.search(text):
        raise rule._fail(f"{rule.label}不能含有换行或制表符，请写成一行")
    if rule.max_length is not None and len(text) > rule.max_length:
        raise rule._fail(f"{rule.label}过长：最多 {rule.max_length} 个字，现有 {len(text)} 个")
    return text


RULES = [fields.Rule("name", "姓名", "text", 5), fields.Rule("notes", "备注", "text", 12, multiline=True),
         fields.Rule("code", "编码", "text")]


@settings(max_examples=3000, deadline=None)
@given(texts)
def test_text_rules_give_what_the_long_way_gives(value):
    for rule in RULES:
        assert outcome(rule.check, value) == outcome(lambda v, r=rule: _text_the_long_way(r, v), value)


def _guard_the_long_way(title: str, required: bool, value: object) -> object:
    """The cell guard of ``spec.Field`` as it read before its one-scan shortcut (the parser: as it is)."""
    if isinstance(value, str):
        if required and only_invisible(value):
            raise validation.ValidationError(f"{title}只由不可见字符组成（如零宽空格），请重新填写")
        fields.check_characters(value, title)
    return value


@settings(max_examples=3000, deadline=None)
@given(texts | st.none() | st.integers())
def test_the_cell_guard_refuses_what_the_long_way_refuses(value):
    for required in (True, False):
        f = Field("name", "姓名", parse=lambda v: v, required=required)
        assert outcome(f.parse, value) == outcome(lambda v, r=required: _guard_the_long_way("姓名", r, v), value)


def test_the_shortcuts_are_taken():
    """Plain values do take the short way (else the comparisons above prove little)."""
    assert not validation.SPECIAL_CHARACTERS.search("王伟 13812345678 0532-8888")
    assert validation._PLAIN_MOBILE.fullmatch("13812345678")
    assert not validation._PLAIN_MOBILE.fullmatch("１3812345678") and not validation._PLAIN_MOBILE.fullmatch("1٣812345678")


id_like = (st.from_regex(r"[1-8][0-9]{16}[0-9X]", fullmatch=True)
           | st.from_regex(r"(11|37|83|99)0203(18|19|20)[0-9]{2}(0[1-9]|1[0-2]|13)(0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx]",
                           fullmatch=True))


@settings(max_examples=3000, deadline=None)
@given(id_like)
def test_id_numbers_as_stored_read_as_the_long_way_reads_them(number):
    """A number in its stored form skips the clean-up; with a space added it takes the long way."""
    import datetime as dt

    today = dt.date(2026, 12, 2)

    def read(v):
        info = validation.parse_id_number(v, today=today)
        return info.number, info.birth_date, info.gender, info.region, info.upgraded

    assert outcome(read, number) == outcome(read, f" {number}")
    assert outcome(read, number) == outcome(read, number)  # again: the kept reading

    def uncached(v):
        info = validation._parsed(v, today)
        return info.number, info.birth_date, info.gender, info.region, info.upgraded

    assert outcome(read, number) == outcome(uncached, number)
    if outcome(read, number)[0] == "ok":
        assert number[17].upper() == validation.id_check_digit(number[:17])


@settings(max_examples=2000, deadline=None)
@given(texts | st.text(max_size=60), st.sampled_from(["name", "phone", "notes", "address"]))
def test_checked_records_are_what_each_rule_gives(value, key):
    """``Checker.values`` (what a bulk import stores) gives each value as its column's rule does, looked up,
    short-cut or checked, the first time and again."""
    from gridapp.core.models import Person

    rules = fields.rules(Person)
    record = {"id": "x", key: value, "gender": None}

    def each(rec):
        return {k: (rules[k].check(v) if k in rules and rules[k].kind != "other" and v is not None else v)
                for k, v in rec.items()}

    checker = fields.Checker()
    expected = outcome(each, record)
    assert outcome(lambda r: checker.values(Person, r), record) == expected
    assert outcome(lambda r: checker.values(Person, r), record) == expected  # now from what it kept

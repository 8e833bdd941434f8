"""python-stdnum as an independent oracle for the GB 11643 and GB 32100 checks (a test dependency only).

Where the program and the oracle disagree, the standard decides, and each such case is named here:
- ID numbers: the program refuses birth dates in the future and before 1880 (the oracle takes any date);
  it accepts a county code newer than the birth year (ID numbers keep the code of the place of first
  registration, so a person born before a county existed may carry its code), which the oracle refuses.
- Credit codes: GB 32100 lets position 1 be A, N or Y (军队, 农业, 其他 registration authorities), which the
  oracle refuses (it wants digits in positions 1–8); the program also refuses a region whose first two
  digits name no province, which the oracle does not look at.
"""

from __future__ import annotations

import datetime as dt
import os
from functools import cache

from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric, uscc

from gridapp.core.errors import ValidationError
from gridapp.core.validation import CREDIT_CHARSET, PROVINCE_PREFIXES, parse_credit_code, parse_id_number

TODAY = dt.date(2026, 12, 1)


@cache
def counties() -> list[str]:
    """The six-digit codes in the oracle's own region table."""
    import stdnum

    codes, province = [], None
    with open(os.path.join(os.path.dirname(stdnum.__file__), "cn", "loc.dat"), encoding="utf-8") as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            key = line.split()[0]
            if not line.startswith(" "):
                province = key
            elif province and len(key) == 4 and key.isdigit() and not key.endswith("00"):
                codes.append(province + key)
    return codes


def _oracle_id(number: str) -> bool:
    try:
        ric.validate(number)
    except Exception:
        return False
    return True


def _ours_id(number: str) -> bool:
    try:
        parse_id_number(number, today=TODAY)
    except ValidationError:
        return False
    return True


@settings(max_examples=400, deadline=None, derandomize=True)
@given(county=st.sampled_from(counties()), birth=st.dates(dt.date(1900, 1, 1), dt.date(2026, 11, 30)),
       seq=st.integers(0, 999), last=st.sampled_from("0123456789X"))
def test_id_numbers_agree_with_the_oracle(county, birth, seq, last):
    body = f"{county}{birth:%Y%m%d}{seq:03d}"
    number = body + ric.calc_check_digit(body + "0") if last == "X" else body + last
    ours, oracle = _ours_id(number), _oracle_id(number)
    if oracle:
        assert ours, number  # whatever the oracle accepts, the program accepts
    elif ours:
        # the one documented difference: a county code newer (or older) than the birth year
        assert ric.calc_check_digit(number) == number[-1] and not _county_valid_in(number), number


def _county_valid_in(number: str) -> bool:
    try:
        ric.get_birth_place(number)
    except Exception:
        return False
    return True


def _oracle_credit(code: str) -> bool:
    try:
        uscc.validate(code)
    except Exception:
        return False
    return True


def _ours_credit(code: str) -> bool:
    try:
        parse_credit_code(code)
    except ValidationError:
        return False
    return True


@settings(max_examples=400, deadline=None, derandomize=True)
@given(first=st.sampled_from("123456789ANYB0"), second=st.sampled_from("0123456789AH"),
       region=st.integers(100000, 999999), rest=st.text(alphabet=CREDIT_CHARSET, min_size=9, max_size=9),
       right_check=st.booleans())
def test_credit_codes_agree_with_the_oracle(first, second, region, rest, right_check):
    body = f"{first}{second}{region}{rest}"
    check = uscc.calc_check_digit(body + "0") if right_check else CREDIT_CHARSET[len(rest) % 31]
    code = body + check
    ours, oracle = _ours_credit(code), _oracle_credit(code)
    if first in "ANY" and second.isdigit() and str(region)[:2] in PROVINCE_PREFIXES | {"10"}:
        assert ours == (uscc.calc_check_digit(code) == code[-1]), code  # GB 32100 allows A, N, Y; the oracle not
    elif oracle:
        # the program refuses only what the standard refuses: authority 0, an unknown province
        assert ours or first == "0" or str(region)[:2] not in PROVINCE_PREFIXES | {"10"}, code
    else:
        assert not ours, code

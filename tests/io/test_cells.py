import datetime as dt

import pytest

from gridapp.core.errors import ValidationError
from gridapp.io.cells import parse_date, parse_int, person_name


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("2021.3", dt.date(2021, 3, 1)),
        ("2021.03", dt.date(2021, 3, 1)),
        ("2021年3月", dt.date(2021, 3, 1)),
        ("2018年06月", dt.date(2018, 6, 1)),
        ("2021/3/15", dt.date(2021, 3, 15)),
        ("2019-05-29", dt.date(2019, 5, 29)),
        ("2021年3月15日", dt.date(2021, 3, 15)),
        ("2020年", dt.date(2020, 1, 1)),
        ("２０２０年", dt.date(2020, 1, 1)),
        ("20210315", dt.date(2021, 3, 15)),
        (2020, dt.date(2020, 1, 1)),
        (44256, dt.date(2021, 3, 1)),  # an Excel serial
        (dt.datetime(2022, 3, 1, 0, 0), dt.date(2022, 3, 1)),
        (None, None),
        ("  ", None),
    ],
)
def test_dates_as_people_write_them(raw, expected):
    assert parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2021.13", "2021年2月30日", "去年", "1850年"])
def test_bad_dates_say_so(raw):
    with pytest.raises(ValidationError, match="任职时间"):
        parse_date(raw, field="任职时间")


def test_ints_and_names():
    assert parse_int("１,２００户") == 1200
    assert parse_int(473.0) == 473
    with pytest.raises(ValidationError, match="整数"):
        parse_int("四百")
    with pytest.raises(ValidationError, match="不能小于"):
        parse_int(-3)
    assert person_name("杜\u3000兰晨") == "杜兰晨"
    assert person_name(" 覃丹 ") == "覃丹"
    assert person_name("Anna Li") == "Anna Li"

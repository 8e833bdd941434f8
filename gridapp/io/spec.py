"""Import descriptions: the columns of a kind of sheet, their synonyms and how each cell is read.

A kind of import (grids, workers, units, firms …) is one ``ImportSpec`` plus a row handler that
calls the capability's services; the reading, preview, error report and template are shared.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gridapp.core import codes
from gridapp.core import fields as rules
from gridapp.core.errors import ValidationError
from gridapp.core.validation import (
    SPECIAL_CHARACTERS,
    only_invisible,
    parse_credit_code,
    parse_id_number,
    parse_org_code,
    split_phones,
)
from gridapp.io import cells
from gridapp.io.masked_ids import MaskedIdNumber, parse_masked

Parser = Callable[[object], Any]


@dataclass(frozen=True)
class Field:
    key: str
    title: str  # the header written in templates and exports
    synonyms: tuple[str, ...] = ()
    parse: Parser = cells.text
    required: bool = False
    example: str = ""
    note: str = ""  # how to fill it, for the template's instructions

    def __post_init__(self) -> None:
        object.__setattr__(self, "parse", _guarded(self.title, self.parse, self.required))

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.title, *self.synonyms)


def _guarded(title: str, parse: Parser, required: bool) -> Parser:
    """Every cell first: no direction overrides or control characters, in any column (stored or only looked
    up); and a required cell that shows nothing is not “empty”: say what is in it."""

    @functools.wraps(parse)  # keeps what templates read from the parser (its code table)
    def read(value: object) -> Any:
        if isinstance(value, str) and SPECIAL_CHARACTERS.search(value):  # else neither rule has anything to say
            if required and only_invisible(value):
                raise ValidationError(f"{title}只由不可见字符组成（如零宽空格），请重新填写")
            rules.check_characters(value, title)
        return parse(value)

    return read


@dataclass(frozen=True)
class ImportSpec:
    kind: str
    title: str  # 网格员花名册
    fields: tuple[Field, ...]
    ignored: tuple[str, ...] = ("序号", "编号", "备注说明")
    keys: tuple[str, ...] = field(default=())  # fields that identify a record (for duplicate rows)
    label: str = "name"  # the field that names a row in previews
    # When a rule fails on a field the sheet has no column for, blame this column instead.
    fallback: dict[str, str] = field(default_factory=dict)

    def headers(self) -> list[str]:
        return [h for f in self.fields for h in f.headers]


# -- parsers shared by the kinds ---------------------------------------------------------------------


def code_parser(table_key: str) -> Parser:
    """A coded column: the one code the cell means, or an error naming the value and the choices."""
    table = codes.table(table_key)

    def parse(value: object) -> str | None:
        return table.require(value) if cells.text(value) else None

    parse.code_table = table  # type: ignore[attr-defined]  # templates offer the names as a drop-down
    return parse


def id_number(value: object) -> str | MaskedIdNumber:
    """A full ID number; a masked one (3702**********1234) as such, for the importer to match or refuse."""
    masked = parse_masked(value)
    return masked if masked is not None else parse_id_number(value).number


def phones(value: object) -> list[str]:
    return split_phones(value)


def credit_code(value: object) -> str | None:
    return parse_credit_code(value) if cells.text(value) else None


def org_code(value: object) -> str | None:
    return parse_org_code(value) if cells.text(value) else None


def date_parser(title: str) -> Parser:
    return lambda value: cells.parse_date(value, field=title)


def int_parser(title: str, attribute=None) -> Parser:
    """A whole number; with the model ``attribute`` it stores into, within that column's declared range."""
    rule = rules.rule(attribute) if attribute is not None else None

    def parse(value: object) -> int | None:
        if isinstance(value, float) and not math.isfinite(value):
            raise ValidationError(f"{title}应为整数，而不是“{value}”")
        n = cells.parse_int(value, field=title, minimum=_low(rule))
        return n if rule is None or n is None else _named(title, rule).check(n)

    return parse


def float_parser(title: str, attribute=None) -> Parser:
    """A number (“95分”, “95%” read as 95); finite, and within the column's declared range when given."""
    rule = rules.rule(attribute) if attribute is not None else None

    def parse(value: object) -> float | None:
        if value is None or (isinstance(value, str) and not value.strip()):
            return None
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise ValidationError(f"{title}应为数字，而不是“{value}”")
        if isinstance(value, int | float):
            number = float(value) if abs(value) < 1e300 else math.inf
        else:
            text = re.sub(r"[\s分%]", "", cells.text(value))
            try:
                number = float(text)
            except ValueError:
                raise ValidationError(f"{title}应为数字，而不是“{value}”") from None
        if not math.isfinite(number):
            raise ValidationError(f"{title}应为数字，而不是“{value}”")
        return number if rule is None else _named(title, rule).check(number)

    return parse


def _low(rule: rules.Rule | None) -> int:
    return 0 if rule is None else rules.INT64[0]  # with a rule, its range gives the message


def _named(title: str, rule: rules.Rule) -> rules.Rule:
    """The column's rule, its messages naming the sheet's column."""
    return rules.Rule(rule.key, title, rule.kind, rule.max_length, rule.minimum, rule.maximum, rule.multiline)

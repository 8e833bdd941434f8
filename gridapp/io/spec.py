"""Import descriptions: the columns of a kind of sheet, their synonyms and how each cell is read.

A kind of import (grids, workers, units, firms …) is one ``ImportSpec`` plus a row handler that
calls the capability's services; the reading, preview, error report and template are shared.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from gridapp.core import codes
from gridapp.core.validation import parse_credit_code, parse_id_number, parse_org_code, split_phones
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

    @property
    def headers(self) -> tuple[str, ...]:
        return (self.title, *self.synonyms)


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


def int_parser(title: str) -> Parser:
    return lambda value: cells.parse_int(value, field=title)

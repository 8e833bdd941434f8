"""Masked ID numbers coming back in: a sheet exported with 3702**********1234 is imported without harm.

A masked number never becomes a record's number. A row whose ID cell is masked is matched to the one
person whose name is the row's name and whose number has the same first four and last four characters;
when none or more than one fits, the row is rejected with the reason and what to do instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridapp.core.errors import ValidationError
from gridapp.core.models import Person
from gridapp.core.validation import to_halfwidth

# What ``mask_id_number`` writes for an 18-character number; ＊, ×, x and spaces as people retype them.
_MASKED = re.compile(r"([0-9]{4})\*{10}([0-9]{3}[0-9X])")
_MASK_MARKS = re.compile("[*＊×]")  # what a masked number shows in place of its middle digits
ADVICE = "身份证号码已脱敏，无法核对；请用“导出完整身份证号码”重新导出"


@dataclass(frozen=True)
class MaskedIdNumber:
    """An ID cell as a masked export shows it; not a number any record may be given."""

    head: str
    tail: str

    def __str__(self) -> str:
        return f"{self.head}{'*' * 10}{self.tail}"


def parse_masked(value: object) -> MaskedIdNumber | None:
    """The masked number ``value`` is, or None when it is not one."""
    if not isinstance(value, str) or not _MASK_MARKS.search(value):
        return None
    text = re.sub(r"[\s\-]", "", to_halfwidth(value)).upper().replace("×", "*")
    m = _MASKED.fullmatch(text)
    return MaskedIdNumber(m.group(1), m.group(2)) if m else None


def resolve(s: Session, values: dict[str, Any], key: str = "id_number", name_key: str = "name") -> None:
    """Replace a masked ID number in a parsed row by the full number of the one person it can only mean.

    Raises ValidationError (field ``key``) when the name and the visible digits fit no one or several.
    """
    masked = values.get(key)
    if not isinstance(masked, MaskedIdNumber):
        return
    name = values.get(name_key)
    if not name:
        raise ValidationError(f"{ADVICE}（该行没有姓名，无法按姓名和号码前后四位找到本人）", field=key)
    found = s.execute(
        select(Person.id_number).where(
            Person.name == name, Person.deleted_at.is_(None), func.length(Person.id_number) == 18,
            Person.id_number.like(f"{masked.head}%"), func.substr(Person.id_number, 15, 4) == masked.tail)
        .limit(2)).scalars().all()
    if len(found) == 1:
        values[key] = found[0]
        return
    why = (f"没有姓名为“{name}”、号码为 {masked} 的人员" if not found
           else f"有不止一名姓名为“{name}”、号码为 {masked} 的人员")
    raise ValidationError(f"{ADVICE}（{why}）", field=key)

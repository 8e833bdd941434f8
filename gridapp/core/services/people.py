"""People: one record per ID number, whatever roles the person holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridapp.core import codes, pinyin
from gridapp.core.errors import ValidationError
from gridapp.core.models import Person
from gridapp.core.models.base import set_fields
from gridapp.core.validation import normalize_phone, parse_id_number

# Fields of a person that forms and sheets may set.
PERSON_FIELDS = ("name", "gender", "id_number", "birth_date", "ethnicity", "political_status", "education",
                 "phone", "phone2", "address")


def clean_person(data: dict[str, Any]) -> dict[str, Any]:
    """Validate and complete person fields: the ID number gives birth date and gender."""
    out = {k: data[k] for k in PERSON_FIELDS if k in data}
    name = (out.get("name") or "").strip()
    if not name:
        raise ValidationError("姓名不能为空", field="name")
    out["name"] = name
    info = parse_id_number(out.get("id_number"))
    out["id_number"] = info.number
    if out.get("gender") and out["gender"] in ("1", "2") and out["gender"] != info.gender:
        raise ValidationError(
            f"性别“{codes.GENDER.name(out['gender'])}”与身份证号码不符（号码显示为{codes.GENDER.name(info.gender)}）",
            field="gender",
        )
    out["gender"] = info.gender
    if out.get("birth_date") and out["birth_date"] != info.birth_date:
        raise ValidationError(f"出生日期 {out['birth_date']} 与身份证号码不符（应为 {info.birth_date}）",
                              field="birth_date")
    out["birth_date"] = info.birth_date
    for key in ("phone", "phone2"):
        if out.get(key):
            out[key] = normalize_phone(out[key])
    for key, table in (("ethnicity", "ethnicity"), ("political_status", "political"), ("education", "education")):
        if out.get(key) and out[key] not in codes.table(table).codes():
            raise ValidationError(f"{codes.table(table).title}代码“{out[key]}”无效", field=key)
    return out


def find_by_id_number(s: Session, number: str) -> Person | None:
    return s.execute(select(Person).where(Person.id_number == number)).scalar_one_or_none()


def upsert_person(s: Session, data: dict[str, Any], *, scope_code: str | None) -> tuple[Person, bool, bool]:
    """The person with this ID number, created or brought up to date: (person, created, changed).

    Only fields given (not None) overwrite; a deleted person with the same number is restored.
    """
    clean = clean_person(data)
    person = find_by_id_number(s, clean["id_number"])
    if person is None:
        person = Person(**clean, name_initials=pinyin.initials(clean["name"]), scope_code=scope_code)
        s.add(person)
        return person, True, False
    changed = False
    if person.deleted_at is not None:
        person.deleted_at = None
        changed = True
    changed |= set_fields(person, clean)
    if changed and person.name_initials != pinyin.initials(person.name):
        person.name_initials = pinyin.initials(person.name)
    return person, False, changed


def age(birth: dt.date | None, on: dt.date | None = None) -> int | None:
    if birth is None:
        return None
    on = on or dt.date.today()
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))

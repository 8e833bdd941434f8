"""The rules a stored value must meet, declared once with the model, and the one check that applies them.

A text column's length comes from its ``String(n)`` (``Text`` columns give ``info={"max_length": n}`` or
get ``TEXT_LIMIT``); a number's range from ``info={"min": …, "max": …}`` (every integer at least fits
SQLite's 64 bits, every float is finite); ``info={"label": …}`` names the field where the shared name
in ``labels.FIELDS`` is not clear enough. Text columns are single-line unless ``info={"multiline": True}``
(``Text`` columns are multi-line).

Every value that goes into the database through the ORM passes ``check_record`` (a ``before_flush`` hook,
so no service, import or form can skip it); parsers and forms read the same ``Rule`` for early messages,
``QLineEdit.setMaxLength`` and spin-box ranges.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, LargeBinary, String, Text, event, inspect
from sqlalchemy.orm import Session

from gridapp.core.errors import ValidationError
from gridapp.core.models.base import BOOKKEEPING_COLUMNS, YEAR, Base, Synced
from gridapp.core.validation import (
    BIDI_CONTROLS,
    CONTROL_CHARACTERS,
    LINE_CHARACTERS,
    SPECIAL_CHARACTERS,
    only_invisible,
    strip_invisible,
)

TEXT_LIMIT = 5000  # a Text column without its own max_length (notes, descriptions)
INT64 = (-(2**63), 2**63 - 1)  # what SQLite's INTEGER holds; beyond it the driver raises OverflowError
__all__ = ["INT64", "TEXT_LIMIT", "YEAR", "Rule", "check", "check_characters", "check_record", "rule", "rules"]


@dataclass(frozen=True)
class Rule:
    """What one column accepts."""

    key: str
    label: str  # the field's Chinese name, for messages
    kind: str  # "text", "int", "float" or "other"
    max_length: int | None = None
    minimum: float | None = None
    maximum: float | None = None
    multiline: bool = False

    def check(self, value: Any) -> Any:
        """The value as it is stored (zero-width characters dropped), or ValidationError naming the field
        and the limit."""
        if value is None:
            return None
        if self.kind == "text":
            return self._text(value)
        if self.kind == "int":
            return self._int(value)
        if self.kind == "float":
            return self._float(value)
        return value

    def _fail(self, message: str) -> ValidationError:
        return ValidationError(message, field=self.key)

    def _text(self, value: Any) -> str:
        if not isinstance(value, str):
            raise self._fail(f"{self.label}应为文字，而不是{_shown(value)}")
        text = value
        if SPECIAL_CHARACTERS.search(value):  # else nothing to drop or refuse (nearly every value): one scan
            if only_invisible(value):
                raise self._fail(f"{self.label}只由不可见字符组成，请重新填写")
            text = strip_invisible(value)
            check_characters(text, self.label, field=self.key)
            if not self.multiline and LINE_CHARACTERS.search(text):
                raise self._fail(f"{self.label}不能含有换行或制表符，请写成一行")
        if self.max_length is not None and len(text) > self.max_length:
            raise self._fail(f"{self.label}过长：最多 {self.max_length} 个字，现有 {len(text)} 个")
        return text

    def _int(self, value: Any) -> int:
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(f"{self.label}应为整数，而不是{_shown(value)}")
        self._range(value)
        return value

    def _float(self, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(f"{self.label}应为数字，而不是{_shown(value)}")
        if isinstance(value, float) and not math.isfinite(value):
            raise self._fail(f"{self.label}应为数字，而不是“{value}”")
        self._range(value)
        return float(value)

    def _range(self, value: float) -> None:
        low, high = self.minimum, self.maximum
        if (low is not None and value < low) or (high is not None and value > high):
            if low is not None and high is not None:
                raise self._fail(f"{self.label}应在 {_num(low)}–{_num(high)} 之间，现为 {_num(value)}")
            bound = f"不能小于 {_num(low)}" if low is not None and value < low else f"不能大于 {_num(high)}"
            raise self._fail(f"{self.label}{bound}，现为 {_num(value)}")


def check_characters(text: str, label: str, *, field: str | None = None) -> None:
    """Refuse the characters no field may hold: direction overrides and isolates, control codes (tab and
    line breaks aside). Also for text that is only looked up (a firm's name beside its credit code)."""
    if m := BIDI_CONTROLS.search(text):
        raise ValidationError(f"{label}含有改变文字显示方向的隐藏字符（U+{ord(m.group()):04X}），请删除后重新填写",
                              field=field)
    if m := CONTROL_CHARACTERS.search(text):
        raise ValidationError(f"{label}含有控制字符（U+{ord(m.group()):04X}），请删除后重新填写", field=field)


def _num(value: float) -> str:
    text = f"{value:g}" if isinstance(value, float) else str(value)
    return text if len(text) <= 24 else f"{text[:12]}…（{len(text)} 位数）"


def _shown(value: Any) -> str:
    if isinstance(value, bool):
        return f"“{'是' if value else '否'}”（是/否）"
    if isinstance(value, dt.datetime | dt.date):
        return f"日期“{value.isoformat()[:10]}”"
    text = str(value)
    return f"“{text[:20]}{'…' if len(text) > 20 else ''}”"


@cache
def _rule_of(column) -> Rule:
    from gridapp.core.labels import FIELDS

    info = column.info
    label = info.get("label") or FIELDS.get(column.key) or column.key
    kind, max_length, low, high = "other", None, info.get("min"), info.get("max")
    multiline = bool(info.get("multiline"))
    ctype = column.type
    if isinstance(ctype, Text):
        kind, max_length, multiline = "text", info.get("max_length", TEXT_LIMIT), info.get("multiline", True)
    elif isinstance(ctype, String):
        kind, max_length = "text", info.get("max_length", ctype.length)
    elif isinstance(ctype, Boolean | Date | DateTime | LargeBinary):
        kind = "other"
    elif isinstance(ctype, Integer):
        kind = "int"
        low = INT64[0] if low is None else max(low, INT64[0])
        high = INT64[1] if high is None else min(high, INT64[1])
    elif isinstance(ctype, Float):
        kind = "float"
    return Rule(column.key, label, kind, max_length, low, high, multiline)


def rule(attribute) -> Rule:
    """The rule of a mapped attribute (``OrgUnit.households``) or a table column."""
    column = getattr(attribute, "property", None)
    column = column.columns[0] if column is not None else attribute
    return _rule_of(column)


@cache
def rules(model: type) -> dict[str, Rule]:
    """Attribute key → rule of the columns of ``model`` that users fill."""
    mapper = inspect(model)
    return {attr.key: _rule_of(attr.columns[0]) for attr in mapper.column_attrs
            if attr.key not in BOOKKEEPING_COLUMNS and not attr.columns[0].foreign_keys}


def check(attribute, value: Any) -> Any:
    """``value`` checked against the rule of ``attribute``: the stored form, or ValidationError."""
    return rule(attribute).check(value)


def check_record(obj: Base, *, only_changed: bool) -> None:
    """Every column of ``obj`` (or, for a record already stored, the ones changed) meets its rule; text
    is stored without the zero-width characters the check drops."""
    state = inspect(obj)
    for key, r in rules(type(obj)).items():
        if r.kind == "other":
            continue
        if only_changed and not state.attrs[key].history.added:
            continue
        value = state.dict.get(key)
        clean = r.check(value)
        if clean is not value and clean != value:
            setattr(obj, key, clean)


class Checker:
    """The field rules for many records written without the ORM (an import's batches, a sync package): a
    rule's verdict depends on the value alone, so a value repeated down a sheet (a community, a date, a
    type) is checked once; at most ``LIMIT`` verdicts are kept."""

    LIMIT = 50_000

    def __init__(self) -> None:
        self._seen: dict[tuple, Any] = {}

    def values(self, model: type[Base], values: dict[str, Any]) -> dict[str, Any]:
        """The values as they are stored, or ValidationError naming the field."""
        out = dict(values)
        checked = _model_rules(model)
        for key, value in values.items():
            if value is None:
                continue
            r = checked.get(key)
            if r is None:
                continue
            if (value.__class__ is str and r.kind == "text" and not SPECIAL_CHARACTERS.search(value)
                    and (r.max_length is None or len(value) <= r.max_length)):
                continue  # what ``Rule._text`` gives back as it is, without a look-up
            memo = (model, key, type(value), value)
            clean = self._seen.get(memo, self)
            if clean is self:
                clean = r.check(value)
                if len(self._seen) >= self.LIMIT:
                    self._seen.clear()
                self._seen[memo] = clean
            out[key] = clean
        return out


@cache
def _model_rules(model: type[Base]) -> dict[str, Rule]:
    """``rules(model)`` without the columns no rule checks, read once per model."""
    return {key: r for key, r in rules(model).items() if r.kind != "other"}


def _checked(obj: object) -> bool:
    """The records people fill (not the program's own bookkeeping: settings, sync state)."""
    from gridapp.core.models import Site

    return isinstance(obj, Synced | Site)


def _before_flush(session: Session, _context: Any, _instances: Any) -> None:
    for obj in session.new:
        if _checked(obj):
            check_record(obj, only_changed=False)
    for obj in session.dirty:
        if _checked(obj):
            check_record(obj, only_changed=True)


# Ahead of the change journal's hook, so a refused value never reaches the journal either.
event.listen(Session, "before_flush", _before_flush, insert=True)

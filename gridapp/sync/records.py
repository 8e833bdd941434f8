"""What travels: the synced tables in dependency order, their fields, values as JSON, and scope rules."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
from functools import cache
from json.encoder import encode_basestring
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, Float, Integer, LargeBinary, Table

from gridapp.core.models import SYNCED_MODELS, Base
from gridapp.core.models.base import BOOKKEEPING_COLUMNS

BASE_STAMP = ""  # a value from a full export that no journal row stamped: older than any change


@cache
def tables() -> dict[str, Table]:
    """Synced tables, parents before children (records are written in this order)."""
    names = {m.__tablename__ for m in SYNCED_MODELS}
    return {t.name: t for t in Base.metadata.sorted_tables if t.name in names}


@cache
def fields(table: str) -> tuple[str, ...]:
    """The columns that travel as fields (not the id, not the bookkeeping stamps)."""
    return tuple(c.name for c in tables()[table].columns if c.name not in BOOKKEEPING_COLUMNS)


@cache
def required(table: str) -> frozenset[str]:
    """Fields a new record cannot be written without (NOT NULL and no default)."""
    return frozenset(c.name for c in tables()[table].columns if c.name in fields(table) and not c.nullable
                     and c.default is None and c.server_default is None)


@cache
def references(table: str) -> dict[str, str]:
    """Field → the synced table it points at."""
    out = {}
    for col in tables()[table].columns:
        for fk in col.foreign_keys:
            if fk.column.table.name in tables():
                out[col.name] = fk.column.table.name
    return out


_ENCODER = json.JSONEncoder(ensure_ascii=False)  # what json.dumps(…, ensure_ascii=False) makes anew per call


def encode(value: Any) -> str | None:
    """A field value as JSON text; binary as base64 (photos travel whole)."""
    if value is None:
        return None
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, dt.datetime | dt.date):
        return encode_basestring(value.isoformat())
    if isinstance(value, bytes | memoryview):
        value = {"$b64": base64.b64encode(bytes(value)).decode()}
    return _ENCODER.encode(value)


class NoValue(Exception):
    """A journal value that stands for binary data not carried (an older photo superseded since)."""


_PLAIN_STRING = re.compile(r'"[^"\\\x00-\x1f]*"')  # a JSON string without escapes: its text is the value
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")  # a JSON number (spares json.loads)


@cache
def _kinds(table: str) -> dict[str, str]:
    def kind(t) -> str:
        for cls, name in ((LargeBinary, "binary"), (DateTime, "datetime"), (Date, "date"), (Boolean, "bool"),
                          (Integer, "int"), (Float, "float")):
            if isinstance(t, cls):
                return name
        return "plain"

    return {c.name: kind(c.type) for c in tables()[table].columns}


def decode(table: str, field: str, text: str | None) -> Any:
    """JSON text back into the column's Python type."""
    if text is None:
        return None
    if _PLAIN_STRING.fullmatch(text):
        value = text[1:-1]
    elif _NUMBER.fullmatch(text):
        value = float(text) if text.strip("-0123456789") else int(text)
    else:
        value = json.loads(text)
        if value is None:
            return None
    kind = _kinds(table)[field]
    if kind == "plain":
        return value
    if kind == "binary":
        if isinstance(value, dict) and "$b64" in value:
            return base64.b64decode(value["$b64"])
        raise NoValue()
    if kind == "datetime":
        return dt.datetime.fromisoformat(value)
    if kind == "date":
        return dt.date.fromisoformat(value[:10])
    if kind == "bool":
        return bool(value)
    if kind == "int":
        return int(value)
    return float(value)


def related(scope: str, code: str) -> bool:
    """A record of ``scope`` concerns site ``code``: inside its subtree, or above it (reference data)."""
    return scope.startswith(code) or code.startswith(scope)


def owner_rank(origin: str, scope: str) -> int:
    """How closely ``origin`` owns a record of ``scope``: the most specific owner outranks the levels above."""
    return len(origin) if scope.startswith(origin) else -1

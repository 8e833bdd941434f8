"""Lists described as data: columns, search and filters, queried in SQL a page at a time.

One ``ListSpec`` per list drives the on-screen table (through the UI's table model), and later the
Excel export and printed rosters. Only row ids are held for a whole list; a page of row values is
fetched when it is shown. Sorting, searching and filtering happen in SQLite.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from gridapp.core import codes, labels
from gridapp.core.validation import mask_id_number, to_halfwidth


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sql: str  # an expression over the spec's FROM clause
    kind: str = "text"  # text | int | float | date | bool | id_number | code:<table> | map:<name> | org
    width: int = 100  # characters * 8, a hint for screens and sheets

    def display(self, value: Any, *, reveal: bool = False) -> str:
        """The value as people read it: code names, masked ID numbers, dates as YYYY-MM-DD."""
        if value is None or value == "":
            return ""
        if self.kind.startswith("code:"):
            return codes.name(self.kind[5:], str(value))
        if self.kind.startswith("map:"):
            return getattr(labels, self.kind[4:].upper()).get(str(value), str(value))
        if self.kind == "id_number":
            return str(value) if reveal else mask_id_number(str(value))
        if self.kind == "bool":
            return "是" if value else "否"
        if self.kind == "float":
            return f"{float(value):g}"
        if self.kind == "date" and isinstance(value, dt.date):
            return value.isoformat()
        if self.kind == "date":
            return str(value)[:10]
        return str(value)


@dataclass(frozen=True)
class Filter:
    """A filter people choose from a drop-down; ``sql`` takes the chosen value as ``:v``."""

    key: str
    title: str
    sql: str
    choices: str = ""  # code:<table>, or a key the UI knows how to fill (e.g. "org:community")


@dataclass(frozen=True)
class ListSpec:
    key: str
    title: str
    rowid: str  # e.g. "w.rowid"
    from_sql: str
    columns: tuple[Column, ...]
    where: str = "1=1"
    # Search by the shape of what is typed: name text, pinyin initials, phone digits, ID tail.
    search_name: Sequence[str] = ()
    search_initials: Sequence[str] = ()
    search_digits: Sequence[str] = ()
    search_id_tail: Sequence[str] = ()
    filters: tuple[Filter, ...] = ()
    default_sort: str = ""
    _by_key: dict[str, Column] = field(default_factory=dict, compare=False, repr=False)

    def column(self, key: str) -> Column:
        if not self._by_key:
            self._by_key.update({c.key: c for c in self.columns})
        return self._by_key[key]

    def index_of(self, key: str) -> int:
        return next(i for i, c in enumerate(self.columns) if c.key == key)

    def filter(self, key: str) -> Filter:
        return next(f for f in self.filters if f.key == key)


@dataclass(frozen=True)
class Query:
    search: str = ""
    filters: tuple[tuple[str, Any], ...] = ()  # (filter key, value)
    sort: str | None = None  # column key
    descending: bool = False


def _where(spec: ListSpec, q: Query) -> tuple[str, dict[str, Any]]:
    clauses = [f"({spec.where})"]
    params: dict[str, Any] = {}
    term = re.sub(r"\s+", "", to_halfwidth(q.search or ""))
    if term:
        alts: list[str] = []
        if term.isdigit():
            params["digits"] = f"%{term}%"
            params["tail"] = f"%{term}"
            alts += [f"{e} LIKE :digits" for e in spec.search_digits]
            alts += [f"{e} LIKE :tail" for e in spec.search_id_tail]
        elif re.fullmatch(r"[A-Za-z]+", term):
            # GLOB is case-sensitive, so both terms can use an index (the initials are lower case);
            # a LIKE '%…%' term would force a scan of the whole table on every keystroke.
            params["ini"] = f"{term.lower()}*"
            params["latin"] = f"{term}*"
            alts += [f"{e} GLOB :ini" for e in spec.search_initials]
            alts += [f"{e} GLOB :latin" for e in spec.search_name]
        else:
            params["name"] = f"%{term}%"
            alts += [f"{e} LIKE :name" for e in spec.search_name]
            if re.fullmatch(r"\d{4,17}[Xx]", term):
                params["tail"] = f"%{term.upper()}"
                alts += [f"{e} LIKE :tail" for e in spec.search_id_tail]
        clauses.append("(" + (" OR ".join(alts) or "0") + ")")
    for i, (key, value) in enumerate(q.filters):
        if value is None or value == "":
            continue
        f = spec.filter(key)
        clauses.append("(" + f.sql.replace(":v", f":f{i}") + ")")
        params[f"f{i}"] = value
    return " AND ".join(clauses), params


def query_rowids(conn: Connection, spec: ListSpec, q: Query) -> list[int]:
    """Row ids of the whole list, in order: the only per-row state a screen keeps."""
    where, params = _where(spec, q)
    order = spec.default_sort or spec.rowid
    if q.sort:
        col = spec.column(q.sort)
        order = f"{col.sql} {'DESC' if q.descending else 'ASC'}, {spec.rowid}"
    sql = f"SELECT {spec.rowid} FROM {spec.from_sql} WHERE {where} ORDER BY {order}"
    return [r[0] for r in conn.execute(text(sql), params)]


def count(conn: Connection, spec: ListSpec, q: Query) -> int:
    where, params = _where(spec, q)
    return conn.execute(text(f"SELECT count(*) FROM {spec.from_sql} WHERE {where}"), params).scalar_one()


def fetch_rows(conn: Connection, spec: ListSpec, rowids: Sequence[int]) -> dict[int, tuple]:
    """Raw values of the given rows, keyed by row id (order is the caller's)."""
    if not rowids:
        return {}
    cols = ", ".join(c.sql for c in spec.columns)
    out: dict[int, tuple] = {}
    for start in range(0, len(rowids), 500):
        chunk = list(rowids[start : start + 500])
        marks = ", ".join(str(int(r)) for r in chunk)
        sql = f"SELECT {spec.rowid}, {cols} FROM {spec.from_sql} WHERE {spec.rowid} IN ({marks})"
        for row in conn.execute(text(sql)):
            out[row[0]] = tuple(row[1:])
    return out


def record_id(conn: Connection, spec: ListSpec, rowid: int) -> str | None:
    """The UUID of the record behind a row (the rowid's table ``id``)."""
    alias = spec.rowid.split(".")[0]
    return conn.execute(
        text(f"SELECT {alias}.id FROM {spec.from_sql} WHERE {spec.rowid} = :r"), {"r": rowid}
    ).scalar()


def record_ids(conn: Connection, spec: ListSpec, rowids: Sequence[int]) -> dict[int, str]:
    """UUIDs behind several rows at once."""
    if not rowids:
        return {}
    alias = spec.rowid.split(".")[0]
    marks = ", ".join(str(int(r)) for r in rowids)
    sql = f"SELECT {spec.rowid}, {alias}.id FROM {spec.from_sql} WHERE {spec.rowid} IN ({marks})"
    return dict(conn.execute(text(sql)).all())

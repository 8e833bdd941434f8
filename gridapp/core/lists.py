"""Lists described as data: columns, search and filters, queried in SQL a page at a time.

One ``ListSpec`` per list drives the on-screen table (through the UI's table model), the Excel export
and printed rosters. A screen asks for the count and for windows of row ids near what it shows, then
for the values of the rows shown. Sorting, searching and filtering happen in the database; how a spec
becomes SQL is ``list_sql``'s business.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, text

from gridapp.core import codes, labels, list_sql
from gridapp.core.validation import mask_id_number

_ORG_LABEL = re.compile(r"org_label\((\w+)\.id\)")


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    sql: str  # an expression over the spec's FROM clause
    kind: str = "text"  # text | int | float | date | bool | id_number | code:<table> | map:<name> | org
    width: int = 100  # characters * 8, a hint for screens and sheets
    sort: str | None = None  # what the list orders by when it is not ``sql`` itself (an index can serve it)

    @property
    def order_sql(self) -> str:
        """The expression the list is ordered by. A unit's label (``org_label(c.id)``) is a function of other
        rows that no index serves, so such a column orders by the unit's name, which an index does: the same
        order but where one name is the start of another, and a 500,000-row list sorts at once."""
        if self.sort:
            return self.sort
        m = _ORG_LABEL.fullmatch(self.sql) if self.kind == "org" else None
        return f"{m.group(1)}.name" if m else self.sql

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
    beside_search: bool = False  # on the search row, when the other filters fill a row of their own


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


def query_rowids(conn: Connection, spec: ListSpec, q: Query, *, offset: int = 0, limit: int | None = None,
                 rows: int | None = None) -> list[int]:
    """Row ids of the list in order: all of them, or a window of ``limit`` from ``offset``.

    ``rows``, the count when the caller has it, lets a long list be walked rather than sorted, and a
    window in its far half be read from the other end, reversed: the end of 500,000 rows costs what
    the start does. A search's window near the start first samples how many rows the search matches
    (see ``list_sql.density_sql``): many, and the list is walked testing each row.
    """
    if rows is not None and limit is not None and offset > rows // 2:
        back_offset = max(rows - offset - limit, 0)
        back_limit = min(limit, rows - offset)
        if back_limit <= 0:
            return []
        found = density(conn, spec, q, offset=back_offset, limit=back_limit)
        sql, params = list_sql.rowids_sql(spec, q, offset=back_offset, limit=back_limit, rows=rows, reverse=True,
                                          density=found)
        return [r[0] for r in conn.execute(text(sql), params)][::-1]
    found = density(conn, spec, q, offset=offset, limit=limit)
    sql, params = list_sql.rowids_sql(spec, q, offset=offset, limit=limit, rows=rows, density=found)
    return [r[0] for r in conn.execute(text(sql), params)]


def density(conn: Connection, spec: ListSpec, q: Query, *, offset: int = 0,
            limit: int | None = None) -> list_sql.Density | None:
    """How many of the list's rows the search matches, estimated from a sample of the searched tables
    (None: no search, or no window this far in could be walked)."""
    probe = list_sql.density_sql(spec, q, offset=offset, limit=limit)
    if probe is None:
        return None
    sql, params = probe
    (size, _), *samples = conn.execute(text(sql), params)
    return list_sql.Density(sum(hits / n for n, hits in samples if n), size)


def count(conn: Connection, spec: ListSpec, q: Query) -> int:
    """How many rows the list has with this search and these filters."""
    sql, params = list_sql.count_sql(spec, q)
    return conn.execute(text(sql), params).scalar_one()


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
        # Sent as it is: each chunk's SQL is new, and compiling it as text() costs a third of the fetch.
        for row in conn.exec_driver_sql(sql).fetchall():
            out[row[0]] = row[1:]
    return out


def record_id(conn: Connection, spec: ListSpec, rowid: int) -> str | None:
    """The UUID of the record behind a row (the rowid's table ``id``)."""
    return record_ids(conn, spec, [rowid]).get(rowid)


def record_ids(conn: Connection, spec: ListSpec, rowids: Sequence[int]) -> dict[int, str]:
    """UUIDs behind several rows at once."""
    if not rowids:
        return {}
    table, _alias = list_sql.base_table(spec)
    marks = ", ".join(str(int(r)) for r in rowids)
    return dict(conn.execute(text(f"SELECT rowid, id FROM {table} WHERE rowid IN ({marks})")).all())

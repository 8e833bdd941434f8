"""操作记录: the change journal as a street officer reads it.

An entry is one record's changes in one save: when, who, 新增/修改/删除, the record's kind and name (“网格员 王娟”),
and each field as “字段名：旧值 → 新值” with the lists' labels, code names, masked ID numbers and references by
name; search keys and sync bookkeeping are left out. A person's changes and their worker's (or member's) in one
save are one entry. Entries are read a page at a time, newest first, by a keyset on the journal's ``hlc``
index, and named in batch per page, so a journal of millions of rows opens as fast as an empty one.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import Boolean, Connection, Date, DateTime, Float, LargeBinary, text

from gridapp.core import clock, codes, labels
from gridapp.core.errors import Cancelled
from gridapp.core.journal import PACKED, UNSET_SITE, decode_value, fields_of
from gridapp.core.oplog_subjects import (
    ID_NUMBER_FIELDS,
    KIND_BY_KEY,
    KINDS,
    SUBJECTS,
    TECHNICAL,
    Named,
    columns,
    field_info,
    find,
    names,
    references,
)
from gridapp.core.packing import Unpacker
from gridapp.core.store import Store
from gridapp.core.validation import mask_id_number, to_halfwidth

__all__ = ["KINDS", "Change", "Entry", "LogQuery", "LogReader", "actors", "count_rows", "entries"]

PAGE = 200
EMPTY = "（空）"
_SAME_SAVE = dt.timedelta(seconds=2)  # one service call's flushes, merged when they are about one subject
_INDEXED_SEARCH = 10_000  # up to this many matching records, read them by the record index, else scan by time
_STAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite


@dataclass(frozen=True)
class Change:
    """One field as people read it; ``created`` when the record is new and the field has no before."""

    label: str
    old: str
    new: str
    created: bool = False

    def __str__(self) -> str:
        if self.created:
            return f"{self.label}：{self.new}"
        return f"{self.label}：{self.old or EMPTY} → {self.new or EMPTY}"


@dataclass(frozen=True)
class Entry:
    id: int  # the newest journal row of the entry
    at: dt.datetime  # UTC, as stored
    actor: str  # who, with the site it came from when that is not this one
    op: str  # insert | update | delete | restore
    kind: str  # 网格员
    name: str  # 王娟
    changes: tuple[Change, ...]
    table: str
    record_id: str

    @property
    def when(self) -> str:
        return clock.local(self.at, seconds=True)

    @property
    def op_name(self) -> str:
        return labels.OPS.get(self.op, self.op)

    @property
    def subject(self) -> str:
        return f"{self.kind} {self.name}".strip()

    @property
    def summary(self) -> str:
        """The changes on one line."""
        return "；".join(map(str, self.changes))

    @property
    def details(self) -> str:
        """The changes one per line."""
        return "\n".join(map(str, self.changes))


@dataclass(frozen=True)
class LogQuery:
    since: dt.date | None = None  # local dates, both ends included
    until: dt.date | None = None
    actor: str | None = None
    kind: str | None = None  # a key of KINDS
    search: str = ""  # part of a record's name (or a person's pinyin initials)

    def __post_init__(self) -> None:
        if self.since and self.until and self.since > self.until:  # typed the wrong way round
            since, until = self.until, self.since
            object.__setattr__(self, "since", since)
            object.__setattr__(self, "until", until)


class _Row(NamedTuple):
    id: int
    hlc: str
    at: str
    actor: str | None
    origin: str
    op: str
    table: str
    record_id: str
    field: str
    old: str | None
    new: str | None


_COLUMNS = ("j.id, j.hlc, j.at, j.actor, j.origin_site, j.op, j.table_name, j.record_id, j.field, j.old_value, "
            "j.new_value, j.packed")


def _utc(day: dt.date) -> dt.datetime:
    """Local midnight at the start of ``day``, as a stored (naive UTC) time."""
    return dt.datetime.combine(day, dt.time()).astimezone(dt.UTC).replace(tzinfo=None)


def _term(search: str) -> str:
    return re.sub(r"\s+", "", to_halfwidth(search or ""))


def _filters(query: LogQuery, ids: set[str] | None) -> tuple[list[str], dict[str, Any]]:
    clauses = ["j.field NOT IN (" + ", ".join(f"'{f}'" for f in sorted(TECHNICAL - {"deleted_at"})) + ")"]
    params: dict[str, Any] = {}
    if query.since:
        start = _utc(query.since)
        # A row's stamp is never earlier than its wall time, so the stamp index bounds the scan from below.
        params["hlc_since"] = f"{int(start.replace(tzinfo=dt.UTC).timestamp() * 1000):015d}"
        params["since"] = start.strftime(_STAMP)
        clauses += ["j.hlc >= :hlc_since", "j.at >= :since"]
    if query.until:
        params["until"] = _utc(query.until + dt.timedelta(days=1)).strftime(_STAMP)
        clauses.append("j.at < :until")
    if query.actor:
        params["actor"] = query.actor
        clauses.append("j.actor = :actor")
    if query.kind:
        clauses.append(KIND_BY_KEY[query.kind].sql)
    if ids is not None:
        if not ids:
            clauses.append("0")
        else:
            # Few records: read their rows by the record index; many: walk the time index and test each row.
            column = "j.record_id" if len(ids) <= _INDEXED_SEARCH else "+j.record_id"
            params["ids"] = json.dumps(sorted(ids))
            clauses.append(f"{column} IN (SELECT value FROM json_each(:ids))")
    return clauses, params


def _fetch(conn: Connection, where: list[str], params: dict[str, Any], cursor: tuple[str, int] | None,
           limit: int) -> list[_Row]:
    clauses = list(where)
    if cursor is not None:
        # Written so that the hlc index gives the range: rows strictly before (hlc, id) of the cursor.
        clauses.append("j.hlc <= :c_hlc AND (j.hlc < :c_hlc OR j.id < :c_id)")
        params = {**params, "c_hlc": cursor[0], "c_id": cursor[1]}
    sql = (f"SELECT {_COLUMNS} FROM change_journal j WHERE {' AND '.join(clauses)} "
           f"ORDER BY j.hlc DESC, j.id DESC LIMIT {int(limit)}")
    out = []
    unpacker = Unpacker(conn)
    for *r, packed in conn.exec_driver_sql(sql, params):
        row = _Row(*r)
        row = row._replace(new=unpacker.text(row.new, packed))
        if row.field == PACKED:  # a new record's fields, one row each as people read them
            # (newest first like the rows around them: the fields' own order when a part is read oldest first)
            out += [row._replace(field=f, new=v) for f, v in reversed(fields_of(row.field, row.new))]
        else:
            out.append(row)
    return out


def _parts(rows: list[_Row]) -> list[list[_Row]]:
    """Runs of rows of one record written in one flush (newest first, as read)."""
    out: list[list[_Row]] = []
    for r in rows:
        last = out[-1][-1] if out else None
        if last and (last.record_id, last.at, last.actor, last.origin) == (r.record_id, r.at, r.actor, r.origin):
            out[-1].append(r)
        else:
            out.append([r])
    return out


def _op(rows: list[_Row]) -> str:
    ops = {r.op for r in rows}
    return next((op for op in ("insert", "delete", "restore") if op in ops), "update")


class LogReader:
    """The entries of a query, newest first, a page at a time."""

    CACHE = 20_000  # names kept between pages (the same people and grids come back page after page)

    def __init__(self, store: Store, query: LogQuery | None = None):
        self.store, self.query = store, query or LogQuery()
        self.exhausted = False
        self.rows_read = 0  # journal rows behind the entries returned so far
        self._cursor: tuple[str, int] | None = None
        self._where: tuple[list[str], dict[str, Any]] | None = None
        self._sites: dict[str, str] | None = None
        self._names: dict[tuple[str, str], Named] = {}

    def page(self, limit: int = PAGE) -> list[Entry]:
        """The next ``limit`` entries (fewer at the end; none once exhausted)."""
        with self.store.engine.connect() as conn:
            if self._where is None:
                term = _term(self.query.search)
                self._where = _filters(self.query, find(conn, term) if term else None)
            while not self.exhausted:
                groups, done = self._read(conn, limit)
                entries = self._entries(conn, groups)
                if groups:
                    oldest = groups[-1][-1][-1]
                    self._cursor = (oldest.hlc, oldest.id)
                    self.rows_read += len({r.id for g in groups for p in g for r in p})  # a packed row once
                self.exhausted = done
                if entries:
                    return entries
        return []

    def _read(self, conn: Connection, limit: int) -> tuple[list[list[list[_Row]]], bool]:
        """Up to ``limit`` whole entries' rows after the cursor, and whether the journal ends there."""
        where, params = self._where
        rows: list[_Row] = []
        cursor, size = self._cursor, max(3 * limit, 300)
        while True:
            batch = _fetch(conn, where, params, cursor, size)
            rows += batch
            done = len(batch) < size
            if batch:
                cursor = (batch[-1].hlc, batch[-1].id)
            parts = _parts(rows)
            # Name only as many parts as the page needs: names are the costly part of a page.
            n = min(limit + 2, len(parts))
            while True:
                groups = self._merge(conn, parts[:n])
                if len(groups) > limit or n == len(parts):
                    break
                n = min(n + limit // 2 + 2, len(parts))
            if n < len(parts) or not done:
                groups.pop()  # may go on in parts not named or rows not read yet
            if groups or done:
                break
            size *= 2
        if len(groups) > limit:
            groups, done = groups[:limit], False
        elif n < len(parts):
            done = False
        return groups, done

    # -- one page --------------------------------------------------------------------------------------------------
    def _name(self, conn: Connection, wanted: dict[str, set[str]]) -> None:
        """Make sure every wanted record is named in the cache (one query per table for those that are not)."""
        todo = {t: {i for i in ids if (t, i) not in self._names} for t, ids in wanted.items()}
        todo = {t: ids for t, ids in todo.items() if ids}
        if not todo:
            return
        if len(self._names) > self.CACHE:
            self._names.clear()
        self._names.update(names(conn, todo))

    def _merge(self, conn: Connection, parts: list[list[_Row]]) -> list[list[list[_Row]]]:
        """Adjacent parts about one subject, by one person, in one save, become one entry."""
        wanted: dict[str, set[str]] = {}
        for p in parts:
            wanted.setdefault(p[0].table, set()).add(p[0].record_id)
        self._name(conn, wanted)
        groups: list[list[list[_Row]]] = []
        for p in parts:
            if groups and self._same_save(groups[-1], p):
                groups[-1].append(p)
            else:
                groups.append([p])
        return groups

    def _subject(self, part: list[_Row]) -> Named:
        r = part[0]
        return self._names.get((r.table, r.record_id)) or Named(labels.TABLES.get(r.table, r.table), "", r.record_id)

    def _same_save(self, group: list[list[_Row]], part: list[_Row]) -> bool:
        """``part`` is about the group's subject, by the same person, moments apart, and of another record
        (two writes of one record are two saves)."""
        first, r = group[0][0], part[0]
        if (first.actor, first.origin) != (r.actor, r.origin) or self._subject(group[0]) != self._subject(part):
            return False
        if any(p[0].record_id == r.record_id for p in group):
            return False
        return abs(dt.datetime.fromisoformat(group[-1][0].at) - dt.datetime.fromisoformat(r.at)) <= _SAME_SAVE

    def _entries(self, conn: Connection, groups: list[list[list[_Row]]]) -> list[Entry]:
        shown: list[tuple[Named, str, list[tuple[bool, list[_Row]]]]] = []
        refs: dict[str, set[str]] = {}
        for g in groups:
            subject = self._subject(g[0])
            primary = next((p for p in g if p[0].record_id == subject.subject), None)
            # Oldest first, and the person's own fields before their role's (one flush writes both in any order).
            ordered = sorted((list(reversed(p)) for p in reversed(g)), key=lambda p: p[0].table != "person")
            op = _op(primary if primary else ordered[0])
            parts = [(created, [r for r in p if _shown(r, created)]) for p in ordered
                     for created in (_op(p) == "insert",)]
            shown.append((subject, op, parts))
            for _created, rows in parts:
                for r in rows:
                    target = references(r.table).get(r.field)
                    for raw in (r.old, r.new) if target else ():
                        value = decode_value(raw)
                        if value:
                            refs.setdefault(target, set()).add(str(value))
        self._name(conn, refs)
        sites = self._site_names(conn, {g[0][0].origin for g in groups})
        out = []
        for g, (subject, op, parts) in zip(groups, shown, strict=True):
            changes = [c for created, rows in parts for c in _changes(rows, created, self._names)]
            if op == "update" and not changes:
                continue  # nothing a person would call a change (a value written back as it was)
            newest = g[0][0]
            out.append(Entry(newest.id, dt.datetime.fromisoformat(newest.at), _actor(newest, sites, self._me()), op,
                             subject.title, subject.name, tuple(changes), newest.table, newest.record_id))
        return out

    def _me(self) -> str:
        return self.store.site.code if self.store.site else UNSET_SITE

    def _site_names(self, conn: Connection, origins: set[str]) -> dict[str, str]:
        if self._sites is None:
            self._sites = dict(conn.exec_driver_sql("SELECT code, name FROM site").all())
        unknown = sorted(o for o in origins if o not in self._sites)
        if unknown:
            self._sites.update(conn.exec_driver_sql(
                f"SELECT code, name FROM org_unit WHERE code IN ({', '.join('?' * len(unknown))})", tuple(unknown)).all())
            self._sites.update({o: o for o in unknown if o not in self._sites})
        return self._sites


def _actor(row: _Row, sites: dict[str, str], me: str) -> str:
    who = row.actor or ""
    if row.origin in (me, UNSET_SITE):
        return who or "本站"
    site = sites.get(row.origin, row.origin)
    return f"{who}（{site}）" if who else site


def _shown(r: _Row, created: bool) -> bool:
    """Whether a row is one people read: not bookkeeping, not what the record's name says (when it is new), not a
    field of an older program that this one no longer has."""
    if r.field in TECHNICAL or r.field not in columns(r.table):
        return False
    return not (created and r.table in SUBJECTS and r.field in SUBJECTS[r.table].implied)


def _changes(rows: list[_Row], created: bool, refs: dict[tuple[str, str], Named]) -> list[Change]:
    out = []
    for r in rows:
        label = field_info(r.table, r.field).label
        if isinstance(columns(r.table)[r.field].type, LargeBinary):
            had, has = decode_value(r.old) is not None, decode_value(r.new) is not None
            if has or had:
                out.append(Change(label, "", "已更换" if had and has else "已上传" if has else "已删除", created=True))
            continue
        old, new = show(r.table, r.field, r.old, refs), show(r.table, r.field, r.new, refs)
        if created or r.op == "insert":
            if new:
                out.append(Change(label, "", new, created=True))
        elif old != new:
            out.append(Change(label, old, new))
    return out


def show(table: str, field: str, raw: str | None, refs: dict[tuple[str, str], Named]) -> str:
    """A journalled value as people read it: names for codes and references, masked ID numbers, local times."""
    value = decode_value(raw)
    if value is None or value == "":
        return ""
    if field in ID_NUMBER_FIELDS:
        return mask_id_number(str(value))
    target = references(table).get(field)
    info = field_info(table, field)
    if target:
        named = refs.get((target, str(value)))
        if named and named.name:
            return named.name
        if not (info.code_table and str(value) in codes.table(info.code_table).codes()):
            return "（已不存在的记录）"
    if info.code_table:
        return codes.name(info.code_table, str(value))
    if info.display_map:
        return getattr(labels, info.display_map.upper()).get(str(value), str(value))
    kind = columns(table)[field].type
    if isinstance(kind, Boolean):
        return "是" if value else "否"
    if isinstance(kind, DateTime):
        return clock.local(dt.datetime.fromisoformat(str(value)))
    if isinstance(kind, Date):
        return str(value)[:10]
    if isinstance(kind, Float) and isinstance(value, int | float):
        return f"{float(value):g}"
    return str(value)


# -- whole queries ------------------------------------------------------------------------------------------------

def entries(store: Store, query: LogQuery | None = None, *, page: int = 1000,
            progress: Callable[[int, int, str], None] | None = None,
            cancel: threading.Event | None = None) -> Iterator[Entry]:
    """Every entry of a query, newest first, read a page at a time; progress counts journal rows."""
    reader = LogReader(store, query)
    total = count_rows(store, reader.query) if progress else 0
    while not reader.exhausted:
        if cancel is not None and cancel.is_set():
            raise Cancelled()
        yield from reader.page(page)
        if progress:
            progress(reader.rows_read, total, f"已处理 {reader.rows_read:,} / {total:,} 项变更")


def count_rows(store: Store, query: LogQuery) -> int:
    """Journal rows a query covers (the measure of an export's progress)."""
    with store.engine.connect() as conn:
        term = _term(query.search)
        where, params = _filters(query, find(conn, term) if term else None)
        return conn.execute(text(f"SELECT count(*) FROM change_journal j WHERE {' AND '.join(where)}"),
                            params).scalar_one()


def actors(store: Store) -> list[str]:
    """Everyone who changed something, for the 操作人 filter (one scan of the journal: call it on demand)."""
    with store.engine.connect() as conn:
        return sorted(conn.execute(text("SELECT DISTINCT actor FROM change_journal WHERE actor IS NOT NULL")).scalars())

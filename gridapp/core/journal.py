"""The change journal: every field every write changes, recorded in the same transaction.

It hooks the ORM session's flush, so no service can forget it. It also refuses hard deletes of
synced records (they become tombstones via ``deleted_at``) and stamps ``changed_by_site``.

A new record's fields are one journal row (``field`` = ``PACKED``, ``new_value`` a JSON object of the
fields that have a value), so a bulk import journals one row per record, not one per field; an edit
journals each changed field with the stamp it had before, which the per-field merge of sync needs.
Readers that want fields call ``fields_of`` on a row's value, read back with ``packing.Unpacker`` (a packed
row of a table with many is stored deflated, see gridapp/core/packing.py). Binary fields (a photo) keep a row of their
own, which the export replaces by the bytes when it is the newest.

A bulk writer (the import) may ``buffer`` a session: rows of its flushes are kept in memory and
stamped and written together by ``write_buffer``, one statement per batch instead of three per flush.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import LargeBinary, event, func, inspect, select, update
from sqlalchemy.orm import Session

from gridapp.core import bulk, clock
from gridapp.core.errors import DomainError
from gridapp.core.models import ChangeJournal, Site, Synced
from gridapp.core.models.base import BOOKKEEPING_COLUMNS, utcnow
from gridapp.core.packing import PACKED, Packer, Unpacker

UNSET_SITE = "000000"  # origin of changes made before this installation was initialised
# PACKED (from packing): the field of a journal row that holds a new record's fields together
_BUFFER = "journal_buffer"


@dataclass
class JournalContext:
    site_code: str
    actor: str


def default_actor() -> str:
    try:
        return getpass.getuser()
    except Exception:
        return "unknown"


def encode_value(value: Any) -> str | None:
    """JSON text for a field value; dates as ISO strings, binary as its hash and size."""
    if value is None:
        return None
    if isinstance(value, dt.datetime | dt.date):
        value = value.isoformat()
    elif isinstance(value, bytes):
        value = {"$blob": hashlib.sha256(value).hexdigest(), "size": len(value)}
    return json.dumps(value, ensure_ascii=False)


def decode_value(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _iso(value: Any) -> str:
    if isinstance(value, dt.date):  # a datetime is a date too
        return value.isoformat()
    raise TypeError(f"{type(value).__name__} is not a journal value")


def _packer() -> Any:
    """``json.dumps(values, ensure_ascii=False, separators=(",", ":"))`` with dates as ISO text, as
    ``encode_value`` writes them (by the encoder's own hook: no pass over the values first). Where CPython's C
    encoder is there it is made once, not once per call as ``JSONEncoder.encode`` does: the same function, the
    same text, a few microseconds less for each of a bulk import's records."""
    from json import encoder

    make = getattr(encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=_iso).encode
    # (markers, default, encoder, indent, key_separator, item_separator, sort_keys, skipkeys, allow_nan)
    encode = make({}, _iso, encoder.encode_basestring, None, ":", ",", False, False, True)

    def pack_text(values: dict[str, Any]) -> str:
        return "".join(encode(values, 0))

    return pack_text


_PACK = _packer()


def pack(values: dict[str, Any]) -> str:
    """A new record's fields as one journal value (the fields ``encode_value`` would write one by one)."""
    return _PACK(values)


def fields_of(field: str, value: str | None) -> list[tuple[str, str | None]]:
    """A journal row's (field, JSON value) pairs: one, or a packed row's every field, each encoded as a row of
    its own would be."""
    if field != PACKED:
        return [(field, value)]
    return [(k, json.dumps(v, ensure_ascii=False)) for k, v in json.loads(value or "{}").items()]


def packed_fields(value: str | None) -> set[str]:
    return set(json.loads(value or "{}"))


def _column_keys(obj: Synced) -> list[str]:
    return [attr.key for attr in inspect(type(obj)).column_attrs if attr.key not in BOOKKEEPING_COLUMNS]


def _binary_keys(table: Any) -> frozenset[str]:
    return frozenset(c.name for c in table.columns if isinstance(c.type, LargeBinary))


def insert_rows(table: Any, records: list[dict[str, Any]], ctx: JournalContext, now: dt.datetime) -> list[dict]:
    """The journal rows of new records written without the ORM (a bulk import's Core inserts)."""
    binary = _binary_keys(table)
    keys = [c.name for c in table.columns if c.name not in BOOKKEEPING_COLUMNS and c.name not in binary]
    name = str(table.name)  # a plain str: the driver binds a str subclass the slow way
    out = []
    for rec in records:
        packed = {k: v for k in keys if (v := rec.get(k)) is not None}
        if packed:
            out.append(_plain_row(name, rec["id"], "insert", PACKED, None, _PACK(packed), now, ctx))
        for k in binary:
            if rec.get(k) is not None:
                out.append(_plain_row(name, rec["id"], "insert", k, None, encode_value(rec[k]), now, ctx))
    return out


def _insert(table_name: str, record_id: str, values: dict[str, Any], binary: frozenset[str], now: dt.datetime,
            ctx: JournalContext) -> list[dict]:
    packed = {k: v for k, v in values.items() if k not in binary}
    rows = [_plain_row(table_name, record_id, "insert", PACKED, None, pack(packed), now, ctx)] if packed else []
    rows += [_plain_row(table_name, record_id, "insert", k, None, encode_value(v), now, ctx)
             for k, v in values.items() if k in binary]
    return rows


def _before_flush(session: Session, flush_context: Any, instances: Any) -> None:
    ctx: JournalContext | None = session.info.get("journal")
    if ctx is None:
        return
    for obj in session.deleted:
        if isinstance(obj, Synced):
            raise DomainError(
                f"不允许直接删除记录（{type(obj).__tablename__}），请使用作废/删除功能，以便同步到其他单位"
            )
    now = utcnow()
    rows: list[dict[str, Any]] = []
    for obj in session.new:
        if not isinstance(obj, Synced):
            continue
        if obj.id is None:
            from gridapp.core.models import new_id

            obj.id = new_id()
        obj.changed_by_site = ctx.site_code
        values = {key: value for key in _column_keys(obj) if (value := getattr(obj, key)) is not None}
        rows += _insert(type(obj).__tablename__, obj.id, values, _binary_keys(type(obj).__table__), now, ctx)
    for obj in session.dirty:
        if not isinstance(obj, Synced) or not session.is_modified(obj, include_collections=False):
            continue
        state = inspect(obj)
        changed = False
        for key in _column_keys(obj):
            hist = state.attrs[key].history
            if not hist.has_changes():
                continue
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old == new:
                continue
            op = "update"
            if key == "deleted_at":
                op = "delete" if new is not None else "restore"
            rows.append(_row(obj, op, key, old, new, now, ctx))
            changed = True
        if changed:
            obj.changed_by_site = ctx.site_code
            obj.updated_at = now
    if not rows:
        return
    buffer = session.info.get(_BUFFER)
    if buffer is not None:
        buffer.extend(rows)
    else:
        _stamp_and_write(session, rows, ctx)


def buffer(session: Session) -> list[dict[str, Any]]:
    """Keep the journal rows of this session's flushes until ``write_buffer`` (the list they are kept in: a
    caller that rolls a savepoint back cuts it back to its length before)."""
    return session.info.setdefault(_BUFFER, [])


def write_buffer(session: Session, *, stop: bool = False) -> None:
    """Stamp and write the rows kept so far (and stop keeping them when ``stop``)."""
    rows = session.info.get(_BUFFER)
    if rows is None:
        return
    if rows:
        _stamp_and_write(session, list(rows), session.info["journal"])
        rows.clear()
    if stop:
        del session.info[_BUFFER]


# Every ORM session: the store's sessions carry a JournalContext in ``session.info``; others are
# left alone. (Listening per sessionmaker is fragile: SQLAlchemy keys event targets by id().)
event.listen(Session, "before_flush", _before_flush)


def _row(obj: Synced, op: str, key: str, old: Any, new: Any, now: dt.datetime, ctx: JournalContext) -> dict:
    return _plain_row(type(obj).__tablename__, obj.id, op, key, encode_value(old), encode_value(new), now, ctx)


def _plain_row(table_name: str, record_id: str, op: str, key: str, old: str | None, new: str | None,
               now: dt.datetime, ctx: JournalContext) -> dict:
    return {"at": now, "actor": ctx.actor, "op": op, "table_name": table_name, "record_id": record_id,
            "field": key, "old_value": old, "new_value": new, "origin_site": ctx.site_code}


def _stamp_and_write(session: Session, rows: list[dict[str, Any]], ctx: JournalContext) -> None:
    conn = session.connection()
    site = conn.execute(select(Site.id, Site.hlc_last, Site.journal_seq).where(Site.code == ctx.site_code)).first()
    if site is not None:
        last_hlc, seq = site.hlc_last, site.journal_seq or 0
    else:
        last_hlc = conn.execute(
            select(func.max(ChangeJournal.hlc)).where(ChangeJournal.origin_site == ctx.site_code)
        ).scalar()
        seq = conn.execute(
            select(func.max(ChangeJournal.seq)).where(ChangeJournal.origin_site == ctx.site_code)
        ).scalar() or 0
    # The stamp each updated field had before, for sync's concurrent-edit detection: from the journal, then
    # from the rows stamped here (a buffered batch may create a record and then change it).
    updated_ids = {r["record_id"] for r in rows if r["op"] != "insert"}
    prev: dict[tuple[str, str], str] = {}
    record_prev: dict[str, str] = {}
    if updated_ids:
        _stamps(conn, updated_ids, prev, record_prev)
    stamps = clock.ticks(last_hlc, ctx.site_code, len(rows))
    for r, stamp in zip(rows, stamps, strict=True):
        seq += 1
        rid = r["record_id"]
        r["hlc"] = stamp
        r["seq"] = seq
        r["prev_hlc"] = None if r["field"] == PACKED else prev.get((rid, r["field"]))
        r["record_hlc"] = record_prev.get(rid)
        if rid in updated_ids:
            for f in (packed_fields(r["new_value"]) if r["field"] == PACKED else (r["field"],)):
                prev[(rid, f)] = stamp
            record_prev[rid] = stamp
    last_hlc = stamps[-1] if stamps else last_hlc
    Packer(conn).compact(rows)
    bulk.write_many(conn, ChangeJournal.__table__, rows)
    if site is not None:
        conn.execute(update(Site).where(Site.id == site.id).values(hlc_last=last_hlc, journal_seq=seq))


def _stamps(conn: Any, ids: set[str], prev: dict[tuple[str, str], str], record_prev: dict[str, str]) -> None:
    """Each field's newest stamp (a packed row stamps each field it holds) and each record's, for ``ids``."""
    wanted = sorted(ids)
    unpacker = Unpacker(conn)
    for start in range(0, len(wanted), 500):
        chunk = wanted[start:start + 500]
        for rec, field, hlc in conn.execute(
            select(ChangeJournal.record_id, ChangeJournal.field, func.max(ChangeJournal.hlc))
            .where(ChangeJournal.record_id.in_(chunk), ChangeJournal.field != PACKED)
            .group_by(ChangeJournal.record_id, ChangeJournal.field)
        ):
            prev[(rec, field)] = hlc
            record_prev[rec] = max(hlc, record_prev.get(rec, hlc))
        for rec, hlc, value, packed in conn.execute(
            select(ChangeJournal.record_id, ChangeJournal.hlc, ChangeJournal.new_value, ChangeJournal.packed)
            .where(ChangeJournal.record_id.in_(chunk), ChangeJournal.field == PACKED)
        ):
            for field in packed_fields(unpacker.text(value, packed)):
                prev[(rec, field)] = max(hlc, prev.get((rec, field), hlc))
            record_prev[rec] = max(hlc, record_prev.get(rec, hlc))

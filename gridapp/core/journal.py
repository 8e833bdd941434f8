"""The change journal: every field every write changes, recorded in the same transaction.

It hooks the ORM session's flush, so no service can forget it. It also refuses hard deletes of
synced records (they become tombstones via ``deleted_at``) and stamps ``changed_by_site``.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, func, insert, inspect, select, update
from sqlalchemy.orm import Session

from gridapp.core import clock
from gridapp.core.errors import DomainError
from gridapp.core.models import ChangeJournal, Site, Synced
from gridapp.core.models.base import BOOKKEEPING_COLUMNS, utcnow

UNSET_SITE = "000000"  # origin of changes made before this installation was initialised


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


def _column_keys(obj: Synced) -> list[str]:
    return [attr.key for attr in inspect(type(obj)).column_attrs if attr.key not in BOOKKEEPING_COLUMNS]


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
        for key in _column_keys(obj):
            value = getattr(obj, key)
            if value is not None:
                rows.append(_row(obj, "insert", key, None, value, now, ctx))
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
    if rows:
        _stamp_and_write(session, rows, ctx)


# Every ORM session: the store's sessions carry a JournalContext in ``session.info``; others are
# left alone. (Listening per sessionmaker is fragile: SQLAlchemy keys event targets by id().)
event.listen(Session, "before_flush", _before_flush)


def _row(obj: Synced, op: str, key: str, old: Any, new: Any, now: dt.datetime, ctx: JournalContext) -> dict:
    return {
        "at": now,
        "actor": ctx.actor,
        "op": op,
        "table_name": type(obj).__tablename__,
        "record_id": obj.id,
        "field": key,
        "old_value": encode_value(old),
        "new_value": encode_value(new),
        "origin_site": ctx.site_code,
    }


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
    # The stamp each updated field had before, for sync's concurrent-edit detection.
    updated_ids = {r["record_id"] for r in rows if r["op"] != "insert"}
    prev: dict[tuple[str, str], str] = {}
    record_prev: dict[str, str] = {}
    if updated_ids:
        for rec, field, hlc in conn.execute(
            select(ChangeJournal.record_id, ChangeJournal.field, func.max(ChangeJournal.hlc))
            .where(ChangeJournal.record_id.in_(updated_ids))
            .group_by(ChangeJournal.record_id, ChangeJournal.field)
        ):
            prev[(rec, field)] = hlc
            record_prev[rec] = max(hlc, record_prev.get(rec, hlc))
    for r in rows:
        last_hlc = clock.tick(last_hlc, ctx.site_code)
        seq += 1
        r["hlc"] = last_hlc
        r["seq"] = seq
        r["prev_hlc"] = prev.get((r["record_id"], r["field"]))
        r["record_hlc"] = record_prev.get(r["record_id"])
    conn.execute(insert(ChangeJournal), rows)
    if site is not None:
        conn.execute(update(Site).where(Site.id == site.id).values(hlc_last=last_hlc, journal_seq=seq))

"""What the 数据交换 page and ``gridapp sync log`` show: peers and their last packages, the history of
packages, and the conflicts to review (and override)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select

from gridapp.core import labels
from gridapp.core.errors import NotFoundError, ValidationError
from gridapp.core.models import Site, SyncConflict, SyncPackage
from gridapp.core.models.base import utcnow
from gridapp.core.store import Store
from gridapp.sync import identity, records


@dataclass(frozen=True)
class PeerStatus:
    peer: identity.Peer
    last_sent: dt.datetime | None
    last_received: dt.datetime | None
    sent: int
    received: int


def peer_status(store: Store) -> list[PeerStatus]:
    out = []
    with store.read() as s:
        stats = {(p, d): (n, last) for p, d, n, last in s.execute(
            select(SyncPackage.peer_code, SyncPackage.direction, func.count(), func.max(SyncPackage.recorded_at))
            .group_by(SyncPackage.peer_code, SyncPackage.direction)).all()}
    for p in identity.peers(store):
        sent, last_sent = stats.get((p.code, "out"), (0, None))
        received, last_received = stats.get((p.code, "in"), (0, None))
        out.append(PeerStatus(p, last_sent, last_received, sent, received))
    return out


@dataclass(frozen=True)
class PackageEntry:
    id: str
    direction: str
    peer_code: str
    peer_name: str
    number: int
    full: bool
    file_name: str
    recorded_at: dt.datetime
    summary: dict[str, Any]

    @property
    def direction_name(self) -> str:
        return "导出" if self.direction == "out" else "导入"


def packages(store: Store, limit: int = 500) -> list[PackageEntry]:
    with store.read() as s:
        names = dict(s.execute(select(Site.code, Site.name)).all())
        rows = s.execute(select(SyncPackage).order_by(SyncPackage.recorded_at.desc()).limit(limit)).scalars()
        return [PackageEntry(p.id, p.direction, p.peer_code, names.get(p.peer_code, p.peer_code), p.number, p.full,
                             p.file_name or "", p.recorded_at, json.loads(p.summary) if p.summary else {})
                for p in rows]


@dataclass(frozen=True)
class Conflict:
    id: int
    table: str
    table_name: str
    record_id: str
    record_label: str
    field: str
    field_name: str
    kept: Any
    kept_from: str
    lost: Any
    lost_from: str
    detected_at: dt.datetime
    resolved_at: dt.datetime | None
    resolution: str | None

    @property
    def kept_text(self) -> str:
        return labels.value_text(self.table, self.field, self.kept)

    @property
    def lost_text(self) -> str:
        return labels.value_text(self.table, self.field, self.lost)


def _label(s, table: str, record_id: str) -> str:
    cols = records.tables()[table].columns
    for name in ("name", "title", "code"):
        if name in cols:
            value = s.execute(select(cols[name]).where(cols["id"] == record_id)).scalar()
            if value:
                return str(value)
    return record_id[:8]


def conflicts(store: Store, *, open_only: bool = True) -> list[Conflict]:
    with store.read() as s:
        names = dict(s.execute(select(Site.code, Site.name)).all())
        q = select(SyncConflict).order_by(SyncConflict.detected_at.desc(), SyncConflict.id.desc())
        if open_only:
            q = q.where(SyncConflict.resolved_at.is_(None))
        return [Conflict(c.id, c.table_name, labels.TABLES.get(c.table_name, c.table_name), c.record_id,
                         _label(s, c.table_name, c.record_id), c.field, labels.FIELDS.get(c.field, c.field),
                         json.loads(c.kept_value) if c.kept_value else None, names.get(c.kept_origin, c.kept_origin),
                         json.loads(c.lost_value) if c.lost_value else None, names.get(c.lost_origin, c.lost_origin),
                         c.detected_at, c.resolved_at, c.resolution)
                for c in s.execute(q).scalars()]


def resolve(store: Store, conflict_id: int, *, take_lost: bool) -> None:
    """Settle a conflict: keep what the rule kept, or put the other value back as a new change here (it
    then travels like any edit and settles the field on every site)."""
    with store.session() as s:
        c = s.get(SyncConflict, conflict_id)
        if c is None:
            raise NotFoundError("找不到该冲突记录")
        if c.resolved_at is not None:
            raise ValidationError("该冲突已处理过")
        if take_lost:
            from gridapp.core.models import SYNCED_MODELS

            model = next(m for m in SYNCED_MODELS if m.__tablename__ == c.table_name)
            obj = s.get(model, c.record_id)
            if obj is None:
                raise NotFoundError("冲突涉及的记录已不存在")
            try:
                value = records.decode(c.table_name, c.field, c.lost_value)
            except records.NoValue:
                raise ValidationError("该值（照片）已被更新的版本替代，无法恢复") from None
            setattr(obj, c.field, value)
        c.resolved_at, c.resolution = utcnow(), "overridden" if take_lost else "kept"

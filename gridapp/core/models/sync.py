"""数据交换 bookkeeping: what each peer confirmed, what this site holds, packages, conflicts.

Peers themselves are rows of ``site`` with ``is_self`` = 0 (code, name, level, public keys, when trusted).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridapp.core.models.base import Base, utcnow


class SyncReceipt(Base):
    """The highest change of ``origin_site`` that ``peer_code`` has confirmed holding (from its packages)."""

    __tablename__ = "sync_receipt"

    peer_code: Mapped[str] = mapped_column(String(18), primary_key=True)
    origin_site: Mapped[str] = mapped_column(String(18), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)


class SyncCoverage(Base):
    """This site holds every change of ``origin_site`` up to ``seq`` that concerns its scope."""

    __tablename__ = "sync_coverage"

    origin_site: Mapped[str] = mapped_column(String(18), primary_key=True)
    seq: Mapped[int] = mapped_column(Integer, default=0)


class SyncPackage(Base):
    """A package made here or imported here (its id makes a second import a no-op)."""

    __tablename__ = "sync_package"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    direction: Mapped[str] = mapped_column(String(4))  # out | in
    peer_code: Mapped[str] = mapped_column(String(18), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 第 n 号 between these two sites, in this direction
    full: Mapped[bool] = mapped_column(default=False)
    file_name: Mapped[str | None] = mapped_column(String(200))
    sha256: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime)  # when the sender made it
    recorded_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)  # written or applied here
    summary: Mapped[str | None] = mapped_column(Text)  # JSON: counts per table and outcome


class SyncConflict(Base):
    """A field both sides changed since they last exchanged: what was kept, what lost, for review."""

    __tablename__ = "sync_conflict"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[str] = mapped_column(String(36), index=True)
    field: Mapped[str] = mapped_column(String(40))
    kept_value: Mapped[str | None] = mapped_column(Text)  # JSON
    kept_origin: Mapped[str] = mapped_column(String(18))
    kept_hlc: Mapped[str] = mapped_column(String(40))
    lost_value: Mapped[str | None] = mapped_column(Text)  # JSON
    lost_origin: Mapped[str] = mapped_column(String(18))
    lost_hlc: Mapped[str] = mapped_column(String(40))
    package_id: Mapped[str | None] = mapped_column(String(36))
    detected_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    resolution: Mapped[str | None] = mapped_column(String(12))  # kept | overridden

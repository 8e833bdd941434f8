"""The installation (site), the change journal, settings and the code tables' database copy."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from gridapp.core.models.base import Base, utcnow


class Site(Base):
    """This installation: which org unit it owns (its subtree is its scope) and its sync keys.

    One row with ``is_self`` = 1; peers (trusted sites) are further rows added by the sync issue.
    """

    __tablename__ = "site"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(18), unique=True)  # the owned org unit's code
    name: Mapped[str] = mapped_column(String(100))
    level: Mapped[str] = mapped_column(String(12))  # codes.ORG_LEVEL
    is_self: Mapped[bool] = mapped_column(default=False)
    org_unit_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Hybrid logical clock and journal sequence of this site (self row only).
    hlc_last: Mapped[str | None] = mapped_column(String(40))
    journal_seq: Mapped[int] = mapped_column(Integer, default=0)
    # Keys for sync packages: Ed25519 (signing) and X25519 (encryption); private halves self only.
    sign_public: Mapped[bytes | None] = mapped_column(LargeBinary)
    sign_private: Mapped[bytes | None] = mapped_column(LargeBinary)
    enc_public: Mapped[bytes | None] = mapped_column(LargeBinary)
    enc_private: Mapped[bytes | None] = mapped_column(LargeBinary)
    trusted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class ChangeJournal(Base):
    """One changed field of one record: the audit trail, and what sync sends.

    ``origin_site`` + ``seq`` identify the change everywhere; ``hlc`` orders it; ``prev_hlc`` is the
    stamp the field had before, so a merge can tell a concurrent edit from a later one.
    """

    __tablename__ = "change_journal"
    __table_args__ = (
        UniqueConstraint("origin_site", "seq", name="uq_change_journal_origin_seq"),
        Index("ix_change_journal_record_field", "record_id", "field"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    origin_site: Mapped[str] = mapped_column(String(18))
    seq: Mapped[int] = mapped_column(Integer)
    hlc: Mapped[str] = mapped_column(String(40), index=True)
    prev_hlc: Mapped[str | None] = mapped_column(String(40))
    # The newest stamp of any field of the record at the origin before this change: what it had seen.
    record_hlc: Mapped[str | None] = mapped_column(String(40))
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)  # wall clock, for people
    actor: Mapped[str | None] = mapped_column(String(50))
    op: Mapped[str] = mapped_column(String(8))  # insert | update | delete | restore
    table_name: Mapped[str] = mapped_column(String(40), index=True)
    record_id: Mapped[str] = mapped_column(String(36))
    field: Mapped[str] = mapped_column(String(40))
    old_value: Mapped[str | None] = mapped_column(Text)  # JSON
    new_value: Mapped[str | None] = mapped_column(Text)  # JSON
    # A packed row's JSON deflated against a ``JournalDictionary`` (``new_value`` is then empty): see core.packing.
    packed: Mapped[bytes | None] = mapped_column(LargeBinary)


class JournalDictionary(Base):
    """What a table's packed journal rows are deflated against: the first rows of a large batch, never changed.

    This database's own (sync packages carry the plain JSON); ``change_journal.packed`` names it by ``id``.
    """

    __tablename__ = "journal_dictionary"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    table_name: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    data: Mapped[bytes] = mapped_column(LargeBinary)


class Setting(Base):
    """Configurable limits and preferences (e.g. households per full-time grid worker)."""

    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(60), primary_key=True)
    value: Mapped[str | None] = mapped_column(Text)  # JSON


class CodeItem(Base):
    """Database copy of the code tables, so SQL can show and sort by names."""

    __tablename__ = "code_item"

    table_key: Mapped[str] = mapped_column(String(30), primary_key=True)
    code: Mapped[str] = mapped_column(String(30), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    sort_order: Mapped[int] = mapped_column(Integer, default=0)

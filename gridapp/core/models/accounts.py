"""Local accounts and the security audit: this site's own, never journalled and never in a sync package."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridapp.core.models.base import Base, utcnow


class Account(Base):
    """A person who may log in here. ``name_key`` (the name case-folded) keeps names unique regardless of case;
    the password is kept only as its Argon2id hash."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(40))
    name_key: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(50))
    role: Mapped[str] = mapped_column(String(12))  # codes.ACCOUNT_ROLE
    password_hash: Mapped[str] = mapped_column(String(200))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)


class AuditEvent(Base):
    """One security-relevant event (安全审计): who, when, what, and whether it was allowed. Append-only: the
    store refuses any UPDATE or DELETE of this table (gridapp.core.store)."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)  # UTC
    account: Mapped[str | None] = mapped_column(String(40))  # the account's name then (None: nobody logged in)
    action: Mapped[str] = mapped_column(String(30), index=True)  # audit.ACTIONS
    what: Mapped[str] = mapped_column(Text)  # Chinese, for people
    outcome: Mapped[str] = mapped_column(String(8))  # success | failure
    reason: Mapped[str | None] = mapped_column(Text)  # why it failed or was refused

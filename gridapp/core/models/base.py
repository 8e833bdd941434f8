"""Declarative base and the columns every synced record carries."""

from __future__ import annotations

import datetime as dt
import os
import threading

from sqlalchemy import DateTime, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Stable constraint names so Alembic batch migrations on SQLite can find them again.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


_ID_LOCK = threading.Lock()
_ID_POOL: list = [b"", 0]  # random bytes read ahead, and how many of them are used


def new_id() -> str:
    """A random (version 4) UUID as text, as ``str(uuid.uuid4())`` makes it, from random bytes read 4 KB at a time
    (a bulk import makes tens of thousands)."""
    with _ID_LOCK:
        pool, used = _ID_POOL
        if used >= len(pool):
            pool, used = os.urandom(4096), 0
            _ID_POOL[0] = pool
        _ID_POOL[1] = used + 16
    h = pool[used:used + 16].hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{'89ab'[int(h[16], 16) & 3]}{h[17:20]}-{h[20:]}"


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Synced:
    """Mixin for every record that travels between sites.

    UUID key (never reused, safe to merge across PCs), change stamps, the site that last changed
    it, the org unit whose subtree owns it (``scope_code``, a prefix test gives sync its scope) and
    a tombstone instead of a hard delete.
    """

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    changed_by_site: Mapped[str | None] = mapped_column(String(18))
    scope_code: Mapped[str | None] = mapped_column(String(18), index=True)
    deleted_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None


# The range of a year a record is about (ratings, quarters), for ``info=`` (see gridapp.core.fields).
YEAR = {"min": 1949, "max": 2100}

# Columns the change journal does not record as user-visible field changes.
BOOKKEEPING_COLUMNS = frozenset({"id", "created_at", "updated_at", "changed_by_site"})


def live(s, model, record_id: str | None, what: str, *, field: str | None = None):
    """The record with this id that has not been deleted; otherwise a Chinese “not found” naming ``what``
    (“请选择…” when no id was given at all, as from a form left unchosen)."""
    from gridapp.core.errors import NotFoundError, ValidationError

    if not record_id:
        raise ValidationError(f"请选择{what}", field=field)
    obj = s.get(model, record_id)
    if obj is None or obj.deleted_at is not None:
        raise NotFoundError(f"找不到该{what}（可能已被删除）", field=field)
    return obj


def find_by_credit_code_or_name(s, model, credit_code: str | None, name: str | None, *, what: str, field: str):
    """A unit or firm by its credit code, else by its name among live records (two of one name is a
    conflict the caller must settle with the code)."""
    from sqlalchemy import select

    from gridapp.core.errors import ConflictError

    if credit_code:
        found = s.execute(select(model).where(model.credit_code == credit_code)).scalar_one_or_none()
        if found is not None:
            return found
    if name:
        rows = s.execute(select(model).where(model.name == name.strip(), model.deleted_at.is_(None))).scalars().all()
        if len(rows) > 1:
            raise ConflictError(f"有多个名为“{name}”的{what}，请用统一社会信用代码区分", field=field)
        return rows[0] if rows else None
    return None


def set_fields(obj: object, values: dict, *, skip_blank: bool = True) -> bool:
    """Give ``obj`` the values that differ; True when anything changed.

    With ``skip_blank`` (imports, upserts) an empty value never erases a stored one; forms that show
    every field pass ``skip_blank=False`` so a cleared field is cleared.
    """
    changed = False
    for key, value in values.items():
        if skip_blank and value in (None, ""):
            continue
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed

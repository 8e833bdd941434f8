"""People, and the grid workers among them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, deferred, mapped_column, relationship

from gridapp.core.models.base import Base, Synced


class Person(Synced, Base):
    """One person, whatever roles they hold: one ID number is never two people."""

    __tablename__ = "person"
    # Lists in pinyin order walk this index and join on ``id`` without reading the people's rows.
    __table_args__ = (Index("ix_person_name_initials_id", "name_initials", "id"),)

    name: Mapped[str] = mapped_column(String(50), index=True, info={"label": "姓名"})
    name_initials: Mapped[str | None] = mapped_column(String(50))  # pinyin initials: zs
    gender: Mapped[str | None] = mapped_column(String(1), index=True)  # GB/T 2261.1
    id_number: Mapped[str | None] = mapped_column(String(18), unique=True)  # GB 11643, 18 chars
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    ethnicity: Mapped[str | None] = mapped_column(String(2))  # GB/T 3304
    political_status: Mapped[str | None] = mapped_column(String(2))  # GB/T 4762
    education: Mapped[str | None] = mapped_column(String(2))  # GB/T 4658
    phone: Mapped[str | None] = mapped_column(String(20), index=True)
    phone2: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    notes: Mapped[str | None] = mapped_column(Text)
    # Kept out of list queries; loaded only for forms and notice boards.
    photo: Mapped[bytes | None] = deferred(mapped_column(LargeBinary))


class GridWorker(Synced, Base):
    """A person employed as a grid worker (专职/兼职), with status."""

    __tablename__ = "grid_worker"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), unique=True)
    worker_type: Mapped[str] = mapped_column(String(10))  # codes.WORKER_TYPE
    status: Mapped[str] = mapped_column(String(10), default="active")  # codes.WORKER_STATUS
    status_date: Mapped[dt.date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(String(200))
    hired_on: Mapped[dt.date | None] = mapped_column(Date)
    employer: Mapped[str | None] = mapped_column(String(100))  # for part-timers: their own unit
    notes: Mapped[str | None] = mapped_column(Text)

    person: Mapped[Person] = relationship()


class GridAssignment(Synced, Base):
    """A worker in a grid with a role from a date; history is kept by ending, never deleting."""

    __tablename__ = "grid_assignment"

    worker_id: Mapped[str] = mapped_column(ForeignKey("grid_worker.id"), index=True)
    org_unit_id: Mapped[str] = mapped_column(ForeignKey("org_unit.id"), index=True)
    role: Mapped[str] = mapped_column(String(12))  # codes.WORKER_ROLE
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(200))


class PersonSearch(Base):
    """Search keys of a person (``person`` is ``person.rowid``), kept by triggers: see core/search_index.py."""

    __tablename__ = "person_search"
    __table_args__ = ({"sqlite_with_rowid": False},)

    term: Mapped[str] = mapped_column(String, primary_key=True)
    person: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)


class SearchPosition(Base):
    """Character positions 1–50, which the search index's triggers read a text's pieces at."""

    __tablename__ = "search_position"

    n: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)

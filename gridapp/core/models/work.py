"""网格日常工作: the people's requests (民情诉求) handled to the end, and every step taken on them."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridapp.core.models.base import Base, Synced


class GridRequest(Synced, Base):
    """A request raised in a grid (走访发现, 来访, 12345 …), carried from 上报 to 办结 (``state``).

    The record holds where it stands now; ``RequestStep`` rows hold how it got there. Who handles it is an
    ``assignee_kind`` and the id of that record (a worker, the community, a unit, a member, a firm) or, for a
    street department, its name alone.
    """

    __tablename__ = "grid_request"
    __table_args__ = (Index("ix_grid_request_state_deadline", "state", "deadline", "deleted_at"),)

    number: Mapped[str] = mapped_column(String(40), unique=True, info={"label": "诉求编号"})
    hotline_number: Mapped[str | None] = mapped_column(String(40), unique=True)  # 12345 工单编号
    source: Mapped[str] = mapped_column(String(12))  # codes.REQUEST_SOURCE
    category: Mapped[str] = mapped_column(String(12), index=True)  # codes.REQUEST_CATEGORY
    urgency: Mapped[str] = mapped_column(String(12), default="normal")  # codes.URGENCY
    community_id: Mapped[str] = mapped_column(ForeignKey("org_unit.id"), index=True)
    grid_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    raiser_name: Mapped[str | None] = mapped_column(String(50))
    raiser_phone: Mapped[str | None] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(Text, info={"label": "诉求内容"})
    raised_at: Mapped[dt.datetime] = mapped_column(DateTime, index=True)
    raised_by_worker_id: Mapped[str | None] = mapped_column(ForeignKey("grid_worker.id"), index=True)
    deadline: Mapped[dt.date] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(12), default="reported")  # codes.REQUEST_STATE
    handled_by_org_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"))  # where it now lies
    assignee_kind: Mapped[str | None] = mapped_column(String(12))  # codes.ASSIGNEE_KIND
    assignee_id: Mapped[str | None] = mapped_column(String(36), index=True)
    assignee_name: Mapped[str | None] = mapped_column(String(100))
    supervision: Mapped[str | None] = mapped_column(String(8))  # codes.SUPERVISION, the highest given
    supervision_count: Mapped[int] = mapped_column(default=0, info={"min": 0, "max": 1000})
    extension_state: Mapped[str | None] = mapped_column(String(8))  # codes.EXTENSION_STATE
    extension_deadline: Mapped[dt.date | None] = mapped_column(Date)
    return_count: Mapped[int] = mapped_column(default=0, info={"min": 0, "max": 1000})
    rejection_count: Mapped[int] = mapped_column(default=0, info={"min": 0, "max": 1000})  # 验证未通过
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    result: Mapped[str | None] = mapped_column(Text)
    satisfaction: Mapped[str | None] = mapped_column(String(12))  # codes.SATISFACTION
    closed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)


class RequestStep(Synced, Base):
    """One step on a request: who did what, when, from which state to which, and what they said."""

    __tablename__ = "request_step"

    request_id: Mapped[str] = mapped_column(ForeignKey("grid_request.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    action: Mapped[str] = mapped_column(String(12))  # codes.REQUEST_ACTION
    from_state: Mapped[str | None] = mapped_column(String(12))
    to_state: Mapped[str] = mapped_column(String(12))
    actor: Mapped[str | None] = mapped_column(String(100))
    site_code: Mapped[str | None] = mapped_column(String(18))
    note: Mapped[str | None] = mapped_column(Text)

"""双报到: paired units, in-service members' registrations, service and the needs/resources/projects lists."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridapp.core.models.base import Base, Synced


class Unit(Synced, Base):
    """报到单位: a government body, institution, firm or social organisation and its Party organisation."""

    __tablename__ = "unit"

    name: Mapped[str] = mapped_column(String(100), index=True, info={"label": "单位名称"})
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)  # GB 32100
    unit_type: Mapped[str | None] = mapped_column(String(12))  # codes.UNIT_TYPE
    party_org_type: Mapped[str | None] = mapped_column(String(16))  # codes.PARTY_ORG_TYPE
    party_org_name: Mapped[str | None] = mapped_column(String(100))
    secretary: Mapped[str | None] = mapped_column(String(50))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    reported_member_count: Mapped[int | None] = mapped_column(Integer, info={"min": 0, "max": 100_000})  # in-service members it has


class UnitPairing(Synced, Base):
    """结对共建: a unit paired with a community from an agreement date."""

    __tablename__ = "unit_pairing"

    unit_id: Mapped[str] = mapped_column(ForeignKey("unit.id"), index=True)
    community_id: Mapped[str] = mapped_column(ForeignKey("org_unit.id"), index=True)
    agreement_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    content: Mapped[str | None] = mapped_column(Text)


class MemberRegistration(Synced, Base):
    """An in-service Party member registered at the community where they live."""

    __tablename__ = "member_registration"
    # Whether a person's or a unit's registrations are live (and registered) is read from the index:
    # the member list walked in pinyin order, and a unit's count of registered members.
    __table_args__ = (Index("ix_member_registration_person_id_deleted_at", "person_id", "deleted_at"),
                      Index("ix_member_registration_unit_id_status", "unit_id", "status", "deleted_at"))

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"))
    position: Mapped[str | None] = mapped_column(String(50), index=True)
    is_leading_cadre: Mapped[bool] = mapped_column(Boolean, default=False, index=True)  # 处级及以上
    community_id: Mapped[str] = mapped_column(ForeignKey("org_unit.id"), index=True)
    grid_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    compound_id: Mapped[str | None] = mapped_column(ForeignKey("compound.id"))
    registered_on: Mapped[dt.date | None] = mapped_column(Date, index=True)
    service_post: Mapped[str | None] = mapped_column(String(16), index=True)  # codes.SERVICE_POST
    status: Mapped[str] = mapped_column(String(12), default="registered", index=True)  # codes.MEMBER_STATUS
    status_date: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class Need(Synced, Base):
    """需求清单: a need raised by a community, claimed by a unit or member, closed with a result."""

    __tablename__ = "need"

    community_id: Mapped[str] = mapped_column(ForeignKey("org_unit.id"), index=True)
    title: Mapped[str] = mapped_column(String(200), info={"label": "需求名称"})
    description: Mapped[str | None] = mapped_column(Text)
    raised_on: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="open")  # codes.NEED_STATUS
    claimed_by_unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"))
    claimed_by_member_id: Mapped[str | None] = mapped_column(ForeignKey("member_registration.id"))
    claimed_on: Mapped[dt.date | None] = mapped_column(Date)
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(Text)


class Resource(Synced, Base):
    """资源清单: what a unit (or a member) offers."""

    __tablename__ = "resource"

    unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), index=True)
    member_id: Mapped[str | None] = mapped_column(ForeignKey("member_registration.id"))
    title: Mapped[str] = mapped_column(String(200), info={"label": "资源名称"})
    category: Mapped[str | None] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(Text)


class Project(Synced, Base):
    """项目清单: a need carried out as a project by a unit."""

    __tablename__ = "project"

    title: Mapped[str] = mapped_column(String(200), info={"label": "项目名称"})
    community_id: Mapped[str] = mapped_column(ForeignKey("org_unit.id"), index=True)
    need_id: Mapped[str | None] = mapped_column(ForeignKey("need.id"))
    unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(12), default="in_progress")  # codes.NEED_STATUS
    result: Mapped[str | None] = mapped_column(Text)


class Activity(Synced, Base):
    """服务活动."""

    __tablename__ = "activity"

    title: Mapped[str] = mapped_column(String(200), index=True, info={"label": "活动名称"})
    date: Mapped[dt.date] = mapped_column(Date, index=True)
    activity_type: Mapped[str | None] = mapped_column(String(16))  # codes.ACTIVITY_TYPE
    place: Mapped[str | None] = mapped_column(String(200))
    community_id: Mapped[str] = mapped_column(ForeignKey("org_unit.id"), index=True)
    grid_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"))
    organiser_unit_id: Mapped[str | None] = mapped_column(ForeignKey("unit.id"))  # None: the community
    need_id: Mapped[str | None] = mapped_column(ForeignKey("need.id"))
    project_id: Mapped[str | None] = mapped_column(ForeignKey("project.id"))
    description: Mapped[str | None] = mapped_column(Text)


class Participation(Synced, Base):
    """A member signed in to an activity, with hours, points and an evaluation."""

    __tablename__ = "participation"
    # An activity's live sign-ins straight from the index: the 500,000-row list counts them so.
    __table_args__ = (Index("ix_participation_activity_id_deleted_at", "activity_id", "deleted_at"),)

    activity_id: Mapped[str] = mapped_column(ForeignKey("activity.id"))
    member_id: Mapped[str] = mapped_column(ForeignKey("member_registration.id"), index=True)
    # Indexed for sorting the list by them.
    hours: Mapped[float] = mapped_column(Float, default=0, index=True, info={"label": "服务时长", "min": 0, "max": 24})
    points: Mapped[float] = mapped_column(Float, default=0, index=True, info={"min": 0, "max": 100_000})
    evaluation: Mapped[str | None] = mapped_column(String(12), index=True)  # codes.EVALUATION


class PointsRule(Synced, Base):
    """A points rule held as data: points per hour and a bonus, per activity type (None: all)."""

    __tablename__ = "points_rule"

    activity_type: Mapped[str | None] = mapped_column(String(16))
    points_per_hour: Mapped[float] = mapped_column(Float, default=1, info={"min": 0, "max": 1000})
    bonus_per_activity: Mapped[float] = mapped_column(Float, default=0, info={"min": 0, "max": 10_000})
    max_points_per_activity: Mapped[float | None] = mapped_column(Float, info={"min": 0, "max": 100_000})
    valid_from: Mapped[dt.date | None] = mapped_column(Date)

"""红色物业: property firms, service contracts, owners' committees, cross-appointments, ratings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from gridapp.core.models.base import YEAR, Base, Synced


class PropertyFirm(Synced, Base):
    """物业服务企业."""

    __tablename__ = "property_firm"

    name: Mapped[str] = mapped_column(String(100), index=True, info={"label": "企业名称"})
    credit_code: Mapped[str | None] = mapped_column(String(18), unique=True)  # GB 32100
    legal_rep: Mapped[str | None] = mapped_column(String(50))
    contact_name: Mapped[str | None] = mapped_column(String(50))
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(String(200))
    qualification: Mapped[str | None] = mapped_column(String(50))
    staff_count: Mapped[int | None] = mapped_column(Integer, info={"min": 0, "max": 100_000})
    party_member_count: Mapped[int | None] = mapped_column(Integer, info={"min": 0, "max": 100_000})
    party_org_status: Mapped[str | None] = mapped_column(String(12))  # codes.FIRM_PARTY_STATUS
    party_org_name: Mapped[str | None] = mapped_column(String(100))
    party_secretary: Mapped[str | None] = mapped_column(String(50))
    instructor_name: Mapped[str | None] = mapped_column(String(50))  # 党建指导员 sent to the firm
    instructor_phone: Mapped[str | None] = mapped_column(String(20))
    led_by_community: Mapped[bool] = mapped_column(Boolean, default=False)  # 社区党组织领办物业
    leading_community_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"))
    alliance_member: Mapped[bool] = mapped_column(Boolean, default=False)  # 红色物业联盟
    alliance_joined_on: Mapped[dt.date | None] = mapped_column(Date)


class ServiceContract(Synced, Base):
    """A firm serving a compound from a start date; ``end_date`` and ``end_reason`` when it stopped."""

    __tablename__ = "service_contract"

    firm_id: Mapped[str] = mapped_column(ForeignKey("property_firm.id"), index=True)
    compound_id: Mapped[str] = mapped_column(ForeignKey("compound.id"), index=True)
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[str | None] = mapped_column(String(12))  # codes.CONTRACT_END


class OwnersCommittee(Synced, Base):
    """业主委员会 of a compound."""

    __tablename__ = "owners_committee"

    compound_id: Mapped[str] = mapped_column(ForeignKey("compound.id"), index=True)
    established: Mapped[bool] = mapped_column(Boolean, default=False)
    term_start: Mapped[dt.date | None] = mapped_column(Date)
    term_end: Mapped[dt.date | None] = mapped_column(Date)
    director_name: Mapped[str | None] = mapped_column(String(50), info={"label": "业委会主任"})
    member_count: Mapped[int | None] = mapped_column(Integer, info={"label": "业委会成员数", "min": 0, "max": 100})
    party_member_count: Mapped[int | None] = mapped_column(Integer, info={"label": "业委会党员数", "min": 0, "max": 100})


class CrossAppointment(Synced, Base):
    """交叉任职: a person serving across the community Party organisation, a firm or a committee."""

    __tablename__ = "cross_appointment"

    person_id: Mapped[str] = mapped_column(ForeignKey("person.id"), index=True)
    direction: Mapped[str] = mapped_column(String(24))  # codes.APPOINTMENT_DIRECTION
    community_id: Mapped[str] = mapped_column(ForeignKey("org_unit.id"), index=True)
    firm_id: Mapped[str | None] = mapped_column(ForeignKey("property_firm.id"), index=True)
    committee_id: Mapped[str | None] = mapped_column(ForeignKey("owners_committee.id"))
    role: Mapped[str | None] = mapped_column(String(50))
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    end_date: Mapped[dt.date | None] = mapped_column(Date)


class FirmQuarterly(Synced, Base):
    """Complaints and resident satisfaction of a firm in one quarter."""

    __tablename__ = "firm_quarterly"

    firm_id: Mapped[str] = mapped_column(ForeignKey("property_firm.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, info=YEAR)
    quarter: Mapped[int] = mapped_column(Integer, info={"min": 1, "max": 4})
    complaints: Mapped[int] = mapped_column(Integer, default=0, info={"min": 0, "max": 1_000_000})
    complaints_resolved: Mapped[int] = mapped_column(Integer, default=0, info={"min": 0, "max": 1_000_000})
    satisfaction: Mapped[float | None] = mapped_column(Float, info={"min": 0, "max": 100})  # percent, 0-100


class RatingTemplate(Synced, Base):
    """A scoring template held as data; ``star_thresholds`` like "60,70,80,90" (total for 2..5 stars)."""

    __tablename__ = "rating_template"

    name: Mapped[str] = mapped_column(String(100), info={"label": "评星标准名称"})
    year: Mapped[int | None] = mapped_column(Integer, info=YEAR)
    star_thresholds: Mapped[str] = mapped_column(String(50), default="60,70,80,90")
    notes: Mapped[str | None] = mapped_column(Text)


class RatingIndicator(Synced, Base):
    __tablename__ = "rating_indicator"

    template_id: Mapped[str] = mapped_column(ForeignKey("rating_template.id"), index=True)
    name: Mapped[str] = mapped_column(String(100), info={"label": "指标名称"})
    weight: Mapped[float] = mapped_column(Float, default=1, info={"min": 0, "max": 100})
    max_score: Mapped[float] = mapped_column(Float, default=100, info={"min": 0, "max": 1000})
    sort_order: Mapped[int] = mapped_column(Integer, default=0, info={"min": 0, "max": 10_000})
    description: Mapped[str | None] = mapped_column(Text)


class FirmRating(Synced, Base):
    """评星定级: one firm's rating for one year."""

    __tablename__ = "firm_rating"

    firm_id: Mapped[str] = mapped_column(ForeignKey("property_firm.id"), index=True)
    year: Mapped[int] = mapped_column(Integer, index=True, info=YEAR)
    template_id: Mapped[str] = mapped_column(ForeignKey("rating_template.id"))
    total: Mapped[float | None] = mapped_column(Float, info={"min": 0, "max": 100_000})
    stars: Mapped[int | None] = mapped_column(Integer, info={"min": 1, "max": 5})
    rated_on: Mapped[dt.date | None] = mapped_column(Date)
    notes: Mapped[str | None] = mapped_column(Text)


class RatingScore(Synced, Base):
    __tablename__ = "rating_score"

    rating_id: Mapped[str] = mapped_column(ForeignKey("firm_rating.id"), index=True)
    indicator_id: Mapped[str] = mapped_column(ForeignKey("rating_indicator.id"))
    score: Mapped[float] = mapped_column(Float, info={"min": 0, "max": 1000})

"""Org units (区/街道/社区/网格/微网格) as one tree, compounds (小区) and buildings."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from gridapp.core.models.base import Base, Synced


class OrgUnit(Synced, Base):
    __tablename__ = "org_unit"

    code: Mapped[str] = mapped_column(String(18), unique=True)
    name: Mapped[str] = mapped_column(String(100), index=True, info={"label": "名称"})
    level: Mapped[str] = mapped_column(String(12), index=True)  # codes.ORG_LEVEL
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    grid_type: Mapped[str | None] = mapped_column(String(12))  # codes.GRID_TYPE, grids only
    # 专属网格 only: a codes.SPECIAL_KIND code or the id of a SpecialKind the street added; the unit it serves.
    special_kind: Mapped[str | None] = mapped_column(String(36), index=True, info={"label": "专属网格类别"})
    special_unit: Mapped[str | None] = mapped_column(String(100), info={"label": "所属单位"})
    households: Mapped[int | None] = mapped_column(Integer, info={"min": 0, "max": 100_000})
    population: Mapped[int | None] = mapped_column(Integer, info={"min": 0, "max": 1_000_000})
    boundary: Mapped[str | None] = mapped_column(Text, info={"max_length": 1000})  # 四至
    party_org_name: Mapped[str | None] = mapped_column(String(100))  # e.g. 第一网格党支部
    supervision_phone: Mapped[str | None] = mapped_column(String(40))  # 监督电话 on notice boards
    address: Mapped[str | None] = mapped_column(String(200))
    active_from: Mapped[dt.date | None] = mapped_column(Date)
    retired_on: Mapped[dt.date | None] = mapped_column(Date)
    retired_reason: Mapped[str | None] = mapped_column(String(200))
    # When a grid is split or merged, the successor it went into (history stays readable).
    successor_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"))

    parent: Mapped[OrgUnit | None] = relationship(remote_side="OrgUnit.id", foreign_keys=[parent_id])


class SpecialKind(Synced, Base):
    """A 专属网格类别 a site added to the standard ones (codes.SPECIAL_KIND); grids store its id as their kind.

    Synced like any record, scoped to the site that added it: it reaches the levels above with the grids
    that use it, and the communities below, which may choose it too.
    """

    __tablename__ = "special_kind"

    name: Mapped[str] = mapped_column(String(20), info={"label": "类别名称"})
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    retired_on: Mapped[dt.date | None] = mapped_column(Date, info={"label": "停用日期"})


class Compound(Synced, Base):
    """小区: a residential compound located in a grid."""

    __tablename__ = "compound"

    name: Mapped[str] = mapped_column(String(100), index=True, info={"label": "小区名称"})
    address: Mapped[str | None] = mapped_column(String(200))
    grid_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"), index=True)
    kind: Mapped[str | None] = mapped_column(String(16))  # codes.COMPOUND_KIND
    households: Mapped[int | None] = mapped_column(Integer, info={"min": 0, "max": 100_000})
    building_count: Mapped[int | None] = mapped_column(Integer, info={"min": 0, "max": 1000})
    built_year: Mapped[int | None] = mapped_column(Integer, info={"min": 1900, "max": 2100})
    party_org_covered: Mapped[bool] = mapped_column(Boolean, default=False)
    party_org_name: Mapped[str | None] = mapped_column(String(100))


class Building(Synced, Base):
    """楼栋: optionally its own micro-grid."""

    __tablename__ = "building"

    compound_id: Mapped[str] = mapped_column(ForeignKey("compound.id"), index=True)
    name: Mapped[str] = mapped_column(String(50), info={"label": "楼栋名称"})  # 3号楼
    units: Mapped[int | None] = mapped_column(Integer, info={"min": 0, "max": 100})
    households: Mapped[int | None] = mapped_column(Integer, info={"min": 0, "max": 10_000})
    microgrid_id: Mapped[str | None] = mapped_column(ForeignKey("org_unit.id"), index=True)

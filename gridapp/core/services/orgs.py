"""Org units: the 区/街道/社区/网格/微网格 tree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridapp.core.codes import GRID_TYPE, ORG_LEVEL
from gridapp.core.errors import ConflictError, NotFoundError, ValidationError
from gridapp.core.models import OrgUnit
from gridapp.core.org_labels import UNITS_SQL
from gridapp.core.pinyin import SearchKey, search_key
from gridapp.core.services import special_kinds
from gridapp.core.store import Store
from gridapp.core.validation import level_of_code, parent_code, parse_org_code


@dataclass(frozen=True)
class OrgUnitInfo:
    id: str
    code: str
    name: str
    level: str
    parent_id: str | None
    grid_type: str | None
    households: int | None
    population: int | None
    boundary: str | None
    party_org_name: str | None
    active_from: dt.date | None
    retired_on: dt.date | None
    supervision_phone: str | None = None
    special_kind: str | None = None  # 专属网格类别 (services.special_kinds)
    special_unit: str | None = None

    @property
    def level_name(self) -> str:
        return ORG_LEVEL.name(self.level)

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None


def info(u: OrgUnit) -> OrgUnitInfo:
    return OrgUnitInfo(u.id, u.code, u.name, u.level, u.parent_id, u.grid_type, u.households, u.population,
                       u.boundary, u.party_org_name, u.active_from, u.retired_on, u.supervision_phone,
                       u.special_kind, u.special_unit)


def find_by_code(s: Session, code: str) -> OrgUnit | None:
    return s.execute(select(OrgUnit).where(OrgUnit.code == code, OrgUnit.deleted_at.is_(None))).scalar_one_or_none()


def add_unit(s: Session, *, code: str, name: str, site_code: str | None, grid_type: str | None = None,
             households: int | None = None, population: int | None = None, boundary: str | None = None,
             party_org_name: str | None = None, supervision_phone: str | None = None,
             active_from: dt.date | None = None, special_kind: str | None = None,
             special_unit: str | None = None, kept_kind: bool = False) -> OrgUnit:
    """Create an org unit inside an open transaction; its parent is found from its code (``kept_kind``: the
    kind comes from the grid it was split from or merged of, so one retired since stays)."""
    code = parse_org_code(code)
    level = level_of_code(code)
    name = (name or "").strip()
    if not name:
        raise ValidationError(f"{ORG_LEVEL.name(level)}名称不能为空", field="name")
    if site_code and not code.startswith(site_code):
        raise ValidationError(f"编码 {code} 不在本站点（{site_code}）的管辖范围内", field="code")
    if find_by_code(s, code) is not None:
        raise ConflictError(f"编码为 {code} 的{ORG_LEVEL.name(level)}已存在")
    if grid_type is not None and grid_type not in GRID_TYPE.codes():
        raise ValidationError(f"网格类型“{grid_type}”无效", field="grid_type")
    pcode = parent_code(code)
    parent = find_by_code(s, pcode) if pcode else None
    if pcode and parent is None and code != site_code:
        raise NotFoundError(f"上级单位（编码 {pcode}）不存在，请先建立上级{ORG_LEVEL.name(level_of_code(pcode))}")
    if parent is not None and parent.retired_on is not None:
        raise ValidationError(f"上级单位“{parent.name}”已撤销，不能在其下新建单位")
    unit = OrgUnit(
        code=code, name=name, level=level, parent_id=parent.id if parent else None, scope_code=code,
        grid_type=grid_type or ("urban" if level in ("grid", "microgrid") else None), households=households,
        population=population, boundary=boundary, party_org_name=party_org_name,
        supervision_phone=supervision_phone, active_from=active_from or dt.date.today(),
        special_kind=special_kind or None, special_unit=special_unit or None,
    )
    special_kinds.check_grid(s, unit, was=special_kind if kept_kind else None)
    s.add(unit)
    s.flush()
    return unit


def create_unit(store: Store, **fields) -> OrgUnitInfo:
    """Create one org unit (one transaction)."""
    with store.session() as s:
        return info(add_unit(s, site_code=store.site.code if store.site else None, **fields))


def children(store: Store, parent_id: str | None, *, include_retired: bool = False) -> list[OrgUnitInfo]:
    with store.read() as s:
        q = select(OrgUnit).where(OrgUnit.deleted_at.is_(None))
        q = q.where(OrgUnit.parent_id == parent_id) if parent_id else q.where(OrgUnit.parent_id.is_(None))
        if not include_retired:
            q = q.where(OrgUnit.retired_on.is_(None))
        return [info(u) for u in s.execute(q.order_by(OrgUnit.code)).scalars()]


def get(store: Store, code: str) -> OrgUnitInfo:
    with store.read() as s:
        unit = find_by_code(s, code)
        if unit is None:
            raise NotFoundError(f"找不到编码为 {code} 的组织单位")
        return info(unit)


def labels(store: Store) -> dict[str, str]:
    """id → label of every org unit: its name, with its street (or community) where the name alone is
    shared (see org_labels). Read with one query, and again only after something was committed."""

    def rows() -> list:
        with store.engine.connect() as conn:
            return conn.exec_driver_sql(UNITS_SQL).all()

    return store.org_labels.labels(rows)


def label(store: Store, unit_id: str | None) -> str:
    """The label of one unit ("" for none)."""
    return labels(store).get(unit_id, "") if unit_id else ""


@dataclass(frozen=True)
class Pick:
    """One entry of an org-unit picker: what it stands for, what it shows, what typing finds it by."""

    value: str
    label: str
    key: SearchKey


def picks(store: Store, *levels: str, by: str = "id") -> list[Pick]:
    """The current units of ``levels`` in code order (a micro-grid after its grid), labelled so they are
    told apart and found by name, pinyin initials or code; ``value`` is the id, or the code (``by="code"``)."""
    with store.read() as s:
        rows = s.execute(
            select(OrgUnit.id, OrgUnit.code, OrgUnit.level)
            .where(OrgUnit.level.in_(levels), OrgUnit.deleted_at.is_(None), OrgUnit.retired_on.is_(None))
            .order_by(OrgUnit.code)
        ).all()
    names = labels(store)
    return [Pick(getattr(r, by), names[r.id], search_key(names[r.id], r.code)) for r in rows]


def choices(store: Store, level: str, *, by: str = "id") -> list[tuple[str, str]]:
    """(id or code, label) of the current units of a level, in code order (see ``labels``)."""
    return [(p.value, p.label) for p in picks(store, level, by=by)]


def tree(store: Store, *, include_retired: bool = False) -> list[OrgUnitInfo]:
    """Every org unit, ordered by code (parents before children)."""
    with store.read() as s:
        q = select(OrgUnit).where(OrgUnit.deleted_at.is_(None))
        if not include_retired:
            q = q.where(OrgUnit.retired_on.is_(None))
        return [info(u) for u in s.execute(q.order_by(OrgUnit.code)).scalars()]


def code_of(store: Store, unit_id: str) -> str:
    with store.read() as s:
        unit = s.get(OrgUnit, unit_id)
        if unit is None:
            raise NotFoundError("找不到该组织单位")
        return unit.code

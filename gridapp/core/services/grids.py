"""网格管理: edit, move, retire, split and merge org units; the grid page's facts and warnings.

Re-division never deletes: a retired grid keeps its history and points to its successor; workers'
assignments and compounds move to the new grids in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridapp.core import codes
from gridapp.core.errors import ConflictError, NotFoundError, ValidationError
from gridapp.core.models import Compound, GridAssignment, GridWorker, OrgUnit, Person
from gridapp.core.services import special_kinds
from gridapp.core.services.orgs import OrgUnitInfo, add_unit, info
from gridapp.core.store import Store

EDITABLE = ("name", "grid_type", "special_kind", "special_unit", "households", "population", "boundary",
            "party_org_name", "supervision_phone", "address", "active_from")
_CHILD_LEVEL = {"district": "street", "street": "community", "community": "grid", "grid": "microgrid"}


def _unit(s: Session, unit_id: str) -> OrgUnit:
    unit = s.get(OrgUnit, unit_id)
    if unit is None or unit.deleted_at is not None:
        raise NotFoundError("找不到该组织单位")
    return unit


def next_child_code(s: Session, parent: OrgUnit) -> str:
    """The next free 3-digit sequence under ``parent`` (retired codes are never reused)."""
    codes_used = s.execute(
        select(OrgUnit.code).where(OrgUnit.code.like(parent.code + "___"),
                                   func.length(OrgUnit.code) == len(parent.code) + 3)
    ).scalars().all()
    used = {int(c[-3:]) for c in codes_used}
    n = next(i for i in range(1, 1000) if i not in used) if len(used) < 999 else None
    if n is None:
        raise ConflictError(f"“{parent.name}”下的编码已用完（999个）")
    return f"{parent.code}{n:03d}"


def _check_fields(fields: dict[str, Any]) -> dict[str, Any]:
    unknown = set(fields) - set(EDITABLE)
    if unknown:
        raise ValidationError(f"不能修改这些字段：{'、'.join(sorted(unknown))}")
    if "name" in fields and not (fields["name"] or "").strip():
        raise ValidationError("名称不能为空", field="name")
    for key in ("households", "population"):
        if fields.get(key) is not None and int(fields[key]) < 0:
            raise ValidationError("户数和人口不能为负数", field=key)
    if fields.get("grid_type") is not None and fields["grid_type"] not in codes.GRID_TYPE.codes():
        raise ValidationError("网格类型无效", field="grid_type")
    return fields


def _check_sibling_name(s: Session, parent_id: str | None, name: str, except_id: str | None = None) -> None:
    clash = s.execute(
        select(OrgUnit.code).where(OrgUnit.parent_id == parent_id, OrgUnit.name == name,
                                   OrgUnit.retired_on.is_(None), OrgUnit.deleted_at.is_(None),
                                   OrgUnit.id != (except_id or ""))
    ).scalar()
    if clash:
        raise ConflictError(f"同一上级下已有名为“{name}”的单位（编码 {clash}）", field="name")


def add_child(store: Store, parent_id: str, name: str, **fields: Any) -> OrgUnitInfo:
    """A new unit under ``parent_id`` with the next free code."""
    _check_fields({"name": name, **fields})
    with store.session() as s:
        parent = _unit(s, parent_id)
        if parent.level not in _CHILD_LEVEL:
            raise ValidationError(f"{codes.ORG_LEVEL.name(parent.level)}下不能再建下级单位")
        _check_sibling_name(s, parent.id, name.strip())
        unit = add_unit(s, code=next_child_code(s, parent), name=name, site_code=store.site.code if store.site else None,
                        **fields)
        return info(unit)


def update(store: Store, unit_id: str, **fields: Any) -> OrgUnitInfo:
    _check_fields(fields)
    with store.session() as s:
        unit = _unit(s, unit_id)
        if "name" in fields:
            fields["name"] = fields["name"].strip()
            _check_sibling_name(s, unit.parent_id, fields["name"], unit.id)
        was = unit.special_kind
        for key, value in fields.items():
            setattr(unit, key, value)
        if fields.get("grid_type") not in (None, "special"):  # a grid that stops being 专属 has no kind any more
            for key in ("special_kind", "special_unit"):
                if key not in fields:
                    setattr(unit, key, None)
        special_kinds.check_grid(s, unit, was=was)
        s.flush()
        return info(unit)


def _current_assignments(s: Session, grid_id: str) -> list[GridAssignment]:
    return list(s.execute(select(GridAssignment).where(
        GridAssignment.org_unit_id == grid_id, GridAssignment.end_date.is_(None), GridAssignment.deleted_at.is_(None)
    )).scalars())


def _live_children(s: Session, unit_id: str) -> list[OrgUnit]:
    return list(s.execute(select(OrgUnit).where(
        OrgUnit.parent_id == unit_id, OrgUnit.retired_on.is_(None), OrgUnit.deleted_at.is_(None))).scalars())


def retire(store: Store, unit_id: str, on: dt.date, reason: str) -> OrgUnitInfo:
    """撤销: the unit stays with its history but leaves current lists. It must be empty first."""
    if not reason.strip():
        raise ValidationError("请填写撤销原因", field="retired_reason")
    with store.session() as s:
        unit = _unit(s, unit_id)
        if unit.retired_on is not None:
            raise ValidationError(f"“{unit.name}”已于 {unit.retired_on} 撤销")
        if store.site and unit.code == store.site.code:
            raise ValidationError("不能撤销本站点自身")
        if _live_children(s, unit.id):
            raise ValidationError(f"“{unit.name}”下还有未撤销的下级单位，请先撤销或合并它们")
        if _current_assignments(s, unit.id):
            raise ValidationError(f"“{unit.name}”还有在岗网格员，请先调动他们（或使用拆分、合并）")
        if s.execute(select(Compound.id).where(Compound.grid_id == unit.id, Compound.deleted_at.is_(None))).first():
            raise ValidationError(f"“{unit.name}”内还有小区，请先将小区划入其他网格")
        unit.retired_on, unit.retired_reason = on, reason.strip()
        s.flush()
        return info(unit)


def move(store: Store, unit_id: str, new_parent_id: str) -> OrgUnitInfo:
    """Move a unit under another parent of the right level; it (and its subtree) get new codes."""
    with store.session() as s:
        unit, parent = _unit(s, unit_id), _unit(s, new_parent_id)
        if _CHILD_LEVEL.get(parent.level) != unit.level:
            raise ValidationError(f"{codes.ORG_LEVEL.name(unit.level)}只能放在{codes.ORG_LEVEL.name(_parent_level(unit.level))}下")
        if parent.retired_on is not None:
            raise ValidationError(f"“{parent.name}”已撤销")
        if unit.parent_id == parent.id:
            return info(unit)
        _check_sibling_name(s, parent.id, unit.name)
        old = unit.code
        new = next_child_code(s, parent)
        for sub in s.execute(select(OrgUnit).where(OrgUnit.code.like(old + "%"))).scalars():
            sub.code = new + sub.code[len(old):]
            sub.scope_code = sub.code
        unit.parent_id = parent.id
        s.flush()
        return info(unit)


def _parent_level(level: str) -> str:
    return next(k for k, v in _CHILD_LEVEL.items() if v == level)


@dataclass(frozen=True)
class NewGrid:
    name: str
    households: int | None = None
    population: int | None = None
    boundary: str | None = None


def split(store: Store, grid_id: str, parts: tuple[NewGrid, NewGrid], *, workers: dict[str, int],
          compounds: dict[str, int], on: dt.date) -> tuple[OrgUnitInfo, OrgUnitInfo]:
    """Split a grid in two: new grids, its workers (assignment id → 0/1) and compounds (id → 0/1) moved."""
    with store.session() as s:
        old = _unit(s, grid_id)
        if old.level != "grid" or old.retired_on is not None:
            raise ValidationError("只能拆分未撤销的网格")
        if parts[0].name.strip() == parts[1].name.strip():
            raise ValidationError("拆分后的两个网格名称不能相同", field="name")
        parent = _unit(s, old.parent_id)
        if _live_children(s, old.id):
            raise ValidationError(f"“{old.name}”下有微网格，请先撤销或调整微网格")
        old.retired_on, old.retired_reason = on, "拆分"
        s.flush()
        new = []
        for part in parts:
            _check_sibling_name(s, parent.id, part.name.strip())
            new.append(add_unit(s, code=next_child_code(s, parent), name=part.name, site_code=None,
                                grid_type=old.grid_type, special_kind=old.special_kind,
                                special_unit=old.special_unit, kept_kind=True, households=part.households, population=part.population,
                                boundary=part.boundary, party_org_name=old.party_org_name, active_from=on))
        old.successor_id = new[0].id
        _redistribute(s, old, new, workers, compounds, on, "网格拆分")
        return info(new[0]), info(new[1])


def merge(store: Store, grid_ids: tuple[str, str], name: str, on: dt.date, *, leader_from: int = 0) -> OrgUnitInfo:
    """Merge two grids of one community into a new one; the leader of ``grid_ids[leader_from]`` stays leader,
    the other leader becomes a full-time worker of the merged grid."""
    with store.session() as s:
        a, b = _unit(s, grid_ids[0]), _unit(s, grid_ids[1])
        if a.id == b.id or a.level != "grid" or b.level != "grid":
            raise ValidationError("请选择两个不同的网格")
        if a.parent_id != b.parent_id:
            raise ValidationError("只能合并同一社区内的网格")
        if a.retired_on or b.retired_on:
            raise ValidationError("已撤销的网格不能合并")
        if _live_children(s, a.id) or _live_children(s, b.id):
            raise ValidationError("网格下有微网格，请先撤销或调整微网格")
        parent = _unit(s, a.parent_id)
        for g in (a, b):
            g.retired_on, g.retired_reason = on, "合并"
        s.flush()
        _check_sibling_name(s, parent.id, name.strip())
        total = [x for x in (a.households, b.households) if x is not None]
        pop = [x for x in (a.population, b.population) if x is not None]
        merged = add_unit(s, code=next_child_code(s, parent), name=name, site_code=None, grid_type=a.grid_type,
                          special_kind=a.special_kind, special_unit=a.special_unit, kept_kind=True,
                          households=sum(total) if total else None, population=sum(pop) if pop else None,
                          boundary=None, party_org_name=a.party_org_name, active_from=on)
        keep_leader = (a, b)[leader_from].id
        for g in (a, b):
            g.successor_id = merged.id
            moves = {x.id: 0 for x in _current_assignments(s, g.id)}
            _redistribute(s, g, [merged], moves, {c: 0 for c in _compound_ids(s, g.id)}, on, "网格合并",
                          demote_leader=g.id != keep_leader)
        return info(merged)


def _compound_ids(s: Session, grid_id: str) -> list[str]:
    return list(s.execute(select(Compound.id).where(Compound.grid_id == grid_id,
                                                    Compound.deleted_at.is_(None))).scalars())


def _redistribute(s: Session, old: OrgUnit, new: list[OrgUnit], workers: dict[str, int], compounds: dict[str, int],
                  on: dt.date, reason: str, *, demote_leader: bool = False) -> None:
    current = _current_assignments(s, old.id)
    missing = [a for a in current if a.id not in workers]
    if missing:
        raise ValidationError(f"请为“{old.name}”的全部 {len(current)} 名在岗网格员选择去向")
    leaders: dict[str, str] = {}
    for a in current:
        target = new[workers[a.id]]
        role = a.role
        if role == "leader" and (demote_leader or leaders.get(target.id)):
            role = "fulltime"
        if role == "leader":
            leaders[target.id] = a.worker_id
        a.end_date, a.end_reason = on, f"{reason}，转入{target.name}"
        s.add(GridAssignment(worker_id=a.worker_id, org_unit_id=target.id, role=role, start_date=on,
                             scope_code=target.code))
    for compound_id in _compound_ids(s, old.id):
        if compound_id not in compounds:
            raise ValidationError(f"请为“{old.name}”内的每个小区选择划入的网格")
        s.get(Compound, compound_id).grid_id = new[compounds[compound_id]].id


# -- the grid page -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GridMember:
    worker_id: str
    name: str
    role: str
    worker_type: str
    phone: str | None
    has_photo: bool

    @property
    def role_name(self) -> str:
        return codes.WORKER_ROLE.name(self.role)


@dataclass(frozen=True)
class GridDetails:
    unit: OrgUnitInfo
    community: str
    street: str
    compounds: tuple[tuple[str, int | None], ...]  # (name, households)
    members: tuple[GridMember, ...]
    warnings: tuple[str, ...]
    successor: str | None

    @property
    def leader(self) -> GridMember | None:
        return next((m for m in self.members if m.role == "leader"), None)


ROLE_ORDER = {"leader": 0, "fulltime": 1, "instructor": 2, "parttime": 3, "building": 4}


def members_of(s: Session, grid_id: str) -> list[GridMember]:
    rows = s.execute(
        select(GridWorker.id, Person.name, GridAssignment.role, GridWorker.worker_type, Person.phone,
               Person.photo.is_not(None))
        .join(GridWorker, GridWorker.id == GridAssignment.worker_id)
        .join(Person, Person.id == GridWorker.person_id)
        .where(GridAssignment.org_unit_id == grid_id, GridAssignment.end_date.is_(None),
               GridAssignment.deleted_at.is_(None), GridWorker.status == "active", GridWorker.deleted_at.is_(None))
    ).all()
    members = [GridMember(*r[:5], bool(r[5])) for r in rows]
    return sorted(members, key=lambda m: (ROLE_ORDER.get(m.role, 9), m.name))


def staffing_warnings(households: int | None, fulltime: int, has_leader: bool, limit: int) -> list[str]:
    """Why a live grid is short of staff: no full-time worker, no leader, too many households each."""
    out = []
    if not fulltime:
        out.append("没有在岗的专职网格员")
    if not has_leader:
        out.append("没有网格长")
    if fulltime and households and households > limit * fulltime:
        out.append(f"每名专职网格员服务 {households // fulltime} 户，超过 {limit} 户的配备标准")
    return out


def warnings_for(unit: OrgUnit, members: list[GridMember], limit: int) -> list[str]:
    if unit.level != "grid" or unit.retired_on is not None:
        return []
    fulltime = sum(m.worker_type == "fulltime" for m in members)
    return staffing_warnings(unit.households, fulltime, any(m.role == "leader" for m in members), limit)


HOUSEHOLDS_LIMIT_KEY = "grid.households_per_fulltime_limit"  # also read in SQL by list_specs' ORG_UNITS


def households_limit(store: Store) -> int:
    """Households one full-time grid worker may serve (系统设置 → 网格配置)."""
    return int(store.get_setting(HOUSEHOLDS_LIMIT_KEY, 500))


def details(store: Store, unit_id: str) -> GridDetails:
    limit = households_limit(store)
    with store.read() as s:
        unit = _unit(s, unit_id)
        chain = {}
        p = unit
        while p.parent_id:
            p = s.get(OrgUnit, p.parent_id)
            chain[p.level] = p.name
        compounds = tuple(s.execute(
            select(Compound.name, Compound.households).where(Compound.grid_id == unit.id, Compound.deleted_at.is_(None))
            .order_by(Compound.name)).all())
        members = members_of(s, unit.id)
        successor = s.get(OrgUnit, unit.successor_id).name if unit.successor_id else None
        return GridDetails(info(unit), chain.get("community", ""), chain.get("street", ""),
                           tuple((n, h) for n, h in compounds), tuple(members),
                           tuple(warnings_for(unit, members, limit)), successor)



@dataclass(frozen=True)
class GridContents:
    """What has to go somewhere when a grid is split: its assignments and compounds."""

    assignments: tuple[tuple[str, str, str], ...]  # (assignment id, worker name, role name)
    compounds: tuple[tuple[str, str], ...]  # (compound id, name)


def contents(store: Store, grid_id: str) -> GridContents:
    with store.read() as s:
        rows = s.execute(
            select(GridAssignment.id, Person.name, GridAssignment.role)
            .join(GridWorker, GridWorker.id == GridAssignment.worker_id)
            .join(Person, Person.id == GridWorker.person_id)
            .where(GridAssignment.org_unit_id == grid_id, GridAssignment.end_date.is_(None),
                   GridAssignment.deleted_at.is_(None))
            .order_by(Person.name_initials)
        ).all()
        compounds = s.execute(select(Compound.id, Compound.name).where(
            Compound.grid_id == grid_id, Compound.deleted_at.is_(None)).order_by(Compound.name)).all()
    return GridContents(tuple((a, n, codes.WORKER_ROLE.name(r)) for a, n, r in rows),
                        tuple((c, n) for c, n in compounds))

"""红色物业 compounds (小区): where they are, who serves them under which contract, their owners' committee.

A compound is served by at most one firm at a time; the contracts of a compound never overlap, so its
history reads as one line of firms. Changing the firm ends the current contract the day the new one
starts, with how it ended.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from gridapp.core import codes
from gridapp.core.errors import ConflictError, NotFoundError, ValidationError
from gridapp.core.models import Compound, OrgUnit, OwnersCommittee, PropertyFirm, ServiceContract
from gridapp.core.models.base import live, set_fields
from gridapp.core.services import orgs
from gridapp.core.store import Store

COMPOUND_FIELDS = ("name", "address", "grid_id", "kind", "households", "building_count", "built_year",
                   "party_org_covered", "party_org_name")
COMMITTEE_FIELDS = ("established", "term_start", "term_end", "director_name", "member_count", "party_member_count")


def _non_negative(out: dict[str, Any], key: str, title: str) -> None:
    if out.get(key) is not None and out[key] < 0:
        raise ValidationError(f"{title}不能为负数", field=key)


def clean_compound(data: dict[str, Any], *, today: dt.date | None = None) -> dict[str, Any]:
    out = {k: data[k] for k in COMPOUND_FIELDS if k in data}
    out["name"] = (out.get("name") or "").strip()
    if not out["name"]:
        raise ValidationError("小区名称不能为空", field="name")
    if "grid_id" in data and not out.get("grid_id"):
        raise ValidationError("请选择小区所在的网格", field="grid_id")
    if out.get("kind") and out["kind"] not in codes.COMPOUND_KIND.codes():
        raise ValidationError(f"小区类型“{out['kind']}”无效", field="kind")
    for key, title in (("households", "户数"), ("building_count", "楼栋数")):
        _non_negative(out, key, title)
    year = (today or dt.date.today()).year
    if out.get("built_year") is not None and not 1900 <= out["built_year"] <= year:
        raise ValidationError(f"建成年份 {out['built_year']} 不在 1900–{year} 之间", field="built_year")
    if "party_org_covered" in out:
        out["party_org_covered"] = bool(out["party_org_covered"])
        if not out["party_org_covered"]:
            out["party_org_name"] = None
    return out


def _grid(s: Session, grid_id: str | None) -> OrgUnit | None:
    if not grid_id:
        return None
    grid = s.get(OrgUnit, grid_id)
    if grid is None or grid.deleted_at is not None or grid.level not in ("grid", "microgrid"):
        raise NotFoundError("找不到小区所在的网格", field="grid_id")
    return grid


def find_compound(s: Session, name: str, *, community_id: str | None = None,
                  scope_code: str | None = None) -> Compound | None:
    """The compound of this name (in this community when given); two of the same name is a conflict."""
    q = select(Compound).where(Compound.name == name.strip(), Compound.deleted_at.is_(None))
    if community_id:
        grids = select(OrgUnit.id).where(or_(OrgUnit.parent_id == community_id, OrgUnit.id == community_id))
        q = q.where(Compound.grid_id.in_(grids))
    elif scope_code:
        q = q.where(Compound.scope_code.like(scope_code + "%"))
    found = s.execute(q).scalars().all()
    if len(found) > 1:
        raise ConflictError(f"有 {len(found)} 个名为“{name}”的小区，请注明所在社区", field="compound")
    return found[0] if found else None


def upsert_compound(s: Session, data: dict[str, Any], *, community_id: str | None,
                    site_code: str | None) -> tuple[Compound, bool, bool]:
    """The compound with this name in this community, created or brought up to date (imports)."""
    clean = clean_compound(data)
    grid = _grid(s, clean.get("grid_id"))
    compound = find_compound(s, clean["name"], community_id=community_id, scope_code=site_code)
    if compound is None:
        compound = Compound(**clean, scope_code=grid.code if grid else site_code)
        s.add(compound)
        s.flush()
        return compound, True, False
    changed = set_fields(compound, clean)
    if grid is not None and compound.scope_code != grid.code:
        compound.scope_code = grid.code
    return compound, False, changed


def save_compound(store: Store, data: dict[str, Any], compound_id: str | None = None, *,
                  committee: dict[str, Any] | None = None) -> str:
    """Create a compound, or update one from a form (a cleared field is cleared), with its owners'
    committee when given; one transaction. Returns its id."""
    site_code = store.site.code if store.site else None
    with store.session() as s:
        clean = clean_compound(data)
        grid = _grid(s, clean.get("grid_id"))
        same = find_compound(s, clean["name"], community_id=grid.parent_id if grid else None, scope_code=site_code)
        if same is not None and same.id != compound_id:
            raise ConflictError(f"小区“{clean['name']}”已登记", field="name")
        if compound_id is None:
            compound = Compound(**clean, scope_code=grid.code if grid else site_code)
            s.add(compound)
            s.flush()
        else:
            compound = live(s, Compound, compound_id, "小区")
            set_fields(compound, clean, skip_blank=False)
            if grid is not None:
                compound.scope_code = grid.code
        if committee is not None:
            set_committee(s, compound, committee, skip_blank=False)
        return compound.id


def delete_compound(store: Store, compound_id: str) -> None:
    with store.session() as s:
        compound = live(s, Compound, compound_id, "小区")
        if current_contract(s, compound.id) is not None:
            raise ConflictError(f"小区“{compound.name}”仍有物业服务合同，请先终止服务再删除")
        compound.deleted_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)


# -- service contracts ---------------------------------------------------------------------------------

def current_contract(s: Session, compound_id: str) -> ServiceContract | None:
    return s.execute(select(ServiceContract).where(
        ServiceContract.compound_id == compound_id, ServiceContract.end_date.is_(None),
        ServiceContract.deleted_at.is_(None))).scalar_one_or_none()


def _overlapping(s: Session, compound_id: str, start: dt.date | None, end: dt.date | None,
                 exclude: str | None) -> ServiceContract | None:
    """A contract of the compound whose period meets [start, end); an open end reaches forever.

    A contract whose start is not known clashes only with another one still running: there can be
    one current firm, but an undated contract cannot say which history it contradicts.
    """
    for c in s.execute(select(ServiceContract).where(ServiceContract.compound_id == compound_id,
                                                     ServiceContract.deleted_at.is_(None))).scalars():
        if c.id == exclude:
            continue
        if start is None or c.start_date is None:
            if end is None and c.end_date is None:
                return c
            continue
        if start < (c.end_date or dt.date.max) and c.start_date < (end or dt.date.max):
            return c
    return None


def _check_period(start: dt.date | None, end: dt.date | None, reason: str | None) -> None:
    if start and end and end < start:
        raise ValidationError(f"合同结束日期 {end} 早于开始日期 {start}", field="end_date")
    if reason and reason not in codes.CONTRACT_END.codes():
        raise ValidationError(f"合同终止方式“{reason}”无效", field="end_reason")
    if end and not reason:
        raise ValidationError("合同已结束，请填写终止方式（到期终止、业主解聘、企业退出或其他）", field="end_reason")


def add_contract(s: Session, compound: Compound, firm: PropertyFirm, start: dt.date | None,
                 end: dt.date | None = None, end_reason: str | None = None) -> tuple[ServiceContract, bool, bool]:
    """A contract of ``firm`` for ``compound`` from ``start`` (imports and history); (contract, created, changed).

    The same firm and start date is the same contract; a period that overlaps another firm's is refused.
    """
    _check_period(start, end, end_reason)
    mine = s.execute(select(ServiceContract).where(
        ServiceContract.compound_id == compound.id, ServiceContract.firm_id == firm.id,
        ServiceContract.deleted_at.is_(None))).scalars().all()
    same = next((c for c in mine if c.start_date == start), None)
    if same is None and start is not None:
        # A contract recorded without its start (say, from a firms sheet) that this one dates.
        same = next((c for c in mine if c.start_date is None and (c.end_date is None) == (end is None)), None)
    clash = _overlapping(s, compound.id, start, end, same.id if same else None)
    if clash is not None:
        other = s.get(PropertyFirm, clash.firm_id)
        since = f"自 {clash.start_date} 起" if clash.start_date else ""
        raise ConflictError(f"小区“{compound.name}”{since}由“{other.name}”服务，与该合同期间重叠；"
                            "如已更换物业，请先终止原合同", field="start_date")
    if same is not None:
        return same, False, set_fields(same, {"start_date": start, "end_date": end, "end_reason": end_reason},
                                       skip_blank=True)
    contract = ServiceContract(firm_id=firm.id, compound_id=compound.id, start_date=start, end_date=end,
                               end_reason=end_reason, scope_code=compound.scope_code)
    s.add(contract)
    return contract, True, False


def change_firm(store: Store, compound_id: str, firm_id: str, start: dt.date, end_reason: str = "expired") -> str:
    """选聘: ``firm`` serves the compound from ``start``; the current contract ends that day with ``end_reason``."""
    with store.session() as s:
        compound = live(s, Compound, compound_id, "小区")
        firm = live(s, PropertyFirm, firm_id, "物业企业", field="firm_id")
        current = current_contract(s, compound.id)
        if current is not None:
            if current.firm_id == firm.id:
                raise ConflictError(f"“{firm.name}”已在服务小区“{compound.name}”")
            if current.start_date and start <= current.start_date:
                raise ValidationError(f"新合同开始日期须晚于现合同开始日期 {current.start_date}", field="start_date")
            _check_period(current.start_date, start, end_reason)
            current.end_date, current.end_reason = start, end_reason
            s.flush()
        contract, _c, _ch = add_contract(s, compound, firm, start)
        s.flush()
        return contract.id


def end_service(store: Store, compound_id: str, end: dt.date, reason: str) -> None:
    """The compound's firm stops serving it (the compound is left without a firm until one is chosen)."""
    with store.session() as s:
        compound = live(s, Compound, compound_id, "小区")
        current = current_contract(s, compound.id)
        if current is None:
            raise ValidationError(f"小区“{compound.name}”目前没有物业服务合同")
        _check_period(current.start_date, end, reason)
        current.end_date, current.end_reason = end, reason


@dataclass(frozen=True)
class ContractInfo:
    id: str
    firm_id: str
    firm_name: str
    start_date: dt.date | None
    end_date: dt.date | None
    end_reason: str | None

    @property
    def end_reason_name(self) -> str:
        return codes.CONTRACT_END.name(self.end_reason) if self.end_reason else ""


def _contracts(s: Session, compound_id: str) -> tuple[ContractInfo, ...]:
    rows = s.execute(select(ServiceContract, PropertyFirm.name).join(
        PropertyFirm, PropertyFirm.id == ServiceContract.firm_id).where(
        ServiceContract.compound_id == compound_id, ServiceContract.deleted_at.is_(None))).all()
    out = [ContractInfo(c.id, c.firm_id, name, c.start_date, c.end_date, c.end_reason) for c, name in rows]
    out.sort(key=lambda c: (c.end_date is None, c.start_date or dt.date.min))
    return tuple(out)


# -- owners' committee ---------------------------------------------------------------------------------------

def clean_committee(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: data[k] for k in COMMITTEE_FIELDS if k in data}
    out["established"] = bool(out.get("established"))
    if not out["established"]:
        return dict.fromkeys(COMMITTEE_FIELDS) | {"established": False}
    for key, title in (("member_count", "业委会成员数"), ("party_member_count", "业委会党员数")):
        _non_negative(out, key, title)
    if (out.get("member_count") is not None and out.get("party_member_count") is not None
            and out["party_member_count"] > out["member_count"]):
        raise ValidationError(f"业委会党员数 {out['party_member_count']} 多于成员数 {out['member_count']}",
                              field="party_member_count")
    if out.get("term_start") and out.get("term_end") and out["term_end"] <= out["term_start"]:
        raise ValidationError("业委会任期结束日期须晚于开始日期", field="term_end")
    return out


def set_committee(s: Session, compound: Compound, data: dict[str, Any], *, skip_blank: bool) -> bool:
    clean = clean_committee(data)
    committee = s.execute(select(OwnersCommittee).where(
        OwnersCommittee.compound_id == compound.id, OwnersCommittee.deleted_at.is_(None))).scalar_one_or_none()
    if committee is None:
        if not clean["established"]:
            return False
        s.add(OwnersCommittee(compound_id=compound.id, scope_code=compound.scope_code, **clean))
        return True
    return set_fields(committee, clean, skip_blank=skip_blank and clean["established"])


def save_committee(store: Store, compound_id: str, data: dict[str, Any]) -> None:
    """业主委员会 of a compound as the form shows it (not set up clears the rest)."""
    with store.session() as s:
        set_committee(s, live(s, Compound, compound_id, "小区"), data, skip_blank=False)


@dataclass(frozen=True)
class CommitteeInfo:
    id: str
    established: bool
    term_start: dt.date | None
    term_end: dt.date | None
    director_name: str | None
    member_count: int | None
    party_member_count: int | None


@dataclass(frozen=True)
class CompoundDetails:
    id: str
    name: str
    address: str | None
    kind: str | None
    households: int | None
    building_count: int | None
    built_year: int | None
    grid_id: str | None
    grid: str
    community_id: str | None
    community: str
    party_org_covered: bool
    party_org_name: str | None
    contracts: tuple[ContractInfo, ...]
    committee: CommitteeInfo | None

    @property
    def current(self) -> ContractInfo | None:
        return next((c for c in self.contracts if c.end_date is None), None)

    @property
    def kind_name(self) -> str:
        return codes.COMPOUND_KIND.name(self.kind) if self.kind else ""


def details(store: Store, compound_id: str) -> CompoundDetails:
    with store.read() as s:
        c = live(s, Compound, compound_id, "小区")
        grid = s.get(OrgUnit, c.grid_id) if c.grid_id else None
        community = s.get(OrgUnit, grid.parent_id) if grid and grid.parent_id else None
        committee = s.execute(select(OwnersCommittee).where(
            OwnersCommittee.compound_id == c.id, OwnersCommittee.deleted_at.is_(None))).scalar_one_or_none()
        return CompoundDetails(
            c.id, c.name, c.address, c.kind, c.households, c.building_count, c.built_year, c.grid_id,
            grid.name if grid else "", community.id if community else None, community.name if community else "",
            bool(c.party_org_covered), c.party_org_name, _contracts(s, c.id),
            CommitteeInfo(committee.id, bool(committee.established), committee.term_start, committee.term_end,
                          committee.director_name, committee.member_count, committee.party_member_count)
            if committee else None)


def choices(store: Store) -> list[tuple[str, str]]:
    """(id, “社区·小区”) of every compound, for pickers; the community labelled as in orgs.labels."""
    names = orgs.labels(store)
    with store.read() as s:
        grid = OrgUnit.__table__.alias("g")
        comm = OrgUnit.__table__.alias("c")
        rows = s.execute(
            select(Compound.id, Compound.name, comm.c.id)
            .outerjoin(grid, grid.c.id == Compound.grid_id).outerjoin(comm, comm.c.id == grid.c.parent_id)
            .where(Compound.deleted_at.is_(None)).order_by(comm.c.code, Compound.name)).all()
        return [(cid, f"{names[comm_id]}·{name}" if comm_id else name) for cid, name, comm_id in rows]

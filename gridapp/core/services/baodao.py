"""双报到: units and their pairings, in-service members' registrations, service activities and points.

Points are computed from rules held as data (``points_rule``), the same way for sign-in, imports,
exports and the yearly feedback.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, func, literal_column, select
from sqlalchemy.orm import Session

from gridapp.core import codes, pinyin
from gridapp.core.errors import ConflictError, NotFoundError, ValidationError
from gridapp.core.models import (
    Activity,
    Compound,
    MemberRegistration,
    Need,
    OrgUnit,
    Participation,
    Person,
    PointsRule,
    Project,
    Unit,
    UnitPairing,
)
from gridapp.core.models.base import find_by_credit_code_or_name, new_id, set_fields
from gridapp.core.services import orgs
from gridapp.core.services.people import clean_person, upsert_person
from gridapp.core.store import Store
from gridapp.core.validation import normalize_phone, parse_credit_code

UNIT_FIELDS = ("name", "credit_code", "unit_type", "party_org_type", "party_org_name", "secretary", "contact_name",
               "contact_phone", "address", "reported_member_count")


# -- units --------------------------------------------------------------------------------------------

def find_unit(s: Session, *, credit_code: str | None = None, name: str | None = None) -> Unit | None:
    return find_by_credit_code_or_name(s, Unit, credit_code, name, what="单位", field="unit")


def clean_unit(data: dict[str, Any]) -> dict[str, Any]:
    out = {k: data[k] for k in UNIT_FIELDS if k in data}
    if not (out.get("name") or "").strip():
        raise ValidationError("单位名称不能为空", field="name")
    out["name"] = out["name"].strip()
    if out.get("credit_code"):
        out["credit_code"] = parse_credit_code(out["credit_code"])
    if out.get("contact_phone"):
        out["contact_phone"] = normalize_phone(out["contact_phone"])
    for key, table in (("unit_type", "unit_type"), ("party_org_type", "party_org_type")):
        if out.get(key) and out[key] not in codes.table(table).codes():
            raise ValidationError(f"{codes.table(table).title}“{out[key]}”无效", field=key)
    if out.get("reported_member_count") is not None and out["reported_member_count"] < 0:
        raise ValidationError("在职党员数不能为负数", field="reported_member_count")
    return out


def upsert_unit(s: Session, data: dict[str, Any], *, scope_code: str | None) -> tuple[Unit, bool, bool]:
    """The unit with this credit code (or, without one, this name), created or updated."""
    clean = clean_unit(data)
    unit = find_unit(s, credit_code=clean.get("credit_code"), name=None if clean.get("credit_code") else clean["name"])
    if unit is None:
        unit = Unit(**clean, scope_code=scope_code)
        s.add(unit)
        s.flush()
        return unit, True, False
    return unit, False, set_fields(unit, clean)


def pair(s: Session, unit: Unit, community: OrgUnit, agreement_date: dt.date | None, content: str | None = None) -> bool:
    """结对共建: a unit paired with a community (again only if the earlier pairing ended)."""
    if community.level != "community":
        raise ValidationError(f"“{community.name}”不是社区，单位只能与社区结对", field="community")
    current = s.execute(select(UnitPairing).where(
        UnitPairing.unit_id == unit.id, UnitPairing.community_id == community.id, UnitPairing.end_date.is_(None),
        UnitPairing.deleted_at.is_(None))).scalar_one_or_none()
    if current is not None:
        if agreement_date and current.agreement_date != agreement_date:
            current.agreement_date = agreement_date
            return True
        return False
    s.add(UnitPairing(unit_id=unit.id, community_id=community.id, agreement_date=agreement_date, content=content,
                      scope_code=community.code))
    return True


def save_unit(store: Store, data: dict[str, Any], *, pair_with: list[tuple[str, dt.date | None]] = ()) -> str:
    """Create or update a unit and pair it with communities (id, agreement date); returns its id."""
    with store.session() as s:
        unit, _c, _ch = upsert_unit(s, data, scope_code=store.site.code if store.site else None)
        for community_id, on in pair_with:
            community = s.get(OrgUnit, community_id)
            if community is None:
                raise NotFoundError("找不到要结对的社区")
            pair(s, unit, community, on)
        return unit.id


@dataclass(frozen=True)
class UnitSummary:
    id: str
    name: str
    credit_code: str | None
    party_org_name: str | None
    reported: int
    registered: int
    hours: float
    points: float
    without_service: int
    communities: tuple[str, ...]

    @property
    def rate(self) -> float | None:
        """Registration rate: registered members against the members the unit reports having."""
        return None if not self.reported else min(self.registered / self.reported, 1.0)


def unit_summary(store: Store, unit_id: str, year: int) -> UnitSummary:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with store.read() as s:
        unit = s.get(Unit, unit_id)
        if unit is None or unit.deleted_at is not None:
            raise NotFoundError("找不到该单位")
        members = select(MemberRegistration.id).where(
            MemberRegistration.unit_id == unit.id, MemberRegistration.status == "registered",
            MemberRegistration.deleted_at.is_(None))
        registered = s.execute(select(func.count()).select_from(members.subquery())).scalar_one()
        hours, points = s.execute(
            select(func.coalesce(func.sum(Participation.hours), 0), func.coalesce(func.sum(Participation.points), 0))
            .join(Activity, Activity.id == Participation.activity_id)
            .where(Participation.member_id.in_(members), Participation.deleted_at.is_(None),
                   Activity.date.between(start, end), Activity.deleted_at.is_(None))).one()
        served = select(Participation.member_id).join(Activity, Activity.id == Participation.activity_id).where(
            Activity.date.between(start, end), Participation.deleted_at.is_(None), Activity.deleted_at.is_(None))
        without = s.execute(select(func.count()).select_from(
            members.where(MemberRegistration.id.not_in(served)).subquery())).scalar_one()
        communities = s.execute(select(OrgUnit.id).join(UnitPairing, UnitPairing.community_id == OrgUnit.id).where(
            UnitPairing.unit_id == unit.id, UnitPairing.end_date.is_(None), UnitPairing.deleted_at.is_(None))
            .order_by(OrgUnit.code)).scalars().all()
        names = orgs.labels(store)
        return UnitSummary(unit.id, unit.name, unit.credit_code, unit.party_org_name, unit.reported_member_count or 0,
                           registered, float(hours), float(points), without, tuple(names[c] for c in communities))


# -- in-service members ---------------------------------------------------------------------------------

def _community_and_grid(s: Session, community_id: str | None, grid_id: str | None) -> tuple[OrgUnit, OrgUnit | None]:
    grid = s.get(OrgUnit, grid_id) if grid_id else None
    if grid_id and (grid is None or grid.level not in ("grid", "microgrid")):
        raise ValidationError("所选网格无效", field="grid")
    community = s.get(OrgUnit, community_id) if community_id else (s.get(OrgUnit, grid.parent_id) if grid else None)
    if community is None or community.level != "community":
        raise ValidationError("请选择报到社区", field="community")
    if grid is not None and not grid.code.startswith(community.code):
        raise ValidationError(f"{grid.name}不属于{community.name}", field="grid")
    if community.retired_on or (grid is not None and grid.retired_on):
        raise ValidationError("所选社区或网格已撤销", field="community")
    return community, grid


def register(s: Session, data: dict[str, Any], *, unit: Unit | None) -> tuple[MemberRegistration, bool, bool]:
    """Register (or update) an in-service member at the community where they live.

    The person is found by ID number (a grid worker or earlier member is the same person). One
    active registration per person: registering again elsewhere moves the registration.
    """
    if unit is None:
        raise ValidationError("请选择工作单位：在职党员须登记所在单位", field="unit")
    community, grid = _community_and_grid(s, data.get("community_id"), data.get("grid_id"))
    person, _created, person_changed = upsert_person(s, data, scope_code=community.code)
    status = _party_member(person.name, person.political_status)
    if person.political_status != status:
        person.political_status = status
    s.flush()
    compound_id = data.get("compound_id")
    if compound_id and s.get(Compound, compound_id) is None:
        raise ValidationError("所选小区无效", field="compound")
    values = _registration(data, unit, community, grid)
    mine = select(MemberRegistration).where(MemberRegistration.person_id == person.id,
                                            MemberRegistration.deleted_at.is_(None))
    reg = s.execute(mine.where(MemberRegistration.status == "registered")).scalar_one_or_none()
    if reg is None:  # an earlier registration here (moved out, retired …) is the same record, not a new one
        reg = s.execute(mine.where(MemberRegistration.community_id == community.id)
                        .order_by(MemberRegistration.registered_on.desc())).scalars().first()
    if reg is None:
        reg = MemberRegistration(person_id=person.id, status="registered", scope_code=(grid or community).code,
                                 **values)
        s.add(reg)
        s.flush()
        return reg, True, person_changed
    if not data.get("registered_on"):
        del values["registered_on"]  # today's default must not overwrite the real registration date
    return reg, False, set_fields(reg, values) or person_changed


def _party_member(name: str, political_status: str | None) -> str:
    """The political status a registered member has: 中共党员 when none is given (registering says so)."""
    if political_status is None:
        return "01"
    if political_status not in ("01", "02"):
        raise ValidationError(
            f"{name}的政治面貌是“{codes.POLITICAL.name(political_status)}”，在职党员报到须为中共党员或预备党员",
            field="political_status")
    return political_status


def _registration(data: dict[str, Any], unit: Unit, community: OrgUnit, grid: OrgUnit | None) -> dict[str, Any]:
    post = data.get("service_post")
    if post and post not in codes.SERVICE_POST.codes():
        raise ValidationError(f"服务岗位“{post}”无效", field="service_post")
    return {
        "unit_id": unit.id, "position": data.get("position"),
        "is_leading_cadre": bool(data.get("is_leading_cadre")), "community_id": community.id,
        "grid_id": grid.id if grid else None, "compound_id": data.get("compound_id"),
        "registered_on": data.get("registered_on") or dt.date.today(), "service_post": post,
    }


def new_member_records(data: dict[str, Any], unit: Unit, community: OrgUnit, grid: OrgUnit | None
                       ) -> list[tuple[type, dict[str, Any]]]:
    """What ``register`` creates for a person new to the database, as (model, values) for a bulk writer: the
    person and their registration. The community, grid and compound must be live ones (the caller read them);
    every other rule is checked here."""
    if community.level != "community" or community.retired_on or community.deleted_at:
        raise ValidationError("请选择报到社区", field="community")
    if grid is not None and (grid.level not in ("grid", "microgrid") or grid.retired_on
                             or not grid.code.startswith(community.code)):
        raise ValidationError("所选网格无效", field="grid")
    clean = clean_person(data)
    clean["political_status"] = _party_member(clean["name"], clean.get("political_status"))
    person_id = new_id()
    return [
        (Person, dict(clean, id=person_id, name_initials=pinyin.initials(clean["name"]), scope_code=community.code)),
        (MemberRegistration, dict(_registration(data, unit, community, grid), id=new_id(), person_id=person_id,
                                  status="registered", scope_code=(grid or community).code)),
    ]


def register_member(store: Store, data: dict[str, Any], *, unit_id: str | None = None) -> str:
    with store.session() as s:
        unit = s.get(Unit, unit_id) if unit_id else None
        reg, _c, _ch = register(s, data, unit=unit)
        return reg.id


def set_status(store: Store, member_id: str, status: str, on: dt.date) -> None:
    """已转出 / 已退休 / 已调离 (or back to 已报到) with the date."""
    if status not in codes.MEMBER_STATUS.codes():
        raise ValidationError(f"报到状态“{status}”无效", field="status")
    with store.session() as s:
        reg = s.get(MemberRegistration, member_id)
        if reg is None or reg.deleted_at is not None:
            raise NotFoundError("找不到该报到记录")
        reg.status, reg.status_date = status, on


# -- points and service ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rule:
    activity_type: str | None
    points_per_hour: float
    bonus: float
    cap: float | None


def rules(s: Session, on: dt.date) -> list[Rule]:
    rows = s.execute(select(PointsRule).where(
        PointsRule.deleted_at.is_(None), (PointsRule.valid_from.is_(None)) | (PointsRule.valid_from <= on))
        .order_by(PointsRule.valid_from)).scalars().all()
    latest: dict[str | None, Rule] = {}
    for r in rows:  # the newest rule per activity type wins
        latest[r.activity_type] = Rule(r.activity_type, r.points_per_hour, r.bonus_per_activity,
                                       r.max_points_per_activity)
    return list(latest.values())


def points_for(rule_list: list[Rule], activity_type: str | None, hours: float) -> float:
    """Points for ``hours`` of service: the rule for the type, else the general rule, else 1 per hour."""
    rule = next((r for r in rule_list if r.activity_type == activity_type), None) or \
        next((r for r in rule_list if r.activity_type is None), None) or Rule(None, 1.0, 0.0, None)
    points = hours * rule.points_per_hour + rule.bonus
    if rule.cap is not None:
        points = min(points, rule.cap)
    return round(points, 2)


def create_activity(store: Store, data: dict[str, Any]) -> str:
    title = (data.get("title") or "").strip()
    if not title:
        raise ValidationError("活动名称不能为空", field="title")
    if not data.get("date"):
        raise ValidationError("请填写活动日期", field="date")
    if data.get("activity_type") and data["activity_type"] not in codes.ACTIVITY_TYPE.codes():
        raise ValidationError("活动类型无效", field="activity_type")
    with store.session() as s:
        community, grid = _community_and_grid(s, data.get("community_id"), data.get("grid_id"))
        need_id, project_id = data.get("need_id"), data.get("project_id")
        if need_id:
            need = s.get(Need, need_id)
            if need is None or need.community_id != community.id:
                raise ValidationError("关联的需求不存在，或不是本社区的需求", field="need")
            project_id = project_id or s.execute(select(Project.id).where(Project.need_id == need_id)).scalar()
        activity = Activity(title=title, date=data["date"], activity_type=data.get("activity_type"),
                            place=data.get("place"), community_id=community.id, grid_id=grid.id if grid else None,
                            organiser_unit_id=data.get("organiser_unit_id"), description=data.get("description"),
                            need_id=need_id, project_id=project_id, scope_code=community.code)
        s.add(activity)
        s.flush()
        return activity.id


@dataclass(frozen=True)
class SignIn:
    added: int
    already: int


def sign_in(store: Store, activity_id: str, member_ids: list[str], hours: float,
            evaluation: str | None = "good") -> SignIn:
    """Sign members in to an activity with hours; points from the rules; one transaction."""
    if hours <= 0 or hours > 24:
        raise ValidationError("服务时长应在 0 到 24 小时之间", field="hours")
    if evaluation and evaluation not in codes.EVALUATION.codes():
        raise ValidationError("评价无效", field="evaluation")
    with store.session() as s:
        activity = s.get(Activity, activity_id)
        if activity is None or activity.deleted_at is not None:
            raise NotFoundError("找不到该活动")
        existing = set(s.execute(select(Participation.member_id).where(
            Participation.activity_id == activity.id, Participation.deleted_at.is_(None))).scalars())
        points = points_for(rules(s, activity.date), activity.activity_type, hours)
        added = 0
        for mid in dict.fromkeys(member_ids):
            if mid in existing:
                continue
            reg = s.get(MemberRegistration, mid)
            if reg is None or reg.status != "registered":
                name = s.get(Person, reg.person_id).name if reg else "该党员"
                raise ValidationError(f"{name}不是已报到的在职党员，不能签到", field="member")
            s.add(Participation(activity_id=activity.id, member_id=mid, hours=hours, points=points,
                                evaluation=evaluation, scope_code=activity.scope_code))
            added += 1
        return SignIn(added, len(member_ids) - added)


@dataclass(frozen=True)
class Participant:
    """A member signed in to an activity, as the sign-in screen lists them."""

    member_id: str
    name: str
    community: str
    phone: str | None
    hours: float
    points: float
    evaluation: str | None


def participants(store: Store, activity_id: str) -> list[Participant]:
    """Everyone signed in to an activity, in the order they were signed in."""
    with store.read() as s:
        activity = s.get(Activity, activity_id)
        if activity is None or activity.deleted_at is not None:
            raise NotFoundError("找不到该活动")
        rows = s.execute(
            select(MemberRegistration.id, Person.name, OrgUnit.name, Person.phone, Participation.hours,
                   Participation.points, Participation.evaluation)
            .join(MemberRegistration, MemberRegistration.id == Participation.member_id)
            .join(Person, Person.id == MemberRegistration.person_id)
            .join(OrgUnit, OrgUnit.id == MemberRegistration.community_id)
            .where(Participation.activity_id == activity.id, Participation.deleted_at.is_(None))
            # One sign-in's rows share a timestamp: the order they went in breaks the tie.
            .order_by(Participation.created_at, literal_column("participation.rowid"))).all()
    return [Participant(mid, name, community, phone, float(hours or 0), float(points or 0), evaluation)
            for mid, name, community, phone, hours, points, evaluation in rows]


def points_preview(store: Store, activity_id: str, hours: float) -> float:
    """The points ``hours`` of service at this activity earn under the rules, before anyone is signed in."""
    with store.read() as s:
        activity = s.get(Activity, activity_id)
        if activity is None or activity.deleted_at is not None:
            raise NotFoundError("找不到该活动")
        return points_for(rules(s, activity.date), activity.activity_type, hours)


# -- the yearly feedback to units (双向反馈) ----------------------------------------------------------------

DEFAULT_EVALUATION_POINTS = {"excellent": 20, "good": 8}  # yearly points for 优秀 / 良好; above 0: 一般


@dataclass(frozen=True)
class MemberYear:
    member_id: str
    name: str
    community: str
    grid: str
    registered_on: dt.date | None
    service_post: str | None
    activities: int
    hours: float
    points: float
    evaluation: str  # 优秀 / 良好 / 一般 / 未参加服务


@dataclass(frozen=True)
class Feedback:
    unit_id: str
    unit_name: str
    credit_code: str | None
    addressee: str  # the unit's Party organisation
    year: int
    members: tuple[MemberYear, ...]
    reported: int

    @property
    def hours(self) -> float:
        return round(sum(m.hours for m in self.members), 2)

    @property
    def points(self) -> float:
        return round(sum(m.points for m in self.members), 2)

    @property
    def activities(self) -> int:
        return sum(m.activities for m in self.members)


def evaluate(points: float, activities: int, thresholds: dict[str, float]) -> str:
    if activities == 0:
        return "未参加服务"
    if points >= thresholds.get("excellent", 20):
        return "优秀"
    if points >= thresholds.get("good", 8):
        return "良好"
    return "一般"


def feedbacks(store: Store, year: int, unit_ids: list[str] | None = None) -> list[Feedback]:
    """Feedback of several units (all with members here when ``unit_ids`` is None), in one query."""
    thresholds = store.get_setting("baodao.evaluation_points", DEFAULT_EVALUATION_POINTS)
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with store.read() as s:
        members = select(MemberRegistration.id).where(MemberRegistration.deleted_at.is_(None))
        if unit_ids is not None:
            members = members.where(MemberRegistration.unit_id.in_(unit_ids))
        service = (
            select(Participation.member_id, func.count().label("n"), func.sum(Participation.hours).label("h"),
                   func.sum(Participation.points).label("p"))
            .join(Activity, Activity.id == Participation.activity_id)
            .where(Activity.date.between(start, end), Activity.deleted_at.is_(None), Participation.deleted_at.is_(None),
                   Participation.member_id.in_(members))
            .group_by(Participation.member_id).subquery())
        grid = OrgUnit.__table__.alias("grid")
        query = (
            select(MemberRegistration.unit_id, MemberRegistration.id, Person.name, OrgUnit.id, grid.c.name,
                   MemberRegistration.registered_on, MemberRegistration.service_post, service.c.n, service.c.h,
                   service.c.p)
            .join(Person, Person.id == MemberRegistration.person_id)
            .join(OrgUnit, OrgUnit.id == MemberRegistration.community_id)
            .join(grid, grid.c.id == MemberRegistration.grid_id, isouter=True)
            .join(service, service.c.member_id == MemberRegistration.id, isouter=True)
            .where(MemberRegistration.id.in_(members), MemberRegistration.unit_id.is_not(None),
                   (MemberRegistration.registered_on.is_(None)) | (MemberRegistration.registered_on <= end),
                   (MemberRegistration.status == "registered") | (MemberRegistration.status_date >= start))
            .order_by(OrgUnit.code, Person.name_initials))
        by_unit: dict[str, list[MemberYear]] = {}
        names = orgs.labels(store)
        for uid, mid, name, community_id, gname, reg_on, post, n, h, p in s.execute(query):
            by_unit.setdefault(uid, []).append(MemberYear(
                mid, name, names[community_id], gname or "", reg_on, post, n or 0, round(float(h or 0), 2), round(float(p or 0), 2),
                evaluate(float(p or 0), n or 0, thresholds)))
        wanted = unit_ids if unit_ids is not None else list(by_unit)
        units = {u.id: u for u in s.execute(select(Unit).where(Unit.id.in_(wanted))).scalars()}
        missing = [u for u in wanted if u not in units]
        if missing:
            raise NotFoundError("找不到该单位")
        out = [Feedback(u.id, u.name, u.credit_code, u.party_org_name or u.name, year, tuple(by_unit.get(u.id, ())),
                        u.reported_member_count or 0) for u in units.values()]
        return sorted(out, key=lambda f: f.unit_name)


def feedback(store: Store, unit_id: str, year: int) -> Feedback:
    return feedbacks(store, year, [unit_id])[0]


def units_with_members(store: Store) -> list[tuple[str, str]]:
    """(id, name) of units that have members registered here, for feedback to all units at once."""
    with store.read() as s:
        return list(s.execute(
            select(Unit.id, Unit.name).where(Unit.deleted_at.is_(None), Unit.id.in_(
                select(MemberRegistration.unit_id).where(MemberRegistration.deleted_at.is_(None))))
            .order_by(Unit.name)).all())


def unit_by_credit_code(store: Store, code: str) -> str:
    code = parse_credit_code(code)
    with store.read() as s:
        unit = find_unit(s, credit_code=code)
        if unit is None:
            raise NotFoundError(f"找不到统一社会信用代码为 {code} 的报到单位")
        return unit.id


# -- statistics for the 双报到 page ------------------------------------------------------------------------

@dataclass(frozen=True)
class Statistics:
    year: int
    by_community: tuple[tuple[str, int], ...]  # registered members
    by_grid: tuple[tuple[str, int], ...]  # "社区 网格", registered members (top 50)
    by_unit: tuple[tuple[str, int, int], ...]  # unit, registered, reported (lowest rate first)
    by_month: tuple[tuple[int, float, float, int], ...]  # month, hours, points, participations
    without_service: int
    registered: int


def statistics(store: Store, year: int) -> Statistics:
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    active = (MemberRegistration.status == "registered") & MemberRegistration.deleted_at.is_(None)
    with store.read() as s:
        names = orgs.labels(store)
        by_community = [(names[c], n) for c, n in s.execute(
            select(OrgUnit.id, func.count()).join(MemberRegistration, MemberRegistration.community_id == OrgUnit.id)
            .where(active).group_by(OrgUnit.id).order_by(OrgUnit.code))]
        by_grid = [(names[g], n) for g, n in s.execute(
            select(OrgUnit.id, func.count())
            .join(MemberRegistration, MemberRegistration.grid_id == OrgUnit.id)
            .where(active).group_by(OrgUnit.id).order_by(func.count().desc()).limit(50))]
        registered = func.count(MemberRegistration.id)
        by_unit = s.execute(
            select(Unit.name, registered, func.coalesce(Unit.reported_member_count, 0))
            .join(MemberRegistration, (MemberRegistration.unit_id == Unit.id) & active)
            .where(Unit.deleted_at.is_(None)).group_by(Unit.id)
            .order_by((registered * 1.0 / func.max(func.coalesce(Unit.reported_member_count, 0), 1)), Unit.name)
        ).all()
        month = func.cast(func.strftime("%m", Activity.date), Integer)
        by_month = s.execute(
            select(month, func.sum(Participation.hours), func.sum(Participation.points), func.count())
            .join(Activity, Activity.id == Participation.activity_id)
            .where(Activity.date.between(start, end), Activity.deleted_at.is_(None),
                   Participation.deleted_at.is_(None)).group_by(month).order_by(month)).all()
        served = select(Participation.member_id).join(Activity, Activity.id == Participation.activity_id).where(
            Activity.date.between(start, end), Participation.deleted_at.is_(None))
        total = s.execute(select(func.count()).select_from(MemberRegistration).where(active)).scalar_one()
        without = s.execute(select(func.count()).select_from(MemberRegistration).where(
            active, MemberRegistration.id.not_in(served))).scalar_one()
    return Statistics(year, tuple((n, c) for n, c in by_community), tuple((n, c) for n, c in by_grid),
                      tuple((n, r, t) for n, r, t in by_unit),
                      tuple((int(m), float(h or 0), float(p or 0), int(c)) for m, h, p, c in by_month),
                      without, total)


# -- points rules a street can change ------------------------------------------------------------------------

@dataclass(frozen=True)
class RuleInfo:
    id: str
    activity_type: str | None
    points_per_hour: float
    bonus: float
    cap: float | None
    valid_from: dt.date | None

    @property
    def type_name(self) -> str:
        return codes.ACTIVITY_TYPE.name(self.activity_type) if self.activity_type else "全部活动"


def list_rules(store: Store) -> list[RuleInfo]:
    with store.read() as s:
        return [RuleInfo(r.id, r.activity_type, r.points_per_hour, r.bonus_per_activity, r.max_points_per_activity,
                         r.valid_from)
                for r in s.execute(select(PointsRule).where(PointsRule.deleted_at.is_(None))
                                   .order_by(PointsRule.activity_type, PointsRule.valid_from)).scalars()]


def save_rule(store: Store, *, activity_type: str | None, points_per_hour: float, bonus: float = 0.0,
              cap: float | None = None, valid_from: dt.date | None = None, rule_id: str | None = None) -> str:
    """Add a rule (or change one). A new rule from a date leaves earlier service scored as it was."""
    if activity_type is not None and activity_type not in codes.ACTIVITY_TYPE.codes():
        raise ValidationError("活动类型无效", field="activity_type")
    if points_per_hour < 0 or bonus < 0 or (cap is not None and cap <= 0):
        raise ValidationError("积分、奖励分和上限不能为负数，上限须大于0", field="points_per_hour")
    with store.session() as s:
        if rule_id:
            rule = s.get(PointsRule, rule_id)
            if rule is None or rule.deleted_at is not None:
                raise NotFoundError("找不到该积分规则")
        else:
            clash = s.execute(select(PointsRule.id).where(
                PointsRule.activity_type.is_(None) if activity_type is None else PointsRule.activity_type == activity_type,
                PointsRule.valid_from.is_(None) if valid_from is None else PointsRule.valid_from == valid_from,
                PointsRule.deleted_at.is_(None))).first()
            if clash:
                raise ConflictError("同一活动类型、同一生效日期已有积分规则，请修改原规则", field="activity_type")
            rule = PointsRule(scope_code=store.site.code if store.site else None)
            s.add(rule)
        rule.activity_type, rule.points_per_hour, rule.bonus_per_activity = activity_type, points_per_hour, bonus
        rule.max_points_per_activity, rule.valid_from = cap, valid_from
        s.flush()
        return rule.id


def delete_rule(store: Store, rule_id: str) -> None:
    from gridapp.core.models import utcnow

    with store.session() as s:
        rule = s.get(PointsRule, rule_id)
        if rule is None or rule.deleted_at is not None:
            raise NotFoundError("找不到该积分规则")
        rule.deleted_at = utcnow()


def open_needs(store: Store) -> list[tuple[str, str, str]]:
    """(need id, community id, label) of needs not yet closed, for linking activities to them."""
    names = orgs.labels(store)
    with store.read() as s:
        return [(n.id, n.community_id, f"{names[n.community_id]}：{n.title}") for n, _code in s.execute(
            select(Need, OrgUnit.code).join(OrgUnit, OrgUnit.id == Need.community_id)
            .where(Need.status != "closed", Need.deleted_at.is_(None)).order_by(OrgUnit.code, Need.raised_on))]


def compound_choices(store: Store) -> list[tuple[str, str]]:
    """(compound id, "grid label　compound") for choosing where a member lives."""
    names = orgs.labels(store)
    with store.read() as s:
        return [(cid, f"{names[grid_id]}　{name}") for cid, name, grid_id in s.execute(
            select(Compound.id, Compound.name, OrgUnit.id).join(OrgUnit, OrgUnit.id == Compound.grid_id)
            .where(Compound.deleted_at.is_(None)).order_by(OrgUnit.code, Compound.name))]

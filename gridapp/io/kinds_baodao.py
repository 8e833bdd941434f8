"""双报到 sheets: units, in-service members, activities and sign-in (participation) sheets."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from gridapp.core.errors import ConflictError, NotFoundError, ValidationError
from gridapp.core.models import Activity, MemberRegistration, OrgUnit, Participation, Person, Unit
from gridapp.core.models.base import new_id, set_fields
from gridapp.core.services import baodao
from gridapp.core.store import Store
from gridapp.io import cells
from gridapp.io.importer import Plan
from gridapp.io.kinds import Places
from gridapp.io.sheet import Sheet
from gridapp.io.spec import (
    Field,
    ImportSpec,
    code_parser,
    credit_code,
    date_parser,
    id_number,
    int_parser,
    phones,
)


def _yes(value: object) -> bool:
    return cells.text(value) in ("是", "Y", "y", "1", "√", "✓", "处级", "处级及以上", "true", "True")


UNITS = ImportSpec(
    kind="units",
    title="报到单位",
    fields=(
        Field("name", "单位名称", ("单位", "报到单位", "单位全称"), cells.text, required=True, example="青岛市市北区财政局"),
        Field("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码", "组织机构代码"), credit_code,
              example="11370203MB1234567X", note="18位，按 GB 32100 校验"),
        Field("unit_type", "单位类型", ("单位性质",), code_parser("unit_type"), example="机关"),
        Field("party_org_type", "党组织类型", (), code_parser("party_org_type"), example="党支部"),
        Field("party_org_name", "党组织名称", ("党组织",), cells.text, example="市北区财政局机关党支部"),
        Field("secretary", "党组织书记", ("书记",), cells.person_name, example="王强"),
        Field("contact_name", "联系人", (), cells.person_name, example="李娜"),
        Field("contact_phone", "联系电话", ("电话", "手机号"), phones, example="0532-88886666"),
        Field("reported_member_count", "在职党员数", ("党员人数", "在职党员人数"), int_parser("在职党员数", Unit.reported_member_count), example="35"),
        Field("communities", "结对社区", ("共建社区", "报到社区"), cells.text, example="云溪社区、松柏社区",
              note="多个社区用顿号分隔"),
        Field("agreement_date", "签约日期", ("共建协议日期", "结对日期"), date_parser("签约日期"), example="2024-03-01"),
    ),
    keys=("credit_code",),
)


class UnitsHandler:
    spec = UNITS

    def prepare(self, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> tuple[str, Places]:
        return store.site.code if store.site else "", Places.load(s, store, sheet, options)

    def apply(self, s: Session, state, v: dict[str, Any]) -> tuple[str, str]:
        scope, places = state
        numbers = v.get("contact_phone") or []
        data = dict(v, contact_phone=numbers[0] if numbers else None)
        unit, created, changed = baodao.upsert_unit(s, data, scope_code=scope)
        for name in filter(None, re.split(r"[、，,；;/\s]+", v.get("communities") or "")):
            changed |= baodao.pair(s, unit, places.community(name), v.get("agreement_date"))
        return ("new" if created else "updated" if changed else "unchanged"), unit.name


MEMBERS = ImportSpec(
    kind="members",
    title="在职党员报到",
    fields=(
        Field("name", "姓名", (), cells.person_name, required=True, example="张伟"),
        Field("gender", "性别", (), code_parser("gender"), example="男"),
        Field("id_number", "身份证号码", ("公民身份号码", "身份证号", "身份证"), id_number, required=True,
              example="370203199001011233"),
        Field("ethnicity", "民族", (), code_parser("ethnicity"), example="汉族"),
        Field("political_status", "政治面貌", (), code_parser("political"), example="中共党员"),
        Field("education", "文化程度", ("学历",), code_parser("education"), example="大学本科"),
        Field("phone", "联系电话", ("手机号", "手机号码", "电话"), phones, example="13812345678"),
        Field("unit", "工作单位", ("单位", "单位名称", "所在单位"), cells.text, required=True, example="青岛市市北区财政局"),
        Field("unit_code", "单位信用代码", ("统一社会信用代码",), credit_code),
        Field("position", "职务", ("职务职级",), cells.text, example="科员"),
        Field("is_leading_cadre", "处级以上", ("是否处级以上", "领导干部"), _yes, example="否"),
        Field("community", "报到社区", ("社区", "居住社区"), cells.text, required=True, example="云溪社区"),
        Field("grid", "所在网格", ("网格", "所属网格", "居住网格"), cells.text, example="第一网格"),
        Field("compound", "居住小区", ("小区",), cells.text, example="海泉花园"),
        Field("registered_on", "报到日期", ("报到时间",), date_parser("报到日期"), example="2025-03-15"),
        Field("service_post", "服务岗位", ("认领岗位", "岗位"), code_parser("service_post"), example="政策宣传"),
        Field("status", "状态", ("报到状态",), code_parser("member_status"), example="已报到"),
    ),
    keys=("id_number",),
    fallback={"community_id": "community", "grid_id": "grid", "compound_id": "compound"},
)


@dataclass
class _MembersState:
    places: Places
    numbers: set[str]  # ID numbers of the people held (or planned) here
    units: dict[tuple, Unit | None] = field(default_factory=dict)  # a members sheet adds no units: looked up once


class MembersHandler:
    spec = MEMBERS

    def prepare(self, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> _MembersState:
        return _MembersState(Places.load(s, store, sheet, options), set(s.execute(select(Person.id_number)).scalars()))

    @staticmethod
    def _unit(s: Session, state: _MembersState, v: dict[str, Any]) -> Unit:
        key = (v.get("unit_code"), v["unit"])
        if key not in state.units:
            state.units[key] = baodao.find_unit(s, credit_code=v.get("unit_code"), name=v["unit"])
        if state.units[key] is None:
            raise NotFoundError(f"找不到报到单位“{v['unit']}”，请先导入或登记该单位", field="unit")
        return state.units[key]

    @classmethod
    def _data(cls, s: Session, state: _MembersState, v: dict[str, Any]) -> tuple[dict[str, Any], Unit, OrgUnit,
                                                                                OrgUnit | None]:
        places = state.places
        community = places.community(v["community"])
        grid = places.grids.resolve(v["grid"], community_id=community.id) if v.get("grid") else None
        unit = cls._unit(s, state, v)
        compound_id = None
        if v.get("compound"):
            compound = places.compound(s, v["compound"], community)
            if compound is None:
                raise ValidationError(f"{community.name}没有名为“{v['compound']}”的小区", field="compound")
            compound_id = compound.id
        numbers = v.get("phone") or []
        data = dict(v, phone=numbers[0] if numbers else None, phone2=numbers[1] if len(numbers) > 1 else None,
                    community_id=community.id, grid_id=grid.id if grid else None, compound_id=compound_id)
        return data, unit, community, grid

    def plan(self, s: Session, state: _MembersState, v: dict[str, Any]) -> Plan | None:
        """A member new to the database, registered as 已报到: a person and a registration."""
        if v["id_number"] in state.numbers or v.get("status") not in (None, "registered"):
            return None
        data, unit, community, grid = self._data(s, state, v)
        records = baodao.new_member_records(data, unit, community, grid)
        state.numbers.add(v["id_number"])
        return Plan("new", f"{v['name']}（{community.name}）", records)

    def apply(self, s: Session, state: _MembersState, v: dict[str, Any]) -> tuple[str, str]:
        data, unit, community, _grid = self._data(s, state, v)
        state.numbers.add(v["id_number"])
        reg, created, changed = baodao.register(s, data, unit=unit)
        if v.get("status") and v["status"] != reg.status:
            reg.status = v["status"]
            changed = True
        return ("new" if created else "updated" if changed else "unchanged"), f"{v['name']}（{community.name}）"


ACTIVITIES = ImportSpec(
    kind="activities",
    title="服务活动",
    fields=(
        Field("title", "活动名称", ("活动", "活动主题", "名称"), cells.text, required=True, example="楼道环境集中清理"),
        Field("date", "活动日期", ("日期", "活动时间"), date_parser("活动日期"), required=True, example="2026-05-20"),
        Field("activity_type", "活动类型", ("类型",), code_parser("activity_type"), example="环境整治"),
        Field("place", "活动地点", ("地点",), cells.text, example="云溪社区党群服务中心"),
        Field("community", "社区", ("所属社区", "组织社区"), cells.text, required=True, example="云溪社区"),
        Field("grid", "网格", ("所属网格",), cells.text, example="第一网格"),
        Field("organiser", "组织单位", ("主办单位",), cells.text, example="", note="不填为社区组织"),
    ),
    keys=("title", "date", "community"),
    label="title",
)


class ActivitiesHandler:
    spec = ACTIVITIES

    def prepare(self, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> Places:
        return Places.load(s, store, sheet, options)

    def apply(self, s: Session, places: Places, v: dict[str, Any]) -> tuple[str, str]:
        community = places.community(v["community"])
        grid = places.grids.resolve(v["grid"], community_id=community.id) if v.get("grid") else None
        organiser = baodao.find_unit(s, name=v["organiser"]) if v.get("organiser") else None
        if v.get("organiser") and organiser is None:
            raise NotFoundError(f"找不到组织单位“{v['organiser']}”", field="organiser")
        existing = s.execute(select(Activity).where(
            Activity.title == v["title"], Activity.date == v["date"], Activity.community_id == community.id,
            Activity.deleted_at.is_(None))).scalar_one_or_none()
        values = {"activity_type": v.get("activity_type"), "place": v.get("place"),
                  "grid_id": grid.id if grid else None, "organiser_unit_id": organiser.id if organiser else None}
        if existing is None:
            s.add(Activity(title=v["title"], date=v["date"], community_id=community.id, scope_code=community.code,
                           **values))
            return "new", v["title"]
        changed = set_fields(existing, values)
        return ("updated" if changed else "unchanged"), v["title"]


PARTICIPATIONS = ImportSpec(
    kind="participations",
    title="活动签到",
    fields=(
        Field("activity", "活动名称", ("活动",), cells.text, required=True, example="楼道环境集中清理"),
        Field("date", "活动日期", ("日期",), date_parser("活动日期"), required=True, example="2026-05-20"),
        Field("community", "社区", ("活动社区",), cells.text, example="云溪社区", note="同一天有同名活动时用于区分"),
        Field("name", "姓名", (), cells.person_name, required=True, example="张伟"),
        Field("id_number", "身份证号码", ("公民身份号码", "身份证号"), id_number, required=True,
              example="370203199001011233"),
        Field("hours", "服务时长", ("时长", "服务时长（小时）", "小时"), cells.text, required=True, example="2"),
        Field("evaluation", "评价", (), code_parser("evaluation"), example="良好"),
    ),
    keys=("activity", "date", "id_number"),
)


def _hours(value: object) -> float:
    text = cells.text(value).removesuffix("小时").removesuffix("h")
    try:
        hours = float(text)
    except ValueError:
        raise ValidationError(f"服务时长“{value}”应为数字（小时）", field="hours") from None
    if not 0 < hours <= 24:
        raise ValidationError("服务时长应在 0 到 24 小时之间", field="hours")
    return hours


@dataclass
class _ParticipationsState:
    rules: dict[Any, list] = field(default_factory=dict)  # the points rules in force on a date
    activities: dict[tuple, list[Activity]] = field(default_factory=dict)  # (title, date, community) → found
    members: dict[str, str] | None = None  # ID number → registration id of the registered members (for plans)
    signed: dict[str, set[str]] = field(default_factory=dict)  # activity id → members signed in (for plans)


class ParticipationsHandler:
    spec = PARTICIPATIONS

    def prepare(self, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> _ParticipationsState:
        return _ParticipationsState()

    @staticmethod
    def _activities(s: Session, v: dict[str, Any]) -> list[Activity]:
        q = select(Activity).where(Activity.title == v["activity"], Activity.date == v["date"],
                                   Activity.deleted_at.is_(None))
        if v.get("community"):
            named = v["community"]  # a name, or the label lists show (福安社区（永宁山街道）)
            q = q.join(OrgUnit, OrgUnit.id == Activity.community_id).where(
                or_(OrgUnit.name == named, func.org_label(OrgUnit.id) == named))
        return list(s.execute(q).scalars().all())

    @staticmethod
    def _rules(s: Session, state: _ParticipationsState, day) -> list:
        if day not in state.rules:  # the rules in force that day, read once per date
            state.rules[day] = baodao.rules(s, day)
        return state.rules[day]

    def plan(self, s: Session, state: _ParticipationsState, v: dict[str, Any]) -> Plan | None:
        """A registered member's first sign-in at one activity: a participation (a sign-in sheet adds no
        activities or members, so they are read once)."""
        hours = _hours(v["hours"])
        key = (v["activity"], v["date"], v.get("community"))
        if key not in state.activities:
            state.activities[key] = self._activities(s, v)
        found = state.activities[key]
        if state.members is None:
            state.members = dict(s.execute(select(Person.id_number, MemberRegistration.id).join(
                MemberRegistration, MemberRegistration.person_id == Person.id).where(
                MemberRegistration.status == "registered", MemberRegistration.deleted_at.is_(None))).all())
        member = state.members.get(v["id_number"])
        if len(found) != 1 or member is None:
            return None  # the services say why
        activity = found[0]
        if activity.id not in state.signed:
            state.signed[activity.id] = set(s.execute(select(Participation.member_id).where(
                Participation.activity_id == activity.id, Participation.deleted_at.is_(None))).scalars())
        if member in state.signed[activity.id]:
            return None
        points = baodao.points_for(self._rules(s, state, activity.date), activity.activity_type, hours)
        state.signed[activity.id].add(member)
        return Plan("new", v["name"], [(Participation, {
            "id": new_id(), "activity_id": activity.id, "member_id": member, "hours": hours, "points": points,
            "evaluation": v.get("evaluation"), "scope_code": activity.scope_code})])

    def apply(self, s: Session, state: _ParticipationsState, v: dict[str, Any]) -> tuple[str, str]:
        hours = _hours(v["hours"])
        found = self._activities(s, v)
        if not found:
            raise NotFoundError(f"找不到 {v['date']} 的活动“{v['activity']}”，请先登记或导入活动", field="activity")
        if len(found) > 1:
            raise ConflictError(f"{v['date']} 有多个名为“{v['activity']}”的活动，请填写“社区”列加以区分",
                                field="activity")
        activity = found[0]
        reg = s.execute(select(MemberRegistration).join(Person, Person.id == MemberRegistration.person_id).where(
            Person.id_number == v["id_number"], MemberRegistration.status == "registered",
            MemberRegistration.deleted_at.is_(None))).scalar_one_or_none()
        if reg is None:
            raise NotFoundError(f"{v['name']}不是已报到的在职党员", field="id_number")
        points = baodao.points_for(self._rules(s, state, activity.date), activity.activity_type, hours)
        part = s.execute(select(Participation).where(Participation.activity_id == activity.id,
                                                     Participation.member_id == reg.id,
                                                     Participation.deleted_at.is_(None))).scalar_one_or_none()
        if part is None:
            s.add(Participation(activity_id=activity.id, member_id=reg.id, hours=hours, points=points,
                                evaluation=v.get("evaluation"), scope_code=activity.scope_code))
            if activity.id in state.signed:  # what planned rows go by: this member is signed in now
                state.signed[activity.id].add(reg.id)
            return "new", v["name"]
        changed = set_fields(part, {"hours": hours, "points": points, "evaluation": v.get("evaluation")})
        return ("updated" if changed else "unchanged"), v["name"]

"""红色物业 firms (物业服务企业): their Party organisation, community leadership, the alliance,
cross-appointments (交叉任职) and quarterly complaints and satisfaction."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridapp.core import codes
from gridapp.core.errors import ConflictError, ValidationError
from gridapp.core.models import (
    Compound,
    CrossAppointment,
    FirmQuarterly,
    FirmRating,
    OrgUnit,
    OwnersCommittee,
    Person,
    PropertyFirm,
    ServiceContract,
)
from gridapp.core.models.base import find_by_credit_code_or_name, live, set_fields, utcnow
from gridapp.core.services import orgs
from gridapp.core.services.people import upsert_person
from gridapp.core.store import Store
from gridapp.core.validation import normalize_phone, parse_credit_code

FIRM_FIELDS = ("name", "credit_code", "legal_rep", "contact_name", "contact_phone", "address", "qualification",
               "staff_count", "party_member_count", "party_org_status", "party_org_name", "party_secretary",
               "instructor_name", "instructor_phone", "led_by_community", "leading_community_id", "alliance_member",
               "alliance_joined_on")

# A Party branch of its own needs at least three full members (党章: 正式党员三人以上的，都应当成立党的基层组织).
MIN_MEMBERS_OWN_BRANCH = 3
WITH_ORGANISATION = ("own", "joint")  # 党的组织覆盖
WITH_PARTY_WORK = ("own", "joint", "instructor")  # 党的工作覆盖


def clean_firm(data: dict[str, Any]) -> dict[str, Any]:
    """Validate a firm's fields; the messages name the field and what is wrong with it."""
    out = {k: data[k] for k in FIRM_FIELDS if k in data}
    out["name"] = (out.get("name") or "").strip()
    if not out["name"]:
        raise ValidationError("企业名称不能为空", field="name")
    if out.get("credit_code"):
        out["credit_code"] = parse_credit_code(out["credit_code"])
    for key in ("contact_phone", "instructor_phone"):
        if out.get(key):
            out[key] = normalize_phone(out[key])
    for key, title in (("staff_count", "从业人数"), ("party_member_count", "党员人数")):
        if out.get(key) is not None and out[key] < 0:
            raise ValidationError(f"{title}不能为负数", field=key)
    staff, members = out.get("staff_count"), out.get("party_member_count")
    if staff is not None and members is not None and members > staff:
        raise ValidationError(f"党员人数 {members} 多于从业人数 {staff}", field="party_member_count")
    status = out.get("party_org_status")
    if status and status not in codes.FIRM_PARTY_STATUS.codes():
        raise ValidationError(f"党组织建立情况“{status}”无效", field="party_org_status")
    if status == "own" and members is not None and members < MIN_MEMBERS_OWN_BRANCH:
        raise ValidationError(f"单独组建党组织须有 {MIN_MEMBERS_OWN_BRANCH} 名以上党员（现填 {members} 名），"
                              "党员不足的可联合组建或派驻党建指导员", field="party_org_status")
    if status in ("none", "instructor"):
        if out.get("party_org_name"):
            raise ValidationError("党组织未在企业内建立，不应填写党组织名称", field="party_org_name")
        out["party_org_name"] = out["party_secretary"] = None
    if "led_by_community" in out or "leading_community_id" in out:
        out["led_by_community"] = bool(out.get("led_by_community") or out.get("leading_community_id"))
        if out["led_by_community"] and not out.get("leading_community_id"):
            raise ValidationError("社区党组织领办物业，请选择领办的社区", field="leading_community_id")
        if not out["led_by_community"]:
            out["leading_community_id"] = None
    if "alliance_member" in out:
        out["alliance_member"] = bool(out["alliance_member"])
        if not out["alliance_member"]:
            out["alliance_joined_on"] = None
    return out


def find_firm(s: Session, *, credit_code: str | None = None, name: str | None = None) -> PropertyFirm | None:
    """By credit code first, then by name (two live firms of one name is a conflict)."""
    return find_by_credit_code_or_name(s, PropertyFirm, credit_code, name, what="物业企业", field="firm")


def _check_community(s: Session, community_id: str | None) -> None:
    if community_id:
        unit = s.get(OrgUnit, community_id)
        if unit is None or unit.level != "community" or unit.deleted_at is not None:
            raise ValidationError("领办物业的须是社区党组织", field="leading_community_id")


def upsert_firm(s: Session, data: dict[str, Any], *, scope_code: str | None) -> tuple[PropertyFirm, bool, bool]:
    """The firm with this credit code (without one, this name), created or updated; (firm, created, changed)."""
    clean = clean_firm(data)
    _check_community(s, clean.get("leading_community_id"))
    firm = find_firm(s, credit_code=clean.get("credit_code"), name=None if clean.get("credit_code") else clean["name"])
    if firm is None and clean.get("credit_code"):
        # A firm entered earlier without its code, now with it.
        firm = find_firm(s, name=clean["name"])
        if firm is not None and firm.credit_code:
            firm = None
    if firm is None:
        firm = PropertyFirm(**clean, scope_code=scope_code)
        s.add(firm)
        s.flush()
        return firm, True, False
    changed = False
    if firm.deleted_at is not None:
        firm.deleted_at, changed = None, True
    if clean.get("party_org_status") in ("none", "instructor"):  # no organisation in the firm any more
        changed |= set_fields(firm, {"party_org_name": None, "party_secretary": None}, skip_blank=False)
    return firm, False, set_fields(firm, clean) or changed


def save_firm(store: Store, data: dict[str, Any], firm_id: str | None = None) -> str:
    """Create a firm or update one from the form (a cleared field is cleared); returns its id."""
    scope = store.site.code if store.site else None
    with store.session() as s:
        clean = clean_firm(data)
        _check_community(s, clean.get("leading_community_id"))
        if clean.get("credit_code"):
            other = find_firm(s, credit_code=clean["credit_code"])
            if other is not None and other.id != firm_id:
                raise ConflictError(f"统一社会信用代码 {clean['credit_code']} 已登记为“{other.name}”", field="credit_code")
        if firm_id is None:
            return upsert_firm(s, clean, scope_code=scope)[0].id
        firm = live(s, PropertyFirm, firm_id, "物业企业")
        set_fields(firm, {k: clean.get(k) for k in FIRM_FIELDS}, skip_blank=False)
        return firm.id


def delete_firm(store: Store, firm_id: str) -> None:
    """Remove a firm that serves no compound now (its history stays with the compounds)."""
    with store.session() as s:
        firm = live(s, PropertyFirm, firm_id, "物业企业")
        serving = s.execute(select(Compound.name).join(ServiceContract, ServiceContract.compound_id == Compound.id)
                            .where(ServiceContract.firm_id == firm.id, ServiceContract.end_date.is_(None),
                                   ServiceContract.deleted_at.is_(None))).scalars().all()
        if serving:
            raise ConflictError(f"“{firm.name}”仍在服务 {len(serving)} 个小区（{'、'.join(serving[:5])}），"
                                "请先在小区中终止或更换物业")
        firm.deleted_at = utcnow()


# -- quarterly complaints and satisfaction ----------------------------------------------------------------

@dataclass(frozen=True)
class Quarter:
    year: int
    quarter: int
    complaints: int
    complaints_resolved: int
    satisfaction: float | None

    @property
    def resolved_rate(self) -> float | None:
        return self.complaints_resolved / self.complaints if self.complaints else None


def record_quarter(store: Store, firm_id: str, year: int, quarter: int, *, complaints: int, resolved: int,
                   satisfaction: float | None) -> None:
    """投诉与满意度 of a firm in one quarter (entered again, it replaces the earlier figures)."""
    if quarter not in (1, 2, 3, 4):
        raise ValidationError(f"季度须为 1–4（现填 {quarter}）", field="quarter")
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年度 {year} 无效", field="year")
    if complaints < 0 or resolved < 0:
        raise ValidationError("投诉件数不能为负数", field="complaints")
    if resolved > complaints:
        raise ValidationError(f"办结件数 {resolved} 多于投诉件数 {complaints}", field="complaints_resolved")
    if satisfaction is not None and not 0 <= satisfaction <= 100:
        raise ValidationError(f"满意度须在 0–100 之间（现填 {satisfaction:g}）", field="satisfaction")
    with store.session() as s:
        firm = live(s, PropertyFirm, firm_id, "物业企业")
        row = s.execute(select(FirmQuarterly).where(FirmQuarterly.firm_id == firm.id, FirmQuarterly.year == year,
                                                    FirmQuarterly.quarter == quarter,
                                                    FirmQuarterly.deleted_at.is_(None))).scalar_one_or_none()
        values = {"complaints": complaints, "complaints_resolved": resolved, "satisfaction": satisfaction}
        if row is None:
            s.add(FirmQuarterly(firm_id=firm.id, year=year, quarter=quarter, scope_code=firm.scope_code, **values))
        else:
            set_fields(row, values, skip_blank=False)


def quarters(s: Session, firm_id: str, year: int | None = None) -> list[Quarter]:
    q = select(FirmQuarterly).where(FirmQuarterly.firm_id == firm_id, FirmQuarterly.deleted_at.is_(None))
    if year is not None:
        q = q.where(FirmQuarterly.year == year)
    rows = s.execute(q.order_by(FirmQuarterly.year.desc(), FirmQuarterly.quarter)).scalars()
    return [Quarter(r.year, r.quarter, r.complaints, r.complaints_resolved, r.satisfaction) for r in rows]


@dataclass(frozen=True)
class YearFigures:
    """A firm's year from its quarters: what the rating's satisfaction and complaint indicators draw on."""

    complaints: int
    resolved: int
    satisfaction: float | None  # mean of the quarters that have one
    quarters: int


def year_figures(store: Store, firm_id: str, year: int) -> YearFigures:
    with store.read() as s:
        rows = quarters(s, firm_id, year)
    sats = [q.satisfaction for q in rows if q.satisfaction is not None]
    return YearFigures(sum(q.complaints for q in rows), sum(q.complaints_resolved for q in rows),
                       round(sum(sats) / len(sats), 1) if sats else None, len(rows))


# -- cross-appointments -------------------------------------------------------------------------------------

APPOINTMENT_PERSON_FIELDS = ("name", "id_number", "gender", "phone", "political_status")


def appoint(store: Store, data: dict[str, Any]) -> str:
    """交叉任职: a person (by ID number) serving across the community Party organisation and a firm or
    an owners' committee, with role and dates; returns the appointment's id."""
    direction = data.get("direction")
    if direction not in codes.APPOINTMENT_DIRECTION.codes():
        raise ValidationError("请选择交叉任职方向", field="direction")
    start, end = data.get("start_date"), data.get("end_date")
    if start and end and end < start:
        raise ValidationError(f"任职结束日期 {end} 早于开始日期 {start}", field="end_date")
    role = (data.get("role") or "").strip()
    if not role:
        raise ValidationError("请填写所任职务（如：物业企业党支部副书记、业委会委员、社区兼职委员）", field="role")
    with store.session() as s:
        community = s.get(OrgUnit, data.get("community_id") or "")
        if community is None or community.level != "community" or community.deleted_at is not None:
            raise ValidationError("请选择社区", field="community_id")
        firm_id = committee_id = None
        if direction in ("community_to_firm", "firm_to_community"):
            firm_id = live(s, PropertyFirm, data.get("firm_id"), "任职的物业企业", field="firm_id").id
        else:
            compound = live(s, Compound, data.get("compound_id"), "业委会所在的小区", field="compound_id")
            committee = s.execute(select(OwnersCommittee).where(
                OwnersCommittee.compound_id == compound.id, OwnersCommittee.established.is_(True),
                OwnersCommittee.deleted_at.is_(None))).scalar_one_or_none()
            if committee is None:
                raise ValidationError(f"小区“{compound.name}”尚未成立业主委员会", field="compound_id")
            committee_id = committee.id
        person, _c, _ch = upsert_person(s, {k: data[k] for k in APPOINTMENT_PERSON_FIELDS if data.get(k)},
                                        scope_code=community.code)
        s.flush()
        same = s.execute(select(CrossAppointment).where(
            CrossAppointment.person_id == person.id, CrossAppointment.direction == direction,
            CrossAppointment.firm_id.is_(firm_id) if firm_id is None else CrossAppointment.firm_id == firm_id,
            CrossAppointment.committee_id.is_(committee_id) if committee_id is None
            else CrossAppointment.committee_id == committee_id,
            CrossAppointment.end_date.is_(None), CrossAppointment.deleted_at.is_(None))).scalar_one_or_none()
        if same is not None:
            raise ConflictError(f"{person.name}已在该处任职（{same.role}），如职务变化请先结束原任职", field="role")
        row = CrossAppointment(person_id=person.id, direction=direction, community_id=community.id, firm_id=firm_id,
                               committee_id=committee_id, role=role, start_date=start, end_date=end,
                               scope_code=community.code)
        s.add(row)
        s.flush()
        return row.id


def end_appointment(store: Store, appointment_id: str, end: dt.date) -> None:
    with store.session() as s:
        row = live(s, CrossAppointment, appointment_id, "交叉任职记录")
        if row.end_date is not None:
            raise ValidationError(f"该任职已于 {row.end_date} 结束")
        if row.start_date and end < row.start_date:
            raise ValidationError(f"结束日期 {end} 早于任职开始日期 {row.start_date}", field="end_date")
        row.end_date = end


# -- one firm, everything about it -----------------------------------------------------------------------

@dataclass(frozen=True)
class FirmDetails:
    id: str
    values: dict[str, Any]  # the FIRM_FIELDS, for the form
    leading_community: str
    compounds: tuple[tuple[str, dt.date | None], ...]  # served now: (name, since)
    former: tuple[tuple[str, dt.date | None, dt.date | None, str], ...]  # (name, from, to, how it ended)
    quarters: tuple[Quarter, ...]
    ratings: tuple[tuple[int, float | None, int | None], ...]  # (year, total, stars), newest first
    appointments: tuple[tuple[str, str, str, dt.date | None, dt.date | None], ...]  # name, direction, role, from, to

    @property
    def name(self) -> str:
        return self.values["name"]


def details(store: Store, firm_id: str) -> FirmDetails:
    with store.read() as s:
        firm = live(s, PropertyFirm, firm_id, "物业企业")
        contracts = s.execute(
            select(Compound.name, ServiceContract.start_date, ServiceContract.end_date, ServiceContract.end_reason)
            .join(Compound, Compound.id == ServiceContract.compound_id)
            .where(ServiceContract.firm_id == firm.id, ServiceContract.deleted_at.is_(None),
                   Compound.deleted_at.is_(None))
            .order_by(Compound.name)).all()
        ratings = s.execute(select(FirmRating.year, FirmRating.total, FirmRating.stars).where(
            FirmRating.firm_id == firm.id, FirmRating.deleted_at.is_(None)).order_by(FirmRating.year.desc())).all()
        appointments = s.execute(
            select(Person.name, CrossAppointment.direction, CrossAppointment.role, CrossAppointment.start_date,
                   CrossAppointment.end_date)
            .join(Person, Person.id == CrossAppointment.person_id)
            .where(CrossAppointment.firm_id == firm.id, CrossAppointment.deleted_at.is_(None))
            .order_by(CrossAppointment.start_date)).all()
        return FirmDetails(
            firm.id, {k: getattr(firm, k) for k in FIRM_FIELDS}, orgs.label(store, firm.leading_community_id),
            tuple((n, start) for n, start, end, _r in contracts if end is None),
            tuple((n, start, end, codes.CONTRACT_END.name(r)) for n, start, end, r in contracts if end is not None),
            tuple(quarters(s, firm.id)), tuple(tuple(r) for r in ratings),
            tuple((n, codes.APPOINTMENT_DIRECTION.name(d), role or "", a, b) for n, d, role, a, b in appointments))


def choices(store: Store) -> list[tuple[str, str]]:
    """(id, name) of every firm, for pickers."""
    with store.read() as s:
        return [tuple(r) for r in s.execute(select(PropertyFirm.id, PropertyFirm.name).where(
            PropertyFirm.deleted_at.is_(None)).order_by(PropertyFirm.name)).all()]

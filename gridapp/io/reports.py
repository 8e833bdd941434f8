"""What printouts contain: titles, issuing unit, table rows and totals. The painting lives in the UI.

Tables are built from list descriptions (``core.list_specs``), so a roster shows the same columns,
names and masked ID numbers as the list on screen.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from gridapp.core import audit, list_specs, lists
from gridapp.core.errors import Cancelled, ValidationError
from gridapp.core.models import GridWorker, OrgUnit, Person
from gridapp.core.services import grids, orgs, special_kinds
from gridapp.core.store import Store

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class Table:
    columns: tuple[str, ...]
    widths: tuple[int, ...]  # relative widths
    rows: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class Roster:
    """A titled table for a unit: 花名册, 企业名册, 评星结果 (what is counted, a summary above, a note below)."""

    title: str
    issuer: str
    issued_on: dt.date
    table: Table
    counted: str = "人"
    summary: str = ""
    note: str = ""

    @property
    def count(self) -> int:
        return len(self.table.rows)


@dataclass(frozen=True)
class BoardMember:
    name: str
    role: str
    phone: str
    photo: bytes | None


@dataclass(frozen=True)
class NoticeBoard:
    title: str  # 云溪社区第一网格
    code: str
    boundary: str
    households: int | None
    population: int | None
    party_org: str
    members: tuple[BoardMember, ...]
    supervision_phone: str
    issuer: str
    grid_type: str = ""  # 城镇社区网格, 专属网格（学校）
    special_unit: str = ""  # the unit a 专属网格 serves


ROSTER_COLUMNS = ("name", "gender", "ethnicity", "id_number", "political_status", "education", "phone",
                  "community", "grid", "role", "hired_on", "notes")


def _unit_and_chain(store: Store, org_code: str) -> tuple[orgs.OrgUnitInfo, list[orgs.OrgUnitInfo]]:
    unit = orgs.get(store, org_code)
    chain = [unit]
    with store.read() as s:
        parent_id = unit.parent_id
        while parent_id:
            parent = s.get(OrgUnit, parent_id)
            chain.insert(0, orgs.info(parent))
            parent_id = parent.parent_id
    return unit, chain


def title_for(chain: list[orgs.OrgUnitInfo]) -> str:
    """海泉路街道云溪社区: the names from the street down (the district too when printing for it)."""
    names = [u.name for u in chain if u.level != "district"] or [chain[-1].name]
    return "".join(names)


def issuer_for(store: Store, chain: list[orgs.OrgUnitInfo]) -> str:
    configured = store.get_setting("print.issuing_unit")
    if configured:
        return configured
    for u in reversed(chain):
        if u.level == "community":
            return u.party_org_name or f"{u.name}党委"
        if u.level == "street":
            return f"{u.name}党工委"
        if u.level == "district":
            return f"{u.name}委组织部"
    return chain[-1].name


def _printing(title: str):
    """A printout's check and audit: printing needs its right; full ID numbers (``mask=False``) need the right
    to them too (a 查看 account has neither, a 经办人 both)."""

    def rule(_store: Store, *args, mask: bool = True, **_kw) -> tuple[str, str, str]:
        if not mask:
            return "export_ids", "print", f"打印{title}（含完整身份证号码）"
        return "print", "print", f"打印{title}"

    return audit.guard(rule)


@_printing("网格员花名册")
def roster(store: Store, org_code: str, *, issued_on: dt.date | None = None, mask: bool = True,
           progress: Progress | None = None, cancel: threading.Event | None = None) -> Roster:
    """网格员花名册 of a grid, a community, a street or a district: the workers on duty there."""
    unit, chain = _unit_and_chain(store, org_code)
    spec = list_specs.WORKERS
    cols = [spec.column(k) for k in ROSTER_COLUMNS]
    query = lists.Query(filters=(("org", unit.code), ("status", "active")), sort="grid_code")
    rows: list[tuple[tuple, tuple[str, ...]]] = []
    special = _special_grid_labels(store, unit.code)
    grid_at = cols.index(spec.column("grid"))
    with store.engine.connect() as conn:
        rowids = lists.query_rowids(conn, spec, query)
        for start in range(0, len(rowids), 500):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            chunk = rowids[start : start + 500]
            values = lists.fetch_rows(conn, spec, chunk)
            index = {c.key: i for i, c in enumerate(spec.columns)}
            for rid in chunk:
                v = values[rid]
                order = (v[index["grid_code"]] or "", grids.ROLE_ORDER.get(v[index["role"]], 9))
                shown = [c.display(v[index[c.key]], reveal=not mask) for c in cols]
                if v[index["grid_code"]] in special:  # a 专属网格 says which kind: 第四网格（专属网格·学校）
                    shown[grid_at] += f"（{special[v[index['grid_code']]]}）"
                rows.append((order, tuple(shown)))
            if progress:
                progress(len(rows), len(rowids), "正在整理花名册")
    rows.sort(key=lambda r: r[0])  # by grid code, the leader first; stable, so by name within
    numbered = tuple((str(i), *r) for i, (_o, r) in enumerate(rows, 1))
    widths = (4, 6, 3, 5, 14, 9, 8, 10, 8, 7, 8, 8, 6)
    return Roster(
        title=f"{title_for(chain)}网格员花名册",
        issuer=issuer_for(store, chain),
        issued_on=issued_on or dt.date.today(),
        table=Table(("序号", *(c.title for c in cols)), widths, numbered),
    )


def _special_grid_labels(store: Store, prefix: str) -> dict[str, str]:
    """Grid code → “专属网格·学校” for the 专属网格 under ``prefix``."""
    with store.read() as s:
        names = special_kinds.names_in(s)
        rows = s.execute(select(OrgUnit.code, OrgUnit.special_kind).where(
            OrgUnit.grid_type == "special", OrgUnit.deleted_at.is_(None), OrgUnit.code.like(prefix + "%"))).all()
    return {code: "专属网格" + (f"·{names.get(kind, kind)}" if kind else "") for code, kind in rows}


@_printing("网格公示牌")
def noticeboards(store: Store, org_code: str) -> list[NoticeBoard]:
    """网格公示牌: one per current grid in the unit's subtree (or for the grid itself)."""
    unit = orgs.get(store, org_code)
    with store.read() as s:
        q = (select(OrgUnit.id).where(OrgUnit.level == "grid", OrgUnit.retired_on.is_(None),
                                      OrgUnit.deleted_at.is_(None), OrgUnit.code.like(unit.code + "%"))
             .order_by(OrgUnit.code))
        grid_ids = list(s.execute(q).scalars())
    if not grid_ids:
        raise ValidationError(f"“{unit.name}”下没有网格，无法打印公示牌")
    boards = []
    for gid in grid_ids:
        d = grids.details(store, gid)
        with store.read() as s:
            grid = s.get(OrgUnit, gid)
            community = s.get(OrgUnit, grid.parent_id)
            phone = grid.supervision_phone or community.supervision_phone or ""
            grid_type = special_kinds.type_label(grid.grid_type, special_kinds.name_of(s, grid.special_kind))
            members = []
            for m in d.members:
                photo = s.execute(select(Person.photo).join(GridWorker, GridWorker.person_id == Person.id)
                                  .where(GridWorker.id == m.worker_id)).scalar()
                members.append(BoardMember(m.name, m.role_name, m.phone or "", photo))
        _u, grid_chain = _unit_and_chain(store, d.unit.code)
        boards.append(NoticeBoard(
            title=f"{d.community}{d.unit.name}", code=d.unit.code, boundary=d.unit.boundary or "",
            households=d.unit.households, population=d.unit.population,
            party_org=d.unit.party_org_name or "", members=tuple(members), supervision_phone=phone,
            issuer=issuer_for(store, grid_chain), grid_type=grid_type, special_unit=d.unit.special_unit or "",
        ))
    return boards


# -- 双报到 yearly feedback letters -------------------------------------------------------------------------

@dataclass(frozen=True)
class Letter:
    unit_name: str
    title: str
    addressee: str
    body: str
    table: Table
    issuer: str
    issued_on: dt.date
    note: str


FEEDBACK_COLUMNS = ("序号", "姓名", "报到社区", "所在网格", "报到日期", "服务岗位", "参加活动（次）", "服务时长（小时）",
                    "积分", "评价")


@_printing("双报到反馈函")
def feedback_letters(store: Store, year: int, unit_ids: list[str] | None = None, *,
                     issued_on: dt.date | None = None) -> list[Letter]:
    """双向反馈: a letter to each unit about its in-service members' registration and service in ``year``."""
    from gridapp.core.codes import SERVICE_POST
    from gridapp.core.services import baodao

    site = store.site
    place = site.name if site else ""
    if site:
        _u, chain = _unit_and_chain(store, site.code)
        issuer = issuer_for(store, chain)
    else:
        issuer = ""
    thresholds = store.get_setting("baodao.evaluation_points", baodao.DEFAULT_EVALUATION_POINTS)
    letters = []
    for fb in baodao.feedbacks(store, year, unit_ids):
        rows = tuple(
            (str(i), m.name, m.community, m.grid, m.registered_on.isoformat() if m.registered_on else "",
             SERVICE_POST.name(m.service_post), str(m.activities), f"{m.hours:g}", f"{m.points:g}", m.evaluation)
            for i, m in enumerate(fb.members, 1))
        rate = f"{min(len(fb.members) / fb.reported, 1):.0%}" if fb.reported else "—"
        body = (f"贵单位共有 {len(fb.members)} 名在职党员在{place}报到（贵单位报告在职党员 {fb.reported} 名，报到率 {rate}），"
                f"{year}年共参加志愿服务 {fb.activities} 人次，累计服务 {fb.hours:g} 小时，获得积分 {fb.points:g} 分。"
                "现将每名党员的报到和服务情况反馈如下，供贵单位在党员教育管理、年度考核和评先评优中参考。")
        note = (f"评价按全年积分：{thresholds.get('excellent', 20):g} 分及以上为优秀，{thresholds.get('good', 8):g} 分及以上为良好，"
                "参加过服务但不足良好为一般。")
        letters.append(Letter(fb.unit_name, f"{year}年度在职党员到社区报到服务情况反馈函", fb.addressee, body,
                              Table(FEEDBACK_COLUMNS, (4, 7, 9, 8, 9, 8, 7, 8, 6, 7), rows), issuer,
                              issued_on or dt.date.today(), note))
    return letters


# -- 在职党员到社区报到登记表 ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RegistrationForm:
    community: str
    rows: tuple[tuple[str, str, str, str], ...]  # label, value, label, value
    service_post: str
    registered_on: dt.date | None


@_printing("报到登记表")
def registration_forms(store: Store, member_ids: list[str], *, mask: bool = True) -> list[RegistrationForm]:
    """One 登记表 per member: the person, their unit and post, where they live, what they serve as.
    The ID number is masked unless ``mask`` is False (a form handed to the member to check)."""
    from gridapp.core import codes
    from gridapp.core.models import Compound, MemberRegistration, Unit
    from gridapp.core.validation import mask_id_number

    forms = []
    names = orgs.labels(store)
    with store.read() as s:
        for mid in member_ids:
            reg = s.get(MemberRegistration, mid)
            if reg is None:
                raise ValidationError("找不到该报到记录")
            p = s.get(Person, reg.person_id)
            unit = s.get(Unit, reg.unit_id) if reg.unit_id else None
            community = s.get(OrgUnit, reg.community_id)
            grid = s.get(OrgUnit, reg.grid_id) if reg.grid_id else None
            compound = s.get(Compound, reg.compound_id) if reg.compound_id else None
            birth = f"{p.birth_date:%Y.%m}" if p.birth_date else ""
            forms.append(RegistrationForm(names[community.id], (
                ("姓名", p.name, "性别", codes.GENDER.name(p.gender)),
                ("出生年月", birth, "民族", codes.ETHNICITY.name(p.ethnicity)),
                ("政治面貌", codes.POLITICAL.name(p.political_status), "文化程度", codes.EDUCATION.name(p.education)),
                ("身份证号码", mask_id_number(p.id_number) if mask else p.id_number or "", "联系电话", p.phone or ""),
                ("工作单位", unit.name if unit else "", "职务", (reg.position or "") + ("（处级以上）" if reg.is_leading_cadre else "")),
                ("单位党组织", unit.party_org_name or "" if unit else "", "报到日期",
                 reg.registered_on.isoformat() if reg.registered_on else ""),
                ("居住社区", names[community.id], "所在网格", grid.name if grid else ""),
                ("居住小区", compound.name if compound else "", "报到状态", codes.MEMBER_STATUS.name(reg.status)),
            ), codes.SERVICE_POST.name(reg.service_post), reg.registered_on))
    return forms


# -- 红色物业: firms and the yearly ranking ---------------------------------------------------------------

def _issuer_and_title(store: Store, org_code: str | None) -> tuple[str, str, str]:
    """(unit code, title prefix, issuer) for a unit, the site's own when none is given."""
    code = org_code or (store.site.code if store.site else None)
    if not code:
        raise ValidationError("数据库尚未建立站点，请用 --org 指定单位编码")
    _u, chain = _unit_and_chain(store, code)
    return code, title_for(chain), issuer_for(store, chain)


FIRM_COLUMNS = ("name", "credit_code", "legal_rep", "contact_phone", "party_org_status", "party_member_count",
                "party_secretary", "instructor_name", "compounds", "leading_community", "alliance_member")


@_printing("物业服务企业名册")
def firm_roster(store: Store, org_code: str | None = None, *, issued_on: dt.date | None = None) -> Roster:
    """物业服务企业名册 of a unit: the firms serving its compounds or led by its communities."""
    from gridapp.core.list_specs_property import FIRMS

    code, prefix, issuer = _issuer_and_title(store, org_code)
    cols = [FIRMS.column(k) for k in FIRM_COLUMNS]
    index = {c.key: i for i, c in enumerate(FIRMS.columns)}
    with store.engine.connect() as conn:
        rowids = lists.query_rowids(conn, FIRMS, lists.Query(filters=(("org", code),)))
        values = lists.fetch_rows(conn, FIRMS, rowids)
    rows = tuple((str(n), *(c.display(values[rid][index[c.key]]) for c in cols)) for n, rid in enumerate(rowids, 1))
    with_org = sum(1 for rid in rowids if values[rid][index["party_org_status"]] in ("own", "joint"))
    summary = (f"共 {len(rows)} 家物业服务企业，其中建立党组织 {with_org} 家"
               + (f"（{with_org / len(rows):.0%}）" if rows else "") + "。")
    return Roster(f"{prefix}物业服务企业名册", issuer, issued_on or dt.date.today(),
                  Table(("序号", *(c.title for c in cols)), (3, 16, 12, 5, 8, 7, 4, 5, 5, 16, 5, 4), rows),
                  counted="家", summary=summary)


@_printing("评星定级结果")
def rating_list(store: Store, year: int, org_code: str | None = None, *,
                issued_on: dt.date | None = None) -> Roster:
    """晾晒评比: the year's star ratings from the highest total down, with each indicator's score."""
    from gridapp.core.services import ratings

    code, prefix, issuer = _issuer_and_title(store, org_code)
    r = ratings.ranking(store, year, code if org_code else None)
    inds = r.template.indicators
    def moved(x: ratings.RankRow) -> str:
        if x.previous_stars is None:
            return "新参评"
        if x.stars == x.previous_stars:
            return "持平"
        return f"{'↑' if x.stars > x.previous_stars else '↓'} 上年{x.previous_stars}星"

    rows = tuple((str(x.rank), x.name, *(f"{v:g}" if v is not None else "" for v in x.scores), f"{x.total:g}",
                  ratings.stars_text(x.stars), moved(x)) for x in r.rows)
    counts = r.star_counts()
    names = {5: "五星", 4: "四星", 3: "三星", 2: "二星", 1: "一星"}
    summary = (f"参评企业 {len(rows)} 家：" + "，".join(f"{names[k]} {n} 家" for k, n in counts.items() if n)
               + "。" if rows else "本年度尚无评定结果。")
    lines = "、".join(f"{t:g}" for t in r.template.thresholds)
    note = (f"评定标准：{r.template.name}；" + "，".join(f"{i.name} {i.max_score:g} 分" for i in inds)
            + f"。总分达到 {lines} 分分别评为二、三、四、五星，不足 {r.template.thresholds[0]:g} 分为一星。"
            + (f"“较上年”为与 {year - 1} 年度星级相比。" if any(x.previous_stars for x in r.rows) else "")
            + (f"本年度未评定：{'、'.join(r.unrated)}。" if r.unrated else ""))
    widths = (3, 18, *(6 for _ in inds), 5, 8, 6)
    return Roster(f"{prefix}{year}年度红色物业企业评星定级结果", issuer, issued_on or dt.date.today(),
                  Table(("名次", "企业名称", *(f"{i.name}（{i.max_score:g}）" for i in inds), "总分", "星级", "较上年"),
                        widths, rows), counted="家", summary=summary, note=note)


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


COVERAGE_COLUMNS = ("社区", "物业企业", "建立党组织", "党组织覆盖率", "党的工作覆盖率", "社区领办", "领办率", "联盟成员",
                    "小区", "有物业服务", "物业覆盖率", "三星以上物业服务", "占比", "成立业委会", "小区党组织覆盖率")


def coverage_rows(cov) -> tuple[tuple[str, ...], ...]:
    """The coverage table as shown and printed: one row per community, the unit's total last."""
    def row(r, name: str) -> tuple[str, ...]:
        return (name, str(r.firms), str(len(r.with_org)), _pct(r.rate("org")), _pct(r.rate("work")), str(len(r.led)),
                _pct(r.rate("led")), str(len(r.alliance)), str(r.compounds), str(r.with_firm), _pct(r.rate("firm")),
                str(r.good_firm), _pct(r.rate("good")), str(r.committee), _pct(r.rate("party")))
    return (*(row(r, r.name) for r, _sub in cov.grouped()), row(cov.total, f"{cov.total.name}合计"))


@_printing("红色物业覆盖情况")
def coverage_report(store: Store, year: int, org_code: str | None = None, *,
                    issued_on: dt.date | None = None) -> Roster:
    """红色物业覆盖情况 by community, for printing."""
    from gridapp.core.services import coverage

    code, prefix, issuer = _issuer_and_title(store, org_code)
    cov = coverage.coverage(store, year, code)
    t = cov.total
    summary = (f"物业服务企业 {t.firms} 家，党组织覆盖率 {_pct(t.rate('org'))}，社区党组织领办 {len(t.led)} 家；"
               f"小区 {t.compounds} 个，物业服务覆盖率 {_pct(t.rate('firm'))}，"
               f"由{year}年度三星以上企业服务的占 {_pct(t.rate('good'))}。")
    note = ("党组织覆盖指企业单独或联合组建党组织；党的工作覆盖另含派驻党建指导员。企业计入其服务小区所在的社区和领办社区，"
            "服务多个社区的企业在合计中只计一次。")
    return Roster(f"{prefix}{year}年度红色物业覆盖情况", issuer, issued_on or dt.date.today(),
                  Table(COVERAGE_COLUMNS, (10, 5, 5, 6, 6, 5, 5, 5, 4, 5, 6, 6, 5, 5, 6), coverage_rows(cov)),
                  counted="", summary=summary, note=note)

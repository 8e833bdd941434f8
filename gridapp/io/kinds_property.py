"""红色物业 sheets: firms, compounds, service contracts and yearly ratings.

The firms sheet names the compounds each firm serves (“海泉花园、云溪家园”): a name that matches a
compound gives it that firm; one that matches none, or a compound another firm serves now, is left
alone and reported on the row, so the firm itself still goes in.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridapp.core.errors import DomainError, NotFoundError, ValidationError
from gridapp.core.models import Compound, FirmRating, OrgUnit, OwnersCommittee, PropertyFirm, ServiceContract
from gridapp.core.services import compounds, firms, ratings
from gridapp.core.store import Store
from gridapp.io import cells
from gridapp.io.kinds import Places
from gridapp.io.sheet import Sheet
from gridapp.io.spec import (
    Field,
    ImportSpec,
    code_parser,
    credit_code,
    date_parser,
    float_parser,
    int_parser,
    phones,
)

Notes = list[tuple[str, str]]


def yes_no(value: object) -> bool | None:
    """是/否, √/×, 1/0, 已成立/未成立 …; an empty cell is “not given”."""
    text = cells.text(value)
    if not text:
        return None
    if text in ("是", "Y", "y", "1", "√", "✓", "有", "已成立", "已建立", "已覆盖", "true", "True", "加入", "已加入"):
        return True
    if text in ("否", "N", "n", "0", "×", "✗", "无", "未成立", "未建立", "未覆盖", "false", "False", "未加入"):
        return False
    raise ValidationError(f"“{text}”应填“是”或“否”")


def split_names(text: str | None) -> list[str]:
    return [n for n in re.split(r"[、，,；;/\n]+", text or "") if n.strip()]


def _firm(s: Session, name: str | None, code: str | None) -> PropertyFirm:
    firm = firms.find_firm(s, credit_code=code, name=name)
    if firm is None or firm.deleted_at is not None:
        raise NotFoundError(f"找不到物业企业“{name or code}”，请先导入或登记该企业", field="firm")
    return firm


def _latest_end(s: Session, compound: Compound) -> dt.date | None:
    return s.execute(select(func.max(ServiceContract.end_date)).where(
        ServiceContract.compound_id == compound.id, ServiceContract.deleted_at.is_(None))).scalar()


def serve(s: Session, compound: Compound, firm: PropertyFirm, since: dt.date | None, column: str,
          notes: Notes) -> bool:
    """Make ``firm`` the compound's firm if it has none; a different current firm is reported, not replaced."""
    current = compounds.current_contract(s, compound.id)
    if current is not None:
        if current.firm_id != firm.id:
            other = s.get(PropertyFirm, current.firm_id)
            notes.append((column, f"小区“{compound.name}”现由“{other.name}”服务，未改动；"
                                  "如已更换物业，请在“小区”中办理更换"))
        return False
    compounds.add_contract(s, compound, firm, since or _latest_end(s, compound))
    return True


# -- firms -----------------------------------------------------------------------------------------------

FIRMS = ImportSpec(
    kind="firms",
    title="物业服务企业",
    fields=(
        Field("name", "企业名称", ("物业企业", "物业公司", "企业", "物业服务企业", "单位名称"), cells.text, required=True,
              example="青岛海泉物业服务有限公司"),
        Field("credit_code", "统一社会信用代码", ("信用代码", "社会信用代码"), credit_code,
              example="913702036397004899", note="18位，按 GB 32100 校验"),
        Field("legal_rep", "法定代表人", ("法人", "法人代表"), cells.person_name, example="邹佳国"),
        Field("contact_name", "联系人", (), cells.person_name, example="李娜"),
        Field("contact_phone", "联系电话", ("电话", "手机号", "联系方式"), phones, example="13747607395"),
        Field("address", "企业地址", ("地址", "办公地址"), cells.text),
        Field("qualification", "资质等级", ("资质",), cells.text, example="二级"),
        Field("staff_count", "从业人数", ("员工人数", "职工人数", "员工数"), int_parser("从业人数", PropertyFirm.staff_count), example="120"),
        Field("party_member_count", "党员人数", ("党员数", "党员数量"), int_parser("党员人数", PropertyFirm.party_member_count), example="5"),
        Field("party_org_status", "党组织建立情况", ("党组织情况", "党组织组建情况", "组建方式", "党组织"),
              code_parser("firm_party_status"), example="单独组建"),
        Field("party_org_name", "党组织名称", (), cells.text, example="青岛海泉物业服务有限公司党支部"),
        Field("party_secretary", "党组织书记", ("书记", "支部书记"), cells.person_name, example="王强"),
        Field("instructor_name", "党建指导员", ("指导员",), cells.person_name, example="刘洋"),
        Field("instructor_phone", "指导员电话", ("党建指导员电话",), phones, example="13900001111"),
        Field("compounds", "服务小区", ("在管小区", "服务项目", "管理小区", "小区"), cells.text, example="海泉花园、云溪家园",
              note="多个小区用顿号或分号分隔；小区须已登记"),
        Field("leading_community", "领办社区", ("社区领办", "领办社区党组织"), cells.text, example="",
              note="社区党组织领办的物业，填领办社区名称"),
        Field("alliance_member", "联盟成员", ("红色物业联盟", "加入联盟", "是否加入联盟"), yes_no, example="是"),
        Field("alliance_joined_on", "加入联盟日期", ("入盟日期",), date_parser("加入联盟日期"), example="2024-06-30"),
    ),
    keys=("credit_code",),
    fallback={"leading_community_id": "leading_community", "community": "leading_community", "firm": "name"},
)


class FirmsHandler:
    spec = FIRMS

    def prepare(self, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> Places:
        return Places.load(s, store, sheet, options)

    def apply(self, s: Session, places: Places, v: dict[str, Any]) -> tuple[str, str, Notes]:
        numbers = v.get("contact_phone") or []
        instructor = v.get("instructor_phone") or []
        data = {k: v[k] for k in firms.FIRM_FIELDS if k in v and v[k] is not None}
        data.update(contact_phone=numbers[0] if numbers else None, instructor_phone=instructor[0] if instructor else None)
        if v.get("leading_community"):
            known = firms.find_firm(s, credit_code=v.get("credit_code"), name=v["name"])
            community = places.community(v["leading_community"], current=known.leading_community_id if known else None)
            data.update(led_by_community=True, leading_community_id=community.id)
        firm, created, changed = firms.upsert_firm(s, data, scope_code=places.site_code)
        notes: Notes = []
        for name in split_names(v.get("compounds")):
            compound = places.compound(s, name)
            if compound is None:
                notes.append(("服务小区", f"小区“{name}”未登记，未建立服务关系（请先登记或导入小区）"))
                continue
            changed |= serve(s, compound, firm, None, "服务小区", notes)
        return ("new" if created else "updated" if changed else "unchanged"), firm.name, notes


# -- compounds -------------------------------------------------------------------------------------------

COMPOUNDS = ImportSpec(
    kind="compounds",
    title="小区",
    fields=(
        Field("name", "小区名称", ("小区", "小区名", "住宅小区"), cells.text, required=True, example="海泉花园"),
        Field("community", "所在社区", ("社区", "所属社区"), cells.text, example="云溪社区"),
        Field("grid", "所在网格", ("网格", "所属网格"), cells.text, required=True, example="第一网格"),
        Field("address", "小区地址", ("地址",), cells.text, example="海泉路8号"),
        Field("kind", "小区类型", ("类型",), code_parser("compound_kind"), example="商品房小区"),
        Field("building_count", "楼栋数", ("楼栋", "楼座数"), int_parser("楼栋数", Compound.building_count), example="12"),
        Field("households", "户数", ("住户数", "总户数"), int_parser("户数", Compound.households), example="480"),
        Field("built_year", "建成年份", ("建成年代", "建成时间", "竣工年份"), int_parser("建成年份", Compound.built_year), example="2008"),
        Field("firm", "物业企业", ("物业公司", "物业服务企业", "服务企业"), cells.text, example="青岛海泉物业服务有限公司",
              note="须已登记；无物业的小区不填"),
        Field("firm_since", "服务起始日期", ("服务开始日期", "进驻日期"), date_parser("服务起始日期"), example="2020-01-01"),
        Field("committee", "业委会", ("业主委员会", "是否成立业委会", "成立业委会"), yes_no, example="是"),
        Field("committee_director", "业委会主任", ("业委会负责人",), cells.person_name, example="赵敏"),
        Field("committee_members", "业委会成员数", ("业委会人数",), int_parser("业委会成员数", OwnersCommittee.member_count), example="7"),
        Field("committee_party", "业委会党员数", ("业委会党员人数",), int_parser("业委会党员数", OwnersCommittee.party_member_count), example="4"),
        Field("committee_term_start", "业委会任期开始", (), date_parser("业委会任期开始"), example="2023-05-01"),
        Field("committee_term_end", "业委会任期届满", ("任期届满", "业委会任期结束"), date_parser("业委会任期届满"),
              example="2028-04-30"),
        Field("party_org_covered", "党组织覆盖", ("党组织是否覆盖", "小区党组织"), yes_no, example="是"),
        Field("party_org_name", "党组织名称", ("小区党组织名称",), cells.text, example="海泉花园党支部"),
    ),
    keys=("community", "name"),
    fallback={"grid_id": "grid", "compound": "name", "firm": "firm", "start_date": "firm_since",
              "established": "committee", "member_count": "committee_members",
              "party_member_count": "committee_party", "term_end": "committee_term_end",
              "director_name": "committee_director", "term_start": "committee_term_start"},
)

_COMMITTEE_COLUMNS = {"committee_director": "director_name", "committee_members": "member_count",
                      "committee_party": "party_member_count", "committee_term_start": "term_start",
                      "committee_term_end": "term_end"}


class CompoundsHandler:
    spec = COMPOUNDS

    def prepare(self, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> Places:
        return Places.load(s, store, sheet, options)

    def apply(self, s: Session, places: Places, v: dict[str, Any]) -> tuple[str, str, Notes]:
        community = places.community(v.get("community"), required=False)
        grid = places.grids.resolve(v["grid"], community_id=community.id if community else None)
        community = community or s.get(OrgUnit, grid.parent_id)
        data = {k: v.get(k) for k in compounds.COMPOUND_FIELDS if k in v} | {"grid_id": grid.id}
        compound, created, changed = compounds.upsert_compound(s, data, community_id=community.id,
                                                               site_code=places.site_code)
        places.remember(compound, community)
        s.flush()
        notes: Notes = []
        if v.get("committee") is not None:
            committee = {"established": v["committee"]} | {
                key: v.get(col) for col, key in _COMMITTEE_COLUMNS.items() if v.get(col) is not None}
            changed |= compounds.set_committee(s, compound, committee, skip_blank=True)
        if v.get("firm"):
            firm = firms.find_firm(s, name=v["firm"])
            if firm is None or firm.deleted_at is not None:
                notes.append(("物业企业", f"物业企业“{v['firm']}”未登记，小区已导入但未建立服务关系"
                                      "（导入物业企业表后会按其“服务小区”列建立）"))
            else:
                changed |= serve(s, compound, firm, v.get("firm_since"), "物业企业", notes)
        label = f"{community.name}{compound.name}"
        return ("new" if created else "updated" if changed else "unchanged"), label, notes


# -- service contracts -------------------------------------------------------------------------------------

CONTRACTS = ImportSpec(
    kind="contracts",
    title="物业服务合同",
    fields=(
        Field("compound", "小区名称", ("小区",), cells.text, required=True, example="海泉花园"),
        Field("community", "所在社区", ("社区",), cells.text, example="云溪社区"),
        Field("firm", "物业企业", ("企业名称", "物业公司"), cells.text, required=True, example="青岛海泉物业服务有限公司"),
        Field("credit_code", "统一社会信用代码", ("信用代码",), credit_code, example="913702036397004899"),
        Field("start_date", "开始日期", ("合同开始日期", "起始日期", "服务起始日期"), date_parser("开始日期"),
              example="2020-01-01"),
        Field("end_date", "结束日期", ("合同结束日期", "终止日期"), date_parser("结束日期"), example="",
              note="仍在服务的不填"),
        Field("end_reason", "终止方式", ("终止原因", "结束方式"), code_parser("contract_end"), example="",
              note="到期终止、业主解聘、企业退出、其他"),
    ),
    keys=("community", "compound", "firm", "start_date"),
    label="compound",
    fallback={"compound": "compound", "firm": "firm"},
)


class ContractsHandler:
    spec = CONTRACTS

    def prepare(self, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> Places:
        return Places.load(s, store, sheet, options)

    def apply(self, s: Session, places: Places, v: dict[str, Any]) -> tuple[str, str]:
        community = places.community(v.get("community"), required=False)
        compound = places.compound(s, v["compound"], community)
        if compound is None:
            where = f"{community.name}" if community else ""
            raise NotFoundError(f"找不到{where}小区“{v['compound']}”，请先登记或导入小区", field="compound")
        firm = _firm(s, v["firm"], v.get("credit_code"))
        _c, created, changed = compounds.add_contract(s, compound, firm, v.get("start_date"), v.get("end_date"),
                                                      v.get("end_reason"))
        return ("new" if created else "updated" if changed else "unchanged"), f"{compound.name}（{firm.name}）"


# -- yearly ratings (the indicator columns come from the year's template) --------------------------------------

RATING_FIELDS = (
    Field("name", "企业名称", ("物业企业", "企业"), cells.text, required=True, example="青岛海泉物业服务有限公司"),
    Field("credit_code", "统一社会信用代码", ("信用代码",), credit_code, example="913702036397004899"),
    Field("year", "年度", ("评定年度", "评星年度"), int_parser("年度", FirmRating.year), example="2026", note="可不填，为导入时选定的年度"),
)
RATING_TAIL = (
    Field("total", "总分", ("合计", "得分"), float_parser("总分", FirmRating.total), note="可不填，按各项得分计算"),
    Field("rated_on", "评定日期", ("评星日期",), date_parser("评定日期")),
    Field("notes", "备注", ("评语",), cells.text),
)


@dataclass
class _RatingsState:
    store: Store
    year: int
    templates: dict[int, ratings.Template] = field(default_factory=dict)


class RatingsHandler:
    """The spec depends on the template of the year being imported: ``bind`` makes the handler for it."""

    def __init__(self, template: ratings.Template | None = None, year: int | None = None):
        self.year = year or dt.date.today().year
        template = template or ratings.Template("", ratings.DEFAULT_NAME, self.year, ratings.DEFAULT_THRESHOLDS,
                                                tuple(ratings.Indicator("", n, w, m, d)
                                                      for n, w, m, d in ratings.DEFAULT_INDICATORS), 0)
        scores = tuple(Field(f"score:{i.name}", i.name, (f"{i.name}得分", f"{i.name}（{i.max_score:g}分）"),
                             float_parser(i.name), required=True, example=f"{i.max_score * 0.9:g}",
                             note=f"满分 {i.max_score:g}") for i in template.indicators)
        self.spec = ImportSpec(kind="ratings", title="物业企业评星定级", fields=RATING_FIELDS + scores + RATING_TAIL,
                               ignored=("序号", "编号", "名次", "排名", "星级", "备注说明"), keys=("name", "year"),
                               fallback={"firm": "name", "year": "year"})

    def bind(self, store: Store, options: dict[str, Any]) -> RatingsHandler:
        year = int(options.get("year") or dt.date.today().year)
        return RatingsHandler(ratings.template_for(store, year, create=False), year)

    def prepare(self, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> _RatingsState:
        return _RatingsState(store, self.year)

    def apply(self, s: Session, state: _RatingsState, v: dict[str, Any]) -> tuple[str, str, Notes]:
        year = v.get("year") or state.year
        if year not in state.templates:
            state.templates[year] = ratings.applicable_template(s, state.store, year)
        template = state.templates[year]
        scores: dict[str, float] = {}
        for ind in template.indicators:
            if f"score:{ind.name}" not in v:
                raise ValidationError(f"{year} 年度的评星标准有指标“{ind.name}”，表中没有这一列", field="name")
            scores[ind.id] = v[f"score:{ind.name}"]
        firm = _firm(s, v["name"], v.get("credit_code"))
        existed = ratings.rating_of_in(s, firm.id, year) is not None
        try:
            result = ratings.rate(s, firm, year, template, scores, rated_on=v.get("rated_on"), notes=v.get("notes"))
        except DomainError as exc:  # the service names the indicator by id; the sheet has its column
            names = {i.id: f"score:{i.name}" for i in template.indicators}
            exc.field = names.get(exc.field, exc.field)
            raise
        notes: Notes = []
        if v.get("total") is not None and abs(v["total"] - result.total) > 0.05:
            notes.append(("总分", f"表中总分 {v['total']:g} 与按各项得分计算的 {result.total:g} 不一致，以计算结果为准"))
        label = f"{firm.name}（{year}年 {result.total:g}分 {ratings.stars_text(result.stars)}）"
        outcome = "updated" if existed and result.changed else "unchanged" if existed else "new"
        return outcome, label, notes

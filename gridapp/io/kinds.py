"""The kinds of sheet the program imports: a description plus a row handler calling the services."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridapp.core import codes
from gridapp.core.errors import ConflictError, ValidationError
from gridapp.core.models import Compound, GridAssignment, OrgUnit, Person
from gridapp.core.models.base import set_fields
from gridapp.core.services import orgs, people, special_kinds, workers
from gridapp.core.services.orgs import add_unit, find_by_code
from gridapp.core.store import Store
from gridapp.core.validation import to_halfwidth
from gridapp.io import cells
from gridapp.io.importer import Plan
from gridapp.io.sheet import Sheet
from gridapp.io.spec import (
    Field,
    ImportSpec,
    code_parser,
    date_parser,
    id_number,
    int_parser,
    org_code,
    phones,
)


def _squash(text: object) -> str:
    return re.sub(r"\s+", "", to_halfwidth(str(text or "")))


@dataclass
class GridResolver:
    """Finds the grid a sheet means by “第一网格”, “云溪社区第二网格”, a label the program shows
    (“福安社区（永宁山街道）” in the community column, “永宁山街道福安社区第一网格”) or a grid code."""

    by_code: dict[str, OrgUnit] = field(default_factory=dict)
    by_label: dict[str, OrgUnit] = field(default_factory=dict)
    by_community: dict[tuple[str, str], OrgUnit] = field(default_factory=dict)  # (community id, grid name)
    community_ids: dict[str, set[str]] = field(default_factory=dict)  # community name, label or code → ids
    community_labels: dict[str, str] = field(default_factory=dict)  # id → label
    by_name: dict[str, list[OrgUnit]] = field(default_factory=dict)
    communities: list[str] = field(default_factory=list)  # names and labels, longest first
    context: str | None = None  # the community the sheet is about (from its title or --org), by id
    # (grid text, community text, community id) → the grid found: the maps above are not changed after
    # ``load``, and a roster names the same grids row after row.
    found: dict[tuple, OrgUnit] = field(default_factory=dict)

    @classmethod
    def load(cls, s: Session, scope: str, context_text: str = "", org: str | None = None,
             labels: dict[str, str] | None = None) -> GridResolver:
        labels = labels or {}
        r = cls()
        community = OrgUnit.__table__.alias("c")
        rows = s.execute(
            select(OrgUnit, community.c.id, community.c.name, community.c.code)
            .join(community, community.c.id == OrgUnit.parent_id)
            .where(OrgUnit.level.in_(("grid", "microgrid")), OrgUnit.retired_on.is_(None),
                   OrgUnit.deleted_at.is_(None), OrgUnit.code.like(scope + "%"))
        ).all()
        for grid, cid, cname, ccode in rows:
            r.by_code[grid.code] = grid
            r.by_label[_squash(labels.get(grid.id, ""))] = grid
            r.by_community[(cid, grid.name)] = grid
            r.by_name.setdefault(grid.name, []).append(grid)
            r.community_labels[cid] = labels.get(cid, cname)
            for key in (cname, _squash(r.community_labels[cid]), ccode):
                r.community_ids.setdefault(key, set()).add(cid)
            if org and ccode == org:
                r.context = cid
        r.by_label.pop("", None)
        r.communities = sorted((k for k in r.community_ids if not k.isdigit()), key=len, reverse=True)
        if r.context is None and org:
            unit = find_by_code(s, org)
            if unit is not None and unit.level == "grid":
                r.context = unit.parent_id
        if r.context is None:
            title = _squash(context_text)
            found = [r.community_ids[c] for c in r.communities if c in title]
            # 福安社区（永宁山街道） in a title also holds 福安社区: the label settles which one is meant.
            meant = set.intersection(*found) if found else set()
            if len(meant) == 1:
                r.context = meant.pop()
        return r

    def community_id(self, text: str) -> str:
        """The community a name, label or code means; of several of one name, the sheet's own."""
        ids = set(self.community_ids.get(text, ()))
        if self.context in ids:
            return self.context
        if len(ids) > 1:
            named = sorted(self.community_labels[i] for i in ids)
            raise ValidationError(f"有 {len(ids)} 个{text}（{'、'.join(named)}），请写明街道，如“{named[0]}”，"
                                  "或填写网格编码", field="community")
        if not ids:
            raise ValidationError(f"找不到社区“{text}”", field="community")
        return ids.pop()

    def resolve(self, grid_text: object, community_text: object = None, *,
                community_id: str | None = None) -> OrgUnit:
        """The grid of a row; its community given by id, by text (name, label or code) or by the sheet."""
        if grid_text.__class__ is not str or (community_text is not None and community_text.__class__ is not str):
            return self._resolve(grid_text, community_text, community_id)
        key = (grid_text, community_text, community_id)
        grid = self.found.get(key)
        if grid is None:
            grid = self.found[key] = self._resolve(grid_text, community_text, community_id)
        return grid

    def _resolve(self, grid_text: object, community_text: object, community_id: str | None) -> OrgUnit:
        text = _squash(grid_text)
        if text in self.by_code:
            return self.by_code[text]
        if text in self.by_label:
            return self.by_label[text]
        community = _squash(community_text) or None
        if community is None and community_id is None:
            community = next((c for c in self.communities if text.startswith(c) and len(text) > len(c)), None)
        if community_id is None and community is not None:
            community_id = self.community_id(community)
        community_id = community_id or self.context
        if community_id:
            # “云溪社区第二网格” in the grid column: the community said again.
            said = next((c for c in self.communities if text.startswith(c) and len(text) > len(c)
                         and community_id in self.community_ids[c]), "")
            text = text[len(said):]
            grid = self.by_community.get((community_id, text))
            if grid is None:
                raise ValidationError(f"{self.community_labels.get(community_id, '该社区')}没有名为“{text}”的网格"
                                      "（请先建立该网格，或核对名称）", field="grid")
            return grid
        found = self.by_name.get(text, [])
        if len(found) == 1:
            return found[0]
        if found:
            raise ValidationError(f"“{text}”在多个社区都有，请写明社区（如“{self.communities[0]}{text}”）",
                                  field="grid")
        raise ValidationError(f"找不到网格“{text}”（请先建立该网格，或核对名称）", field="grid")


@dataclass
class Places:
    """The site's communities (by name and code), grids and compounds (by name), read once per sheet."""

    site_code: str
    communities: dict[str, list[OrgUnit]]  # by name and by code (a district has several 湖枫社区)
    grids: GridResolver
    compounds: dict[str, list[tuple[str, str | None]]] = field(default_factory=dict)  # name → (id, community id)

    @classmethod
    def load(cls, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> Places:
        if store.site is None:
            raise ValidationError("数据库尚未建立站点，请先初始化")
        code = store.site.code
        comms = s.execute(select(OrgUnit).where(OrgUnit.level == "community", OrgUnit.deleted_at.is_(None),
                                                OrgUnit.retired_on.is_(None), OrgUnit.code.like(code + "%"))).scalars()
        labels = orgs.labels(store)
        communities: dict[str, list[OrgUnit]] = {}
        for c in comms:
            communities.setdefault(c.name, []).append(c)
            communities[c.code] = [c]
            communities[_squash(labels.get(c.id, c.code))] = [c]  # 福安社区（永宁山街道）, as lists show it
        places = cls(code, communities, GridResolver.load(s, code, sheet.title, options.get("org"), labels))
        grid = OrgUnit.__table__.alias("g")
        for cid, name, community_id in s.execute(
                select(Compound.id, Compound.name, grid.c.parent_id).outerjoin(grid, grid.c.id == Compound.grid_id)
                .where(Compound.deleted_at.is_(None), Compound.scope_code.like(code + "%"))):
            places.compounds.setdefault(_squash(name), []).append((cid, community_id))
        return places

    def community(self, text: object, *, current: str | None = None, required: bool = True) -> OrgUnit | None:
        """The community a cell names (by name or code); of several with that name, the record's ``current``
        one, otherwise the code is needed."""
        key = _squash(text)
        if not key:
            if required:
                raise ValidationError("请填写社区", field="community")
            return None
        found = self.communities.get(key, [])
        if len(found) > 1:
            found = [c for c in found if c.id == current]
            if not found:
                named = "、".join(self.grids.community_labels.get(c.id, c.code) for c in self.communities[key])
                raise ValidationError(f"有多个名为“{key}”的社区（{named}），请写明街道或改填社区编码（12位）",
                                      field="community")
        if not found:
            raise ValidationError(f"找不到社区“{key}”", field="community")
        return found[0]

    def compound(self, s: Session, name: str, community: OrgUnit | None = None) -> Compound | None:
        """The compound of this name (in ``community`` when given); None when there is none."""
        found = self.compounds.get(_squash(name), [])
        if community is not None:
            found = [f for f in found if f[1] == community.id]
        if len(found) > 1:
            raise ValidationError(f"有 {len(found)} 个名为“{name}”的小区，请写明所在社区", field="compound")
        return s.get(Compound, found[0][0]) if found else None

    def remember(self, compound: Compound, community: OrgUnit | None) -> None:
        entry = (compound.id, community.id if community else None)
        names = self.compounds.setdefault(_squash(compound.name), [])
        if entry not in names:
            names.append(entry)


# -- grids ---------------------------------------------------------------------------------------------

GRIDS = ImportSpec(
    kind="grids",
    title="网格划分",
    fields=(
        Field("community", "社区", ("社区名称", "所属社区"), cells.text, example="云溪社区"),
        Field("name", "网格名称", ("网格", "网格名"), cells.text, required=True, example="第一网格"),
        Field("code", "网格编码", ("编码", "网格代码", "网格编号"), org_code, required=True,
              example="370203012002001", note="15位：街道编码9位 + 社区3位 + 网格3位"),
        Field("households", "户数", ("住户数", "户数（户）"), int_parser("户数", OrgUnit.households), example="400"),
        Field("population", "人口", ("人口数", "常住人口", "人数"), int_parser("人口", OrgUnit.population), example="1050"),
        Field("boundary", "四至", ("四至范围", "四至边界", "范围", "边界"), cells.text, example="东至安路，西至福路，南至云街，北至山路"),
        Field("grid_type", "网格类型", ("类型",), code_parser("grid_type"), example="城镇社区网格"),
        Field("special_kind", "专属网格类别", ("专属类别", "专属网格类型"), code_parser("special_kind"),
              note="仅专属网格填写：党政机关、学校、医院、企业、园区、商圈、市场、景区、其他，或本街道添加的类别"),
        Field("special_unit", "所属单位", ("驻区单位", "专属网格单位"), cells.text,
              note="仅专属网格填写：网格所在的机关、学校、医院、企业等单位名称"),
        Field("party_org_name", "网格党组织", ("党组织", "党支部"), cells.text, example="第一网格党支部"),
    ),
    keys=("code",),
)


def _kind_parser(table: codes.CodeTable):
    """专属网格类别 read against the standard kinds and those this database has added."""

    def parse(value: object) -> str | None:
        return table.require(value) if cells.text(value) else None

    parse.code_table = table  # type: ignore[attr-defined]  # the template's drop-down lists the added kinds too
    return parse


@dataclass
class _GridsState:
    site_code: str
    created_communities: list[str] = field(default_factory=list)


class GridsHandler:
    spec = GRIDS
    db_optional = True  # a template without a database offers the standard kinds

    def __init__(self, spec: ImportSpec = GRIDS):
        self.spec = spec

    def bind(self, store: Store, options: dict[str, Any]) -> GridsHandler:
        with store.read() as s:
            table = special_kinds.table_in(s)
        fields = tuple(replace(f, parse=_kind_parser(table)) if f.key == "special_kind" else f for f in GRIDS.fields)
        return GridsHandler(replace(GRIDS, fields=fields))

    def prepare(self, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> _GridsState:
        if store.site is None:
            raise ValidationError("数据库尚未建立站点，请先初始化")
        if store.site.level == "community":
            raise ValidationError("网格划分表由街道或区导入，社区站点不能导入")
        return _GridsState(store.site.code)

    def apply(self, s: Session, state: _GridsState, v: dict[str, Any]) -> tuple[str, str]:
        code, name = v["code"], v["name"]
        if len(code) != 15:
            raise ValidationError(f"网格编码应为15位，实际为{len(code)}位：{code}", field="code")
        if not code.startswith(state.site_code):
            raise ValidationError(f"网格编码 {code} 不在本站点（{state.site_code}）的管辖范围内", field="code")
        ccode, cname = code[:12], v.get("community") or ""
        community = find_by_code(s, ccode)
        if community is None:
            if not cname:
                raise ValidationError(f"社区 {ccode} 尚不存在，请在“社区”列填写社区名称以便建立", field="community")
            clash = s.execute(select(OrgUnit.code).where(OrgUnit.name == cname, OrgUnit.level == "community",
                                                          OrgUnit.code.like(ccode[:9] + "%"),
                                                          OrgUnit.retired_on.is_(None))).scalar()
            if clash:
                raise ConflictError(f"社区“{cname}”已存在，编码为 {clash}，与网格编码前12位 {ccode} 不一致",
                                    field="code")
            community = add_unit(s, code=ccode, name=cname, site_code=state.site_code)
            state.created_communities.append(cname)
        elif cname and cname != community.name:
            raise ConflictError(f"网格编码前12位 {ccode} 属于“{community.name}”，与表中社区“{cname}”不一致",
                                field="community")
        if community.retired_on is not None:
            raise ValidationError(f"社区“{community.name}”已撤销", field="community")
        grid = find_by_code(s, code)
        fields = {k: v.get(k) for k in ("households", "population", "boundary", "grid_type", "party_org_name",
                                        "special_kind", "special_unit")}
        if v.get("special_kind") and (v.get("grid_type") or (grid.grid_type if grid else "urban")) != "special":
            shown = codes.GRID_TYPE.name(v.get("grid_type") or (grid.grid_type if grid else "urban"))
            raise ValidationError(f"只有专属网格才填写专属网格类别，该网格是{shown}（请把网格类型填为专属网格，或清空类别）",
                                  field="special_kind")
        if grid is None:
            clash = s.execute(select(OrgUnit.code).where(OrgUnit.parent_id == community.id, OrgUnit.name == name,
                                                          OrgUnit.retired_on.is_(None))).scalar()
            if clash:
                raise ConflictError(f"{community.name}已有“{name}”（编码 {clash}），与表中编码 {code} 不一致",
                                    field="name")
            add_unit(s, code=code, name=name, site_code=state.site_code, **fields)
            return "new", f"{community.name}{name}"
        if grid.retired_on is not None:
            raise ValidationError(f"网格 {code}（{grid.name}）已于 {grid.retired_on} 撤销，不能再导入", field="code")
        was = grid.special_kind
        changed = set_fields(grid, {"name": name, **fields})
        if grid.grid_type != "special" and (grid.special_kind or grid.special_unit):  # no longer 专属
            grid.special_kind = grid.special_unit = None
            changed = True
        special_kinds.check_grid(s, grid, was=was)
        return ("updated" if changed else "unchanged"), f"{community.name}{name}"


# -- grid workers ----------------------------------------------------------------------------------------

# What a roster's 人员类别 column says: a role, the type (专职/兼职) standing for its plain role.
WORKER_CATEGORY = codes.CodeTable(
    "worker_category", "人员类别", "",
    (("fulltime", "专职网格员"), ("parttime", "兼职网格员"), ("leader", "网格长"), ("instructor", "网格指导员"),
     ("building", "楼栋长")),
    {"专职": "fulltime", "全职": "fulltime", "兼职": "parttime", "指导员": "instructor", "楼长": "building",
     "单元长": "building"},
)


def worker_category(value: object) -> tuple[str | None, str] | None:
    """人员类别 as written → (the worker type it names, if any; the role)."""
    if not cells.text(value):
        return None
    wtype = codes.WORKER_TYPE.parse(value)
    roles = WORKER_CATEGORY.candidates(value)
    if len(roles) > 1 and wtype is not None:
        # “网格长（专职）”: 专职 names the type, so the plain 专职网格员 it also fits is not the role.
        roles = tuple(r for r in roles if r not in codes.WORKER_TYPE.codes()) or roles
    if len(roles) != 1:
        raise WORKER_CATEGORY.refusal(value, roles)
    return wtype, roles[0]


worker_category.code_table = WORKER_CATEGORY  # type: ignore[attr-defined]  # the template's drop-down

WORKERS = ImportSpec(
    kind="workers",
    title="网格员花名册",
    fields=(
        Field("name", "姓名", ("网格员姓名",), cells.person_name, required=True, example="张三"),
        Field("gender", "性别", (), code_parser("gender"), example="男", note="可不填，按身份证号码自动识别"),
        Field("id_number", "身份证号码", ("公民身份号码", "身份证号", "身份证", "证件号码"), id_number, required=True,
              example="370203199001011233", note="18位，请将该列设为文本格式，避免 Excel 丢失后几位"),
        Field("ethnicity", "民族", (), code_parser("ethnicity"), example="汉族"),
        Field("political_status", "政治面貌", (), code_parser("political"), example="中共党员"),
        Field("education", "文化程度", ("学历",), code_parser("education"), example="大学本科"),
        Field("phone", "联系电话", ("手机号", "手机号码", "手机", "电话", "联系方式", "电话号码"), phones,
              example="13812345678", note="可填两个号码，用顿号或逗号分隔"),
        Field("community", "所属社区", ("社区",), cells.text, example="云溪社区",
              note="可不填：网格名称中含社区名、表头写明社区或导入时选定社区均可"),
        Field("grid", "所属网格", ("网格名称", "网格", "所在网格"), cells.text, example="第一网格",
              note="在岗人员填写所属网格或网格编码；离岗人员可不填"),
        Field("grid_code", "网格编码", ("所属网格编码", "网格代码"), org_code, example="370203012002001",
              note="15位（微网格18位）；填写后可不填社区和网格名称"),
        Field("category", "人员类别", ("人员类型", "类别", "网格员类别", "人员身份"), worker_category, required=True,
              example="专职网格员", note="专职网格员、兼职网格员、网格长、网格指导员、楼栋长"),
        Field("role", "网格职务", ("职务", "岗位"), code_parser("worker_role"), example="网格长",
              note="可不填，按人员类别确定"),
        Field("status", "状态", ("在岗状态",), code_parser("worker_status"), example="在岗"),
        Field("hired_on", "任职时间", ("入职时间", "任职日期", "上岗时间", "聘用时间"), date_parser("任职时间"),
              example="2021-03-15", note="可写 2021-03-15、2021.3、2021年3月"),
        Field("notes", "备注", (), cells.text),
    ),
    keys=("id_number",),
    fallback={"role": "category", "worker_type": "category", "status": "category", "grid": "grid_code"},
)

_TYPE_FOR_ROLE = {"leader": "fulltime", "fulltime": "fulltime", "parttime": "parttime", "instructor": "parttime",
                  "building": "parttime"}


def type_and_role(category: tuple[str | None, str], role: str | None) -> tuple[str, str]:
    """The parsed 人员类别 and 网格职务 → (worker type, role); a type the category names wins."""
    wtype, cat_role = category
    role = role or cat_role
    return wtype or _TYPE_FOR_ROLE[role], role


@dataclass
class _WorkersState:
    grids: GridResolver
    today: dt.date
    site_code: str = ""
    numbers: set[str] = field(default_factory=set)  # ID numbers of the people held (or planned) here
    led: set[str] = field(default_factory=set)  # grids that have (or may have) a leader in post


class WorkersHandler:
    spec = WORKERS

    def prepare(self, s: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> _WorkersState:
        if store.site is None:
            raise ValidationError("数据库尚未建立站点，请先初始化")
        led = s.execute(select(GridAssignment.org_unit_id).where(
            GridAssignment.role == "leader", GridAssignment.end_date.is_(None),
            GridAssignment.deleted_at.is_(None))).scalars()
        return _WorkersState(GridResolver.load(s, store.site.code, sheet.title, options.get("org"), orgs.labels(store)),
                             options.get("today") or dt.date.today(), store.site.code,
                             set(s.execute(select(Person.id_number)).scalars()), set(led))

    @staticmethod
    def _grid(state: _WorkersState, v: dict[str, Any], leaving: bool) -> OrgUnit | None:
        if v.get("grid_code"):
            if v["grid_code"] not in state.grids.by_code:
                raise ValidationError(f"找不到编码为 {v['grid_code']} 的网格（或已撤销、不在本站点范围内）",
                                      field="grid_code")
            return state.grids.by_code[v["grid_code"]]
        if v.get("grid"):
            return state.grids.resolve(v["grid"], v.get("community"))
        if not leaving:  # a departed worker (as the export writes one) has no grid any more
            raise ValidationError("在岗网格员请填写所属网格或网格编码", field="grid")
        return None

    @staticmethod
    def _data(v: dict[str, Any], wtype: str) -> dict[str, Any]:
        numbers = v.get("phone") or []
        return {
            "name": v["name"], "gender": v.get("gender"), "id_number": v["id_number"],
            "ethnicity": v.get("ethnicity"), "political_status": v.get("political_status"),
            "education": v.get("education"), "phone": numbers[0] if numbers else None,
            "phone2": numbers[1] if len(numbers) > 1 else None, "worker_type": wtype,
            "hired_on": v.get("hired_on"), "notes": v.get("notes"),
        }

    def plan(self, s: Session, state: _WorkersState, v: dict[str, Any]) -> Plan | None:
        """A worker new to the database, in post in a live grid (and not a second leader): three records."""
        if v.get("status") == "left" or v["id_number"] in state.numbers:
            return None
        wtype, role = type_and_role(v["category"], v.get("role"))
        grid = self._grid(state, v, False)
        if (grid is None or grid.level not in workers.GRID_LEVELS or grid.retired_on or grid.deleted_at
                or (role == "leader" and grid.id in state.led)):
            return None
        records = workers.new_worker_records(self._data(v, wtype), grid, role, v.get("hired_on"),
                                             scope_code=grid.code)
        state.numbers.add(v["id_number"])
        if role == "leader":
            state.led.add(grid.id)
        return Plan("new", f"{v['name']}（{grid.name}）", records)

    def apply(self, s: Session, state: _WorkersState, v: dict[str, Any]) -> tuple[str, str]:
        wtype, role = type_and_role(v["category"], v.get("role"))
        leaving = v.get("status") == "left"
        grid = self._grid(state, v, leaving)
        data = self._data(v, wtype)
        state.numbers.add(v["id_number"])
        if role == "leader" and grid is not None:
            state.led.add(grid.id)  # a later planned row must not make a second one
        known = people.find_by_id_number(s, v["id_number"])
        scope = grid.code if grid else (known.scope_code if known and known.scope_code else state.site_code)
        worker, created, changed = workers.save_worker(s, data, scope_code=scope)
        if leaving:
            changed |= workers.set_left(s, worker, state.today, "花名册标注离岗")
        else:
            if worker.status == "left":
                changed |= workers.set_active(s, worker, state.today)
            current = workers.current_assignments(s, worker.id)
            if not current:
                changed |= workers.assign(s, worker, grid.id, role, v.get("hired_on") if created else state.today)
            elif not any(a.org_unit_id == grid.id and a.role == role for a in current):
                changed |= workers.move_assignments(s, worker, grid.id, role, state.today)
        label = f"{v['name']}（{grid.name if grid else '离岗'}）"
        return ("new" if created else "updated" if changed else "unchanged"), label


HANDLERS: dict[str, Any] = {"grids": GridsHandler(), "workers": WorkersHandler()}


def handler(kind: str):
    try:
        return HANDLERS[kind]
    except KeyError:
        raise ValidationError(f"不支持的导入类型“{kind}”，可选：{'、'.join(HANDLERS)}") from None


# Kinds of the other capabilities register here (they reuse GridResolver above, hence the late import).
from gridapp.io import kinds_baodao as _baodao  # noqa: E402

HANDLERS.update(units=_baodao.UnitsHandler(), members=_baodao.MembersHandler(),
                activities=_baodao.ActivitiesHandler(), participations=_baodao.ParticipationsHandler())

from gridapp.io import kinds_property as _property  # noqa: E402

HANDLERS.update(firms=_property.FirmsHandler(), compounds=_property.CompoundsHandler(),
                contracts=_property.ContractsHandler(), ratings=_property.RatingsHandler())


def bound(kind: str, store: Store, options: dict[str, Any] | None = None):
    """The handler of a kind, with the columns it has for this database (ratings: the year's indicators)."""
    h = handler(kind)
    return h.bind(store, options or {}) if hasattr(h, "bind") else h

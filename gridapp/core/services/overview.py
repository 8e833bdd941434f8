"""Record counts and integrity checks: the 首页概览 figures and ``gridapp check``."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select, text

from gridapp.core import list_specs, lists, regions, schema
from gridapp.core.codes import ORG_LEVEL
from gridapp.core.errors import ValidationError
from gridapp.core.labels import TABLES
from gridapp.core.models import (
    Activity,
    Compound,
    GridWorker,
    MemberRegistration,
    OrgUnit,
    Participation,
    Person,
    PropertyFirm,
    Unit,
)
from gridapp.core.services import grids
from gridapp.core.services.grids import staffing_warnings
from gridapp.core.store import Store
from gridapp.core.validation import mask_id_number, parse_id_number


@dataclass(frozen=True)
class Target:
    """The records behind a figure: a list (a ``list_specs.ALL`` key) with these filters chosen."""

    list_key: str
    filters: tuple[tuple[str, Any], ...] = ()

    def spec(self) -> lists.ListSpec:
        return list_specs.ALL[self.list_key]

    def query(self) -> lists.Query:
        return lists.Query(filters=self.filters)

    def count(self, store: Store) -> int:
        """How many records the list shows with these filters: what the figure must equal."""
        with store.engine.connect() as conn:
            return lists.count(conn, self.spec(), self.query())


@dataclass(frozen=True)
class Counted:
    """A kind of record ``check`` and the overview count, and where the overview's figure leads."""

    key: str
    label: str
    model: type
    cond: Any  # a SQLAlchemy condition, or None for every live row
    target: Target
    level: str | None = None  # an org level: the figure is shown only at sites above it


def _units(level: str) -> Target:
    return Target("org_units", (("level", level),))


# Participations of a deleted activity are not shown anywhere, so they are not counted either. NOT IN
# the (few, usually no) deleted activities costs a third of IN the live ones at district scale.
_LIVE_ACTIVITY = Participation.activity_id.not_in(select(Activity.id).where(Activity.deleted_at.is_not(None)))

# What the overview and ``check`` count, with the words a street officer uses.
COUNTED = (
    Counted("streets", "街道", OrgUnit, OrgUnit.level == "street", _units("street"), "street"),
    Counted("communities", "社区", OrgUnit, OrgUnit.level == "community", _units("community"), "community"),
    Counted("grids", "网格", OrgUnit, OrgUnit.level == "grid", _units("grid")),
    Counted("compounds", "小区", Compound, None, Target("compounds")),
    Counted("persons", "人员", Person, None, Target("persons")),
    Counted("grid_workers", "网格员（在岗）", GridWorker, GridWorker.status == "active",
            Target("workers", (("status", "active"),))),
    Counted("units", "报到单位", Unit, None, Target("units")),
    Counted("members", "在职党员（已报到）", MemberRegistration, MemberRegistration.status == "registered",
            Target("members", (("status", "registered"),))),
    Counted("activities", "服务活动", Activity, None, Target("activities")),
    Counted("participations", "参与记录", Participation, _LIVE_ACTIVITY, Target("participations")),
    Counted("firms", "物业企业", PropertyFirm, None, Target("firms")),
)


def record_counts(store: Store) -> dict[str, int]:
    """Live (not deleted, not retired) records per kind."""
    out: dict[str, int] = {}
    with store.read() as s:
        for c in COUNTED:
            q = select(func.count()).select_from(c.model).where(c.model.deleted_at.is_(None))
            if c.cond is not None:
                q = q.where(c.cond)
            if c.model is OrgUnit:
                q = q.where(OrgUnit.retired_on.is_(None))
            out[c.key] = s.execute(q).scalar_one()
    return out


def labels() -> dict[str, str]:
    """The words for each counted kind, in the overview's order."""
    return {c.key: c.label for c in COUNTED}


@dataclass
class CheckReport:
    revision: str | None
    counts: dict[str, int]
    problems: list[str] = field(default_factory=list)
    # Worth a look but not wrong: ID numbers with a region code in no edition of the table (the table may be older).
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def check(store: Store) -> CheckReport:
    """SQLite integrity and foreign keys, then the product's own rules over the stored data."""
    problems: list[str] = []
    with store.read() as s:
        conn = s.connection()
        revision = schema.current_revision(conn)
        result = [r[0] for r in conn.execute(text("PRAGMA integrity_check")).fetchall()]
        if result != ["ok"]:
            problems += [f"数据库文件损坏：{r}" for r in result[:20]]
        fk = conn.execute(text("PRAGMA foreign_key_check")).fetchall()
        if fk:
            table = TABLES.get(fk[0][0], fk[0][0])
            problems.append(f"有 {len(fk)} 条记录引用了不存在的记录（首个：{table}，记录行号 {fk[0][1]}）")
        bad_parent = conn.execute(text(
            "SELECT c.code, c.name FROM org_unit c JOIN org_unit p ON p.id = c.parent_id "
            "WHERE substr(c.code, 1, length(p.code)) != p.code OR length(c.code) != length(p.code) + 3"
        )).fetchall()
        problems += [f"组织单位“{name}”的编码 {code} 与上级编码不一致" for code, name in bad_parent[:20]]
        # A kind only on a 专属网格, and one that exists (a standard code or a kind some site added).
        bad_kind = conn.execute(text(
            "SELECT u.code, u.name, u.grid_type FROM org_unit u WHERE u.special_kind IS NOT NULL AND u.deleted_at IS NULL "
            "AND (coalesce(u.grid_type, '') != 'special' OR (NOT EXISTS (SELECT 1 FROM code_item ci "
            "WHERE ci.table_key = 'special_kind' AND ci.code = u.special_kind) AND NOT EXISTS "
            "(SELECT 1 FROM special_kind k WHERE k.id = u.special_kind AND k.deleted_at IS NULL)))")).fetchall()
        problems += [f"网格“{name}”（{code}）" + ("不是专属网格，却填有专属网格类别" if gtype != "special"
                                                 else "的专属网格类别已不存在") for code, name, gtype in bad_kind[:20]]
        bad_ids = unknown_regions = 0
        first_bad = first_unknown = ""
        table = regions.table()
        for name, number in conn.execute(
            text("SELECT name, id_number FROM person WHERE id_number IS NOT NULL AND deleted_at IS NULL")
        ):
            try:
                parse_id_number(number)
            except ValidationError as exc:
                bad_ids += 1
                first_bad = first_bad or f"{name}：{exc.message}"
                continue
            if not table.known(number[:6]):
                unknown_regions += 1
                first_unknown = first_unknown or f"{name} {mask_id_number(number)}"
        if bad_ids:
            problems.append(f"有 {bad_ids} 个身份证号码不合规（首个 {first_bad}）")
    notes: list[str] = []
    if unknown_regions:
        notes.append(f"有 {unknown_regions} 个身份证号码的前六位不在行政区划代码表（{table.edition} 年版，含历年撤销的代码）"
                     f"中（首个 {first_unknown}），请核对；如确为新设区县，可更新代码表")
    if store.site is None:
        problems.append("数据库尚未初始化站点（请运行 gridapp init）")
    elif table.current(store.site.code[:6]) is None and table.known(store.site.code[:6]):
        last = table.last(store.site.code[:6])
        notes.append(f"本站点编码前六位“{store.site.code[:6]}”（{table.full_name(store.site.code[:6])}）"
                     f"{last.end} 年后已不再使用，数据照常可用；行政区划调整后请与上级商定新编码")
    return CheckReport(revision, record_counts(store), problems, notes)


@dataclass(frozen=True)
class GridStaffing:
    """Who is in post in one live grid: the facts behind the warnings and the tree's marks."""

    grid_id: str
    households: int | None
    fulltime: int
    leaders: int


@dataclass(frozen=True)
class GridWarnings:
    without_fulltime: int
    without_leader: int
    overloaded: int  # more households per full-time worker than the configured limit
    limit: int


def grid_staffing(store: Store) -> list[GridStaffing]:
    """In-post full-time workers and leaders of every live grid, in one query."""
    sql = text(
        """
        WITH cur AS (
            SELECT a.org_unit_id AS grid_id, a.role, w.worker_type
            FROM grid_assignment a JOIN grid_worker w ON w.id = a.worker_id
            WHERE a.end_date IS NULL AND a.deleted_at IS NULL AND w.status = 'active' AND w.deleted_at IS NULL
        )
        SELECT g.id, g.households,
               (SELECT count(*) FROM cur WHERE cur.grid_id = g.id AND cur.worker_type = 'fulltime'),
               (SELECT count(*) FROM cur WHERE cur.grid_id = g.id AND cur.role = 'leader')
        FROM org_unit g
        WHERE g.level = 'grid' AND g.retired_on IS NULL AND g.deleted_at IS NULL
        """
    )
    with store.read() as s:
        return [GridStaffing(*row) for row in s.execute(sql)]


def grid_warnings(store: Store) -> GridWarnings:
    """What a street officer watches: grids without a full-time worker or a leader, overloaded grids."""
    limit = grids.households_limit(store)
    rows = grid_staffing(store)
    return GridWarnings(
        sum(r.fulltime == 0 for r in rows),
        sum(r.leaders == 0 for r in rows),
        sum(r.fulltime > 0 and (r.households or 0) > limit * r.fulltime for r in rows),
        limit,
    )


def grid_gaps(store: Store) -> dict[str, tuple[str, ...]]:
    """Grids with a staffing problem, each with why (the words of the grid's own page)."""
    limit = grids.households_limit(store)
    out: dict[str, tuple[str, ...]] = {}
    for r in grid_staffing(store):
        reasons = staffing_warnings(r.households, r.fulltime, r.leaders > 0, limit)
        if reasons:
            out[r.grid_id] = tuple(reasons)
    return out


# -- 首页概览 --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Figure:
    """One record count on the overview, and the list that shows exactly those records."""

    key: str
    label: str
    count: int
    target: Target


@dataclass(frozen=True)
class Notice:
    """A warning on the overview: what is wrong with how many grids, and the list of those grids."""

    key: str
    text: str
    count: int
    target: Target


@dataclass(frozen=True)
class Overview:
    site_level: str | None
    figures: tuple[Figure, ...]
    notices: tuple[Notice, ...]
    grids: int  # live grids: none means a new site that has its next step still to take

    @property
    def is_empty(self) -> bool:
        return self.grids == 0


def _grid_problem(key: str) -> Target:
    return Target("org_units", (("level", "grid"), (key, 1)))


def applies(level: str | None, site_level: str | None) -> bool:
    """Whether a figure about org units of ``level`` means anything at a site of ``site_level``.

    A street site has one street (itself) and a community site one community: not worth a figure.
    """
    if level is None or site_level is None:
        return True
    order = ORG_LEVEL.codes()
    return order.index(site_level) < order.index(level)


def summary(store: Store) -> Overview:
    """The 首页概览: the figures that apply at this site and the warnings, each with its list."""
    site_level = store.site.level if store.site else None
    counts = record_counts(store)
    figures = tuple(Figure(c.key, c.label, counts[c.key], c.target) for c in COUNTED
                    if applies(c.level, site_level))
    w = grid_warnings(store)
    notices = tuple(Notice(key, text, n, _grid_problem(key)) for key, text, n in (
        ("lacks_fulltime", f"{w.without_fulltime} 个网格没有在岗专职网格员", w.without_fulltime),
        ("lacks_leader", f"{w.without_leader} 个网格没有网格长", w.without_leader),
        ("overloaded", f"{w.overloaded} 个网格每名专职网格员服务超过 {w.limit} 户", w.overloaded),
    ) if n)
    return Overview(site_level, figures, notices, counts["grids"])

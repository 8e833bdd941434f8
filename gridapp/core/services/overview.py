"""Record counts and integrity checks: the 首页概览 figures and ``gridapp check``."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select, text

from gridapp.core import schema
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
from gridapp.core.store import Store
from gridapp.core.validation import parse_id_number

# What the overview and ``check`` count, with the words a street officer uses.
COUNTED = (
    ("streets", "街道", OrgUnit, OrgUnit.level == "street"),
    ("communities", "社区", OrgUnit, OrgUnit.level == "community"),
    ("grids", "网格", OrgUnit, OrgUnit.level == "grid"),
    ("compounds", "小区", Compound, None),
    ("persons", "人员", Person, None),
    ("grid_workers", "网格员（在岗）", GridWorker, GridWorker.status == "active"),
    ("units", "报到单位", Unit, None),
    ("members", "在职党员（已报到）", MemberRegistration, MemberRegistration.status == "registered"),
    ("activities", "服务活动", Activity, None),
    ("participations", "参与记录", Participation, None),
    ("firms", "物业企业", PropertyFirm, None),
)


def record_counts(store: Store) -> dict[str, int]:
    """Live (not deleted, not retired) records per kind."""
    out: dict[str, int] = {}
    with store.read() as s:
        for key, _label, model, cond in COUNTED:
            q = select(func.count()).select_from(model).where(model.deleted_at.is_(None))
            if cond is not None:
                q = q.where(cond)
            if model is OrgUnit:
                q = q.where(OrgUnit.retired_on.is_(None))
            out[key] = s.execute(q).scalar_one()
    return out


def labels() -> dict[str, str]:
    return {key: label for key, label, _m, _c in COUNTED}


@dataclass
class CheckReport:
    revision: str | None
    counts: dict[str, int]
    problems: list[str] = field(default_factory=list)

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
        bad_ids = 0
        first_bad = ""
        for name, number in conn.execute(
            text("SELECT name, id_number FROM person WHERE id_number IS NOT NULL AND deleted_at IS NULL")
        ):
            try:
                parse_id_number(number)
            except ValidationError as exc:
                bad_ids += 1
                first_bad = first_bad or f"{name}：{exc.message}"
        if bad_ids:
            problems.append(f"有 {bad_ids} 个身份证号码不合规（首个 {first_bad}）")
    if store.site is None:
        problems.append("数据库尚未初始化站点（请运行 gridapp init）")
    return CheckReport(revision, record_counts(store), problems)


@dataclass(frozen=True)
class GridWarnings:
    without_fulltime: int
    without_leader: int
    overloaded: int  # more households per full-time worker than the configured limit
    limit: int


def grid_warnings(store: Store) -> GridWarnings:
    """What a street officer watches: grids without a full-time worker or a leader, overloaded grids."""
    limit = int(store.get_setting("grid.households_per_fulltime_limit", 500))
    sql = text(
        """
        WITH cur AS (
            SELECT a.org_unit_id AS grid_id, a.role, w.worker_type
            FROM grid_assignment a JOIN grid_worker w ON w.id = a.worker_id
            WHERE a.end_date IS NULL AND a.deleted_at IS NULL AND w.status = 'active' AND w.deleted_at IS NULL
        ), per_grid AS (
            SELECT g.id, g.households,
                   (SELECT count(*) FROM cur WHERE cur.grid_id = g.id AND cur.worker_type = 'fulltime') AS ft,
                   (SELECT count(*) FROM cur WHERE cur.grid_id = g.id AND cur.role = 'leader') AS leaders
            FROM org_unit g
            WHERE g.level = 'grid' AND g.retired_on IS NULL AND g.deleted_at IS NULL
        )
        SELECT sum(ft = 0), sum(leaders = 0), sum(ft > 0 AND households > :limit * ft) FROM per_grid
        """
    )
    with store.read() as s:
        a, b, c = s.execute(sql, {"limit": limit}).one()
    return GridWarnings(a or 0, b or 0, c or 0, limit)

"""The product's lists, described once: 网格员, 在职党员, 报到单位, 组织单位, 人员 (红色物业 in list_specs_property; the
操作记录 reads the journal its own way, in oplog).

Community columns show ``org_label()``: the name, and the street where several communities share it.
"""

from __future__ import annotations

from gridapp.core.list_specs_property import APPOINTMENTS, COMPOUNDS, CONTRACTS, FIRMS
from gridapp.core.list_sql import Dialect
from gridapp.core.lists import Column, Filter, ListSpec

KIND_FILTER = "kind:"  # a 网格类型 filter value naming a 专属网格 kind: kind:school


def type_filter_sql(alias: str) -> str:
    """One drop-down for both: a 网格类型 (urban), or a kind of 专属网格 (kind:school)."""
    return (f"{alias}.level IN ('grid', 'microgrid') AND ({alias}.grid_type = :v OR ({alias}.grid_type = 'special' "
            f"AND '{KIND_FILTER}' || {alias}.special_kind = :v))")


def kind_name_sql(alias: str) -> str:
    """The name of a unit's 专属网格类别: a standard one from the code table, else the kind a site added."""
    return (f"coalesce((SELECT ci.name FROM code_item ci WHERE ci.table_key = 'special_kind' "
            f"AND ci.code = {alias}.special_kind), (SELECT k.name FROM special_kind k WHERE k.id = {alias}.special_kind))")


def _current_assignment(expr: str, join: str = "") -> str:
    return (
        f"(SELECT {expr} FROM grid_assignment a JOIN org_unit g ON g.id = a.org_unit_id {join} "
        "WHERE a.worker_id = w.id AND a.end_date IS NULL AND a.deleted_at IS NULL "
        "ORDER BY a.role = 'leader' DESC, a.start_date DESC LIMIT 1)"
    )


_HAS_ASSIGNMENT = (
    "EXISTS (SELECT 1 FROM grid_assignment a JOIN org_unit g ON g.id = a.org_unit_id "
    "WHERE a.worker_id = w.id AND a.end_date IS NULL AND a.deleted_at IS NULL AND {cond})"
)

WORKERS = ListSpec(
    key="workers",
    title="网格员",
    rowid="w.rowid",
    # CROSS JOIN keeps grid_worker as the outer loop: walking all people in name order to avoid a
    # sort (the planner's own choice) is 20 times slower at district scale.
    from_sql="grid_worker w CROSS JOIN person p ON p.id = w.person_id",
    where="w.deleted_at IS NULL",
    columns=(
        Column("name", "姓名", "p.name", width=80),
        Column("gender", "性别", "p.gender", "code:gender", 40),
        Column("id_number", "身份证号码", "p.id_number", "id_number", 150),
        Column("ethnicity", "民族", "p.ethnicity", "code:ethnicity", 60),
        Column("political_status", "政治面貌", "p.political_status", "code:political", 90),
        Column("education", "文化程度", "p.education", "code:education", 80),
        Column("phone", "联系电话", "p.phone", width=110),
        Column("worker_type", "人员类别", "w.worker_type", "code:worker_type", 60),
        Column("community", "所属社区", _current_assignment("org_label(g.parent_id)"), "org", 100),
        Column("grid", "所属网格", _current_assignment("g.name"), width=90),
        Column("grid_code", "网格编码", _current_assignment("g.code"), width=130),
        Column("role", "网格职务", _current_assignment("a.role"), "code:worker_role", 90),
        Column("status", "状态", "w.status", "code:worker_status", 50),
        Column("hired_on", "任职时间", "w.hired_on", "date", 90),
        Column("notes", "备注", "w.notes", width=120),
    ),
    search_name=("p.name",),
    search_initials=("p.name_initials",),
    search_digits=("p.phone", "p.phone2"),
    search_id_tail=("p.id_number",),
    filters=(
        Filter("community", "社区", _HAS_ASSIGNMENT.format(cond="g.parent_id = :v"), "org:community"),
        Filter("grid", "网格", _HAS_ASSIGNMENT.format(cond="g.id = :v"), "org:grid"),
        Filter("worker_type", "人员类别", "w.worker_type = :v", "code:worker_type"),
        Filter("role", "网格职务", _HAS_ASSIGNMENT.format(cond="a.role = :v"), "code:worker_role"),
        Filter("status", "状态", "w.status = :v", "code:worker_status"),
        Filter("party", "党员", "(p.political_status IN ('01', '02')) = :v", "bool"),
        Filter("org", "单位编码", _HAS_ASSIGNMENT.format(cond="g.code LIKE :v || '%'")),
    ),
    default_sort="p.name_initials, w.rowid",
)

MEMBERS = ListSpec(
    key="members",
    title="在职党员",
    rowid="m.rowid",
    from_sql=(
        "member_registration m JOIN person p ON p.id = m.person_id "
        "LEFT JOIN unit u ON u.id = m.unit_id "
        "JOIN org_unit c ON c.id = m.community_id LEFT JOIN org_unit g ON g.id = m.grid_id"
    ),
    where="m.deleted_at IS NULL",
    columns=(
        Column("name", "姓名", "p.name", width=80),
        Column("gender", "性别", "p.gender", "code:gender", 40),
        Column("id_number", "身份证号码", "p.id_number", "id_number", 150),
        Column("phone", "联系电话", "p.phone", width=110),
        Column("unit", "工作单位", "u.name", width=180),
        Column("position", "职务", "m.position", width=80),
        Column("is_leading_cadre", "处级以上", "m.is_leading_cadre", "bool", 60),
        Column("community", "报到社区", "org_label(c.id)", "org", 100),
        Column("grid", "所在网格", "g.name", width=90),
        Column("registered_on", "报到日期", "m.registered_on", "date", 90),
        Column("service_post", "服务岗位", "m.service_post", "code:service_post", 80),
        Column("status", "状态", "m.status", "code:member_status", 60),
    ),
    search_name=("p.name",),
    search_initials=("p.name_initials",),
    search_digits=("p.phone",),
    search_id_tail=("p.id_number",),
    filters=(
        Filter("community", "社区", "m.community_id = :v", "org:community"),
        Filter("grid", "网格", "m.grid_id = :v", "org:grid"),
        Filter("status", "状态", "m.status = :v", "code:member_status"),
        Filter("cadre", "处级以上", "m.is_leading_cadre = :v", "bool"),
        Filter("unit", "工作单位", "m.unit_id = :v", "units"),
        Filter("idle", "本年度未服务", "(NOT EXISTS (SELECT 1 FROM participation x JOIN activity a "
               "ON a.id = x.activity_id WHERE x.member_id = m.id AND x.deleted_at IS NULL AND a.deleted_at IS NULL "
               "AND a.date >= strftime('%Y', 'now', 'localtime') || '-01-01')) = :v", "bool"),
        Filter("org", "单位编码", "c.code LIKE :v || '%'"),
    ),
    default_sort="p.name_initials, m.rowid",
)

UNITS = ListSpec(
    key="units",
    title="报到单位",
    rowid="u.rowid",
    from_sql="unit u",
    where="u.deleted_at IS NULL",
    columns=(
        Column("name", "单位名称", "u.name", width=200),
        Column("credit_code", "统一社会信用代码", "u.credit_code", width=150),
        Column("unit_type", "单位类型", "u.unit_type", "code:unit_type", 80),
        Column("party_org_name", "党组织", "u.party_org_name", width=200),
        Column("secretary", "书记", "u.secretary", width=70),
        Column("reported", "在职党员数", "u.reported_member_count", "int", 80),
        Column("registered", "已报到", "(SELECT count(*) FROM member_registration m WHERE m.unit_id = u.id "
               "AND m.status = 'registered' AND m.deleted_at IS NULL)", "int", 60),
    ),
    search_name=("u.name",),
    search_digits=("u.contact_phone",),
    filters=(Filter("unit_type", "单位类型", "u.unit_type = :v", "code:unit_type"),),
    default_sort="u.name",
)

GRIDS = ListSpec(
    key="grids",
    title="网格",
    rowid="g.rowid",
    from_sql="org_unit g JOIN org_unit c ON c.id = g.parent_id",
    where="g.level = 'grid' AND g.deleted_at IS NULL AND g.retired_on IS NULL",
    columns=(
        Column("community", "社区", "org_label(c.id)", "org", 100),
        Column("name", "网格名称", "g.name", width=90),
        Column("code", "网格编码", "g.code", width=130),
        Column("grid_type", "网格类型", "g.grid_type", "code:grid_type", 100),
        Column("households", "户数", "g.households", "int", 60),
        Column("population", "人口", "g.population", "int", 60),
        Column("boundary", "四至", "g.boundary", width=260),
        Column("party_org_name", "网格党组织", "g.party_org_name", width=130),
        Column("special_kind", "专属网格类别", kind_name_sql("g"), width=90),
        Column("special_unit", "所属单位", "g.special_unit", width=160),
        Column("leader", "网格长", "(SELECT p.name FROM grid_assignment a JOIN grid_worker w ON w.id = a.worker_id "
               "JOIN person p ON p.id = w.person_id WHERE a.org_unit_id = g.id AND a.role = 'leader' "
               "AND a.end_date IS NULL AND a.deleted_at IS NULL AND w.status = 'active' LIMIT 1)", width=70),
        Column("fulltime", "专职网格员数", "(SELECT count(*) FROM grid_assignment a JOIN grid_worker w "
               "ON w.id = a.worker_id WHERE a.org_unit_id = g.id AND w.worker_type = 'fulltime' "
               "AND a.end_date IS NULL AND a.deleted_at IS NULL AND w.status = 'active')", "int", 80),
    ),
    search_name=("g.name", "c.name"),
    search_digits=("g.code",),
    filters=(Filter("community", "社区", "g.parent_id = :v", "org:community"),
             Filter("grid_type", "网格类型", type_filter_sql("g"), "grid_types"),
             Filter("org", "单位编码", "g.code LIKE :v || '%'")),
    default_sort="g.code",
)

ACTIVITIES = ListSpec(
    key="activities",
    title="服务活动",
    rowid="a.rowid",
    from_sql="activity a JOIN org_unit c ON c.id = a.community_id LEFT JOIN org_unit g ON g.id = a.grid_id "
             "LEFT JOIN unit u ON u.id = a.organiser_unit_id",
    where="a.deleted_at IS NULL",
    columns=(
        Column("title", "活动名称", "a.title", width=180),
        Column("date", "活动日期", "a.date", "date", 90),
        Column("activity_type", "活动类型", "a.activity_type", "code:activity_type", 80),
        Column("place", "活动地点", "a.place", width=160),
        Column("community", "社区", "org_label(c.id)", "org", 100),
        Column("grid", "网格", "g.name", width=90),
        Column("organiser", "组织单位", "u.name", width=160),
        Column("people", "参加人数", "(SELECT count(*) FROM participation p WHERE p.activity_id = a.id "
               "AND p.deleted_at IS NULL)", "int", 70),
    ),
    search_name=("a.title", "a.place"),
    filters=(Filter("community", "社区", "a.community_id = :v", "org:community"),
             Filter("activity_type", "活动类型", "a.activity_type = :v", "code:activity_type"),
             Filter("org", "单位编码", "c.code LIKE :v || '%'")),
    default_sort="a.date DESC, a.rowid",
)

PARTICIPATIONS = ListSpec(
    key="participations",
    title="活动签到",
    rowid="x.rowid",
    from_sql="participation x JOIN activity a ON a.id = x.activity_id JOIN member_registration m ON m.id = x.member_id "
             "JOIN person p ON p.id = m.person_id JOIN org_unit c ON c.id = a.community_id",
    where="x.deleted_at IS NULL AND a.deleted_at IS NULL",
    columns=(
        Column("activity", "活动名称", "a.title", width=180),
        Column("date", "活动日期", "a.date", "date", 90),
        Column("community", "社区", "org_label(c.id)", "org", 100),
        Column("name", "姓名", "p.name", width=80),
        Column("id_number", "身份证号码", "p.id_number", "id_number", 150),
        Column("hours", "服务时长", "x.hours", "float", 70),
        Column("points", "积分", "x.points", "float", 60),
        Column("evaluation", "评价", "x.evaluation", "code:evaluation", 60),
    ),
    search_name=("p.name", "a.title"),
    search_initials=("p.name_initials",),
    search_digits=("p.phone",),
    search_id_tail=("p.id_number",),
    filters=(Filter("community", "社区", "a.community_id = :v", "org:community"),
             Filter("org", "单位编码", "c.code LIKE :v || '%'")),
    # An activity's sign-ins together, newest activity first: the walk of activities by date and of
    # each one's sign-ins gives this order as it goes, so no window needs a sort.
    default_sort="a.date DESC, a.rowid DESC, x.rowid DESC",
)

NEEDS = ListSpec(
    key="needs",
    title="需求清单",
    rowid="n.rowid",
    from_sql="need n JOIN org_unit c ON c.id = n.community_id LEFT JOIN unit u ON u.id = n.claimed_by_unit_id "
             "LEFT JOIN member_registration m ON m.id = n.claimed_by_member_id LEFT JOIN person p ON p.id = m.person_id",
    where="n.deleted_at IS NULL",
    columns=(
        Column("title", "需求", "n.title", width=200),
        Column("community", "社区", "org_label(c.id)", "org", 100),
        Column("raised_on", "提出日期", "n.raised_on", "date", 90),
        Column("status", "状态", "n.status", "code:need_status", 70),
        Column("claimed_by", "认领方", "coalesce(u.name, p.name)", width=180),
        Column("claimed_on", "认领日期", "n.claimed_on", "date", 90),
        Column("closed_on", "办结日期", "n.closed_on", "date", 90),
        Column("result", "办理结果", "n.result", width=200),
    ),
    search_name=("n.title", "u.name", "p.name"),
    filters=(Filter("community", "社区", "n.community_id = :v", "org:community"),
             Filter("status", "状态", "n.status = :v", "code:need_status"),
             Filter("org", "单位编码", "c.code LIKE :v || '%'")),
    default_sort="n.raised_on DESC, n.rowid",
)

RESOURCES = ListSpec(
    key="resources",
    title="资源清单",
    rowid="r.rowid",
    from_sql="resource r LEFT JOIN unit u ON u.id = r.unit_id",
    where="r.deleted_at IS NULL",
    columns=(
        Column("unit", "单位", "u.name", width=200),
        Column("title", "资源", "r.title", width=160),
        Column("category", "类别", "r.category", width=80),
        Column("description", "说明", "r.description", width=260),
    ),
    search_name=("u.name", "r.title"),
    default_sort="u.name, r.rowid",
)

PROJECTS = ListSpec(
    key="projects",
    title="项目清单",
    rowid="j.rowid",
    from_sql="project j JOIN org_unit c ON c.id = j.community_id LEFT JOIN unit u ON u.id = j.unit_id",
    where="j.deleted_at IS NULL",
    columns=(
        Column("title", "项目", "j.title", width=200),
        Column("community", "社区", "org_label(c.id)", "org", 100),
        Column("unit", "实施单位", "u.name", width=180),
        Column("start_date", "开始日期", "j.start_date", "date", 90),
        Column("end_date", "结束日期", "j.end_date", "date", 90),
        Column("status", "状态", "j.status", "code:need_status", 70),
        Column("result", "成效", "j.result", width=200),
    ),
    search_name=("j.title", "u.name"),
    filters=(Filter("status", "状态", "j.status = :v", "code:need_status"),),
    default_sort="j.start_date DESC, j.rowid",
)

# Workers in post in org unit ``u``: a current assignment of an active worker. The same rule as the
# 首页概览 warnings and the 网格管理 tree marks (services/overview.py), checked against them in tests.
_IN_POST = ("(SELECT {expr} FROM grid_assignment a JOIN grid_worker w ON w.id = a.worker_id {join}"
            "WHERE a.org_unit_id = u.id AND a.end_date IS NULL AND a.deleted_at IS NULL "
            "AND w.status = 'active' AND w.deleted_at IS NULL {cond})")
_FULLTIME_COUNT = _IN_POST.format(expr="count(*)", join="", cond="AND w.worker_type = 'fulltime'")
_LEADER_COUNT = _IN_POST.format(expr="count(*)", join="", cond="AND a.role = 'leader'")
_HOUSEHOLDS_LIMIT = ("coalesce((SELECT CAST(value AS INTEGER) FROM setting "
                     "WHERE key = 'grid.households_per_fulltime_limit'), 500)")


def _grid_flag(cond: str) -> str:
    """A yes/no filter that only grids answer: 否 lists the grids without the problem, not every unit."""
    return f"u.level = 'grid' AND ({cond}) = :v"


ORG_UNITS = ListSpec(
    key="org_units",
    title="组织单位",
    rowid="u.rowid",
    from_sql="org_unit u LEFT JOIN org_unit pu ON pu.id = u.parent_id",
    where="u.deleted_at IS NULL AND u.retired_on IS NULL",
    columns=(
        Column("name", "名称", "u.name", width=110),
        Column("level", "层级", "u.level", "code:org_level", 50),
        Column("parent", "上级单位", "org_label(pu.id)", "org", 100),
        Column("leader", "网格长", _IN_POST.format(expr="p.name", join="JOIN person p ON p.id = w.person_id ",
                                                  cond="AND a.role = 'leader' ORDER BY a.start_date DESC LIMIT 1"),
               width=70),
        Column("fulltime", "专职网格员数", f"CASE WHEN u.level = 'grid' THEN {_FULLTIME_COUNT} END", "int", 90),
        Column("households", "户数", "u.households", "int", 60),
        Column("population", "人口", "u.population", "int", 60),
        Column("code", "编码", "u.code", width=130),
        Column("grid_type", "网格类型", "u.grid_type", "code:grid_type", 90),
        Column("special_kind", "专属网格类别", kind_name_sql("u"), width=90),
        Column("special_unit", "所属单位", "u.special_unit", width=140),
        Column("party_org_name", "党组织", "u.party_org_name", width=160),
    ),
    search_name=("u.name",),
    search_digits=("u.code",),
    filters=(
        Filter("level", "层级", "u.level = :v", "code:org_level"),
        Filter("community", "社区", "u.parent_id = :v", "org:community"),
        Filter("grid_type", "网格类型", type_filter_sql("u"), "grid_types", beside_search=True),
        Filter("lacks_fulltime", "缺专职网格员", _grid_flag(f"{_FULLTIME_COUNT} = 0"), "bool"),
        Filter("lacks_leader", "缺网格长", _grid_flag(f"{_LEADER_COUNT} = 0"), "bool"),
        Filter("overloaded", "专职服务户数超标",
               _grid_flag(f"{_FULLTIME_COUNT} > 0 AND coalesce(u.households, 0) > {_HOUSEHOLDS_LIMIT} * {_FULLTIME_COUNT}"),
               "bool"),
        Filter("org", "单位编码", "u.code LIKE :v || '%'"),
    ),
    default_sort="u.code",
)

_ROLES = (
    ("worker", "网格员", "EXISTS (SELECT 1 FROM grid_worker w WHERE w.person_id = p.id AND w.deleted_at IS NULL)"),
    ("member", "在职党员", "EXISTS (SELECT 1 FROM member_registration m WHERE m.person_id = p.id "
               "AND m.deleted_at IS NULL)"),
    ("appointee", "交叉任职", "EXISTS (SELECT 1 FROM cross_appointment x WHERE x.person_id = p.id "
                  "AND x.deleted_at IS NULL)"),
)

PERSONS = ListSpec(
    key="persons",
    title="人员",
    rowid="p.rowid",
    from_sql="person p",
    where="p.deleted_at IS NULL",
    columns=(
        Column("name", "姓名", "p.name", width=80),
        Column("gender", "性别", "p.gender", "code:gender", 40),
        Column("id_number", "身份证号码", "p.id_number", "id_number", 150),
        Column("political_status", "政治面貌", "p.political_status", "code:political", 90),
        Column("phone", "联系电话", "p.phone", width=110),
        Column("roles", "身份", "ltrim(" + " || ".join(f"CASE WHEN {cond} THEN '、{title}' ELSE '' END"
                                                    for _k, title, cond in _ROLES) + ", '、')", width=160),
        Column("address", "住址", "p.address", width=200),
    ),
    search_name=("p.name",),
    search_initials=("p.name_initials",),
    search_digits=("p.phone", "p.phone2"),
    search_id_tail=("p.id_number",),
    filters=tuple(Filter(key, title, f"({cond}) = :v", "bool") for key, title, cond in _ROLES),
    default_sort="p.name_initials, p.rowid",
)

REQUESTS = ListSpec(
    key="requests",
    title="民情诉求",
    rowid="r.rowid",
    from_sql="grid_request r JOIN org_unit c ON c.id = r.community_id LEFT JOIN org_unit g ON g.id = r.grid_id",
    where="r.deleted_at IS NULL",
    columns=(
        Column("number", "编号", "r.number", width=170),
        Column("raised_at", "诉求时间", "substr(r.raised_at, 1, 16)", width=120, sort="r.raised_at"),
        Column("community", "社区", "org_label(c.id)", "org", 100),
        Column("grid", "网格", "g.name", width=80),
        Column("category", "类别", "r.category", "code:request_category", 70),
        Column("source", "来源", "r.source", "code:request_source", 80),
        Column("description", "诉求内容", "r.description", width=240),
        Column("state", "办理状态", "r.state", "code:request_state", 70),
        Column("deadline", "办结时限", "r.deadline", "date", 90),
        Column("supervision", "督办", "r.supervision", "code:supervision", 50),
        Column("assignee", "承办方", "r.assignee_name", width=120),
        Column("satisfaction", "满意度", "r.satisfaction", "code:satisfaction", 70),
    ),
    search_name=("r.number", "r.description", "r.place", "r.hotline_number"),
    filters=(Filter("community", "社区", "r.community_id = :v", "org:community"),
             Filter("state", "办理状态", "r.state = :v", "code:request_state"),
             Filter("category", "类别", "r.category = :v", "code:request_category"),
             Filter("overdue", "超期", "(r.state NOT IN ('resolved', 'verified', 'evaluated', 'closed') AND "
                    f"r.deadline < {Dialect.today}) = :v", "bool"),
             Filter("org", "单位编码", "r.scope_code LIKE :v || '%'")),
    default_sort="r.raised_at DESC, r.rowid",
)

ALL = {s.key: s for s in (WORKERS, GRIDS, MEMBERS, UNITS, ACTIVITIES, PARTICIPATIONS, NEEDS, RESOURCES, PROJECTS,
                          FIRMS, COMPOUNDS, CONTRACTS, APPOINTMENTS, ORG_UNITS, PERSONS, REQUESTS)}

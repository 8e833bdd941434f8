"""红色物业 lists: firms, compounds, service contracts, cross-appointments and the yearly ratings.

The column titles are the import headers, so an export of any of them imports back.
"""

from __future__ import annotations

import re

from gridapp.core.lists import Column, Filter, ListSpec

_SERVING = ("EXISTS (SELECT 1 FROM service_contract sc JOIN compound cp ON cp.id = sc.compound_id "
            "JOIN org_unit g ON g.id = cp.grid_id WHERE sc.firm_id = f.id AND sc.end_date IS NULL "
            "AND sc.deleted_at IS NULL AND cp.deleted_at IS NULL AND {cond})")
FIRM_IN_COMMUNITY = f"({_SERVING.format(cond='g.parent_id = :v')} OR f.leading_community_id = :v)"
# A firm is in a unit when registered there, serving a compound there now, or led by a community there.
FIRM_IN_ORG = ("(f.scope_code LIKE :v || '%' OR " + _SERVING.format(cond="g.code LIKE :v || '%'")
               + " OR EXISTS (SELECT 1 FROM org_unit oc WHERE oc.id = f.leading_community_id AND oc.code LIKE :v || '%'))")
SERVED_NAMES = ("(SELECT group_concat(name, '、') FROM (SELECT cp.name FROM service_contract sc JOIN compound cp "
                "ON cp.id = sc.compound_id WHERE sc.firm_id = f.id AND sc.end_date IS NULL AND sc.deleted_at IS NULL "
                "AND cp.deleted_at IS NULL ORDER BY cp.name))")

FIRMS = ListSpec(
    key="firms",
    title="物业服务企业",
    rowid="f.rowid",
    from_sql="property_firm f LEFT JOIN org_unit lc ON lc.id = f.leading_community_id",
    where="f.deleted_at IS NULL",
    columns=(
        Column("name", "企业名称", "f.name", width=220),
        Column("credit_code", "统一社会信用代码", "f.credit_code", width=150),
        Column("legal_rep", "法定代表人", "f.legal_rep", width=70),
        Column("contact_name", "联系人", "f.contact_name", width=70),
        Column("contact_phone", "联系电话", "f.contact_phone", width=110),
        Column("qualification", "资质等级", "f.qualification", width=60),
        Column("staff_count", "从业人数", "f.staff_count", "int", 60),
        Column("party_member_count", "党员人数", "f.party_member_count", "int", 60),
        Column("party_org_status", "党组织建立情况", "f.party_org_status", "code:firm_party_status", 100),
        Column("party_org_name", "党组织名称", "f.party_org_name", width=180),
        Column("party_secretary", "党组织书记", "f.party_secretary", width=70),
        Column("instructor_name", "党建指导员", "f.instructor_name", width=70),
        Column("instructor_phone", "指导员电话", "f.instructor_phone", width=110),
        Column("compounds", "服务小区", SERVED_NAMES, width=200),
        Column("leading_community", "领办社区", "org_label(lc.id)", "org", 90),
        Column("alliance_member", "联盟成员", "f.alliance_member", "bool", 60),
        Column("alliance_joined_on", "加入联盟日期", "f.alliance_joined_on", "date", 90),
        Column("address", "企业地址", "f.address", width=160),
    ),
    search_name=("f.name", "f.legal_rep", "f.party_secretary"),
    search_digits=("f.contact_phone", "f.credit_code"),
    filters=(
        Filter("community", "社区", FIRM_IN_COMMUNITY, "org:community"),
        Filter("party_org_status", "党组织建立情况", "f.party_org_status = :v", "code:firm_party_status"),
        Filter("led", "社区领办", "f.led_by_community = :v", "bool"),
        Filter("alliance", "联盟成员", "f.alliance_member = :v", "bool"),
        Filter("org", "单位编码", FIRM_IN_ORG),
    ),
    default_sort="f.name",
)

_CURRENT = ("(SELECT {expr} FROM service_contract sc JOIN property_firm pf ON pf.id = sc.firm_id "
            "WHERE sc.compound_id = cp.id AND sc.end_date IS NULL AND sc.deleted_at IS NULL LIMIT 1)")
_COMMITTEE = ("(SELECT {expr} FROM owners_committee oc WHERE oc.compound_id = cp.id AND oc.deleted_at IS NULL "
              "LIMIT 1)")

COMPOUNDS = ListSpec(
    key="compounds",
    title="小区",
    rowid="cp.rowid",
    from_sql="compound cp LEFT JOIN org_unit g ON g.id = cp.grid_id LEFT JOIN org_unit c ON c.id = g.parent_id",
    where="cp.deleted_at IS NULL",
    columns=(
        Column("name", "小区名称", "cp.name", width=140),
        Column("community", "所在社区", "org_label(c.id)", "org", 90),
        Column("grid", "所在网格", "g.name", width=80),
        Column("address", "小区地址", "cp.address", width=150),
        Column("kind", "小区类型", "cp.kind", "code:compound_kind", 80),
        Column("building_count", "楼栋数", "cp.building_count", "int", 50),
        Column("households", "户数", "cp.households", "int", 50),
        Column("built_year", "建成年份", "cp.built_year", "int", 60),
        Column("firm", "物业企业", _CURRENT.format(expr="pf.name"), width=200),
        Column("firm_since", "服务起始日期", _CURRENT.format(expr="sc.start_date"), "date", 90),
        Column("committee", "业委会", _COMMITTEE.format(expr="oc.established"), "bool", 50),
        Column("committee_director", "业委会主任", _COMMITTEE.format(expr="oc.director_name"), width=70),
        Column("committee_members", "业委会成员数", _COMMITTEE.format(expr="oc.member_count"), "int", 70),
        Column("committee_party", "业委会党员数", _COMMITTEE.format(expr="oc.party_member_count"), "int", 70),
        Column("committee_term_end", "业委会任期届满", _COMMITTEE.format(expr="oc.term_end"), "date", 90),
        Column("party_org_covered", "党组织覆盖", "cp.party_org_covered", "bool", 60),
        Column("party_org_name", "党组织名称", "cp.party_org_name", width=150),
    ),
    search_name=("cp.name", "cp.address"),
    filters=(
        Filter("community", "社区", "g.parent_id = :v", "org:community"),
        Filter("kind", "小区类型", "cp.kind = :v", "code:compound_kind"),
        Filter("no_firm", "无物业服务", f"({_CURRENT.format(expr='1')} IS NULL) = :v", "bool"),
        Filter("committee", "已成立业委会", f"(coalesce({_COMMITTEE.format(expr='oc.established')}, 0)) = :v", "bool"),
        Filter("org", "单位编码", "g.code LIKE :v || '%'"),
    ),
    default_sort="c.code, cp.name",
)

CONTRACTS = ListSpec(
    key="contracts",
    title="物业服务合同",
    rowid="sc.rowid",
    from_sql=("service_contract sc JOIN compound cp ON cp.id = sc.compound_id "
              "JOIN property_firm f ON f.id = sc.firm_id LEFT JOIN org_unit g ON g.id = cp.grid_id "
              "LEFT JOIN org_unit c ON c.id = g.parent_id"),
    where="sc.deleted_at IS NULL AND cp.deleted_at IS NULL",
    columns=(
        Column("compound", "小区名称", "cp.name", width=140),
        Column("community", "所在社区", "org_label(c.id)", "org", 90),
        Column("firm", "物业企业", "f.name", width=200),
        Column("credit_code", "统一社会信用代码", "f.credit_code", width=150),
        Column("start_date", "开始日期", "sc.start_date", "date", 90),
        Column("end_date", "结束日期", "sc.end_date", "date", 90),
        Column("end_reason", "终止方式", "sc.end_reason", "code:contract_end", 80),
    ),
    search_name=("cp.name", "f.name"),
    filters=(
        Filter("community", "社区", "g.parent_id = :v", "org:community"),
        Filter("current", "在服务", "(sc.end_date IS NULL) = :v", "bool"),
        Filter("end_reason", "终止方式", "sc.end_reason = :v", "code:contract_end"),
        Filter("org", "单位编码", "g.code LIKE :v || '%'"),
    ),
    default_sort="c.code, cp.name, sc.start_date",
)

APPOINTMENTS = ListSpec(
    key="appointments",
    title="交叉任职",
    rowid="x.rowid",
    from_sql=("cross_appointment x JOIN person p ON p.id = x.person_id JOIN org_unit c ON c.id = x.community_id "
              "LEFT JOIN property_firm f ON f.id = x.firm_id LEFT JOIN owners_committee oc ON oc.id = x.committee_id "
              "LEFT JOIN compound cp ON cp.id = oc.compound_id"),
    where="x.deleted_at IS NULL",
    columns=(
        Column("name", "姓名", "p.name", width=70),
        Column("id_number", "身份证号码", "p.id_number", "id_number", 150),
        Column("phone", "联系电话", "p.phone", width=110),
        Column("community", "社区", "org_label(c.id)", "org", 90),
        Column("direction", "任职方向", "x.direction", "code:appointment_direction", 200),
        Column("place", "任职单位", "coalesce(f.name, cp.name || '业主委员会')", width=200),
        Column("role", "所任职务", "x.role", width=150),
        Column("start_date", "任职日期", "x.start_date", "date", 90),
        Column("end_date", "离任日期", "x.end_date", "date", 90),
    ),
    search_name=("p.name", "f.name", "cp.name"),
    search_initials=("p.name_initials",),
    search_digits=("p.phone",),
    search_id_tail=("p.id_number",),
    filters=(
        Filter("community", "社区", "x.community_id = :v", "org:community"),
        Filter("direction", "任职方向", "x.direction = :v", "code:appointment_direction"),
        Filter("current", "在任", "(x.end_date IS NULL) = :v", "bool"),
        Filter("org", "单位编码", "c.code LIKE :v || '%'"),
    ),
    default_sort="c.code, p.name_initials",
)

_UUID = re.compile(r"^[0-9a-f-]{36}$")


def ratings_spec(year: int, indicators: tuple[tuple[str, str], ...]) -> ListSpec:
    """The year's ratings with one column per indicator of its template ((id, name) pairs), ranked by total."""
    for ind_id, _n in indicators:
        if not _UUID.match(ind_id):
            raise ValueError(f"not an indicator id: {ind_id!r}")
    score_cols = tuple(
        Column(f"score_{k}", name, f"(SELECT s.score FROM rating_score s WHERE s.rating_id = r.id "
               f"AND s.indicator_id = '{ind_id}' AND s.deleted_at IS NULL)", "float", 70)
        for k, (ind_id, name) in enumerate(indicators))
    return ListSpec(
        key="ratings",
        title=f"{int(year)}年度物业企业评星定级",
        rowid="r.rowid",
        from_sql="firm_rating r JOIN property_firm f ON f.id = r.firm_id LEFT JOIN org_unit lc ON lc.id = f.leading_community_id",
        where=f"r.deleted_at IS NULL AND f.deleted_at IS NULL AND r.year = {int(year)}",
        columns=(
            Column("rank", "名次", "(SELECT count(*) FROM firm_rating r2 JOIN property_firm f2 ON f2.id = r2.firm_id "
                   "WHERE r2.year = r.year AND r2.deleted_at IS NULL AND f2.deleted_at IS NULL AND r2.total > r.total) + 1",
                   "int", 40),
            Column("name", "企业名称", "f.name", width=220),
            Column("credit_code", "统一社会信用代码", "f.credit_code", width=150),
            Column("year", "年度", "r.year", "int", 50),
            *score_cols,
            Column("total", "总分", "r.total", "float", 60),
            Column("stars", "星级", "r.stars", "map:stars", 120),
            Column("rated_on", "评定日期", "r.rated_on", "date", 90),
            Column("notes", "备注", "r.notes", width=150),
        ),
        search_name=("f.name",),
        search_digits=("f.credit_code",),
        filters=(
            Filter("community", "社区", FIRM_IN_COMMUNITY, "org:community"),
            Filter("stars", "星级", "r.stars = :v", "stars"),
            Filter("org", "单位编码", FIRM_IN_ORG),
        ),
        default_sort="r.total DESC, f.name",
    )


def ratings_list(store, year: int) -> ListSpec:
    """The ratings list of ``year`` with the indicators of the template that applies to it."""
    from gridapp.core.services.ratings import template_for

    template = template_for(store, year, create=False)
    return ratings_spec(year, tuple((i.id, i.name) for i in template.indicators if i.id))

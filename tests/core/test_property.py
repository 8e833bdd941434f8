"""红色物业 rules on a real database: firms, compounds and contracts, committees, cross-appointments,
quarterly figures, ratings from a data template, and coverage."""

import datetime as dt

import pytest
from sqlalchemy import func, select

from gridapp.core import journal
from gridapp.core.errors import ConflictError, DomainError, ValidationError
from gridapp.core.models import ChangeJournal, Compound, PropertyFirm, ServiceContract
from gridapp.core.services import compounds, coverage, firms, orgs, ratings
from gridapp.core.validation import credit_check_char, id_check_digit

D = dt.date


def code(body: str) -> str:
    return body + credit_check_char(body)


FIRM_A, FIRM_B, FIRM_C = code("91370203MA3C00001"), code("91370203MA3C00002"), code("91370203MA3C00003")


def add_firm(store, name="青岛海泉物业服务有限公司", credit=FIRM_A, **kw) -> str:
    data = {"name": name, "credit_code": credit, "party_org_status": "own", "party_member_count": 5,
            "staff_count": 60, "party_org_name": f"{name}党支部", **kw}
    return firms.save_firm(store, data)


def add_compound(store, name="海泉花园", grid="370203012002001", **kw) -> str:
    return compounds.save_compound(store, {"name": name, "grid_id": orgs.get(store, grid).id,
                                           "kind": "commercial", "households": 400, **kw})


# -- firms ---------------------------------------------------------------------------------------------------

def test_firm_rules_name_the_field(gridded):
    cases = [
        ({"name": "甲物业", "credit_code": "91370203MA3C000011"}, "credit_code"),
        ({"name": "甲物业", "party_org_status": "own", "party_member_count": 2}, "party_org_status"),
        ({"name": "甲物业", "staff_count": 10, "party_member_count": 11}, "party_member_count"),
        ({"name": "甲物业", "led_by_community": True}, "leading_community_id"),
        ({"name": "甲物业", "party_org_status": "none", "party_org_name": "甲物业党支部"}, "party_org_name"),
        ({"name": "  "}, "name"),
        ({"name": "甲物业", "contact_phone": "12345"}, None),
    ]
    for data, field in cases:
        with pytest.raises(DomainError) as e:
            firms.save_firm(gridded, data)
        if field:
            assert e.value.field == field, data
        assert e.value.message
    with gridded.read() as s:
        assert s.execute(select(func.count()).select_from(PropertyFirm)).scalar() == 0


def test_own_branch_needs_three_members_and_the_message_says_why(gridded):
    with pytest.raises(ValidationError, match="3 名以上党员"):
        add_firm(gridded, party_member_count=2)
    add_firm(gridded, party_member_count=3)


def test_firm_by_credit_code_is_one_firm(gridded):
    fid = add_firm(gridded)
    with pytest.raises(ConflictError, match="已登记为“青岛海泉物业服务有限公司”"):
        firms.save_firm(gridded, {"name": "另一家物业", "credit_code": FIRM_A})
    # The form clears what it clears: a firm that loses its branch loses the branch's name too.
    values = dict(firms.details(gridded, fid).values, party_org_status="instructor", party_org_name=None,
                  instructor_name="刘洋", instructor_phone="13900001111")
    firms.save_firm(gridded, values, fid)
    d = firms.details(gridded, fid)
    assert d.values["party_org_name"] is None and d.values["instructor_name"] == "刘洋"
    community = orgs.get(gridded, "370203012002")
    firms.save_firm(gridded, dict(d.values, led_by_community=True, leading_community_id=community.id), fid)
    assert firms.details(gridded, fid).leading_community == community.name


def test_every_change_is_journalled(gridded):
    fid = add_firm(gridded)
    with gridded.read() as s:
        rows = s.execute(select(ChangeJournal.field, ChangeJournal.new_value).where(ChangeJournal.record_id == fid))
        fields = {f for field, value in rows for f, _v in journal.fields_of(field, value)}
    assert {"name", "credit_code", "party_org_status"} <= fields


# -- compounds and contracts ------------------------------------------------------------------------------------

def test_changing_the_firm_ends_the_current_contract(gridded):
    a, b = add_firm(gridded), add_firm(gridded, "青岛云溪物业管理有限公司", FIRM_B)
    cid = add_compound(gridded)
    compounds.change_firm(gridded, cid, a, D(2020, 1, 1))
    with pytest.raises(ConflictError, match="已在服务"):
        compounds.change_firm(gridded, cid, a, D(2021, 1, 1))
    with pytest.raises(ValidationError, match="须晚于现合同开始日期"):
        compounds.change_firm(gridded, cid, b, D(2019, 6, 1))
    compounds.change_firm(gridded, cid, b, D(2024, 7, 1), "dismissed")
    d = compounds.details(gridded, cid)
    assert [(c.firm_name, c.start_date, c.end_date, c.end_reason) for c in d.contracts] == [
        ("青岛海泉物业服务有限公司", D(2020, 1, 1), D(2024, 7, 1), "dismissed"),
        ("青岛云溪物业管理有限公司", D(2024, 7, 1), None, None)]
    assert d.current.firm_name == "青岛云溪物业管理有限公司"
    with pytest.raises(ConflictError, match="仍在服务 1 个小区"):
        firms.delete_firm(gridded, b)
    firms.delete_firm(gridded, a)  # serves nothing now; its history stays with the compound
    assert compounds.details(gridded, cid).contracts[0].firm_name == "青岛海泉物业服务有限公司"
    compounds.end_service(gridded, cid, D(2026, 6, 30), "withdrew")
    assert compounds.details(gridded, cid).current is None
    with pytest.raises(ValidationError, match="没有物业服务合同"):
        compounds.end_service(gridded, cid, D(2026, 7, 1), "withdrew")


def test_contracts_of_a_compound_never_overlap(gridded):
    a, b = add_firm(gridded), add_firm(gridded, "青岛云溪物业管理有限公司", FIRM_B)
    cid = add_compound(gridded)
    with gridded.session() as s:
        compound, fa, fb = s.get(Compound, cid), s.get(PropertyFirm, a), s.get(PropertyFirm, b)
        compounds.add_contract(s, compound, fa, D(2015, 1, 1), D(2020, 1, 1), "expired")
        compounds.add_contract(s, compound, fb, D(2020, 1, 1))
    with gridded.session() as s, pytest.raises(ConflictError, match="期间重叠"):
        compounds.add_contract(s, s.get(Compound, cid), s.get(PropertyFirm, a), D(2019, 1, 1), D(2021, 1, 1), "expired")
    with gridded.session() as s, pytest.raises(ValidationError, match="请填写终止方式"):
        compounds.add_contract(s, s.get(Compound, cid), s.get(PropertyFirm, a), D(2010, 1, 1), D(2011, 1, 1))
    with gridded.session() as s, pytest.raises(ValidationError, match="早于开始日期"):
        compounds.add_contract(s, s.get(Compound, cid), s.get(PropertyFirm, a), D(2010, 1, 1), D(2009, 1, 1),
                               "expired")
    with gridded.read() as s:
        assert s.execute(select(func.count()).select_from(ServiceContract)).scalar() == 2


def test_an_undated_contract_gets_its_date_later(gridded):
    a = add_firm(gridded)
    cid = add_compound(gridded)
    with gridded.session() as s:
        compounds.add_contract(s, s.get(Compound, cid), s.get(PropertyFirm, a), None)
    with gridded.session() as s:
        _c, created, changed = compounds.add_contract(s, s.get(Compound, cid), s.get(PropertyFirm, a), D(2021, 5, 1))
        assert (created, changed) == (False, True)
    assert [c.start_date for c in compounds.details(gridded, cid).contracts] == [D(2021, 5, 1)]


def test_compound_and_committee_in_one_transaction(gridded):
    grid = orgs.get(gridded, "370203012002001").id
    bad = {"established": True, "member_count": 5, "party_member_count": 6}
    with pytest.raises(ValidationError, match="党员数 6 多于成员数 5"):
        compounds.save_compound(gridded, {"name": "海泉花园", "grid_id": grid}, committee=bad)
    with gridded.read() as s:
        assert s.execute(select(func.count()).select_from(Compound)).scalar() == 0  # nothing half-written
    cid = compounds.save_compound(gridded, {"name": "海泉花园", "grid_id": grid},
                                  committee={"established": True, "director_name": "赵敏", "member_count": 7,
                                             "party_member_count": 4, "term_start": D(2023, 5, 1),
                                             "term_end": D(2028, 4, 30)})
    c = compounds.details(gridded, cid).committee
    assert (c.director_name, c.member_count, c.party_member_count) == ("赵敏", 7, 4)
    with pytest.raises(ConflictError, match="已登记"):
        compounds.save_compound(gridded, {"name": "海泉花园", "grid_id": grid})
    compounds.save_committee(gridded, cid, {"established": False})
    c = compounds.details(gridded, cid).committee
    assert not c.established and c.director_name is None


def test_compound_values_are_checked(gridded):
    grid = orgs.get(gridded, "370203012002001").id
    for data, field in (({"name": "甲", "grid_id": grid, "households": -1}, "households"),
                        ({"name": "甲", "grid_id": grid, "built_year": 1800}, "built_year"),
                        ({"name": "甲", "grid_id": grid, "kind": "castle"}, "kind"),
                        ({"name": "甲", "grid_id": orgs.get(gridded, "370203012002").id}, "grid_id")):
        with pytest.raises(DomainError) as e:
            compounds.save_compound(gridded, data)
        assert e.value.field == field


# -- cross-appointments and quarters -------------------------------------------------------------------------

def _id(body: str) -> str:
    return body + id_check_digit(body)


def test_cross_appointments(gridded):
    fid = add_firm(gridded)
    community = orgs.get(gridded, "370203012002").id
    person = {"name": "王芳", "id_number": _id("37020319800101002")}
    base = {**person, "direction": "community_to_firm", "community_id": community, "role": "物业企业党支部兼职副书记",
            "start_date": D(2025, 1, 1)}
    with pytest.raises(ValidationError, match="物业企业"):
        firms.appoint(gridded, base)
    aid = firms.appoint(gridded, {**base, "firm_id": fid})
    with pytest.raises(ConflictError, match="已在该处任职"):
        firms.appoint(gridded, {**base, "firm_id": fid})
    cid = add_compound(gridded)
    with pytest.raises(ValidationError, match="尚未成立业主委员会"):
        firms.appoint(gridded, {**base, "direction": "community_to_committee", "compound_id": cid, "role": "业委会委员"})
    compounds.save_committee(gridded, cid, {"established": True, "member_count": 5})
    firms.appoint(gridded, {**base, "direction": "community_to_committee", "compound_id": cid, "role": "业委会委员"})
    with pytest.raises(ValidationError, match="早于任职开始日期"):
        firms.end_appointment(gridded, aid, D(2024, 1, 1))
    firms.end_appointment(gridded, aid, D(2026, 6, 30))
    d = firms.details(gridded, fid)
    assert d.appointments == (("王芳", "社区党组织成员到物业企业任职", "物业企业党支部兼职副书记", D(2025, 1, 1), D(2026, 6, 30)),)


def test_quarterly_figures(gridded):
    fid = add_firm(gridded)
    with pytest.raises(ValidationError, match="办结件数 5 多于投诉件数 4"):
        firms.record_quarter(gridded, fid, 2026, 1, complaints=4, resolved=5, satisfaction=90)
    with pytest.raises(ValidationError, match="满意度"):
        firms.record_quarter(gridded, fid, 2026, 1, complaints=4, resolved=4, satisfaction=101)
    with pytest.raises(ValidationError, match="季度"):
        firms.record_quarter(gridded, fid, 2026, 5, complaints=0, resolved=0, satisfaction=None)
    firms.record_quarter(gridded, fid, 2026, 1, complaints=4, resolved=3, satisfaction=80)
    firms.record_quarter(gridded, fid, 2026, 1, complaints=6, resolved=6, satisfaction=90)  # replaces
    firms.record_quarter(gridded, fid, 2026, 2, complaints=2, resolved=1, satisfaction=None)
    f = firms.year_figures(gridded, fid, 2026)
    assert (f.complaints, f.resolved, f.satisfaction, f.quarters) == (8, 7, 90.0, 2)


# -- ratings ------------------------------------------------------------------------------------------------------

def _scores(template, *values):
    return {i.id: v for i, v in zip(template.indicators, values, strict=True)}


def test_stars_follow_the_thresholds(gridded):
    fid = add_firm(gridded)
    t = ratings.template_for(gridded, 2026)
    assert [i.name for i in t.indicators] == [n for n, *_ in ratings.DEFAULT_INDICATORS]
    assert sum(i.max_score for i in t.indicators) == 100
    for values, total, stars in (((20, 25, 14.9, 0, 0), 59.9, 1), ((20, 25, 15, 0, 0), 60, 2),
                                 ((20, 25, 25, 15, 4.9), 89.9, 4), ((20, 25, 25, 15, 5), 90, 5),
                                 ((20, 25, 25, 15, 15), 100, 5)):
        r = ratings.rate_firm(gridded, fid, 2026, _scores(t, *values))
        assert (r.total, r.stars) == (total, stars), values
    assert ratings.rating_of(gridded, fid, 2026).total == 100  # rated again: replaced, not added
    assert [(x.total, x.stars) for x in ratings.ranking(gridded, 2026).rows] == [(100, 5)]


def test_scores_are_checked(gridded):
    fid = add_firm(gridded)
    t = ratings.template_for(gridded, 2026)
    with pytest.raises(ValidationError, match="“服务质量”得分 26 超出 0–25 分"):
        ratings.rate_firm(gridded, fid, 2026, _scores(t, 20, 26, 20, 10, 10))
    partial = _scores(t, 20, 20, 20, 10, 10)
    partial.pop(t.indicators[-1].id)
    with pytest.raises(ValidationError, match="“参与社区治理”没有打分"):
        ratings.rate_firm(gridded, fid, 2026, partial)
    assert ratings.rating_of(gridded, fid, 2026) is None


def test_weights_scale_the_total_to_100(gridded):
    fid = add_firm(gridded)
    tid = ratings.save_template(gridded, None, name="加权标准", year=2027, thresholds="50，65，80，95",
                                indicators=[{"name": "党建", "weight": 2, "max_score": 10},
                                            {"name": "服务", "weight": 1, "max_score": 30}])
    t = ratings.template_for(gridded, 2027)
    assert t.id == tid and t.thresholds == (50, 65, 80, 95)
    r = ratings.rate_firm(gridded, fid, 2027, _scores(t, 10, 15))  # (2*10 + 15) / (2*10 + 30) = 70 %
    assert (r.total, r.stars) == (70.0, 3)


def test_a_used_template_keeps_its_scoring(gridded):
    fid = add_firm(gridded)
    t = ratings.template_for(gridded, 2026)
    ratings.rate_firm(gridded, fid, 2026, _scores(t, 18, 20, 20, 12, 12))
    indicators = [{"id": i.id, "name": i.name, "weight": i.weight, "max_score": i.max_score,
                   "description": i.description} for i in t.indicators]
    changed = [dict(indicators[0], max_score=30), *indicators[1:]]
    with pytest.raises(ConflictError, match="复制为新年度标准"):
        ratings.save_template(gridded, t.id, name=t.name, year=t.year, thresholds="60,70,80,90", indicators=changed)
    with pytest.raises(ConflictError):
        ratings.save_template(gridded, t.id, name=t.name, year=t.year, thresholds="55,70,80,90",
                              indicators=indicators)
    renamed = [dict(indicators[0], name="党组织建设情况"), *indicators[1:]]
    ratings.save_template(gridded, t.id, name="新名称", year=t.year, thresholds="60,70,80,90", indicators=renamed)
    new = ratings.copy_template(gridded, t.id, 2027)
    ratings.save_template(gridded, new, name="2027标准", year=2027, thresholds="60,70,80,90", indicators=[
        {"name": "党组织建设", "weight": 1, "max_score": 30}, {"name": "服务质量", "weight": 1, "max_score": 70}])
    assert ratings.template_for(gridded, 2026).name == "新名称"  # each year keeps its own template
    assert [i.max_score for i in ratings.template_for(gridded, 2028).indicators] == [30, 70]
    with pytest.raises(ConflictError, match="2027 年度已有评星标准"):
        ratings.copy_template(gridded, t.id, 2027)


@pytest.mark.parametrize("text", ["60,70,80", "60,70,70,90", "a,b,c,d", "60,70,80,120", ""])
def test_bad_star_lines_are_refused(text):
    with pytest.raises(ValidationError, match="星级分数线"):
        ratings.parse_thresholds(text)


def test_ranking_shares_ranks_and_follows_the_unit(gridded):
    a, b = add_firm(gridded), add_firm(gridded, "青岛云溪物业管理有限公司", FIRM_B)
    c = add_firm(gridded, "青岛松柏物业服务有限公司", FIRM_C, party_org_status="none", party_org_name=None,
                 party_member_count=0)
    for name, grid, firm in (("海泉花园", "370203012002001", a), ("云溪家园", "370203012002002", b),
                             ("松柏苑", "370203012001001", c)):
        compounds.change_firm(gridded, add_compound(gridded, name, grid), firm, D(2022, 1, 1))
    t = ratings.template_for(gridded, 2026)
    for firm, values in ((a, (18, 20, 20, 12, 12)), (b, (18, 20, 20, 12, 12)), (c, (10, 10, 10, 5, 5))):
        ratings.rate_firm(gridded, firm, 2026, _scores(t, *values))
    r = ratings.ranking(gridded, 2026)
    assert [(x.rank, x.total, x.stars) for x in r.rows] == [(1, 82, 4), (1, 82, 4), (3, 40, 1)]
    assert r.star_counts() == {5: 0, 4: 2, 3: 0, 2: 0, 1: 1}
    assert r.rows[0].scores == (18, 20, 20, 12, 12)
    community = orgs.get(gridded, "370203012002")
    assert {x.name for x in ratings.ranking(gridded, 2026, community.code).rows} == {
        "青岛海泉物业服务有限公司", "青岛云溪物业管理有限公司"}


# -- coverage -------------------------------------------------------------------------------------------------------

def test_coverage_by_community_and_in_total(gridded):
    a = add_firm(gridded)  # own branch, rated 4 stars, serves two compounds in two communities
    b = add_firm(gridded, "青岛云溪物业管理有限公司", FIRM_B, party_org_status="instructor", party_org_name=None,
                 party_member_count=1, led_by_community=True,
                 leading_community_id=orgs.get(gridded, "370203012001").id)
    c1 = add_compound(gridded, "海泉花园", "370203012002001")
    c2 = add_compound(gridded, "云溪家园", "370203012001001")
    c3 = add_compound(gridded, "松柏苑", "370203012001001")
    add_compound(gridded, "老院", "370203012001002", kind="none")
    compounds.change_firm(gridded, c1, a, D(2022, 1, 1))
    compounds.change_firm(gridded, c2, a, D(2022, 1, 1))
    compounds.change_firm(gridded, c3, b, D(2022, 1, 1))
    compounds.save_committee(gridded, c1, {"established": True, "member_count": 5})
    t = ratings.template_for(gridded, 2026)
    ratings.rate_firm(gridded, a, 2026, _scores(t, 18, 20, 20, 12, 12))
    ratings.rate_firm(gridded, b, 2026, _scores(t, 10, 20, 20, 5, 5))  # 60: two stars
    cov = coverage.coverage(gridded, 2026)
    by_code = {r.code: r for r in cov.rows}
    one, two = by_code["370203012001"], by_code["370203012002"]
    assert (one.firms, len(one.with_org), len(one.with_work), len(one.led)) == (2, 1, 2, 1)
    assert (one.compounds, one.with_firm, one.good_firm) == (3, 2, 1)
    assert (two.firms, two.compounds, two.with_firm, two.good_firm, two.committee) == (1, 1, 1, 1, 1)
    t_ = cov.total
    assert (t_.firms, len(t_.with_org), len(t_.led)) == (2, 1, 1)  # firm a counted once
    assert (t_.compounds, t_.with_firm, t_.good_firm) == (4, 3, 2)
    assert (t_.rate("org"), t_.rate("firm"), t_.rate("good"), t_.rate("led")) == (0.5, 0.75, 0.5, 0.5)
    empty = {r.code: r for r in coverage.coverage(gridded, 2026).rows}["370203012003"]
    assert empty.rate("org") is None and empty.rate("firm") is None  # nothing to divide: shown as —


def test_a_districts_street_subtotals_agree_with_each_streets_own_view(tmp_path):
    from gridapp.core.services.site import init_site
    from gridapp.core.store import Store

    with Store(tmp_path / "district.sqlite", create=True) as store:
        init_site(store, level="district", code="370203", name="市北区")
        for street, sname in (("370203012", "海泉路街道"), ("370203013", "云溪路街道")):
            orgs.create_unit(store, code=street, name=sname)
            orgs.create_unit(store, code=street + "001", name="湖枫社区")  # the same name in both streets
            orgs.create_unit(store, code=street + "001001", name="第一网格")
        a = add_firm(store)
        b = add_firm(store, "青岛云溪物业管理有限公司", FIRM_B, led_by_community=True,
                     leading_community_id=orgs.get(store, "370203013001").id)
        for n, (grid, firm) in enumerate((("370203012001001", a), ("370203013001001", a), ("370203013001001", b))):
            compounds.change_firm(store, add_compound(store, f"小区{n}", grid), firm, D(2022, 1, 1))
        cov = coverage.coverage(store, 2026)
        assert [r.name for r, _sub in cov.grouped()] == ["海泉路街道湖枫社区", "海泉路街道小计", "云溪路街道湖枫社区",
                                                         "云溪路街道小计"]
        for street in cov.streets:
            own = coverage.coverage(store, 2026, street.code).total
            assert (street.firms, street.compounds, street.with_firm, len(street.led)) == (
                own.firms, own.compounds, own.with_firm, len(own.led))
        assert (cov.total.firms, cov.total.compounds, len(cov.total.led)) == (2, 3, 1)


def test_what_a_form_leaves_unchosen_is_refused_by_the_service(gridded):
    """The same rules hold for the form, the importer and the command line: they live in the services."""
    with pytest.raises(ValidationError, match="请选择小区所在的网格"):
        compounds.save_compound(gridded, {"name": "无网格小区", "grid_id": None})
    cid = add_compound(gridded)
    with pytest.raises(ValidationError, match="请选择物业企业"):
        compounds.change_firm(gridded, cid, None, D(2024, 1, 1))
    with pytest.raises(ValidationError, match="请选择物业企业"):
        ratings.rate_firm(gridded, None, 2026, {})

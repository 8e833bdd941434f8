import datetime as dt

import pytest
from sqlalchemy import func, select

from gridapp.core.errors import DomainError
from gridapp.core.models import MemberRegistration, Person, PointsRule
from gridapp.core.services import baodao, orgs, workers
from gridapp.core.validation import id_check_digit


def _id(body: str) -> str:
    return body + id_check_digit(body)


A, B, C = _id("37020319800101001"), _id("37020319900202002"), _id("37020319850303003")


def _unit(store, reported=4):
    from gridapp.core.validation import credit_check_char

    code = "91370203MA3C12345" + credit_check_char("91370203MA3C12345")
    community = orgs.get(store, "370203012002")
    uid = baodao.save_unit(store, {"name": "青岛示范科技有限公司", "credit_code": code, "unit_type": "private",
                                   "party_org_type": "branch", "party_org_name": "青岛示范科技有限公司党支部",
                                   "reported_member_count": reported}, pair_with=[(community.id, dt.date(2025, 3, 1))])
    return uid, code


def _member(store, unit_id, id_number, name, grid_code="370203012002001", **kw):
    grid = orgs.get(store, grid_code)
    return baodao.register_member(store, {"name": name, "id_number": id_number, "grid_id": grid.id,
                                          "registered_on": dt.date(2026, 3, 1), "service_post": "policy", **kw},
                                  unit_id=unit_id)


def test_a_grid_worker_registering_is_the_same_person(gridded):
    uid, _ = _unit(gridded)
    grid = orgs.get(gridded, "370203012002001")
    workers.create_or_update(gridded, {"name": "张三", "id_number": A, "worker_type": "parttime",
                                       "political_status": "01"}, grid_id=grid.id)
    _member(gridded, uid, A, "张三")
    _member(gridded, uid, A, "张三", position="科长")  # again: updated, not duplicated
    with gridded.read() as s:
        assert s.execute(select(func.count()).select_from(Person).where(Person.id_number == A)).scalar() == 1
        regs = s.execute(select(MemberRegistration)).scalars().all()
        assert len(regs) == 1 and regs[0].position == "科长"
        assert regs[0].community_id == orgs.get(gridded, "370203012002").id


def test_registration_rules(gridded):
    uid, _ = _unit(gridded)
    grid = orgs.get(gridded, "370203012002001")
    workers.create_or_update(gridded, {"name": "李四", "id_number": B, "worker_type": "parttime",
                                       "political_status": "13"}, grid_id=grid.id)
    with pytest.raises(DomainError, match="须为中共党员或预备党员"):
        _member(gridded, uid, B, "李四")
    other = orgs.get(gridded, "370203012003")
    with pytest.raises(DomainError, match="不属于"):
        baodao.register_member(gridded, {"name": "王五", "id_number": C, "community_id": other.id,
                                         "grid_id": grid.id}, unit_id=uid)
    with pytest.raises(DomainError, match="工作单位"):  # the rule lives in the service, for form and import alike
        _member(gridded, None, C, "王五")
    mid = _member(gridded, uid, C, "王五")
    baodao.set_status(gridded, mid, "moved_out", dt.date(2026, 9, 1))
    with pytest.raises(DomainError, match="报到状态"):
        baodao.set_status(gridded, mid, "gone", dt.date(2026, 9, 1))


def test_points_rules_held_as_data(gridded):
    assert baodao.points_for([], None, 2.5) == 2.5  # no rule: one point an hour
    rules = [baodao.Rule(None, 1.0, 0.0, None), baodao.Rule("patrol", 2.0, 1.0, 6.0)]
    assert baodao.points_for(rules, "care", 3) == 3.0
    assert baodao.points_for(rules, "patrol", 2) == 5.0
    assert baodao.points_for(rules, "patrol", 4) == 6.0  # capped
    with gridded.session() as s:
        s.add(PointsRule(activity_type=None, points_per_hour=1.5, bonus_per_activity=0.5,
                         valid_from=dt.date(2026, 1, 1)))
        s.add(PointsRule(activity_type=None, points_per_hour=1.0, bonus_per_activity=0, valid_from=dt.date(2020, 1, 1)))
    with gridded.read() as s:
        assert baodao.points_for(baodao.rules(s, dt.date(2026, 5, 1)), None, 2) == 3.5
        assert baodao.points_for(baodao.rules(s, dt.date(2025, 5, 1)), None, 2) == 2.0


def test_sign_in_and_yearly_feedback(gridded):
    uid, _ = _unit(gridded, reported=4)
    m1, m2 = _member(gridded, uid, A, "张三"), _member(gridded, uid, B, "李四")
    _member(gridded, uid, C, "王五")
    community = orgs.get(gridded, "370203012002")
    a1 = baodao.create_activity(gridded, {"title": "楼道清理", "date": dt.date(2026, 4, 1),
                                          "activity_type": "environment", "community_id": community.id})
    a2 = baodao.create_activity(gridded, {"title": "平安巡逻", "date": dt.date(2026, 5, 1),
                                          "activity_type": "patrol", "community_id": community.id})
    old = baodao.create_activity(gridded, {"title": "去年的活动", "date": dt.date(2025, 5, 1),
                                           "community_id": community.id})
    assert baodao.sign_in(gridded, a1, [m1, m2, m1], 2.0) == baodao.SignIn(2, 1)
    assert baodao.sign_in(gridded, a1, [m1], 2.0) == baodao.SignIn(0, 1)  # signed in once only
    baodao.sign_in(gridded, a2, [m1], 3.0, "excellent")
    baodao.sign_in(gridded, old, [m2], 5.0)
    with pytest.raises(DomainError, match="0 到 24"):
        baodao.sign_in(gridded, a2, [m2], 0)
    summary = baodao.unit_summary(gridded, uid, 2026)
    assert (summary.registered, summary.reported, summary.hours) == (3, 4, 7.0)
    assert summary.rate == 0.75 and summary.without_service == 1 and summary.communities == ("云溪社区",)
    fb = baodao.feedback(gridded, uid, 2026)
    by_name = {m.name: m for m in fb.members}
    assert (by_name["张三"].activities, by_name["张三"].hours, by_name["张三"].points) == (2, 5.0, 5.0)
    assert by_name["李四"].hours == 2.0  # last year's service is not this year's
    assert by_name["王五"].evaluation == "未参加服务"
    gridded.set_setting("baodao.evaluation_points", {"excellent": 5, "good": 2})
    assert baodao.feedback(gridded, uid, 2026).members[0].evaluation in ("优秀", "良好")
    assert {f.unit_name for f in baodao.feedbacks(gridded, 2026)} == {"青岛示范科技有限公司"}


def test_rules_edited_as_data_and_activities_linked_to_needs(gridded):
    from gridapp.core.services import needs

    rid = baodao.save_rule(gridded, activity_type="patrol", points_per_hour=2, bonus=1, cap=6,
                           valid_from=dt.date(2026, 1, 1))
    with pytest.raises(DomainError, match="已有积分规则"):
        baodao.save_rule(gridded, activity_type="patrol", points_per_hour=3, valid_from=dt.date(2026, 1, 1))
    with pytest.raises(DomainError, match="不能为负数"):
        baodao.save_rule(gridded, activity_type=None, points_per_hour=-1)
    assert [(r.type_name, r.points_per_hour) for r in baodao.list_rules(gridded)] == [("平安巡逻", 2.0)]
    uid, _ = _unit(gridded)
    m = _member(gridded, uid, A, "张三")
    community = orgs.get(gridded, "370203012002")
    nid = needs.raise_need(gridded, community.id, "夜间巡逻")
    act = baodao.create_activity(gridded, {"title": "夜巡", "date": dt.date(2026, 7, 1), "activity_type": "patrol",
                                           "community_id": community.id, "need_id": nid})
    baodao.sign_in(gridded, act, [m], 4)
    assert baodao.feedback(gridded, uid, 2026).members[0].points == 6.0  # 4 h × 2 + 1, capped at 6
    baodao.save_rule(gridded, activity_type="patrol", points_per_hour=1, rule_id=rid)
    assert baodao.feedback(gridded, uid, 2026).members[0].points == 6.0  # recorded points stay
    baodao.delete_rule(gridded, rid)
    assert baodao.list_rules(gridded) == []
    other = orgs.get(gridded, "370203012003")
    with pytest.raises(DomainError, match="不是本社区"):
        baodao.create_activity(gridded, {"title": "x", "date": dt.date(2026, 7, 1), "community_id": other.id,
                                         "need_id": nid})
    assert [label for _i, _c, label in baodao.open_needs(gridded)] == ["云溪社区：夜间巡逻"]


def test_an_activity_lists_everyone_signed_in_with_hours_and_points(gridded):
    uid, _ = _unit(gridded)
    m1, m2, m3 = _member(gridded, uid, A, "张三"), _member(gridded, uid, B, "李四"), _member(gridded, uid, C, "王五")
    community = orgs.get(gridded, "370203012002")
    act = baodao.create_activity(gridded, {"title": "平安巡逻", "date": dt.date(2026, 5, 1),
                                           "activity_type": "patrol", "community_id": community.id})
    baodao.save_rule(gridded, activity_type="patrol", points_per_hour=2, bonus=1, valid_from=dt.date(2026, 1, 1))
    assert baodao.participants(gridded, act) == []
    assert baodao.points_preview(gridded, act, 1.5) == 4.0  # 1.5 h × 2 + 1
    baodao.sign_in(gridded, act, [m2, m1], 1.5, "excellent")
    baodao.sign_in(gridded, act, [m3], 2.0)
    listed = baodao.participants(gridded, act)
    assert [(p.member_id, p.name, p.hours, p.points) for p in listed] == [
        (m2, "李四", 1.5, 4.0), (m1, "张三", 1.5, 4.0), (m3, "王五", 2.0, 5.0)]
    assert listed[0].community == "云溪社区" and listed[0].evaluation == "excellent"
    from gridapp.core.models import Participation, utcnow

    with gridded.session() as s:  # a sign-in taken back is not listed
        s.execute(select(Participation).where(Participation.member_id == m1)).scalar_one().deleted_at = utcnow()
    assert [p.name for p in baodao.participants(gridded, act)] == ["李四", "王五"]
    with pytest.raises(DomainError, match="找不到该活动"):
        baodao.participants(gridded, "no-such-activity")

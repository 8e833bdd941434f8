"""民情诉求 handled to the end: every allowed and refused step, deadlines, extensions, 督办, escalation, the
超期 list, and the history that says who did what."""

import datetime as dt
import itertools

import pytest
from sqlalchemy import func, select

from gridapp.core import codes
from gridapp.core.errors import DomainError, NotFoundError, PermissionDenied, ValidationError
from gridapp.core.models import GridRequest, OrgUnit, RequestStep
from gridapp.core.services import requests, workers
from gridapp.core.services.requests import STEPS, NewRequest
from gridapp.core.validation import id_check_digit


def _id(first17: str) -> str:
    return first17 + id_check_digit(first17)


def _units(store):
    with store.read() as s:
        rows = s.execute(select(OrgUnit.id, OrgUnit.name, OrgUnit.level, OrgUnit.parent_id, OrgUnit.code)
                         .order_by(OrgUnit.code)).all()
    communities = [r for r in rows if r.level == "community"]
    grids = [r for r in rows if r.level == "grid"]
    return communities, grids


def _new(store, **kw):
    communities, grids = _units(store)
    community = communities[0]
    grid = next(g for g in grids if g.parent_id == community.id)
    data = dict(community_id=community.id, grid_id=grid.id, category="hazard", description="3号楼消防通道被占用")
    data.update(kw)
    return requests.raise_request(store, NewRequest(**data))


def _state(store, rid):
    with store.read() as s:
        return s.get(GridRequest, rid).state


def _counts(store):
    with store.read() as s:
        return (s.scalar(select(func.count()).select_from(GridRequest)),
                s.scalar(select(func.count()).select_from(RequestStep)))


# How to take each step with the arguments it needs (the main line's steps take words only).
def _take(store, rid, action):
    if action == "assign":
        return requests.assign(store, rid, "department", assignee_name="街道城管科")
    if action == "escalate":
        return requests.escalate(store, rid, "涉及多部门")
    if action == "evaluate":
        return requests.evaluate(store, rid, "satisfied")
    return requests.act(store, rid, action, note="已说明情况")


# A path of steps from 上报 to each state, so a request can be put there.
PATHS = {
    "reported": [], "accepted": ["accept"], "returned": ["return"], "escalated": ["escalate"],
    "assigned": ["accept", "assign"], "in_progress": ["accept", "assign", "start"],
    "resolved": ["accept", "assign", "start", "resolve"],
    "verified": ["accept", "assign", "start", "resolve", "verify"],
    "evaluated": ["accept", "assign", "start", "resolve", "verify", "evaluate"],
    "closed": ["accept", "assign", "start", "resolve", "verify", "evaluate", "close"],
}
LINE_ACTIONS = ("accept", "assign", "start", "resolve", "verify", "reject", "evaluate", "close", "return",
                "resubmit", "escalate")


def test_every_state_has_a_path_and_every_state_is_a_code():
    assert set(PATHS) == set(STEPS) == set(codes.REQUEST_STATE.codes())
    for targets in STEPS.values():
        assert set(targets) <= set(codes.REQUEST_ACTION.codes())
        assert set(targets.values()) <= set(STEPS)


@pytest.mark.parametrize(("state", "action"), list(itertools.product(PATHS, LINE_ACTIONS)))
def test_each_step_from_each_state_is_taken_or_refused_as_the_table_says(district_store, state, action):
    rid = _new(district_store)
    for step in PATHS[state]:
        _take(district_store, rid, step)
    assert _state(district_store, rid) == state
    before = _counts(district_store)
    expected = STEPS[state].get(action)
    if expected is None:
        with pytest.raises(ValidationError) as err:
            _take(district_store, rid, action)
        assert codes.REQUEST_STATE.name(state) in err.value.message
        assert codes.REQUEST_ACTION.name(action) in err.value.message
        assert _counts(district_store) == before  # nothing written
        assert _state(district_store, rid) == state
    else:
        _take(district_store, rid, action)
        assert _state(district_store, rid) == expected
        assert _counts(district_store) == (before[0], before[1] + 1)


def test_the_whole_line_is_recorded_step_by_step(district_store):
    rid = _new(district_store, source="walk_in", raiser_name="王大妈", raiser_phone="13800001111")
    for step in PATHS["closed"]:
        _take(district_store, rid, step)
    steps = requests.history(district_store, rid)
    assert [s.action for s in steps] == ["report", *PATHS["closed"]]
    assert [s.to_state for s in steps][-1] == "closed"
    assert all(s.actor == "tester" and s.site_code == "370203" for s in steps)
    assert steps[2].note == "分派给街道部门：街道城管科"
    with district_store.read() as s:
        req = s.get(GridRequest, rid)
        assert req.closed_at is not None and req.resolved_at is not None
        assert req.satisfaction == "satisfied" and req.result == "已说明情况"
        assert req.number.startswith("370203-") and req.number.endswith("-0001")


def test_numbers_count_up_per_site_and_day(district_store):
    first, second = _new(district_store), _new(district_store)
    with district_store.read() as s:
        a, b = s.get(GridRequest, first).number, s.get(GridRequest, second).number
    assert a[:-4] == b[:-4] and int(b[-4:]) == int(a[-4:]) + 1


def test_words_are_required_where_a_step_needs_them(district_store):
    rid = _new(district_store)
    for action, label in (("return", "退回原因"), ("resolve", "处置结果")):
        with pytest.raises(ValidationError, match=label):
            requests.act(district_store, rid, action, note="  ")
    with pytest.raises(ValidationError, match="上报上级的理由"):
        requests.escalate(district_store, rid, "")
    assert _state(district_store, rid) == "reported"


def test_deadline_follows_category_and_urgency():
    day = dt.date(2026, 10, 8)
    assert requests.deadline_for("livelihood", "normal", day) == dt.date(2026, 10, 18)
    assert requests.deadline_for("hazard", "normal", day) == dt.date(2026, 10, 11)
    assert requests.deadline_for("livelihood", "urgent", day) == dt.date(2026, 10, 10)
    assert requests.deadline_for("dispute", "critical", day) == dt.date(2026, 10, 9)
    assert set(codes.REQUEST_TIME_LIMIT_DAYS) == set(codes.REQUEST_CATEGORY.codes())


def test_bad_new_requests_are_refused_and_nothing_written(district_store):
    communities, grids = _units(district_store)
    other_grid = next(g for g in grids if g.parent_id != communities[0].id)
    before = _counts(district_store)
    cases = [
        (dict(grid_id=other_grid.id), "不属于社区"),
        (dict(raised_at=dt.datetime.now() + dt.timedelta(days=3)), "晚于现在"),
        (dict(category="weather"), "诉求类别"),
        (dict(source="fax"), "诉求来源"),
        (dict(urgency="asap"), "紧急程度"),
        (dict(description="  "), "诉求内容"),
        (dict(community_id=grids[0].id), "须属于一个社区"),
    ]
    for kw, said in cases:
        with pytest.raises(ValidationError, match=said):
            _new(district_store, **kw)
    assert _counts(district_store) == before


def test_a_worker_must_serve_the_grid_of_a_request_they_raise(district_store):
    communities, grids = _units(district_store)
    mine = next(g for g in grids if g.parent_id == communities[0].id)
    elsewhere = next(g for g in grids if g.parent_id != communities[0].id)
    worker = workers.create_or_update(district_store, {"name": "赵网格", "id_number": _id("37020319880808008"),
                                                       "worker_type": "fulltime", "hired_on": dt.date(2025, 1, 1)},
                                      grid_id=elsewhere.id)
    with pytest.raises(ValidationError, match="不在网格"):
        _new(district_store, grid_id=mine.id, raised_by_worker_id=worker.id)
    other_community = next(c for c in communities if c.id == elsewhere.parent_id)
    rid = _new(district_store, community_id=other_community.id, grid_id=elsewhere.id, raised_by_worker_id=worker.id)
    assert _state(district_store, rid) == "reported"


def test_assign_checks_whom(district_store):
    rid = _new(district_store)
    requests.act(district_store, rid, "accept")
    with pytest.raises(NotFoundError, match="网格员"):
        requests.assign(district_store, rid, "worker", assignee_id="no-such-id")
    with pytest.raises(ValidationError, match="部门名称"):
        requests.assign(district_store, rid, "department", assignee_name=" ")
    with pytest.raises(ValidationError, match="承办方"):
        requests.assign(district_store, rid, "police")
    communities, _grids = _units(district_store)
    requests.assign(district_store, rid, "community", assignee_id=communities[1].id, note="请社区协调")
    with district_store.read() as s:
        req = s.get(GridRequest, rid)
        assert (req.assignee_kind, req.assignee_name, req.state) == ("community", communities[1].name, "assigned")
    requests.act(district_store, rid, "return", note="不属于本社区")  # the assignee hands it back
    with district_store.read() as s:
        req = s.get(GridRequest, rid)
        assert (req.state, req.assignee_kind, req.return_count) == ("accepted", None, 1)


def test_escalation_goes_to_the_organisation_above(district_store):
    rid = _new(district_store)
    communities, _grids = _units(district_store)
    assert requests.escalate(district_store, rid, "需街道协调") in ("永宁山街道", "海泉路街道")
    with district_store.read() as s:
        req = s.get(GridRequest, rid)
        street = s.get(OrgUnit, req.handled_by_org_id)
        assert street.level == "street" and street.id == communities[0].parent_id
    requests.act(district_store, rid, "accept")
    requests.escalate(district_store, rid, "需区级部门处理")  # the street to the district
    requests.act(district_store, rid, "accept")
    with pytest.raises(ValidationError, match="没有上级组织"):
        requests.escalate(district_store, rid, "再往上")
    assert _state(district_store, rid) == "accepted"


def test_extension_asked_granted_and_refused(district_store):
    rid = _new(district_store)
    with district_store.read() as s:
        deadline = s.get(GridRequest, rid).deadline
    with pytest.raises(ValidationError, match="须晚于"):
        requests.request_extension(district_store, rid, deadline, "材料未齐")
    with pytest.raises(ValidationError, match="没有待审核"):
        requests.decide_extension(district_store, rid, True)
    later = deadline + dt.timedelta(days=5)
    requests.request_extension(district_store, rid, later, "等待施工队")
    with pytest.raises(ValidationError, match="审核中"):
        requests.request_extension(district_store, rid, later, "再次申请")
    requests.decide_extension(district_store, rid, True, "同意")
    with district_store.read() as s:
        req = s.get(GridRequest, rid)
        assert (req.deadline, req.extension_state) == (later, "granted")
    requests.request_extension(district_store, rid, later + dt.timedelta(days=3), "又有变化")
    requests.decide_extension(district_store, rid, False)
    with district_store.read() as s:
        assert s.get(GridRequest, rid).deadline == later
    assert [s.action for s in requests.history(district_store, rid)][-4:] == ["extend", "grant", "extend", "refuse"]
    for step in PATHS["resolved"]:
        _take(district_store, rid, step)
    with pytest.raises(ValidationError, match="不能申请延期"):
        requests.request_extension(district_store, rid, later + dt.timedelta(days=9), "太晚了")


def test_supervision_keeps_the_highest_level_and_counts(district_store):
    rid = _new(district_store)
    requests.supervise(district_store, rid, "yellow", "三天内处理")
    requests.supervise(district_store, rid, "normal")
    with district_store.read() as s:
        req = s.get(GridRequest, rid)
        assert (req.supervision, req.supervision_count) == ("yellow", 2)
    requests.supervise(district_store, rid, "red")
    with district_store.read() as s:
        assert s.get(GridRequest, rid).supervision == "red"
    with pytest.raises(ValidationError, match="督办等级"):
        requests.supervise(district_store, rid, "purple")
    for step in PATHS["closed"]:
        _take(district_store, rid, step)
    with pytest.raises(ValidationError, match="已办结"):
        requests.supervise(district_store, rid, "red")


def test_a_community_cannot_supervise(tmp_path):
    from gridapp.core.services.site import init_site
    from gridapp.core.store import Store

    with Store(tmp_path / "c.sqlite", create=True, actor="tester") as store:
        init_site(store, level="community", code="370203012001", name="福安社区")
        from gridapp.core.services import grids

        grid = grids.add_child(store, store.site.org_unit_id, "第一网格", households=300)
        rid = requests.raise_request(store, NewRequest(community_id=store.site.org_unit_id, grid_id=grid.id,
                                                       category="sanitation", description="垃圾未清运"))
        with pytest.raises(PermissionDenied, match="街道或区"):
            requests.supervise(store, rid, "normal")
        with pytest.raises(ValidationError, match="没有上级组织"):
            requests.escalate(store, rid, "需街道协调")  # the street is not in a community's database


def test_due_lists_overdue_and_soon_due_within_the_org(district_store):
    communities, _grids = _units(district_store)
    today = dt.date.today()
    old = dt.datetime.combine(today - dt.timedelta(days=10), dt.time(9))
    overdue = _new(district_store, raised_at=old, category="hazard")  # due 3 days after: 7 days overdue
    soon = _new(district_store, category="hazard", urgency="critical")  # due tomorrow
    _new(district_store, category="other")  # due in 15 days: not listed
    handled = _new(district_store, raised_at=old, category="hazard")
    for step in PATHS["resolved"]:
        _take(district_store, handled, step)  # handled: the deadline no longer runs
    street_code = _code(district_store, communities[0].parent_id)
    listed = requests.due(district_store, street_code, today=today)
    assert [d.id for d in listed] == [overdue, soon]
    assert listed[0].overdue and listed[0].days_left == -7 and not listed[1].overdue
    other_street = next(c for c in communities if c.parent_id != communities[0].parent_id)
    assert requests.due(district_store, _code(district_store, other_street.parent_id), today=today) == []
    assert [d.id for d in requests.due(district_store, "370203", today=today)] == [overdue, soon]


def _code(store, unit_id):
    with store.read() as s:
        return s.get(OrgUnit, unit_id).code


def test_unknown_request_is_not_found(district_store):
    with pytest.raises(NotFoundError, match="找不到该诉求"):
        requests.act(district_store, "nope", "accept")
    with pytest.raises(DomainError):
        requests.history(district_store, "nope")


def test_hotline_number_is_registered_once(district_store):
    _new(district_store, source="hotline", hotline_number="GD2026100800123", deadline=dt.date.today())
    with pytest.raises(ValidationError, match="GD2026100800123 已登记"):
        _new(district_store, source="hotline", hotline_number="GD2026100800123")


def test_the_overdue_command_lists_them(district_store, capsys):
    import json

    from gridapp.cli import main

    old = dt.datetime.combine(dt.date.today() - dt.timedelta(days=10), dt.time(9))
    rid = _new(district_store, raised_at=old, category="hazard")
    requests.supervise(district_store, rid, "red")
    path = district_store.path
    district_store.close()
    assert main(["requests", "overdue", "--org", "370203", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "市北区：超期 1 件，即将超期 0 件" in out and "超期 7 天" in out and "红牌督办" in out
    assert "安全隐患" in out and "上报" in out
    assert main(["requests", "overdue", "--org", "370203", "--db", str(path), "--json"]) == 0
    found = json.loads(capsys.readouterr().out)["requests"]
    assert [(r["id"], r["days_left"], r["overdue"]) for r in found] == [(rid, -7, True)]
    assert main(["requests", "overdue", "--org", "370202", "--db", str(path)]) == 1
    assert "找不到编码为 370202 的组织单位" in capsys.readouterr().err


def test_demo_requests_are_consistent_with_their_histories(demo_db):
    from gridapp.core.store import Store

    with Store(demo_db) as store, store.read() as s:
        reqs = s.execute(select(GridRequest)).scalars().all()
        assert {r.state for r in reqs} >= {"reported", "returned", "assigned", "in_progress", "closed"}
        for r in reqs:
            steps = s.execute(select(RequestStep).where(RequestStep.request_id == r.id)
                              .order_by(RequestStep.at)).scalars().all()
            assert steps[0].action == "report" and steps[-1].to_state == r.state, r.number
            for a, b in itertools.pairwise(steps):  # each step starts where the one before ended
                assert b.from_state == a.to_state and STEPS[a.to_state][b.action] == b.to_state, r.number
            assert (r.closed_at is not None) == (r.state == "closed")
            assert r.deadline == requests.deadline_for(r.category, r.urgency, r.raised_at.date())
        due = requests.due(store, store.site.code, today=dt.date(2026, 11, 1))
        assert due and all(d.state in requests.OPEN for d in due)


def test_the_operation_log_names_requests_and_their_steps(district_store):
    from gridapp.core import oplog

    rid = _new(district_store, category="sanitation", description="垃圾桶满溢未及时清运")
    requests.act(district_store, rid, "accept")
    with district_store.read() as s:
        number = s.get(GridRequest, rid).number
    entries = oplog.LogReader(district_store, oplog.LogQuery(kind="requests")).page(100)
    named = {(e.kind, e.name) for e in entries}
    assert ("民情诉求", f"{number} 垃圾桶满溢未及时清运") in named
    assert ("诉求办理", f"{number} 受理") in named
    update = next(e for e in entries if e.kind == "民情诉求" and e.op == "update")
    assert any(c.label == "办理状态" and c.new == "受理" for c in update.changes), update.changes

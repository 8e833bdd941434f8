import datetime as dt

import pytest
from sqlalchemy import select

from gridapp.core.errors import DomainError
from gridapp.core.models import Compound, OrgUnit
from gridapp.core.services import grids, orgs, workers
from gridapp.core.validation import id_check_digit

D = dt.date(2026, 6, 1)


def _id(body: str) -> str:
    return body + id_check_digit(body)


def _worker(store, grid_id, name, body, role="fulltime", wtype="fulltime"):
    return workers.create_or_update(store, {"name": name, "id_number": _id(body), "worker_type": wtype,
                                            "phone": "13800001111"}, grid_id=grid_id, role=role)


def _compound(store, grid_id, name):
    with store.session() as s:
        s.add(Compound(name=name, grid_id=grid_id, households=100))


@pytest.fixture
def community(street_store):
    return orgs.create_unit(street_store, code="370203012002", name="云溪社区")


def test_children_get_the_next_free_code(street_store, community):
    a = grids.add_child(street_store, community.id, "第一网格", households=400)
    b = grids.add_child(street_store, community.id, "第二网格")
    assert (a.code, b.code) == ("370203012002001", "370203012002002")
    with pytest.raises(DomainError, match="已有名为“第一网格”"):
        grids.add_child(street_store, community.id, "第一网格")
    micro = grids.add_child(street_store, a.id, "1号楼微网格")
    assert micro.code == "370203012002001001" and micro.level == "microgrid"
    with pytest.raises(DomainError, match="不能再建下级"):
        grids.add_child(street_store, micro.id, "更小的")


def test_a_new_grid_keeps_its_supervision_phone(street_store, community):
    g = grids.add_child(street_store, community.id, "第一网格", supervision_phone="0532-83801234")
    with street_store.read() as s:
        assert s.get(OrgUnit, g.id).supervision_phone == "0532-83801234"
    assert g.supervision_phone == "0532-83801234"  # what the 编辑 form shows
    assert grids.update(street_store, g.id, supervision_phone=None).supervision_phone is None


def test_update_and_warnings(street_store, community):
    g = grids.add_child(street_store, community.id, "第一网格", households=1200)
    d = grids.details(street_store, g.id)
    assert set(d.warnings) == {"没有在岗的专职网格员", "没有网格长"}
    _worker(street_store, g.id, "张三", "37020319800101001", role="leader")
    d = grids.details(street_store, g.id)
    assert d.leader.name == "张三"
    assert d.warnings == ("每名专职网格员服务 1200 户，超过 500 户的配备标准",)
    grids.update(street_store, g.id, households=480, boundary="东至安路")
    assert grids.details(street_store, g.id).warnings == ()
    with pytest.raises(DomainError, match="不能修改"):
        grids.update(street_store, g.id, code="370203012002009")


def test_retire_keeps_history_and_requires_an_empty_grid(street_store, community):
    g = grids.add_child(street_store, community.id, "第一网格")
    w = _worker(street_store, g.id, "张三", "37020319800101001")
    with pytest.raises(DomainError, match="还有在岗网格员"):
        grids.retire(street_store, g.id, D, "调整")
    workers.worker_leaves(street_store, w.id, D, "辞职")
    with pytest.raises(DomainError, match="撤销原因"):
        grids.retire(street_store, g.id, D, " ")
    grids.retire(street_store, g.id, D, "网格调整")
    assert [u.name for u in orgs.children(street_store, community.id)] == []
    retired = orgs.children(street_store, community.id, include_retired=True)
    assert retired[0].retired_on == D
    assert workers.get(street_store, w.id).assignments[0].grid_name == "第一网格"  # history kept


def test_move_renumbers_the_subtree(street_store, community):
    other = orgs.create_unit(street_store, code="370203012003", name="松柏社区")
    g = grids.add_child(street_store, community.id, "第一网格")
    micro = grids.add_child(street_store, g.id, "微网格")
    moved = grids.move(street_store, g.id, other.id)
    assert moved.code == "370203012003001" and moved.parent_id == other.id
    assert orgs.get(street_store, "370203012003001001").id == micro.id
    with pytest.raises(DomainError, match="只能放在"):
        grids.move(street_store, g.id, micro.id)


def test_split_moves_workers_and_compounds_in_one_go(street_store, community):
    g = grids.add_child(street_store, community.id, "第一网格", households=900)
    leader = _worker(street_store, g.id, "张三", "37020319800101001", role="leader")
    part = _worker(street_store, g.id, "李四", "37020319800101002", role="parttime", wtype="parttime")
    _compound(street_store, g.id, "海泉花园")
    _compound(street_store, g.id, "云溪家园")
    inside = grids.contents(street_store, g.id)
    moves = {a: (0 if name == "张三" else 1) for a, name, _r in inside.assignments}
    comps = {c: (0 if name == "海泉花园" else 1) for c, name in inside.compounds}
    with pytest.raises(DomainError, match="全部 2 名"):
        grids.split(street_store, g.id, (grids.NewGrid("第一网格北"), grids.NewGrid("第一网格南")),
                    workers={}, compounds=comps, on=D)
    north, south = grids.split(street_store, g.id, (grids.NewGrid("第一网格北", 450), grids.NewGrid("第一网格南", 450)),
                               workers=moves, compounds=comps, on=D)
    assert grids.details(street_store, north.id).leader.name == "张三"
    assert [m.name for m in grids.details(street_store, south.id).members] == ["李四"]
    assert [c for c, _h in grids.details(street_store, north.id).compounds] == ["海泉花园"]
    old = grids.details(street_store, g.id)
    assert old.unit.retired_on == D and old.successor == "第一网格北"
    history = workers.get(street_store, leader.id).assignments
    assert [(a.grid_name, a.end_date) for a in history] == [("第一网格北", None), ("第一网格", D)]
    assert workers.get(street_store, part.id).current[0].grid_name == "第一网格南"


def test_merge_keeps_one_leader(street_store, community):
    a = grids.add_child(street_store, community.id, "第一网格", households=200)
    b = grids.add_child(street_store, community.id, "第二网格", households=250)
    _worker(street_store, a.id, "张三", "37020319800101001", role="leader")
    _worker(street_store, b.id, "王五", "37020319800101003", role="leader")
    _compound(street_store, b.id, "松柏苑")
    merged = grids.merge(street_store, (a.id, b.id), "第一网格", D, leader_from=1)
    d = grids.details(street_store, merged.id)
    assert merged.households == 450 and merged.code == "370203012002003"
    assert d.leader.name == "王五"
    assert {(m.name, m.role) for m in d.members} == {("王五", "leader"), ("张三", "fulltime")}
    assert [c for c, _ in d.compounds] == ["松柏苑"]
    with street_store.read() as s:
        olds = s.execute(select(OrgUnit).where(OrgUnit.id.in_((a.id, b.id)))).scalars().all()
        assert all(o.retired_on == D and o.successor_id == merged.id for o in olds)
    other = orgs.create_unit(street_store, code="370203012003", name="松柏社区")
    c = grids.add_child(street_store, other.id, "第一网格")
    with pytest.raises(DomainError, match="同一社区"):
        grids.merge(street_store, (merged.id, c.id), "x", D)

import datetime as dt

import pytest

from gridapp.core.errors import DomainError
from gridapp.core.services import grids, orgs, workers
from gridapp.core.validation import id_check_digit

D = dt.date(2026, 6, 1)
ZHANG = "37020319800101001" + id_check_digit("37020319800101001")
LI = "37020319900202002" + id_check_digit("37020319900202002")


@pytest.fixture
def two_grids(street_store):
    c = orgs.create_unit(street_store, code="370203012002", name="云溪社区")
    return grids.add_child(street_store, c.id, "第一网格"), grids.add_child(street_store, c.id, "第二网格")


def _data(**kw):
    base = {"name": "张三", "id_number": ZHANG, "worker_type": "fulltime", "phone": "138 0000 1111",
            "political_status": "01"}
    return base | kw


def test_register_fills_from_the_id_number(street_store, two_grids):
    w = workers.create_or_update(street_store, _data(), grid_id=two_grids[0].id, role="leader")
    assert w.gender == "1" and w.birth_date == dt.date(1980, 1, 1)
    assert w.phone == "13800001111"
    assert w.current[0].role == "leader" and w.current[0].grid_name == "第一网格"
    with pytest.raises(DomainError, match="请选择所属网格"):
        workers.create_or_update(street_store, _data(id_number=LI, name="李四"))
    with pytest.raises(DomainError, match="与身份证号码不符"):
        workers.create_or_update(street_store, _data(id_number=LI, gender="1"), grid_id=two_grids[0].id)


def test_one_leader_per_grid(street_store, two_grids):
    workers.create_or_update(street_store, _data(), grid_id=two_grids[0].id, role="leader")
    with pytest.raises(DomainError, match="已有网格长“张三”"):
        workers.create_or_update(street_store, _data(id_number=LI, name="李四"), grid_id=two_grids[0].id,
                                 role="leader")
    # Nothing of the failed registration was kept: one transaction.
    assert workers.find_by_id_number(street_store, LI) is None


def test_edit_does_not_duplicate_people(street_store, two_grids):
    a = workers.create_or_update(street_store, _data(), grid_id=two_grids[0].id)
    workers.create_or_update(street_store, _data(id_number=LI, name="李四"), grid_id=two_grids[0].id)
    with pytest.raises(DomainError, match="已登记为“李四”"):
        workers.create_or_update(street_store, _data(id_number=LI), worker_id=a.id)
    edited = workers.create_or_update(street_store, _data(name="张叁", phone2=None, notes="兼任楼栋长"), worker_id=a.id)
    assert edited.name == "张叁" and edited.notes == "兼任楼栋长"


def test_transfer_keeps_history_and_leave_ends_assignments(street_store, two_grids):
    w = workers.create_or_update(street_store, _data(hired_on=dt.date(2020, 1, 1)), grid_id=two_grids[0].id)
    w = workers.transfer_worker(street_store, w.id, two_grids[1].id, "fulltime", D)
    assert [a.grid_name for a in w.current] == ["第二网格"]
    ended = [a for a in w.assignments if a.end_date]
    assert ended[0].grid_name == "第一网格" and ended[0].end_date == D and "调动" in ended[0].end_reason
    with pytest.raises(DomainError, match="离岗原因"):
        workers.worker_leaves(street_store, w.id, D, "")
    w = workers.worker_leaves(street_store, w.id, D, "辞职")
    assert w.status == "left" and w.current == () and w.status_reason == "辞职"
    with pytest.raises(DomainError, match="已离岗"):
        workers.transfer_worker(street_store, w.id, two_grids[0].id, "fulltime", D)
    w = workers.worker_returns(street_store, w.id, D)
    assert w.status == "active"


def test_photo(street_store, two_grids):
    w = workers.create_or_update(street_store, _data(), grid_id=two_grids[0].id, photo=b"\x89PNG fake")
    assert workers.photo(street_store, w.id) == b"\x89PNG fake" and workers.get(street_store, w.id).has_photo
    with pytest.raises(DomainError, match="5 MB"):
        workers.set_photo(street_store, w.id, b"x" * (6 * 1024 * 1024))
    workers.set_photo(street_store, w.id, None)
    assert not workers.get(street_store, w.id).has_photo


def test_retired_grid_takes_no_workers(street_store, two_grids):
    grids.retire(street_store, two_grids[1].id, D, "调整")
    with pytest.raises(DomainError, match="已于 2026-06-01 撤销"):
        workers.create_or_update(street_store, _data(), grid_id=two_grids[1].id)

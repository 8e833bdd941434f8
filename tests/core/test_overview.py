"""The 首页概览 figures and warnings, and the lists they lead to."""

import datetime as dt

import pytest
from sqlalchemy import text

from gridapp.core import lists
from gridapp.core.services import overview, workers
from gridapp.core.services.site import init_site
from gridapp.core.store import Store


@pytest.fixture
def demo(demo_db):
    store = Store(demo_db, actor="tester")
    yield store
    store.close()


def _all(summary: overview.Overview) -> list[overview.Figure | overview.Notice]:
    return [*summary.figures, *summary.notices]


def test_every_figure_and_warning_equals_its_list(demo):
    summary = overview.summary(demo)
    assert [f.key for f in summary.figures] == [c.key for c in overview.COUNTED if c.key != "streets"]
    assert {n.key for n in summary.notices} == {"lacks_fulltime", "lacks_leader", "overloaded"}
    for item in _all(summary):
        assert item.count > 0, item.key
        assert item.target.count(demo) == item.count, item.key


def test_targets_choose_filters_people_can_see(demo):
    """The GUI picks each filter from its drop-down, so every one a target uses has choices."""
    for item in _all(overview.summary(demo)):
        spec = item.target.spec()
        for key, value in item.target.filters:
            assert spec.filter(key).choices, (item.key, key)
            assert value is not None


def test_warning_texts_match_the_counts(demo):
    w = overview.grid_warnings(demo)
    texts = {n.key: n.text for n in overview.summary(demo).notices}
    assert texts == {
        "lacks_fulltime": f"{w.without_fulltime} 个网格没有在岗专职网格员",
        "lacks_leader": f"{w.without_leader} 个网格没有网格长",
        "overloaded": f"{w.overloaded} 个网格每名专职网格员服务超过 {w.limit} 户",
    }


def test_lists_follow_the_records_when_staff_change(demo):
    """A leader who leaves makes one more grid without a leader, in the warning and in its list."""
    before = {n.key: n.count for n in overview.summary(demo).notices}
    with demo.engine.connect() as conn:
        leader, led = conn.execute(text(
            "SELECT a.worker_id, count(*) FROM grid_assignment a JOIN grid_worker w ON w.id = a.worker_id "
            "WHERE a.role = 'leader' AND a.end_date IS NULL AND a.deleted_at IS NULL AND w.status = 'active' "
            "GROUP BY a.worker_id LIMIT 1")).one()
    workers.worker_leaves(demo, leader, dt.date(2026, 3, 1), "辞职")
    after = {n.key: n for n in overview.summary(demo).notices}
    assert after["lacks_leader"].count == before["lacks_leader"] + led
    for n in after.values():
        assert n.target.count(demo) == n.count


def test_overloaded_list_reads_the_configured_limit(demo):
    demo.set_setting("grid.households_per_fulltime_limit", 300)
    w = overview.grid_warnings(demo)
    assert w.limit == 300
    notice = next(n for n in overview.summary(demo).notices if n.key == "overloaded")
    assert notice.count == w.overloaded > 1
    assert notice.target.count(demo) == w.overloaded
    assert "超过 300 户" in notice.text


def test_grid_gaps_are_the_warnings_grids(demo):
    gaps = overview.grid_gaps(demo)
    spec = overview.Target("org_units").spec()
    with demo.engine.connect() as conn:
        def ids(key: str) -> set[str]:
            rowids = lists.query_rowids(conn, spec, lists.Query(filters=((key, 1),)))
            return set(lists.record_ids(conn, spec, rowids).values())

        lacking_fulltime, lacking_leader, overloaded = ids("lacks_fulltime"), ids("lacks_leader"), ids("overloaded")
    assert set(gaps) == lacking_fulltime | lacking_leader | overloaded
    for grid_id in lacking_fulltime:
        assert "没有在岗的专职网格员" in gaps[grid_id]
    for grid_id in lacking_leader:
        assert "没有网格长" in gaps[grid_id]
    for grid_id in overloaded:
        assert any("超过 500 户的配备标准" in r for r in gaps[grid_id])


def test_new_street_site_is_empty_and_counts_no_streets(street_store):
    summary = overview.summary(street_store)
    assert summary.is_empty and summary.grids == 0
    assert summary.notices == ()
    assert "streets" not in [f.key for f in summary.figures]
    assert "communities" in [f.key for f in summary.figures]


def test_figures_that_apply_at_each_site_level(tmp_path):
    shown = {}
    for level, code in (("district", "370203"), ("street", "370203012"), ("community", "370203012001")):
        with Store(tmp_path / f"{level}.sqlite", create=True, actor="tester") as store:
            init_site(store, level=level, code=code, name="测试")
            shown[level] = {f.key for f in overview.summary(store).figures}
    assert {"streets", "communities", "grids"} <= shown["district"]
    assert "streets" not in shown["street"] and {"communities", "grids"} <= shown["street"]
    assert not {"streets", "communities"} & shown["community"] and "grids" in shown["community"]


def test_gridded_site_without_workers_warns_for_every_grid(gridded):
    summary = overview.summary(gridded)
    assert not summary.is_empty
    counts = {n.key: n.count for n in summary.notices}
    assert counts["lacks_fulltime"] == counts["lacks_leader"] == summary.grids > 0
    assert len(overview.grid_gaps(gridded)) == summary.grids


def test_persons_list_says_what_each_person_is(demo):
    spec = overview.Target("persons").spec()
    with demo.engine.connect() as conn:
        rowids = lists.query_rowids(conn, spec, lists.Query(filters=(("worker", 1),)))
        roles = {r[spec.index_of("roles")] for r in lists.fetch_rows(conn, spec, rowids).values()}
        workers_total = conn.execute(text("SELECT count(*) FROM grid_worker WHERE deleted_at IS NULL")).scalar()
    assert len(rowids) == workers_total
    assert all(r.split("、")[0] == "网格员" for r in roles)

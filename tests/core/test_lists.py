import pytest

from gridapp.core import list_specs, lists
from gridapp.core.list_specs_property import ratings_spec
from gridapp.core.store import Store


@pytest.fixture
def conn(demo_db):
    store = Store(demo_db, lock=False)
    with store.engine.connect() as c:
        yield c
    store.close()


def _names(conn, spec, q):
    ids = lists.query_rowids(conn, spec, q)
    rows = lists.fetch_rows(conn, spec, ids)
    return [rows[i] for i in ids]


def test_search_by_pinyin_initials(conn):
    all_rows = _names(conn, list_specs.WORKERS, lists.Query())
    target = all_rows[0][0]
    from gridapp.core.pinyin import initials

    found = _names(conn, list_specs.WORKERS, lists.Query(search=initials(target)))
    assert target in [r[0] for r in found]
    assert all(initials(r[0]).startswith(initials(target)) for r in found)


def test_search_by_phone_and_id_tail(conn):
    ids = lists.query_rowids(conn, list_specs.MEMBERS, lists.Query())
    row = lists.fetch_rows(conn, list_specs.MEMBERS, ids[:1])[ids[0]]
    spec = list_specs.MEMBERS
    phone, id_number = row[spec.index_of("phone")], row[spec.index_of("id_number")]
    assert ids[0] in lists.query_rowids(conn, list_specs.MEMBERS, lists.Query(search=phone[-6:]))
    assert ids[0] in lists.query_rowids(conn, list_specs.MEMBERS, lists.Query(search=id_number[-6:]))


def test_filters_and_sort(conn):
    spec = list_specs.WORKERS
    everyone = lists.count(conn, spec, lists.Query())
    full = lists.count(conn, spec, lists.Query(filters=(("worker_type", "fulltime"),)))
    part = lists.count(conn, spec, lists.Query(filters=(("worker_type", "parttime"),)))
    assert full + part == everyone and full > 0 and part > 0
    by_name = _names(conn, spec, lists.Query(sort="hired_on", descending=True))
    dates = [r[spec.index_of("hired_on")] for r in by_name]
    assert dates == sorted(dates, reverse=True)


def test_display_masks_and_names():
    col = list_specs.WORKERS.column("id_number")
    assert col.display("370203199210160104") == "3702**********0104"
    assert col.display("370203199210160104", reveal=True) == "370203199210160104"
    assert list_specs.WORKERS.column("gender").display("2") == "女"
    assert ratings_spec(2026, ()).column("stars").display("3") == "★★★（3星）"


@pytest.mark.parametrize(("spec", "column"), [(list_specs.PARTICIPATIONS, "community"), (list_specs.MEMBERS, "community"),
                                              (list_specs.ACTIVITIES, "community")])
def test_a_long_list_sorted_by_community_walks_an_index_and_sorts_nothing(conn, spec, column):
    """A unit's label is a function no index serves: the list orders by the unit's name instead, so a screen
    of a 500,000-row list sorted by 社区 is found by walking indexes (no sort of every row), both ways."""
    from sqlalchemy import text

    from gridapp.core import list_sql

    assert spec.column(column).order_sql.endswith(".name")
    for descending in (False, True):
        sql, params = list_sql.rowids_sql(spec, lists.Query(sort=column, descending=descending), limit=30,
                                          rows=list_sql.WALK_ROWS + 1)
        plan = " | ".join(r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"), params))
        assert "TEMP B-TREE" not in plan and "org_unit" in sql, plan
        walked = [i for (i,) in conn.execute(text(sql), params)]
        sorted_all = lists.query_rowids(conn, spec, lists.Query(sort=column, descending=descending))
        assert walked and walked == sorted_all[:30], spec.key  # the same screen as sorting every row

"""A dense search walks the list in its order testing each row; a sparse one finds its matches first.
Both plans give the same rows in the same order, for every sort, direction, filter and window."""

import pytest
from sqlalchemy import text

from gridapp.core import list_specs, list_sql, lists
from gridapp.core.store import Store

EVERY = list_sql.Density(1.0, 10**9)  # as if every row matched: the walk is chosen whenever it can be


@pytest.fixture
def conn(demo_db):
    store = Store(demo_db, lock=False)
    with store.engine.connect() as c:
        store.org_labels.install(c.connection.driver_connection)
        yield c
    store.close()


def _ids(conn, sql_params):
    sql, params = sql_params
    return [i for (i,) in conn.execute(text(sql), params)]


def _terms(conn):
    name = conn.execute(text("SELECT p.name FROM member_registration m JOIN person p ON p.id = m.person_id "
                             "ORDER BY m.rowid LIMIT 1")).scalar_one()
    title = conn.execute(text("SELECT title FROM activity ORDER BY rowid LIMIT 1")).scalar_one()
    return ["w", "z", name[0], name, title[:2], "13", "138", "1380", "9"]


@pytest.mark.parametrize("spec", [list_specs.PARTICIPATIONS, list_specs.MEMBERS, list_specs.WORKERS,
                                  list_specs.PERSONS], ids=lambda s: s.key)
def test_the_walk_and_the_index_find_the_same_rows_in_the_same_order(conn, spec):
    sorts = [None, *(c.key for c in spec.columns[:4])]
    checked = walked = 0
    for term in _terms(conn):
        for sort in sorts:
            for descending in (False, True):
                q = lists.Query(search=term, sort=sort, descending=descending)
                for offset, limit, rows, reverse in ((0, 50, None, False), (20, 30, None, False),
                                                     (0, 40, list_sql.WALK_ROWS + 1, False), (0, 40, None, True)):
                    kw = dict(offset=offset, limit=limit, rows=rows, reverse=reverse)
                    sparse_sql = list_sql.rowids_sql(spec, q, **kw)
                    dense_sql = list_sql.rowids_sql(spec, q, density=EVERY, **kw)
                    sparse = _ids(conn, sparse_sql)
                    assert _ids(conn, dense_sql) == sparse, (spec.key, term, sort, descending, kw)
                    checked += bool(sparse)
                    walked += dense_sql != sparse_sql
    assert checked > 20 and walked > 20


def test_a_filtered_search_walks_to_the_same_rows(conn):
    spec = list_specs.PARTICIPATIONS
    community = conn.execute(text("SELECT community_id FROM activity LIMIT 1")).scalar_one()
    q = lists.Query(search="w", filters=(("community", community),))
    sparse = _ids(conn, list_sql.rowids_sql(spec, q, limit=100))
    assert sparse and _ids(conn, list_sql.rowids_sql(spec, q, limit=100, density=EVERY)) == sparse


def test_the_dense_plan_walks_the_orders_index(conn):
    """签到记录 by its default order: the walk reads activities by date and each one's sign-ins, testing
    each sign-in's member and activity against the searched keys; no row is sorted."""
    sql, params = list_sql.rowids_sql(list_specs.PARTICIPATIONS, lists.Query(search="w"), limit=1000, density=EVERY)
    plan = [r[-1] for r in conn.execute(text(f"EXPLAIN QUERY PLAN {sql}"), params)]
    assert plan[0] == "SCAN a USING INDEX ix_activity_date", plan
    assert plan[1].startswith("SEARCH x USING INDEX ix_participation_activity_id_deleted_at"), plan
    assert not any("FOR ORDER BY" in step for step in plan), plan  # (the key sets may be built in temp b-trees)


def test_density_decides_the_plan(conn):
    spec = list_specs.PARTICIPATIONS
    q = lists.Query(search="w")
    w = list_sql.where(spec, q)
    assert list_sql.walks_dense(spec, q, w, list_sql.Density(0.1, 500_000), 0, 1000)
    assert not list_sql.walks_dense(spec, q, w, list_sql.Density(0.005, 500_000), 0, 1000)  # a long walk
    assert not list_sql.walks_dense(spec, q, w, list_sql.Density(0.1, 500_000), 20_000, 1000)  # far in
    assert not list_sql.walks_dense(spec, q, w, list_sql.Density(0.1, 5_000), 0, 1000)  # few matches
    by_initials = lists.Query(search="w", sort="name")  # sorted by a searched column: matches lie together
    members = list_specs.MEMBERS
    assert not list_sql.walks_dense(members, lists.Query(search="w"), list_sql.where(members, lists.Query(search="w")),
                                    list_sql.Density(0.5, 500_000), 0, 1000)
    assert not list_sql.walks_dense(spec, by_initials, list_sql.where(spec, by_initials),
                                    list_sql.Density(0.5, 500_000), 0, 1000)
    d = lists.density(conn, spec, q, limit=1000)
    assert d is not None and 0 < d.share < 1 and d.rows > 0
    assert lists.density(conn, spec, lists.Query(), limit=1000) is None  # no search, nothing to sample

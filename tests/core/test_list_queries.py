"""The list queries give the rows a plain query over every join gives, in the same order, whatever
joins they leave out and however they turn a search into subqueries."""

import re

import pytest
from sqlalchemy import text

from gridapp.core import list_specs, list_sql, lists
from gridapp.core.list_specs_property import ratings_list
from gridapp.core.pinyin import initials
from gridapp.core.store import Store
from gridapp.core.validation import to_halfwidth


@pytest.fixture(scope="module")
def store(demo_template):
    s = Store(demo_template, lock=False)
    yield s
    s.close()


@pytest.fixture(scope="module")
def all_specs(store):
    years = [y for (y,) in store.engine.connect().exec_driver_sql("SELECT DISTINCT year FROM firm_rating")]
    assert years, "the demo has ratings"
    return [*list_specs.ALL.values(), ratings_list(store, max(years))]


def _plain_search(spec, term: str) -> tuple[str, dict]:
    """Every search alternative tested on the joined row, as the first version of the lists did."""
    term = re.sub(r"\s+", "", to_halfwidth(term))
    if term.isdigit():
        alts = [f"{e} LIKE :digits" for e in spec.search_digits] + [f"{e} LIKE :tail" for e in spec.search_id_tail]
        return " OR ".join(alts) or "0", {"digits": f"%{term}%", "tail": f"%{term}"}
    if re.fullmatch(r"[A-Za-z]+", term):
        alts = [f"{e} GLOB :ini" for e in spec.search_initials] + [f"{e} GLOB :latin" for e in spec.search_name]
        return " OR ".join(alts) or "0", {"ini": f"{term.lower()}*", "latin": f"{term}*"}
    alts, params = [f"{e} LIKE :name" for e in spec.search_name], {"name": f"%{term}%"}
    if re.fullmatch(r"\d{4,17}[Xx]", term):
        alts += [f"{e} LIKE :tail" for e in spec.search_id_tail]
        params["tail"] = f"%{term.upper()}"
    return " OR ".join(alts) or "0", params


def _plain(conn, spec, q: lists.Query) -> list[tuple[int, object]]:
    """(row id, sort value) of every row, in order, from one query over every join."""
    where, params = f"({spec.where})", {}
    if q.search:
        cond, params = _plain_search(spec, q.search)
        where += f" AND ({cond})"
    for i, (key, value) in enumerate(q.filters):
        where += f" AND ({spec.filter(key).sql.replace(':v', f':f{i}')})"
        params[f"f{i}"] = value
    if q.sort:
        value = spec.column(q.sort).order_sql
        order = f"{value} {'DESC' if q.descending else 'ASC'}, {spec.rowid}"
    else:
        value, order = "NULL", f"{spec.default_sort or spec.rowid}, {spec.rowid}"
    sql = f"SELECT {spec.rowid}, {value} FROM {spec.from_sql} WHERE {where} ORDER BY {order}"
    return [(r[0], r[1]) for r in conn.execute(text(sql), params)]


def _check(conn, spec, q: lists.Query) -> list[int]:
    """The same rows as the plain query, in its order; ties on a chosen column may be broken otherwise."""
    expected = _plain(conn, spec, q)
    got = lists.query_rowids(conn, spec, q)
    if q.sort:
        value = dict(expected)
        assert sorted(got) == sorted(value), (spec.key, q)
        assert [value[r] for r in got] == [v for _r, v in expected], (spec.key, q)
    else:
        assert got == [r for r, _v in expected], (spec.key, q)
    assert lists.count(conn, spec, q) == len(expected), (spec.key, q)
    return got


def test_every_list_in_every_order_matches_the_plain_query(store, all_specs):
    with store.engine.connect() as conn:
        for spec in all_specs:
            everything = _check(conn, spec, lists.Query())
            assert everything or spec.key in ("journal",), f"the demo has {spec.key}"
            for col in spec.columns:
                up = _check(conn, spec, lists.Query(sort=col.key))
                down = _check(conn, spec, lists.Query(sort=col.key, descending=True))
                assert down == up[::-1], (spec.key, col.key)  # ties too: descending is ascending reversed


def _terms(conn, spec) -> list[str]:
    """Terms of every shape, taken from the list's own first rows so that they find something."""
    ids = lists.query_rowids(conn, spec, lists.Query(), limit=3)
    rows = lists.fetch_rows(conn, spec, ids)
    terms = ["王", "社区", "zzzz", "13", "0001", "1234X", "无此人"]
    for rid in ids:
        for col, value in zip(spec.columns, rows[rid], strict=True):
            if not isinstance(value, str) or not value:
                continue
            if col.key in ("name", "title", "activity", "unit", "firm", "compound"):
                terms += [value, value[:2]]
                if col.key == "name":
                    terms.append(initials(value))
            if col.key in ("phone", "id_number"):
                terms += [value[-4:], value[-6:]]
    return terms


def test_every_list_searched_by_every_shape_matches_the_plain_query(store, all_specs):
    with store.engine.connect() as conn:
        found = 0
        for spec in all_specs:
            for term in _terms(conn, spec):
                for sort in (None, spec.columns[0].key):
                    found += bool(_check(conn, spec, lists.Query(search=term, sort=sort, descending=True)))
        assert found > 100  # most terms find rows: the comparison is not of empty lists


def test_search_with_filters_matches_the_plain_query(store):
    spec = list_specs.PARTICIPATIONS
    with store.engine.connect() as conn:
        community = conn.exec_driver_sql("SELECT community_id FROM activity LIMIT 1").scalar()
        ids = _check(conn, spec, lists.Query(filters=(("community", community),)))
        assert 0 < len(ids) < lists.count(conn, spec, lists.Query())
        name = lists.fetch_rows(conn, spec, ids[:1])[ids[0]][spec.index_of("name")]
        found = _check(conn, spec, lists.Query(search=name, filters=(("community", community),)))
        assert ids[0] in found
        _check(conn, list_specs.MEMBERS, lists.Query(search="w", filters=(("status", "registered"),)))


def test_participations_are_found_by_name_initials_phone_and_activity(store):
    spec = list_specs.PARTICIPATIONS
    with store.engine.connect() as conn:
        rid, activity, name, phone = conn.exec_driver_sql(
            "SELECT x.rowid, a.title, p.name, p.phone FROM participation x JOIN activity a ON a.id = x.activity_id "
            "JOIN member_registration m ON m.id = x.member_id JOIN person p ON p.id = m.person_id "
            "WHERE x.deleted_at IS NULL AND p.phone IS NOT NULL LIMIT 1").one()
        for term in (name, initials(name), phone[-4:], activity):
            found = lists.query_rowids(conn, spec, lists.Query(search=term))
            assert rid in found, term
            values = lists.fetch_rows(conn, spec, found).values()
            assert all(term in v[spec.index_of("name")] or term in v[spec.index_of("activity")]
                       or initials(v[spec.index_of("name")]).startswith(term) for v in values) or term.isdigit()


def test_windows_put_together_are_the_whole_list(store):
    spec = list_specs.PARTICIPATIONS
    q = lists.Query(sort="hours", descending=True)
    with store.engine.connect() as conn:
        whole = lists.query_rowids(conn, spec, q)
        pieces = []
        for offset in range(0, len(whole) + 100, 100):
            pieces += lists.query_rowids(conn, spec, q, offset=offset, limit=100)
        assert pieces == whole and len(whole) > 300


def test_counting_and_ordering_join_only_what_they_need():
    spec = list_specs.PARTICIPATIONS
    count_sql, _ = list_sql.count_sql(spec, lists.Query())
    assert "member_registration" not in count_sql and "person" not in count_sql and "org_unit" not in count_sql
    by_name, _ = list_sql.rowids_sql(spec, lists.Query(sort="name"), limit=10)
    assert "person p" in by_name and "org_unit" not in by_name
    by_org, _ = list_sql.count_sql(spec, lists.Query(filters=(("org", "370203"),)))
    assert "org_unit c" in by_org and "person" not in by_org
    # A join that can drop rows stays: a grid's community is joined on a column that may be null.
    grids_sql, _ = list_sql.count_sql(list_specs.GRIDS, lists.Query())
    assert "JOIN org_unit c" in grids_sql


def test_a_search_starts_at_the_searched_table():
    sql, params = list_sql.count_sql(list_specs.PARTICIPATIONS, lists.Query(search="王伟"))
    join = list_sql.Dialect.fixed_order_join
    assert f"person p {join} member_registration m" in sql and f"activity a {join} participation x" in sql
    # the people are those the search index names, each then tested on the term itself
    assert params == {"name": "%王伟%", "k_n": "n王伟"}
    assert "p.rowid IN (SELECT person FROM person_search WHERE term = :k_n) AND (p.name LIKE :name)" in sql


def test_windows_walked_or_read_backwards_are_the_same_rows(store, all_specs, monkeypatch):
    """With the count known, a window may walk the sorted table (inner joins, or a LEFT JOIN's rows
    merged with those that have none) and the far half is read in reverse: the same rows either way."""
    monkeypatch.setattr(list_sql, "WALK_ROWS", 0)
    walked = 0
    with store.engine.connect() as conn:
        for spec in all_specs:
            for col in spec.columns:
                for descending in (False, True):
                    q = lists.Query(sort=col.key, descending=descending)
                    whole = lists.query_rowids(conn, spec, q)
                    step = max(len(whole) // 4, 1) + 1  # windows that straddle the middle
                    pieces = []
                    for offset in range(0, len(whole), step):
                        pieces += lists.query_rowids(conn, spec, q, offset=offset, limit=step, rows=len(whole))
                    assert pieces == whole, (spec.key, col.key, descending)
                    sql, _ = list_sql.rowids_sql(spec, q, limit=step, rows=len(whole))
                    walked += list_sql.Dialect.fixed_order_join in sql
    assert walked > 20
    members, _ = list_sql.rowids_sql(list_specs.MEMBERS, lists.Query(sort="unit"), limit=10, rows=100)
    assert "UNION ALL" in members and "m.unit_id IS NULL" in members
    # The worker list keeps the order its spec fixed: workers first, not all people in name order.
    workers, _ = list_sql.rowids_sql(list_specs.WORKERS, lists.Query(sort="name"), limit=10, rows=100)
    assert workers.startswith("SELECT w.rowid FROM grid_worker w CROSS JOIN person p")


def test_rows_without_the_left_joined_row_keep_their_place(demo_db, monkeypatch):
    """Members with no grid or no unit sort first (NULL) ascending and last descending, walked or not."""
    monkeypatch.setattr(list_sql, "WALK_ROWS", 0)
    with Store(demo_db, lock=False) as store, store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE member_registration SET grid_id = NULL WHERE rowid % 7 = 0")
        conn.exec_driver_sql("UPDATE member_registration SET unit_id = NULL WHERE rowid % 11 = 0")
        spec = list_specs.MEMBERS
        for key in ("grid", "unit"):
            for descending in (False, True):
                q = lists.Query(sort=key, descending=descending)
                whole = _check(conn, spec, q)
                window = lists.query_rowids(conn, spec, q, offset=0, limit=len(whole) // 3, rows=len(whole))
                assert window == whole[: len(whole) // 3]
                values = lists.fetch_rows(conn, spec, window)
                blank = [values[r][spec.index_of(key)] is None for r in window]
                assert any(blank) != descending  # the blanks lead ascending; descending they trail

"""The people search index stays right whoever writes a person, and searches read it, not the table."""

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import insert, text, update

from gridapp.core import list_specs, list_sql, lists
from gridapp.core.models import Person
from gridapp.core.services import grids, orgs, workers
from gridapp.core.store import Store
from gridapp.core.validation import id_check_digit

ZHANG = "37020319800101001" + id_check_digit("37020319800101001")
LI = "37020319900202002" + id_check_digit("37020319900202002")
WANG = "37020319850303003" + id_check_digit("37020319850303003")


def _found(store, term: str, spec=list_specs.PERSONS) -> set[str]:
    with store.engine.connect() as conn:
        ids = lists.query_rowids(conn, spec, lists.Query(search=term))
        rows = lists.fetch_rows(conn, spec, ids)
        assert lists.count(conn, spec, lists.Query(search=term)) == len(ids)
    return {rows[i][spec.index_of("name")] for i in ids}


def _keys(store, name: str) -> set[str]:
    with store.engine.connect() as conn:
        return {r[0] for r in conn.execute(text(
            "SELECT term FROM person_search WHERE person = (SELECT rowid FROM person WHERE name = :n)"), {"n": name})}


def _findable(store, name: str, phone: str, id_number: str, initials: str) -> None:
    assert name in _found(store, name)
    assert name in _found(store, name[:1])
    assert name in _found(store, name[1:])  # a piece from the middle of a name
    assert name in _found(store, initials)
    assert name in _found(store, phone[3:7])  # phone digits from anywhere
    assert name in _found(store, id_number[-6:])
    assert name in _found(store, id_number[-4:])


def test_written_through_the_services(street_store):
    c = orgs.create_unit(street_store, code="370203012002", name="云溪社区")
    grid = grids.add_child(street_store, c.id, "第一网格")
    w = workers.create_or_update(street_store, {"name": "张三丰", "id_number": ZHANG, "worker_type": "fulltime",
                                                "phone": "13805321111"}, grid_id=grid.id, role="leader")
    _findable(street_store, "张三丰", "13805321111", ZHANG, "zsf")
    assert "张三丰" in _found(street_store, "0532", list_specs.WORKERS)
    workers.create_or_update(street_store, {"name": "李四光", "id_number": ZHANG, "worker_type": "fulltime",
                                            "phone": "13977778888"}, worker_id=w.id)
    _findable(street_store, "李四光", "13977778888", ZHANG, "lsg")
    assert _found(street_store, "张三") == set() and _found(street_store, "0532") == set()
    assert _found(street_store, "zsf") == set()


def test_written_through_core_statements(street_store):
    """As sync applies a package: SQLAlchemy Core, no ORM."""
    with street_store.engine.begin() as conn:
        conn.execute(insert(Person).values(id="p-1", name="王小伟", name_initials="wxw", id_number=WANG,
                                           phone="15066667777", created_at=dt.datetime(2026, 1, 1),
                                           updated_at=dt.datetime(2026, 1, 1)))
    _findable(street_store, "王小伟", "15066667777", WANG, "wxw")
    with street_store.engine.begin() as conn:
        conn.execute(update(Person).where(Person.id == "p-1").values(name="赵大伟", name_initials="zdw",
                                                                     phone="18611112222"))
    _findable(street_store, "赵大伟", "18611112222", WANG, "zdw")
    assert _found(street_store, "王小") == set() and _found(street_store, "6666") == set()
    # A tombstone: the person list leaves deleted people out, as it always did.
    with street_store.engine.begin() as conn:
        conn.execute(update(Person).where(Person.id == "p-1").values(deleted_at=dt.datetime(2026, 2, 1)))
    assert _found(street_store, "赵大伟") == set() and _found(street_store, WANG[-6:]) == set()


def test_written_with_raw_sql(street_store):
    """As the demo generator and data migrations write: plain sqlite3, no SQLAlchemy."""
    street_store.engine.dispose()
    with sqlite3.connect(street_store.path) as raw:
        raw.executemany("INSERT INTO person (id, name, name_initials, id_number, phone, phone2, created_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, '2026-01-01', '2026-01-01')",
                        [("r-1", "钱多多", "qdd", LI, "13312345678", "053288889999"),
                         ("r-2", "孙悟空", "swk", WANG, None, None)])
    _findable(street_store, "钱多多", "13312345678", LI, "qdd")
    assert "钱多多" in _found(street_store, "8888")  # the second phone too
    with sqlite3.connect(street_store.path) as raw:
        raw.execute("UPDATE person SET id_number = NULL, phone2 = NULL WHERE id = 'r-1'")
        raw.execute("DELETE FROM person WHERE id = 'r-2'")
    assert _found(street_store, LI[-6:]) == set() and _found(street_store, "8888") == set()
    assert _found(street_store, "孙悟") == set() and _keys(street_store, "孙悟空") == set()
    with street_store.engine.connect() as conn:  # nothing is left of the deleted person
        assert conn.execute(text("SELECT count(*) FROM person_search WHERE person NOT IN "
                                 "(SELECT rowid FROM person)")).scalar_one() == 0


def test_an_id_number_is_found_by_its_tail_never_its_middle(street_store):
    with street_store.engine.begin() as conn:
        conn.execute(insert(Person).values(id="p-2", name="周某", name_initials="zm", id_number=ZHANG,
                                           created_at=dt.datetime(2026, 1, 1), updated_at=dt.datetime(2026, 1, 1)))
    assert "周某" in _found(street_store, ZHANG[-5:])
    assert _found(street_store, ZHANG[4:10]) == set()  # birth date digits the list masks
    assert _found(street_store, ZHANG[-7:-1]) == set()


# -- shape: what a keystroke costs, in statements and in the plan (not in time) -----------------------

@pytest.fixture
def demo_store(demo_db):
    s = Store(demo_db)
    yield s
    s.close()


def _plan(conn, sql: str, params: dict) -> str:
    return "\n".join(r[3] for r in conn.execute(text("EXPLAIN QUERY PLAN " + sql), params))


@pytest.mark.parametrize("term", ["王伟", "王", "1380", "0532", "123456", "12345X"])
def test_a_search_reads_the_index_not_every_person(demo_store, term):
    for spec in (list_specs.MEMBERS, list_specs.WORKERS, list_specs.PERSONS, list_specs.PARTICIPATIONS):
        sql, params = list_sql.rowids_sql(spec, lists.Query(search=term), limit=1000)
        with demo_store.engine.connect() as conn:
            plan = _plan(conn, sql, params)
        assert "person_search" in plan, (spec.key, plan)
        assert "SCAN p\n" not in plan + "\n" and "SCAN person" not in plan, (spec.key, plan)


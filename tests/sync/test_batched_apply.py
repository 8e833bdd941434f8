"""The import merges a package a chunk of record lines at a time: the number of statements does not grow with
the records, and where the chunks fall changes nothing (a parent and its child in different chunks, a child
before its parent, a record repeated across chunks)."""

from __future__ import annotations

import datetime as dt
import sqlite3

import pytest
from sqlalchemy import event

from gridapp.core.models import Person
from gridapp.core.services import compounds, orgs
from gridapp.core.services.people import upsert_person
from gridapp.core.store import Store
from gridapp.core.validation import id_check_digit
from gridapp.sync import apply, package
from tests.sync.conftest import make_chain

COMMUNITY = "370203012001"


def _people(store: Store, n: int, *, start: int = 0, scope: str = COMMUNITY) -> list[str]:
    ids = []
    with store.session() as s:
        for k in range(start, start + n):
            body = f"37020319800101{k:03d}"
            p, _c, _ch = upsert_person(s, {"name": f"居民{k}", "id_number": body + id_check_digit(body),
                                           "phone": "13800000000"}, scope_code=scope)
            s.flush()
            ids.append(p.id)
    return ids


def _statements(store: Store, fn) -> int:
    seen = []

    def count(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    event.listen(store.engine, "before_cursor_execute", count)
    try:
        fn()
    finally:
        event.remove(store.engine, "before_cursor_execute", count)
    return len(seen)


def test_the_statements_of_an_import_do_not_grow_with_its_records(tmp_path):
    counts = {}
    for n in (50, 200):
        chain = make_chain(tmp_path / f"n{n}")
        try:
            ids = _people(chain.community, n)
            first = chain.send(chain.community, chain.street)
            new = _statements(chain.street, lambda p=first, c=chain: c.deliver(p, c.street))
            with chain.community.session() as s:  # then every record edited: the update path
                for pid in ids:
                    s.get(Person, pid).phone = "13900000000"
            second = chain.send(chain.community, chain.street)
            edited = _statements(chain.street, lambda p=second, c=chain: c.deliver(p, c.street))
            report = chain.deliver(first, chain.street)
            assert report.already
            counts[n] = (new, edited)
        finally:
            for s in (chain.district, chain.street, chain.community):
                s.close()
    (new50, edited50), (new200, edited200) = counts[50], counts[200]
    assert new200 - new50 <= 4 and edited200 - edited50 <= 4, counts


def _copy(store: Store, to) -> Store:
    src, dst = sqlite3.connect(store.path), sqlite3.connect(to)
    try:
        src.backup(dst)
    finally:
        src.close()
        dst.close()
    return Store(to)


def _dump(store: Store) -> dict[str, list]:
    """Every table as sorted rows, without the stamps an import takes from the clock."""
    skip = {"created_at", "updated_at", "detected_at"}
    out = {}
    with sqlite3.connect(store.path) as conn:
        for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'sync_package'"):
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table})") if r[1] not in skip]
            if table in ("change_journal", "sync_conflict"):
                cols.remove("id")
            out[table] = sorted(map(repr, conn.execute(f"SELECT {', '.join(cols)} FROM {table}")))
    return out


@pytest.mark.parametrize("order", ["as sent", "reversed"])
def test_where_the_chunks_fall_changes_nothing(chain, tmp_path, monkeypatch, order):
    # At the community: units under units, compounds in grids, people with edits, one deleted, and a field
    # the street changed too (a conflict). A full package: every record twice (as it is, then its changes).
    grid = orgs.create_unit(chain.community, code="370203012001001", name="第一网格")
    sub = orgs.create_unit(chain.community, code="370203012001002", name="第二网格")
    compounds.save_compound(chain.community, {"name": "海泉花园", "grid_id": grid.id})
    compounds.save_compound(chain.community, {"name": "松柏小区", "grid_id": sub.id})
    ids = _people(chain.community, 12)
    chain.exchange(chain.community, chain.street)
    with chain.community.session() as s:
        for n, pid in enumerate(ids):
            p = s.get(Person, pid)
            p.address = f"海泉路{n}号"
            if n % 4 == 0:
                p.phone = "13700000000"
        s.get(Person, ids[5]).deleted_at = dt.datetime(2026, 11, 1)
    with chain.street.session() as s:
        s.get(Person, ids[0]).phone = "13600000000"
    # New to the street: a grid and its compound, more people (reversed, the compound comes before its grid).
    third = orgs.create_unit(chain.community, code="370203012001003", name="第三网格")
    compounds.save_compound(chain.community, {"name": "新建小区", "grid_id": third.id})
    _people(chain.community, 6, start=12)
    path = chain.send(chain.community, chain.street, full=True)
    if order == "reversed":  # children before their parents, changes before the records they change
        lines = list(package.records(package.open_package(path), _key(chain.street), chain.street.site.code))
        monkeypatch.setattr(package, "records", lambda *a: iter(lines[::-1]))
    results = []
    for size in (apply.CHUNK, 1, 2, 3, 5):
        store = _copy(chain.street, tmp_path / f"street-{size}.sqlite")
        try:
            monkeypatch.setattr(apply, "CHUNK", size)
            preview = apply.import_package(store, path, commit=False)
            report = apply.import_package(store, path, commit=True, backup=False)
            assert preview.totals() == report.totals() and preview.rejected == report.rejected
            results.append((size, report.tables, report.rejected, _dump(store)))
        finally:
            store.close()
    (_size, tables, rejected, dump), *others = results
    assert sum(c["conflict"] for c in tables.values()) >= 1 and dump["sync_conflict"]
    for size, other_tables, other_rejected, other_dump in others:
        assert (other_tables, other_rejected) == (tables, rejected), size
        assert other_dump == dump, size


def _key(store: Store) -> bytes:
    from gridapp.sync import identity

    with store.read() as s:
        return identity.self_row(s).enc_private

"""bulk.write_many stores rows exactly as SQLAlchemy's own executemany does: values, defaults, updates."""

import datetime as dt
import sqlite3

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    create_engine,
    insert,
    text,
    update,
)
from sqlalchemy import bindparam as bp

from gridapp.core import bulk

STAMP = dt.datetime(2026, 12, 2, 9, 30)  # no microseconds: stored as .000000 all the same


def _table(metadata: MetaData) -> Table:
    return Table(
        "thing", metadata,
        Column("id", String(36), primary_key=True),
        Column("name", String(40)),
        Column("born", Date),
        Column("at", DateTime, default=lambda: STAMP, onupdate=lambda: STAMP + dt.timedelta(days=1)),
        Column("flag", Boolean, default=False),
        Column("status", String(10), default="active"),
        Column("score", Float),
        Column("rank", Integer, server_default=text("7")),
    )


ROWS = [
    {"id": "a", "name": "王伟", "born": dt.date(1990, 5, 1), "score": 1.5},
    {"id": "b", "name": None, "born": None, "score": None},
    {"id": "c", "name": "O'Neil; DROP", "born": dt.date(2001, 1, 31), "score": 0},
]


def _stored(path) -> list[tuple]:
    with sqlite3.connect(path) as raw:
        return raw.execute("SELECT *, typeof(born), typeof(at), typeof(flag) FROM thing ORDER BY id").fetchall()


def _pair(tmp_path):
    out = []
    for name in ("core", "bulk"):
        engine = create_engine(f"sqlite:///{tmp_path / name}.sqlite")
        metadata = MetaData()
        table = _table(metadata)
        metadata.create_all(engine)
        out.append((engine, table, tmp_path / f"{name}.sqlite"))
    return out


def test_inserts_are_stored_as_core_stores_them(tmp_path):
    (e1, t1, p1), (e2, t2, p2) = _pair(tmp_path)
    with e1.begin() as c:
        c.execute(insert(t1), [dict(r) for r in ROWS])
    with e2.begin() as c:
        bulk.write_many(c, t2, [dict(r) for r in ROWS])
    assert _stored(p2) == _stored(p1)
    got = _stored(p2)
    assert got[0][:8] == ("a", "王伟", "1990-05-01", "2026-12-02 09:30:00.000000",
                          0, "active", 1.5, 7)
    assert got[1][1:3] == (None, None)


def test_updates_set_the_named_rows_and_their_onupdate_columns(tmp_path):
    (e1, t1, p1), (e2, t2, p2) = _pair(tmp_path)
    changes = [{"name": "李娜", "flag": True, bulk.KEY: "a"}, {"name": None, "flag": False, bulk.KEY: "c"}]
    with e1.begin() as c:
        c.execute(insert(t1), [dict(r) for r in ROWS])
        c.execute(update(t1).where(t1.c.id == bp("k")).values(name=bp("n"), flag=bp("f")),
                  [{"n": r["name"], "f": r["flag"], "k": r[bulk.KEY]} for r in changes])
    with e2.begin() as c:
        bulk.write_many(c, t2, [dict(r) for r in ROWS])
        bulk.write_many(c, t2, changes, is_update=True)
    assert _stored(p2) == _stored(p1)
    rows = {r[0]: r for r in _stored(p2)}
    assert rows["a"][1] == "李娜" and rows["a"][4] == 1 and rows["a"][3] == "2026-12-03 09:30:00.000000"
    assert rows["b"][3] == "2026-12-02 09:30:00.000000"  # not named: left alone


def test_many_rows_go_in_chunks_in_one_transaction(tmp_path, monkeypatch):
    monkeypatch.setattr(bulk, "CHUNK", 7)
    engine = create_engine(f"sqlite:///{tmp_path / 'x.sqlite'}")
    metadata = MetaData()
    table = _table(metadata)
    metadata.create_all(engine)
    rows = [{"id": f"r{i:03d}", "name": f"n{i}"} for i in range(50)] + [{"id": "r000", "name": "again"}]
    try:
        with engine.begin() as c:
            bulk.write_many(c, table, rows)
    except Exception as exc:  # the duplicate id in the last chunk undoes the chunks before it
        assert "UNIQUE" in str(exc)
    else:
        raise AssertionError("the duplicate id went in")
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM thing")).scalar() == 0
    with engine.begin() as c:
        bulk.write_many(c, table, rows[:50])
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*), min(status), max(at) FROM thing")).one() == (
            50, "active", "2026-12-02 09:30:00.000000")


def test_values_shared_by_rows_are_stored_as_each_row_s_own(tmp_path, monkeypatch):
    """A value object several rows hold (one stamp for a batch) is converted once: stored as if converted for
    each row, whatever the rows between hold, across chunks."""
    monkeypatch.setattr(bulk, "CHUNK", 4)
    (e1, t1, p1), (e2, t2, p2) = _pair(tmp_path)
    shared, other = dt.date(1990, 5, 1), dt.date(2001, 1, 31)
    borns = [shared, shared, None, other, shared, dt.date(1990, 5, 1), other, other, None, shared, shared]
    rows = [{"id": f"r{i:02d}", "name": None, "born": b, "flag": i % 3 == 0, "score": None}
            for i, b in enumerate(borns)]
    with e1.begin() as c:
        c.execute(insert(t1), [dict(r) for r in rows])
    with e2.begin() as c:
        bulk.write_many(c, t2, [dict(r) for r in rows])
    assert _stored(p2) == _stored(p1)
    assert [r[2] for r in _stored(p2)] == [b and b.isoformat() for b in borns]

import sqlite3

import pytest
from sqlalchemy import select, text

from gridapp.core import journal
from gridapp.core.errors import DomainError, StoreError
from gridapp.core.models import ChangeJournal, OrgUnit, Person, utcnow
from gridapp.core.services import orgs
from gridapp.core.store import Store


def test_pragmas(street_store):
    with street_store.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        assert conn.execute(text("PRAGMA cache_size")).scalar() <= -32768  # KiB: at least 32 MiB


def test_second_instance_is_told_clearly(street_store):
    with pytest.raises(StoreError, match="正在被另一个 gridapp 程序使用"):
        Store(street_store.path)


def test_lock_is_released_on_close(tmp_path):
    path = tmp_path / "a.sqlite"
    Store(path, create=True).close()
    Store(path).close()


def test_closing_keeps_planner_statistics_and_folds_the_wal(street_store):
    """ANALYZE's statistics must be committed (they were rolled back with the transaction SQLAlchemy
    began) and the WAL emptied, so the .sqlite file alone is the whole database."""
    path = street_store.path
    street_store.close()
    wal = path.with_name(path.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'org_unit'").fetchone()[0] > 0


def test_missing_file_is_not_created_silently(tmp_path):
    with pytest.raises(StoreError, match="不存在"):
        Store(tmp_path / "nope.sqlite")
    assert not (tmp_path / "nope.sqlite").exists()


def test_foreign_file_is_refused(tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    with pytest.raises(StoreError, match="不是 gridapp 数据库"):
        Store(junk)
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(StoreError, match="缺少版本信息"):
        Store(other)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "new.sqlite"
    Store(path, create=True).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(StoreError, match="更新版本"):
        Store(path)


def test_journal_records_every_field(street_store):
    unit = orgs.create_unit(street_store, code="370203012001", name="云溪社区")
    with street_store.read() as s:
        rows = s.execute(select(ChangeJournal).where(ChangeJournal.record_id == unit.id)).scalars().all()
    # A new record is one journal row holding every field that has a value.
    assert [r.field for r in rows] == [journal.PACKED]
    fields = {f for r in rows for f, _v in journal.fields_of(r.field, r.new_value)}
    assert {"code", "name", "level", "parent_id"} <= fields
    assert {r.op for r in rows} == {"insert"}
    assert all(r.origin_site == "370203012" and r.actor == "tester" for r in rows)
    seqs = [r.seq for r in rows]
    assert len(set(seqs)) == len(seqs)

    with street_store.session() as s:
        u = s.get(OrgUnit, unit.id)
        u.name = "云溪新村社区"
        u.households = 1200
    with street_store.session() as s:
        s.get(OrgUnit, unit.id).deleted_at = utcnow()
    with street_store.read() as s:
        changes = s.execute(
            select(ChangeJournal).where(ChangeJournal.record_id == unit.id, ChangeJournal.op != "insert")
            .order_by(ChangeJournal.seq)
        ).scalars().all()
        name_change = next(c for c in changes if c.field == "name")
        assert (name_change.old_value, name_change.new_value) == ('"云溪社区"', '"云溪新村社区"')
        insert_stamp = s.execute(
            select(ChangeJournal.hlc).where(ChangeJournal.record_id == unit.id, ChangeJournal.op == "insert")
        ).scalar_one()
        assert name_change.prev_hlc == insert_stamp
        assert name_change.hlc > insert_stamp
        assert changes[-1].op == "delete"
        assert s.get(OrgUnit, unit.id).changed_by_site == "370203012"


def test_hard_delete_is_refused_and_rolled_back(street_store):
    unit = orgs.create_unit(street_store, code="370203012001", name="云溪社区")
    with pytest.raises(DomainError, match="不允许直接删除"), street_store.session() as s:
        s.delete(s.get(OrgUnit, unit.id))
    assert orgs.get(street_store, "370203012001").name == "云溪社区"


def test_a_failed_transaction_leaves_nothing(street_store):
    before = street_store.engine.connect().execute(text("SELECT count(*) FROM change_journal")).scalar()
    with pytest.raises(RuntimeError), street_store.session() as s:
        s.add(Person(name="张三", id_number="11010519491231002X"))
        s.flush()
        raise RuntimeError("power cut")
    with street_store.read() as s:
        assert s.execute(select(Person)).first() is None
        assert s.execute(text("SELECT count(*) FROM change_journal")).scalar() == before


def test_same_id_number_never_becomes_two_people(street_store):
    with street_store.session() as s:
        s.add(Person(name="张三", id_number="11010519491231002X"))
    with pytest.raises(Exception, match="UNIQUE"), street_store.session() as s:
        s.add(Person(name="张三丰", id_number="11010519491231002X"))


def test_org_units_follow_the_code_hierarchy(street_store):
    orgs.create_unit(street_store, code="370203012001", name="云溪社区")
    grid = orgs.create_unit(street_store, code="370203012001001", name="第一网格", households=400)
    assert grid.level == "grid"
    assert grid.grid_type == "urban"
    with pytest.raises(DomainError, match="上级单位"):
        orgs.create_unit(street_store, code="370203012009001", name="孤儿网格")
    with pytest.raises(DomainError, match="已存在"):
        orgs.create_unit(street_store, code="370203012001", name="重复社区")
    with pytest.raises(DomainError, match="管辖范围"):
        orgs.create_unit(street_store, code="370203013001", name="别的街道的社区")
    names = [u.name for u in orgs.tree(street_store)]
    assert names == ["海泉路街道", "云溪社区", "第一网格"]


def test_settings_roundtrip(street_store):
    assert street_store.get_setting("grid.households_per_fulltime_limit") == 500
    street_store.set_setting("grid.households_per_fulltime_limit", 450)
    assert street_store.get_setting("grid.households_per_fulltime_limit") == 450
    assert street_store.get_setting("missing", "x") == "x"


def test_backup_is_a_consistent_copy(street_store, tmp_path):
    orgs.create_unit(street_store, code="370203012001", name="云溪社区")
    dest = street_store.backup(tmp_path / "copy.sqlite")
    with sqlite3.connect(dest) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT count(*) FROM org_unit").fetchone()[0] == 2

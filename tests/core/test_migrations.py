import shutil
import sqlite3
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text

from gridapp.core import schema
from gridapp.core.models import Base, Person
from gridapp.core.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"


def test_schema_head_matches_the_migration_scripts():
    script = ScriptDirectory.from_config(schema.alembic_config())
    assert script.get_current_head() == schema.SCHEMA_HEAD
    walked = [rev.revision for rev in script.walk_revisions()]
    assert list(reversed(walked)) == list(schema.REVISIONS)


def test_models_and_migrations_agree(tmp_path):
    store = Store(tmp_path / "fresh.sqlite", create=True)
    try:
        with store.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == []
    finally:
        store.close()


def test_released_0001_database_upgrades_with_its_data(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / "schema-0001.sqlite", path)
    with Store(path) as store:
        assert store.upgraded_from == "0001"
        assert store.backup_path is not None and store.backup_path.exists()
        assert store.site is not None and store.site.name == "海泉路街道"
        with store.read() as s:
            person = s.execute(select(Person)).scalar_one()
            assert (person.name, person.id_number) == ("张三", "440524188001010014")
        assert store.get_setting("grid.households_per_fulltime_limit") == 500
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == schema.SCHEMA_HEAD
        assert conn.execute("SELECT count(*) FROM code_item WHERE table_key = 'ethnicity'").fetchone()[0] == 58
    # The backup is the database as it was before the upgrade.
    with sqlite3.connect(store.backup_path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"
    # Opening again does not upgrade or back up again.
    with Store(path) as again:
        assert again.upgraded_from is None


def test_readonly_open_does_not_upgrade(tmp_path):
    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / "schema-0001.sqlite", path)
    import pytest

    from gridapp.core.errors import StoreError

    with pytest.raises(StoreError, match="需要升级"):
        Store(path, lock=False, upgrade=False)
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0001"


def test_released_0002_database_keeps_the_firm_instructor(tmp_path):
    """0003 turns the unused instructor link into name and phone, keeping what the link pointed at."""
    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / "schema-0002.sqlite", path)
    with Store(path) as store:
        assert store.upgraded_from == "0002"
        from gridapp.core.models import PropertyFirm

        with store.read() as s:
            firm = s.execute(select(PropertyFirm)).scalar_one()
            assert (firm.name, firm.instructor_name, firm.instructor_phone) == (
                "青岛海泉物业服务有限公司", "张三", "13812345678")
            from gridapp.core.models import ServiceContract

            # The firm's table was rebuilt under a contract that refers to it: the contract still does.
            assert s.execute(select(ServiceContract)).scalar_one().firm_id == firm.id
    with sqlite3.connect(path) as conn:
        columns = [r[1] for r in conn.execute("PRAGMA table_info(property_firm)")]
        assert "instructor_person_id" not in columns
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_released_0004_database_gets_the_list_indexes(tmp_path):
    """0005 adds the indexes the lists sort and count by, replaces the sign-ins' activity index, and
    leaves statistics behind; the sign-ins are all still listed, in order."""
    from gridapp.core import list_specs, lists

    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / "schema-0004.sqlite", path)
    with Store(path) as store:
        assert store.upgraded_from == "0004"
        spec = list_specs.PARTICIPATIONS
        with store.engine.connect() as conn:
            ids = lists.query_rowids(conn, spec, lists.Query(sort="hours"))
            rows = lists.fetch_rows(conn, spec, ids)
            assert [rows[i][spec.index_of("hours")] for i in ids] == [1.5, 1.5, 2.0, 2.0, 2.0]
            assert lists.count(conn, spec, lists.Query(search="zs")) == 2
    with sqlite3.connect(path) as conn:
        indexes = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}
        assert {"ix_participation_activity_id_deleted_at", "ix_participation_hours", "ix_participation_points",
                "ix_participation_evaluation", "ix_activity_title", "ix_org_unit_name", "ix_person_gender",
                "ix_person_name_initials_id", "ix_member_registration_person_id_deleted_at",
                "ix_member_registration_unit_id_status", "ix_member_registration_position"} <= indexes
        replaced = {"ix_participation_activity_id", "ix_person_name_initials", "ix_member_registration_person_id",
                    "ix_member_registration_unit_id"}
        assert not replaced & indexes
        assert conn.execute("SELECT count(*) FROM sqlite_stat1 WHERE tbl = 'participation'").fetchone()[0] > 0
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_released_0005_database_gets_special_kinds(tmp_path):
    """0006 adds the 专属网格类别 (the standard ones as a code table, a table for those a street adds) and the
    unit a 专属网格 serves; the grids of a 0005 database keep their types and a special one takes a kind."""
    from gridapp.core.services import grids, orgs, special_kinds

    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / "schema-0005.sqlite", path)
    with Store(path, actor="tester") as store:
        assert store.upgraded_from == "0005"
        school = orgs.get(store, "370203012001003")
        assert (school.grid_type, school.special_kind) == ("special", None)
        assert orgs.get(store, "370203012001002").grid_type == "rural"
        added = special_kinds.add(store, "养老机构")
        grids.update(store, school.id, special_kind="school", special_unit="青岛市第三中学")
        assert orgs.get(store, school.code).special_kind == "school"
        assert [k.name for k in special_kinds.kinds(store)][-2:] == ["其他", "养老机构"]
        assert added.scope_code == "370203012"
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == schema.SCHEMA_HEAD
        assert conn.execute("SELECT count(*) FROM code_item WHERE table_key = 'special_kind'").fetchone()[0] == 9
        columns = {r[1] for r in conn.execute("PRAGMA table_info(org_unit)")}
        assert {"special_kind", "special_unit"} <= columns
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def test_released_database_gets_the_search_index_filled_and_it_downgrades(tmp_path):
    """0007 fills ``person_search`` for the people already there and installs its triggers; going back to
    0006 leaves neither the table nor a trigger behind."""
    from alembic import command

    from gridapp.core import list_specs, lists

    path = tmp_path / "old.sqlite"
    shutil.copy(DATA / "schema-0001.sqlite", path)  # the released file that has a person (张三)
    with Store(path) as store:
        assert store.upgraded_from == "0001"
        with store.engine.connect() as conn:
            people = conn.execute(text("SELECT name, phone, id_number FROM person WHERE deleted_at IS NULL")).all()
            assert people
            for name, phone, id_number in people:
                for term in [name, name[-1:], *([phone[-4:]] if phone else []), *([id_number[-6:]] if id_number else [])]:
                    ids = lists.query_rowids(conn, list_specs.PERSONS, lists.Query(search=term))
                    names = lists.fetch_rows(conn, list_specs.PERSONS, ids)
                    assert name in {v[0] for v in names.values()}, term
        engine = store.engine
        cfg = schema.alembic_config(engine)
        with engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0006")
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0006"
        left = conn.execute("SELECT name FROM sqlite_master WHERE name LIKE 'person_search%'").fetchall()
        assert left == []
        conn.execute("UPDATE person SET name = name || '甲'")  # no trigger left that names the table

"""Opening a database never changes what it refuses; read-only media, full disks, locks held elsewhere and
damage are each told in a sentence (issue 12)."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import event, text

from gridapp.cli import main
from gridapp.core import dbfile, schema
from gridapp.core.errors import StoreError
from gridapp.core.models import Setting
from gridapp.core.services.site import init_site
from gridapp.core.store import Store

DATA = Path(__file__).resolve().parents[1] / "data"


def state(path: Path) -> tuple:
    """Everything a refused open must leave alone: the bytes, the mtime and the folder's listing."""
    folder = sorted(p.name for p in path.parent.iterdir())
    if not path.exists():
        return None, None, folder
    return hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns, folder


def foreign(path: Path, *, wal: bool = False) -> Path:
    with sqlite3.connect(path) as conn:
        if wal:
            conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("CREATE TABLE notes (x)")
        conn.execute("INSERT INTO notes VALUES ('mine')")
    conn.close()
    return path


@pytest.fixture
def site_db(tmp_path) -> Path:
    path = tmp_path / "site" / "street.sqlite"
    with Store(path, create=True, actor="tester") as store:
        init_site(store, level="street", code="370203012", name="海泉路街道")
    path.with_name(path.name + ".lock").unlink()
    return path


def relabel(path: Path, label) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = ?", (label,))
    conn.close()


OPENINGS = {
    "writing": dict(),
    "reading": dict(lock=False, upgrade=False, readonly_ok=True),
    "creating": dict(create=True),
}


# -- refused files stay exactly as they were ---------------------------------------------------------------------

@pytest.mark.parametrize("how", ["writing", "reading"])
@pytest.mark.parametrize("kind, message", [
    ("empty", "空文件（0 字节）"),
    ("foreign", "缺少版本信息"),
    ("foreign-wal", "缺少版本信息"),
    ("junk", "不是 SQLite 数据库文件"),
    ("no-tables", "没有任何表"),
])
def test_a_refused_file_is_left_exactly_as_it_was(tmp_path, how, kind, message):
    path = tmp_path / "x.sqlite"
    if kind == "empty":
        path.write_bytes(b"")
    elif kind == "junk":
        path.write_bytes(b"PK\x03\x04 not a database" * 50)
    elif kind == "no-tables":
        sqlite3.connect(path).execute("PRAGMA user_version = 1").connection.close()
    else:
        foreign(path, wal=kind == "foreign-wal")
    before = state(path)
    with pytest.raises(StoreError, match=message):
        Store(path, **OPENINGS[how])
    assert state(path) == before
    if kind == "foreign":  # still a rollback-journal file: nobody switched it to WAL
        assert path.read_bytes()[18:20] == b"\x01\x01"


def test_creating_over_a_foreign_file_is_refused_too(tmp_path):
    path = foreign(tmp_path / "x.sqlite")
    before = state(path)
    with pytest.raises(StoreError, match="不是 gridapp 数据库"):
        Store(path, create=True)
    assert state(path) == before


def test_create_fills_an_empty_file(tmp_path):
    path = tmp_path / "new.sqlite"
    path.write_bytes(b"")
    with Store(path, create=True) as store:
        assert store.site is None
        with store.engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"


def test_a_missing_file_is_refused_and_nothing_is_made(tmp_path):
    before = state(tmp_path / "none.sqlite")
    for how in ("writing", "reading"):
        with pytest.raises(StoreError, match="不存在"):
            Store(tmp_path / "none.sqlite", **OPENINGS[how])
    assert state(tmp_path / "none.sqlite") == before


def test_a_folder_is_not_a_database(tmp_path):
    (tmp_path / "folder.sqlite").mkdir()
    with pytest.raises(StoreError, match="是文件夹"):
        Store(tmp_path / "folder.sqlite")


@pytest.mark.parametrize("command", [
    ["import", "x.xlsx", "--kind", "grids"],
    ["sync", "import", "x.gridsync"],
    ["export", "--kind", "grids", "--out", "out.xlsx"],
    ["check"],
    ["log"],
])
def test_commands_on_an_empty_file_say_so_and_write_nothing(tmp_path, capsys, monkeypatch, command):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "empty.sqlite"
    path.write_bytes(b"")
    before = state(path)
    code = main([*command, "--db", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.startswith("错误：") and "空文件（0 字节）" in err and "Traceback" not in err
    assert state(path) == before


# -- revision labels ---------------------------------------------------------------------------------------------

@pytest.mark.parametrize("label", ["0000", "", "zzz", "00050", "9999", 5])
def test_an_unknown_revision_is_called_unknown(site_db, label):
    relabel(site_db, label)
    before = state(site_db)
    for how in ("writing", "reading"):
        with pytest.raises(StoreError, match="未知版本") as err:
            Store(site_db, **OPENINGS[how])
        assert ("更新版本" in err.value.message) == (label == "9999")
    assert state(site_db) == before


def test_two_revision_rows_are_refused(site_db):
    with sqlite3.connect(site_db) as conn:
        conn.execute("INSERT INTO alembic_version VALUES ('0004')")
    conn.close()
    with pytest.raises(StoreError, match="版本信息有 2 条"):
        Store(site_db)


def test_a_label_that_disagrees_with_the_tables_is_refused_before_migrating(site_db, tmp_path):
    # Label 0002 on the tables of the head: upgrading would run 0003 on a table that already has its columns.
    relabel(site_db, "0002")
    before = state(site_db)
    with pytest.raises(StoreError, match=r"标记的版本是 0002.*不符"):
        Store(site_db)
    assert state(site_db) == before
    assert not (site_db.parent / "backups").exists()  # not even the pre-upgrade backup was made
    # Label 0005 on the tables of 0002 (no sync tables, the firm's old instructor link).
    old = tmp_path / "old.sqlite"
    shutil.copy(DATA / "schema-0002.sqlite", old)
    relabel(old, "0005")
    before = state(old)
    with pytest.raises(StoreError, match=r"标记的版本是 0005.*不符"):
        Store(old, lock=False, upgrade=False, readonly_ok=True)
    assert state(old) == before


def test_a_missing_column_is_named(site_db):
    with sqlite3.connect(site_db) as conn:
        conn.execute("ALTER TABLE change_journal DROP COLUMN record_hlc")
    conn.close()
    with pytest.raises(StoreError, match="change_journal 缺少列 record_hlc"):
        Store(site_db)


def test_every_revision_has_the_shape_its_label_expects(tmp_path):
    """Build each revision with its own migrations: the shape table in schema.py must agree with them."""
    from gridapp.core.store import make_engine

    for rev in schema.REVISIONS:
        path = tmp_path / f"{rev}.sqlite"
        engine = make_engine(path)
        schema.upgrade(engine, rev)
        engine.dispose()
        found = dbfile.look(path)
        assert schema.check_label(found.revisions, path) == rev
        assert schema.shape_problem(rev, found.tables) is None, rev
    for released in DATA.glob("schema-*.sqlite"):
        found = dbfile.look(released)
        assert schema.shape_problem(schema.check_label(found.revisions, released), found.tables) is None


# -- read-only media ---------------------------------------------------------------------------------------------

def _immutable(paths: list[Path], on: bool) -> None:
    subprocess.run(["chattr", "+i" if on else "-i", *map(str, paths)], check=True, capture_output=True)


@pytest.fixture
def read_only(request):
    """Make files and folders read-only for real. As root (the CI machines) mode bits do not stop writes,
    so the ext4/xfs immutable attribute does; as a user, chmod does. Skipped where neither works."""
    made: list[Path] = []
    modes: dict[Path, int] = {}

    def make(*paths: Path) -> None:
        if os.name == "nt":
            pytest.skip("read-only folders are not simulated on Windows")
        if os.geteuid() != 0:
            for p in paths:
                modes[p] = p.stat().st_mode
                p.chmod(0o555 if p.is_dir() else 0o444)
            return
        try:
            _immutable(list(paths), True)
        except (OSError, subprocess.CalledProcessError):
            pytest.skip("chattr +i is not available here")
        made.extend(paths)

    yield make
    if made:
        _immutable(made, False)
    for p, mode in modes.items():
        p.chmod(mode)


@pytest.mark.parametrize("what", ["file and folder", "folder", "file"])
def test_read_only_media_is_read_read_only(site_db, read_only, what):
    read_only(*{"file and folder": [site_db, site_db.parent], "folder": [site_db.parent],
                "file": [site_db]}[what])
    before = state(site_db)
    with Store(site_db, **OPENINGS["reading"]) as store:
        assert store.readonly
        assert store.site.name == "海泉路街道"
        with store.session() as s:  # a reading unit of work commits nothing and goes through
            assert s.get(Setting, "grid.households_per_fulltime_limit") is not None
        with pytest.raises(StoreError, match="只读"):
            store.set_setting("x", 1)
    for how in ("writing", "creating"):
        with pytest.raises(StoreError, match=r"所在位置只读（.+），不能写入"):
            Store(site_db, **OPENINGS[how])
    assert state(site_db) == before


def test_cli_on_read_only_media(site_db, read_only, tmp_path, capsys, monkeypatch):
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    read_only(site_db, site_db.parent)
    before = state(site_db)
    assert main(["check", "--db", str(site_db)]) == 0
    assert "只读位置" in capsys.readouterr().out
    assert main(["export", "--kind", "grids", "--out", str(out / "grids.xlsx"), "--db", str(site_db)]) == 0
    assert main(["sync", "identity", "--out", str(out / "id.json"), "--db", str(site_db)]) == 0
    assert main(["backup", "--out", str(out / "copy.sqlite"), "--db", str(site_db)]) == 0
    capsys.readouterr()
    for command in (["import", "x.xlsx", "--kind", "grids"], ["sync", "import", "x.gridsync"],
                    ["init", "--level", "street", "--code", "370203012", "--name", "海泉路街道"]):
        assert main([*command, "--db", str(site_db)]) == 1
        err = capsys.readouterr().err
        assert "所在位置只读" in err and "损坏" not in err and "Traceback" not in err
    assert state(site_db) == before
    assert sorted(p.name for p in out.iterdir()) == ["copy.sqlite", "grids.xlsx", "id.json"]


def test_an_old_revision_on_read_only_media_says_why_it_cannot_be_read(tmp_path, read_only):
    path = tmp_path / "ro" / "old.sqlite"
    path.parent.mkdir()
    shutil.copy(DATA / "schema-0001.sqlite", path)
    read_only(path, path.parent)
    with pytest.raises(StoreError, match=r"需要先升级.*只读"):
        Store(path, **OPENINGS["reading"])


# -- full disk, locks held elsewhere, damage ---------------------------------------------------------------------

def _cap_growth(store: Store) -> None:
    """SQLite's own SQLITE_FULL, for real and without root: no page may be added to the file."""
    def cap(dbapi_conn, _record):
        pages = dbapi_conn.execute("PRAGMA page_count").fetchone()[0]
        dbapi_conn.execute(f"PRAGMA max_page_count = {pages}")

    event.listen(store.engine, "connect", cap)
    store.engine.dispose()


def test_a_full_disk_says_so_and_nothing_is_half_written(street_store):
    from gridapp.core.services import orgs

    _cap_growth(street_store)
    with pytest.raises(StoreError, match="磁盘空间不足") as err, street_store.session() as s:
        s.add(Setting(key="small", value='"first"'))
        s.flush()
        s.add(Setting(key="big", value='"' + "x" * 2_000_000 + '"'))
    assert "损坏" not in err.value.message
    assert street_store.get_setting("small") is None
    made = 0
    with pytest.raises(StoreError, match="磁盘空间不足"):  # every writer gets the same sentence
        for n in range(1, 400):
            orgs.create_unit(street_store, code=f"370203012{n:03d}", name=f"第{n}社区" + "名" * 40)
            made += 1
    with street_store.read() as s:  # the units made before the disk filled, whole, and nothing of the last
        assert s.execute(text("SELECT count(*) FROM org_unit")).scalar() == 1 + made
        assert s.execute(text("SELECT count(DISTINCT record_id) FROM change_journal")).scalar() == 1 + made


def test_a_full_disk_during_an_import_leaves_the_database_as_it_was(street_store, tmp_path):
    from gridapp.io.importer import run_import
    from gridapp.io.kinds import handler
    from tests.conftest import SAMPLES

    _cap_growth(street_store)
    dump = "\n".join(sqlite3.connect(street_store.path).iterdump())
    with pytest.raises(StoreError, match="磁盘空间不足"):
        run_import(street_store, handler("grids"), SAMPLES / "网格划分-示例.xlsx", commit=True)
    assert "\n".join(sqlite3.connect(street_store.path).iterdump()) == dump


def test_a_write_lock_held_by_another_program_is_a_sentence(street_store):
    other = sqlite3.connect(street_store.path, timeout=0, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError, match="正被另一个程序占用"):
            street_store.set_setting("x", 1)  # waits out the busy timeout (5 s), then gives up
    finally:
        other.execute("ROLLBACK")
        other.close()
    street_store.set_setting("x", 1)
    assert street_store.get_setting("x") == 1


def test_import_on_a_database_another_gridapp_holds_keeps_its_message(site_db, tmp_path, capsys):
    with Store(site_db):
        before = state(site_db)
        assert main(["import", str(tmp_path / "x.xlsx"), "--kind", "grids", "--db", str(site_db)]) == 1
        assert "正在被另一个 gridapp 程序使用" in capsys.readouterr().err
        assert main(["sync", "import", str(tmp_path / "x.gridsync"), "--db", str(site_db)]) == 1
        assert "正在被另一个 gridapp 程序使用" in capsys.readouterr().err
        assert state(site_db) == before


def _damage(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:  # everything after the first pages (the schema stays readable)
        f.seek(4096 * 3)
        f.write(b"\xff" * (size - 4096 * 3))


@pytest.mark.parametrize("command", [["check"], ["log"], ["sync", "log"], ["export", "--kind", "workers", "--out", "w.xlsx"]])
def test_reading_a_damaged_database_is_a_sentence(site_db, capsys, monkeypatch, tmp_path, command):
    monkeypatch.chdir(tmp_path)
    _damage(site_db)
    before = state(site_db)
    code = main([*command, "--db", str(site_db)])
    captured = capsys.readouterr()
    assert code in (0, 1, 4)
    if command == ["check"] or code == 1:
        assert "损坏" in captured.err + captured.out and "Traceback" not in captured.err
    assert state(site_db)[:2] == before[:2]


# -- backup ------------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind, message", [
    ("empty", "空文件"), ("foreign", "不是 gridapp 数据库"), ("newer", "更新版本"), ("unknown", "未知版本"),
    ("damaged", "已损坏"), ("junk", "不是 SQLite"),
])
def test_backup_refuses_what_it_cannot_vouch_for(site_db, tmp_path, capsys, kind, message):
    if kind == "empty":
        site_db.write_bytes(b"")
    elif kind == "foreign":
        site_db.unlink()
        foreign(site_db)
    elif kind in ("newer", "unknown"):
        relabel(site_db, f"{int(schema.SCHEMA_HEAD) + 1:04d}" if kind == "newer" else "zzz")
    elif kind == "damaged":
        _damage(site_db)
    else:
        site_db.write_bytes(b"junk" * 1000)
    before = state(site_db)
    out = tmp_path / "bk"
    code = main(["backup", "--db", str(site_db), "--out", str(out / "copy.sqlite")])
    err = capsys.readouterr()
    assert code == 1, err
    assert message in err.err and "已校验" not in err.out + err.err and "Traceback" not in err.err
    assert not out.exists() or list(out.iterdir()) == []
    assert state(site_db) == before


def test_backup_of_a_healthy_database_is_checked_and_leaves_nothing_else(site_db, tmp_path, capsys):
    out = tmp_path / "bk" / "copy.sqlite"
    out.parent.mkdir()  # a folder the user names must exist (a stick not plugged in is not made on this disk)
    before = state(site_db)
    assert main(["backup", "--db", str(site_db), "--out", str(out)]) == 0
    assert "已校验" in capsys.readouterr().out
    assert sorted(p.name for p in out.parent.iterdir()) == ["copy.sqlite"]
    assert state(site_db) == before
    with Store(out, **OPENINGS["reading"]) as copy:
        assert copy.site.name == "海泉路街道"


def test_damage_found_after_the_lock_was_taken_leaves_no_lock_and_no_write(site_db):
    with sqlite3.connect(site_db) as conn:
        pages = {name: page for name, page in conn.execute("SELECT name, rootpage FROM sqlite_master "
                                                           "WHERE type = 'table'")}
    conn.close()
    with open(site_db, "r+b") as f:  # the site table's page: the schema stays readable, the site does not
        f.seek((pages["site"] - 1) * 4096)
        f.write(b"\xff" * 4096)
    before = state(site_db)
    with pytest.raises(StoreError, match="已损坏"):
        Store(site_db)
    assert state(site_db) == before


def test_a_real_full_disk_in_a_private_tmpfs(site_db, tmp_path):
    """ENOSPC from the kernel itself: a 1 MB tmpfs mounted in a private user and mount namespace (nothing
    outside the test sees it). Skipped where unshare is not allowed."""
    import sys

    disk = tmp_path / "disk"
    disk.mkdir()
    (tmp_path / "write.py").write_text(
        "from gridapp.core.store import Store\n"
        "from gridapp.core.errors import StoreError\n"
        "s = Store('db.sqlite')\n"
        "try:\n"
        "    s.set_setting('big', 'x' * 3_000_000)\n"
        "except StoreError as e:\n"
        "    print('store', e)\n"
        "s.close()\n")
    (tmp_path / "look.py").write_text(
        "import sqlite3\n"
        "c = sqlite3.connect('file:db.sqlite?mode=ro&immutable=1', uri=True)\n"
        "print('integrity', c.execute('PRAGMA integrity_check').fetchone()[0],\n"
        "      c.execute(\"SELECT count(*) FROM setting WHERE key = 'big'\").fetchone()[0])\n")
    # About 44 KB left once the database is there: room to open it (the -shm and -wal files), not for a backup
    # of it or a 3 MB setting, whatever size the schema's empty tables make the file.
    filler = (1 << 20) - site_db.stat().st_size - 44_000
    script = tmp_path / "full.sh"
    script.write_text(f"""
set -e
mount -t tmpfs -o size=1m tmpfs {disk}
cp {site_db} {disk}/db.sqlite
head -c {filler} /dev/urandom > {disk}/filler
cd {disk}
{sys.executable} -m gridapp backup --db db.sqlite --out bk.sqlite 2>{tmp_path}/backup.err || echo "backup=$?" >> {tmp_path}/rc
{sys.executable} {tmp_path}/write.py > {tmp_path}/store.out 2>{tmp_path}/store.err || echo "store=$?" >> {tmp_path}/rc
{sys.executable} {tmp_path}/look.py >> {tmp_path}/store.out
ls > {tmp_path}/listing
cd {tmp_path}
cat rc backup.err store.out store.err listing > report
""")
    probe = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("unshare --user --mount is not allowed here")
    done = subprocess.run(["unshare", "--user", "--map-root-user", "--mount", "sh", str(script)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH":
                                                                           str(Path(__file__).parents[2])})
    assert done.returncode == 0, done.stderr
    report = (tmp_path / "report").read_text()
    assert "backup=1" in report and "磁盘空间不足" in report.split("store")[0]
    assert "store 磁盘空间不足" in report
    assert "Traceback" not in report and "已损坏" not in report
    assert "integrity ok 0" in report  # nothing half-written
    assert (tmp_path / "listing").read_text().split() == ["db.sqlite", "db.sqlite.lock", "filler"]  # no .part


def test_reading_beside_a_running_gridapp_sees_its_commits_and_leaves_nothing(site_db):
    writer = Store(site_db)
    try:
        writer.set_setting("note", "fresh")  # in the -wal, not yet in the main file
        assert dbfile.has_wal(site_db)
        assert dbfile.look(site_db).revisions == (schema.SCHEMA_HEAD,)
        with Store(site_db, **OPENINGS["reading"]) as reader:
            assert reader.get_setting("note") == "fresh"
    finally:
        writer.close()
    assert sorted(p.name for p in site_db.parent.iterdir()) == ["street.sqlite", "street.sqlite.lock"]
    site_db.with_name("street.sqlite.lock").unlink()
    before = state(site_db)
    with Store(site_db, **OPENINGS["reading"]) as reader:
        assert not reader.readonly and reader.get_setting("note") == "fresh"
    assert state(site_db)[2] == before[2]  # no -wal, -shm or lock left by a reading command

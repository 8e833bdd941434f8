"""Exports, printouts and templates never overwrite a database, and a bad target is a sentence, not a traceback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from gridapp.core import list_specs, lists, oplog
from gridapp.core.errors import ValidationError
from gridapp.core.store import check_output
from gridapp.io.kinds import handler
from gridapp.io.xlsx_out import export_list, export_oplog, write_template


def _rows(path) -> int:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT count(*) FROM org_unit").fetchone()[0]


def test_the_open_database_and_its_companions_are_refused(street_store):
    db = street_store.path
    before = _rows(db)
    for name in (db.name, f"{db.name}-wal", f"{db.name}-shm", f"{db.name}.lock"):
        with pytest.raises(ValidationError, match="数据库"):
            export_list(street_store, list_specs.GRIDS, lists.Query(), db.with_name(name))
    with pytest.raises(ValidationError, match="数据库"):
        export_oplog(street_store, oplog.LogQuery(), db)
    assert _rows(db) == before and not list(db.parent.glob("*.part"))


def test_a_backup_a_folder_and_an_unwritable_place_are_refused(street_store, tmp_path):
    backup = tmp_path / "备份.sqlite"
    with sqlite3.connect(backup) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(ValidationError, match="数据库文件"):
        write_template(handler("grids").spec, backup)
    with pytest.raises(ValidationError, match="文件夹"):
        check_output(tmp_path)
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("x")
    with pytest.raises(ValidationError, match="not-a-folder 不是文件夹"):
        write_template(handler("grids").spec, blocked / "模板.xlsx")
    assert backup.read_bytes()[:15] == b"SQLite format 3"


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc (a folder that takes no files)")
def test_a_failed_streaming_export_leaves_no_rows_behind_and_prints_nothing(street_store, tmp_path, capfd):
    """The rows a write-only export streamed to temporary files are removed when the save fails, without
    the garbage collector's "Exception ignored" under the sentence."""
    import gc
    import tempfile

    def streamed() -> set[Path]:
        return set(Path(tempfile.gettempdir()).glob("openpyxl.*")) | set(Path(tempfile.gettempdir()).glob("gridapp-export-*"))

    before = streamed()
    with pytest.raises(ValidationError, match=r"不能新建文件|没有权限"):
        export_list(street_store, list_specs.GRIDS, lists.Query(), "/proc/gridapp-test.xlsx")
    gc.collect()
    assert streamed() - before == set()
    assert "Exception ignored" not in capfd.readouterr().err


def test_a_cancelled_export_leaves_no_rows_behind(demo_db, tmp_path):
    """The streamed rows (personal data) go with the scratch folder when the user cancels."""
    import tempfile
    import threading

    from gridapp.core.errors import Cancelled
    from gridapp.core.store import Store

    def streamed() -> set[Path]:
        return set(Path(tempfile.gettempdir()).glob("gridapp-export-*"))

    before = streamed()
    (tmp_path / "out").mkdir()
    cancel = threading.Event()
    cancel.set()  # the title and header are staged already when the first chunk sees it
    with Store(demo_db) as store, pytest.raises(Cancelled):
        export_list(store, list_specs.MEMBERS, lists.Query(), tmp_path / "out" / "m.xlsx", cancel=cancel)
    assert streamed() - before == set()
    assert list((tmp_path / "out").iterdir()) == []

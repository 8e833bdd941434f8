"""Files the program writes about people are the user's alone: the real command line, run as a user with
a loose umask (022), must still leave every file it made 0600 and every folder 0700."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(os.name != "posix", reason="POSIX file modes")

ROOT = Path(__file__).resolve().parents[2]


def _gridapp() -> list[str]:
    script = Path(sys.executable).with_name("gridapp")
    return [str(script)] if script.exists() else [sys.executable, "-m", "gridapp"]


def _run(home: Path, *argv, entry: list[str] | None = None) -> str:
    env = dict(os.environ, GRIDAPP_HOME=str(home), QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([*(entry or _gridapp()), *map(str, argv)], env=env, cwd=ROOT, capture_output=True,
                          text=True, umask=0o022, timeout=600)
    assert done.returncode == 0, done.stderr
    return done.stdout


def _modes(*tops: Path) -> dict[Path, int]:
    return {p: stat.S_IMODE(p.stat().st_mode) for top in tops for p in [top, *top.rglob("*")]}


def test_every_file_the_command_line_makes_is_private(tmp_path):
    home, out, peer = tmp_path / "home", tmp_path / "出口" / "名单", tmp_path / "peer"
    out.parent.mkdir(mode=0o700)  # the user's folders: the program writes into them, never makes them
    out.mkdir(mode=0o700)
    _run(home, "demo", "--scale", "small", "--year", "2026", "--seed", "3")
    _run(home, "export", "--kind", "workers", "--out", out / "网格员.xlsx", "--with-ids")
    _run(home, "export", "--kind", "members", "--out", out / "在职党员.xlsx")
    _run(home, "backup", entry=[sys.executable, "-m", "gridapp"])  # the other entry point
    _run(home, "sync", "identity", "--out", out / "身份.json")
    _run(home, "print", "roster", "--org", "370203012", "--out", out / "花名册.pdf")
    # a second site, trusted, so that a sync package can be written
    _run(home, "init", "--db", peer / "c.sqlite", "--level", "community", "--code", "370203012001", "--name", "云溪社区")
    ident = json.loads(_run(home, "sync", "identity", "--db", peer / "c.sqlite", "--out", peer / "c.json", "--json"))
    _run(home, "sync", "trust", peer / "c.json", "--fingerprint", ident["fingerprint"])
    package = Path(json.loads(_run(home, "sync", "export", "--to", "370203012001", "--out", out / "交换", "--json"))["out"])

    made = _modes(home, out.parent, peer)
    expected = {home / "gridapp.sqlite", home / "backups", home / "logs", out / "网格员.xlsx", out / "在职党员.xlsx",
                out / "身份.json", out / "花名册.pdf", out / "交换", package, peer / "c.sqlite", peer / "c.json"}
    assert expected - {home / "logs"} <= set(made), sorted(made)
    assert any(p.parent == home / "backups" and p.suffix == ".sqlite" for p in made), sorted(made)
    loose = {str(p.relative_to(tmp_path)): oct(m) for p, m in made.items() if m != (0o700 if p.is_dir() else 0o600)}
    assert not loose


def test_sqlite_gives_its_wal_and_shm_the_database_files_mode(tmp_path):
    """SQLite makes -wal and -shm itself, with the mode of the database file: a private database keeps
    them private even in a process that never set the umask (a test runner, a script)."""
    from gridapp.core.store import Store

    home = tmp_path / "home"
    _run(home, "init", "--db", home / "s.sqlite", "--level", "street", "--code", "370203012", "--name", "海泉路街道")
    old = os.umask(0o022)
    try:
        with Store(home / "s.sqlite") as store:
            with store.engine.begin() as conn:
                conn.exec_driver_sql("UPDATE site SET name = name")
            made = {p.name: stat.S_IMODE(p.stat().st_mode) for p in home.iterdir()}
    finally:
        os.umask(old)
    assert {"s.sqlite-wal", "s.sqlite-shm"} <= set(made)
    assert {k: oct(v) for k, v in made.items() if v != 0o600} == {}


def test_the_log_file_is_private_whatever_the_umask(tmp_path, monkeypatch):
    import logging

    from gridapp.core import logs

    monkeypatch.setenv("GRIDAPP_HOME", str(tmp_path / "home"))
    handler = logs.PrivateFileHandler(tmp_path / "x.log", delay=True)
    old = os.umask(0o000)
    try:
        handler.emit(logging.LogRecord("gridapp", logging.ERROR, __file__, 1, "boom", None, None))
    finally:
        os.umask(old)
        handler.close()
    assert stat.S_IMODE((tmp_path / "x.log").stat().st_mode) == 0o600
    assert stat.S_IMODE(logs.log_path().parent.stat().st_mode) == 0o700


def test_an_existing_loose_backups_folder_is_tightened(tmp_path):
    from gridapp.core.paths import backups_dir

    loose = tmp_path / "backups"
    loose.mkdir(mode=0o755)
    loose.chmod(0o755)
    assert backups_dir(tmp_path / "gridapp.sqlite") == loose
    assert stat.S_IMODE(loose.stat().st_mode) == 0o700

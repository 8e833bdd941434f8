"""The store: one SQLite file, opened safely, upgraded on open, one transaction per unit of work."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from gridapp.core import journal, org_labels, schema
from gridapp.core.errors import StoreError
from gridapp.core.lock import DatabaseLock
from gridapp.core.models import Setting, Site
from gridapp.core.paths import backups_dir

BUSY_TIMEOUT_MS = 5000
CACHE_KIB = 65536


@dataclass(frozen=True)
class SiteInfo:
    code: str
    name: str
    level: str
    org_unit_id: str | None


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    cur.execute("PRAGMA journal_mode = WAL")
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    # 64 MiB of pages per connection (SQLite's default is 2 MiB): a list walking 100,000 rows of a
    # district database otherwise spends more time re-reading pages from the OS than using them.
    cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    cur.close()
    dbapi_conn.isolation_level = None


def _on_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(path: Path) -> Engine:
    # The connection used last is handed out next, its page cache warm (the pool's default is the oldest).
    engine = create_engine(f"sqlite:///{path}", pool_use_lifo=True, hide_parameters=True)  # no ID numbers in errors
    event.listen(engine, "connect", _on_connect)
    # pysqlite's own transaction handling breaks SAVEPOINT (per-row rollback in imports):
    # let SQLAlchemy emit BEGIN itself.
    event.listen(engine, "begin", _on_begin)
    return engine


def backup_database(src: Path, dest: Path) -> Path:
    """A consistent copy with SQLite's online backup API (safe while the database is in use)."""
    dest = Path(dest)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(dest.name + ".part")
    src_conn = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    try:
        dst_conn = sqlite3.connect(tmp)
        try:
            src_conn.backup(dst_conn)
        finally:
            dst_conn.close()
    finally:
        src_conn.close()
    tmp.replace(dest)
    return dest


class Store:
    """An open gridapp database.

    ``create`` makes the file if missing; an existing file at an older schema revision is copied to
    ``backups/`` and upgraded; a newer one, a locked one or a non-gridapp file raises StoreError.
    """

    def __init__(self, path: Path | str, *, create: bool = False, lock: bool = True, upgrade: bool = True,
                 actor: str | None = None):
        self.path = Path(path).expanduser().resolve()
        if not self.path.exists() and not create:
            raise StoreError(f"数据库文件不存在：{self.path}")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = DatabaseLock(self.path) if lock else None
        if self._lock:
            self._lock.acquire()
        _OPEN.add(self.path)
        try:
            self.engine = make_engine(self.path)
            # Bumped by each committed unit of work: what caches of the data (org labels) go by.
            self.generation = 0
            self.org_labels = org_labels.LabelCache(lambda: self.generation)
            event.listen(self.engine, "connect", self.org_labels.install)
            self.upgraded_from: str | None = None
            self.backup_path: Path | None = None
            self._migrate(upgrade)
            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
            self.actor = actor or journal.default_actor()
            self.site = self._load_site()
        except BaseException:
            self.close()
            raise

    # -- lifecycle ---------------------------------------------------------------------------------

    def _migrate(self, allowed: bool) -> None:
        try:
            with self.engine.connect() as conn:
                rev = schema.current_revision(conn)
                has_tables = schema.has_user_tables(conn)
        except DatabaseError as exc:
            raise StoreError(f"文件 {self.path} 不是 gridapp 数据库，或已损坏（{exc.orig}）") from exc
        schema.check_not_newer(rev, self.path)
        if rev == schema.SCHEMA_HEAD:
            return
        if has_tables and rev is None:
            raise StoreError(f"文件 {self.path} 不是 gridapp 数据库（缺少版本信息），为避免破坏数据未打开它")
        if not allowed:
            raise StoreError(
                f"数据库 {self.path} 的版本（{rev or '空'}）需要升级到 {schema.SCHEMA_HEAD}；"
                "用 gridapp 正常打开一次即可自动升级（升级前自动备份）"
            )
        if has_tables:
            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            self.backup_path = backup_database(
                self.path, backups_dir(self.path) / f"{self.path.stem}-升级前-{rev}-{stamp}.sqlite"
            )
            self.upgraded_from = rev
        schema.upgrade(self.engine)

    def close(self) -> None:
        engine = getattr(self, "engine", None)
        if engine is not None:
            try:
                if self._lock:
                    # Fresh statistics keep searches on index paths (a few ms even at district scale).
                    # They are written like any change: the transaction SQLAlchemy began must commit.
                    with engine.begin() as conn:
                        conn.exec_driver_sql("PRAGMA analysis_limit = 1000")
                        conn.exec_driver_sql("ANALYZE")
                with engine.connect() as conn:
                    # Fold the WAL back into the main file: people copy the .sqlite file alone. Inside
                    # a transaction a checkpoint cannot finish, so it goes straight to the driver.
                    conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except (DatabaseError, sqlite3.DatabaseError):
                pass
            engine.dispose()
            self.engine = None
        if self._lock:
            self._lock.release()
        _OPEN.discard(self.path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- units of work -----------------------------------------------------------------------------

    @contextmanager
    def session(self, *, commit: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back entirely if it raises.

        With ``commit=False`` it is rolled back at the end too: a preview runs the very same work.
        """
        with self._sessions.begin() as s:
            s.info["journal"] = journal.JournalContext(
                self.site.code if self.site else journal.UNSET_SITE, self.actor
            )
            yield s
            if not commit:
                s.rollback()
        if commit:
            self.generation += 1

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; anything it flushes is rolled back. Loaded objects stay readable."""
        s = self._sessions()
        try:
            yield s
        finally:
            s.close()

    def _load_site(self) -> SiteInfo | None:
        with self.read() as s:
            row = s.execute(select(Site).where(Site.is_self.is_(True))).scalar_one_or_none()
            return SiteInfo(row.code, row.name, row.level, row.org_unit_id) if row else None

    def reload_site(self) -> SiteInfo | None:
        self.site = self._load_site()
        return self.site

    # -- settings ----------------------------------------------------------------------------------

    def get_setting(self, key: str, default: Any = None) -> Any:
        with self.read() as s:
            row = s.get(Setting, key)
            return default if row is None or row.value is None else json.loads(row.value)

    def set_setting(self, key: str, value: Any) -> None:
        with self.session() as s:
            s.merge(Setting(key=key, value=json.dumps(value, ensure_ascii=False)))

    def backup(self, dest: Path) -> Path:
        return backup_database(self.path, dest)


_OPEN: set[Path] = set()  # databases open in this process
_SQLITE_HEADER = b"SQLite format 3\x00"


def check_output(path: Path | str) -> Path:
    """Where an export, a printout or a template may be written: never over a database (one open here,
    its -wal, -shm or .lock, or any other SQLite file such as a backup), never onto a folder."""
    from gridapp.core.errors import ValidationError

    target = Path(path).expanduser().resolve()
    for db in _OPEN:
        if target.parent == db.parent and target.name in (db.name, f"{db.name}-wal", f"{db.name}-shm",
                                                          f"{db.name}.lock"):
            raise ValidationError(f"不能写到正在使用的数据库文件 {target.name} 上，请换一个文件名")
    for suffix in ("-wal", "-shm", ".lock"):
        base = target.with_name(target.name.removesuffix(suffix))
        if target.name.endswith(suffix) and base.is_file() and base.read_bytes()[:16] == _SQLITE_HEADER:
            raise ValidationError(f"{target.name} 属于数据库 {base.name}，不能用导出的文件覆盖它")
    if target.is_dir():
        raise ValidationError(f"{target} 是文件夹，请给出文件名")
    if target.is_file():
        with open(target, "rb") as f:
            if f.read(16) == _SQLITE_HEADER:
                raise ValidationError(f"{target.name} 是数据库文件（或其备份），不能用导出的文件覆盖它")
    return target

"""The store: one SQLite file, opened safely, upgraded on open, one transaction per unit of work."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import create_engine, event, select
from sqlalchemy.engine import URL, Engine
from sqlalchemy.exc import DatabaseError, DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from gridapp.core import dbfile, journal, keys, org_labels, schema
from gridapp.core.errors import DomainError, PermissionDenied, StoreError
from gridapp.core.lock import DatabaseLock
from gridapp.core.models import Account, Setting, Site
from gridapp.core.paths import backups_dir

BUSY_TIMEOUT_MS = 5000
_LOST = "transaction_lost"  # a connection's info: the error with which SQLite rolled its transaction back
CACHE_KIB = 65536
# A statement that changes a table, and which: what the store's write guard goes by.
_WRITE = re.compile(r'\s*(?P<verb>INSERT|UPDATE|DELETE|REPLACE)\b(?:\s+OR\s+\w+)?(?:\s+INTO|\s+FROM)?\s+"?(?P<table>\w+)',
                    re.IGNORECASE)
# Written by the store itself for every account, logged in or not (a login's failed count, the audit trail).
_ACCOUNT_TABLES = frozenset({"account", "audit_event"})
BULK_CACHE_KIB = 32768


@dataclass(frozen=True)
class SiteInfo:
    code: str
    name: str
    level: str
    org_unit_id: str | None


def _on_connect(dbapi_conn: sqlite3.Connection, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
    # journal_mode = WAL is not set here: it is written into the file, so the store sets it once, after
    # making sure the file is a gridapp database it may write (a refused file stays as it was).
    cur.execute("PRAGMA synchronous = NORMAL")
    cur.execute("PRAGMA foreign_keys = ON")
    # 64 MiB of pages per connection (SQLite's default is 2 MiB): a list walking 100,000 rows of a
    # district database otherwise spends more time re-reading pages from the OS than using them.
    cur.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
    cur.close()
    dbapi_conn.isolation_level = None


def _on_begin(conn) -> None:
    conn.exec_driver_sql("BEGIN")


def make_engine(path: Path, *, readonly: bool = False, key: bytes | None = None) -> Engine:
    """An engine on ``path``; ``readonly`` opens it as SQLite's read-only URI that leaves nothing beside it
    (for read-only media, where no -wal, -shm or lock file can be made); ``key`` opens it with SQLCipher."""
    if readonly:
        immutable = not dbfile.has_wal(path)
        url = URL.create("sqlite", database=f"file:{quote(str(path))}",
                         query={"mode": "ro", **({"immutable": "1"} if immutable else {}), "uri": "true"})
    else:  # URL.create, not a string: '?', '#' or '%' in a folder name must stay part of the path
        url = URL.create("sqlite", database=str(path))
    # The connection used last is handed out next, its page cache warm (the pool's default is the oldest).
    extra: dict[str, Any] = {}
    if key is not None:
        import sqlcipher3.dbapi2

        extra["module"] = sqlcipher3.dbapi2
    engine = create_engine(url, pool_use_lifo=True, hide_parameters=True, **extra)  # no ID numbers in errors
    if key is not None:  # the key first of all statements, raw (no key derivation on each new connection)
        event.listen(engine, "connect", lambda conn, _record: dbfile.connect_key(conn, key))
    event.listen(engine, "connect", _on_connect)

    def _on_error(context) -> None:
        # Every statement, whoever runs it (sessions, lists, the journal reader): a full disk, read-only
        # media, a lock held elsewhere or damage is raised as the sentence saying so.
        statement = (context.statement or "").lstrip().upper()
        conn = context.connection
        if conn is not None and conn.in_transaction() and not conn.connection.driver_connection.in_transaction:
            # SQLite rolled the whole transaction back by itself (SQLITE_FULL, an I/O error): whoever carries on
            # after catching this would write outside any transaction, so nothing more runs until the rollback.
            conn.info[_LOST] = error_text = dbfile.translate(context.original_exception, path) or StoreError(
                f"写入数据库 {path} 时出错（{context.original_exception}），本次改动没有写入（已全部撤销）")
            raise error_text from context.original_exception
        error = dbfile.translate(context.original_exception, path,
                                 writing=not statement.startswith(("SELECT", "WITH", "PRAGMA")))
        if error is not None:
            raise error from context.original_exception

    def _refuse_after_loss(conn, _cursor, statement, _params, _context, _many) -> None:
        lost = conn.info.get(_LOST)
        if lost is not None and not statement.lstrip().upper().startswith("ROLLBACK"):
            raise StoreError(lost.message)

    def _rolled_back(conn) -> None:
        conn.info.pop(_LOST, None)

    event.listen(engine, "handle_error", _on_error)
    event.listen(engine, "before_cursor_execute", _refuse_after_loss)
    event.listen(engine, "rollback", _rolled_back)
    # pysqlite's own transaction handling breaks SAVEPOINT (per-row rollback in imports):
    # let SQLAlchemy emit BEGIN itself.
    event.listen(engine, "begin", _on_begin)
    return engine


@contextmanager
def bulk_cache(s: Session) -> Iterator[None]:
    """A bulk write (an import) keeps a smaller page cache on its connection: dirty pages go to the WAL file
    sooner instead of tens of megabytes of them staying in memory until the commit; lists keep CACHE_KIB."""
    conn = s.connection()
    conn.exec_driver_sql(f"PRAGMA cache_size = -{BULK_CACHE_KIB}")
    try:
        yield
    finally:
        with suppress(DomainError):  # the transaction was lost (a full disk): that error is the one to tell
            conn.exec_driver_sql(f"PRAGMA cache_size = -{CACHE_KIB}")


def backup_database(src: Path, dest: Path, *, key: bytes | None = None) -> Path:
    """A consistent copy with SQLite's online backup API (safe while the database is in use), checked
    with ``quick_check`` before it is moved into place: a failed or damaged copy leaves no file.
    With ``key`` (an encrypted database) the copy is encrypted with the same key, its key file beside it."""
    import shutil

    from gridapp.core.files import check_target

    if key is None and keys.is_encrypted(src):  # an open encrypted store's copy (pre-sync, pre-upgrade)
        key = _KEYS.get(Path(src).expanduser().resolve())
        if key is None:
            raise StoreError(f"数据库 {src} 已加密：请先登录再备份（备份同样加密，密钥文件一并复制）")
    src, dest = Path(src), Path(dest)
    tmp = dest.with_name(dest.name + ".part")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest = check_target(dest, inputs=(src,))  # never over a database, another backup or the source
        if key is None:
            # Read-write where it may be (the last connection closing tidies -wal and -shm away), else a
            # read-only look that leaves nothing beside the file.
            src_conn = sqlite3.connect(src) if dbfile.readonly_reason(src) is None else dbfile.connect_readonly(src)
        else:
            import sqlcipher3.dbapi2 as sqlcipher

            src_conn = sqlcipher.connect(str(src))
            dbfile.connect_key(src_conn, key)
        try:
            dst_conn = sqlite3.connect(tmp) if key is None else sqlcipher.connect(str(tmp))
            try:
                if key is not None:
                    dbfile.connect_key(dst_conn, key)  # the copy gets the key before any page is written
                src_conn.backup(dst_conn)
                verdict = dst_conn.execute("PRAGMA quick_check").fetchone()[0]
            finally:
                dst_conn.close()
        finally:
            src_conn.close()
        if verdict != "ok":
            raise StoreError(f"数据库 {src} 已损坏（完整性检查：{verdict}），没有生成备份。请用 gridapp check 检查")
        if key is not None:
            shutil.copyfile(keys.key_path(src), keys.key_path(dest))
        tmp.replace(dest)
    except (*dbfile.DB_ERRORS, OSError) as exc:
        if key is not None:
            keys.key_path(dest).unlink(missing_ok=True)
        raise _backup_failed(exc, src, dest) from exc
    finally:
        for leftover in (tmp, tmp.with_name(tmp.name + "-journal"), tmp.with_name(tmp.name + "-wal"),
                         tmp.with_name(tmp.name + "-shm")):
            leftover.unlink(missing_ok=True)
    return dest


def identify(path: Path, *, create: bool = False) -> tuple[dbfile.Look | None, str | None]:
    """What the file is, found without touching it: (None, None) for a file to be made, (look, None)
    for a blank one ``create`` may fill, else (look, a known revision whose tables it has).
    StoreError for anything else: missing, empty, foreign, damaged, unknown or mislabelled."""
    if not path.exists():
        if not create:
            raise StoreError(f"数据库文件不存在：{path}")
        return None, None
    found = dbfile.look(path)
    if found.blank:
        if not create:
            what = "是空文件（0 字节）" if found.size == 0 else "是没有任何表的空数据库"
            raise StoreError(f"文件 {path} {what}，不是 gridapp 数据库，没有打开它"
                             "（新建数据库请用 gridapp init，或在程序首次运行时建立）")
        return found, None
    if found.revisions is None:
        raise StoreError(f"文件 {path} 不是 gridapp 数据库（缺少版本信息），为避免破坏数据未打开它")
    rev = schema.check_label(found.revisions, path)
    schema.check_shape(rev, found.tables, path)
    return found, rev


def identify_encrypted(path: Path, key: bytes) -> tuple[dbfile.Look, str]:
    """As ``identify``, for an encrypted database read with its key."""
    found = dbfile.look_encrypted(path, key)
    if found.revisions is None:
        raise StoreError(f"文件 {path} 不是 gridapp 数据库（缺少版本信息），为避免破坏数据未打开它")
    rev = schema.check_label(found.revisions, path)
    schema.check_shape(rev, found.tables, path)
    return found, rev


def _backup_failed(exc: BaseException, src: Path, dest: Path) -> StoreError:
    code = (getattr(exc, "sqlite_errorcode", None) or 0) & 0xFF
    if code in (dbfile.SQLITE_CORRUPT, dbfile.SQLITE_NOTADB):
        return StoreError(f"数据库 {src} 已损坏（{exc}），没有生成备份。请用 gridapp check 检查")
    error = dbfile.translate(exc, dest)
    if error is not None and "磁盘空间不足" in error.message:
        return StoreError(f"磁盘空间不足：写入备份 {dest} 时磁盘已满，没有生成备份。请清理磁盘空间或换一个位置")
    reason = getattr(exc, "strerror", None) or exc
    return StoreError(f"备份 {src} 到 {dest} 失败（{reason}），没有生成备份")


class Store:
    """An open gridapp database.

    ``create`` makes the file if missing (only ``init``, ``demo`` and the first-run dialog ask for it);
    an existing file at an older schema revision is copied to ``backups/`` and upgraded; a newer or
    unknown one, a locked one, an empty one or a non-gridapp file raises StoreError, and is left
    exactly as it was. ``readonly_ok`` (reading commands) opens a database on read-only media
    read-only instead of refusing it; ``readonly`` then says so.
    """

    def __init__(self, path: Path | str, *, create: bool = False, lock: bool = True, upgrade: bool = True,
                 actor: str | None = None, readonly_ok: bool = False, key: bytes | None = None):
        self.path = Path(path).expanduser().resolve()
        self.engine: Engine | None = None
        self._lock: DatabaseLock | None = None
        self.upgraded_from: str | None = None
        self._migrating = False
        self.backup_path: Path | None = None
        # Bumped by each committed unit of work: what caches of the data (org labels) go by.
        self.generation = 0
        self.account = None  # accounts.AccountInfo of whoever logged in
        self.has_accounts = False  # (until the upgrade is done: a migration writes as it needs)
        self.org_labels = org_labels.LabelCache(lambda: self.generation)
        self.key = key
        self.notice: str | None = None  # said once to whoever opened the store (the database was just encrypted)
        self.site = None
        self.readonly = False
        self.actor = actor or journal.default_actor()
        self._opening = {"create": create, "lock": lock, "upgrade": upgrade, "readonly_ok": readonly_ok}
        if key is None and keys.is_encrypted(self.path):
            # Encrypted: nothing can be read before an account's password unwraps the key (``login``).
            self.has_accounts = True
            return
        self._open(create=create, lock=lock, upgrade=upgrade, actor=actor, readonly_ok=readonly_ok)

    @property
    def is_open(self) -> bool:
        return self.engine is not None

    def _open(self, *, create: bool, lock: bool, upgrade: bool, actor: str | None, readonly_ok: bool) -> None:
        found, rev = self._identify(create)
        self.readonly = self._check_writable(found, rev, readonly_ok)
        if rev not in (None, schema.SCHEMA_HEAD) and not upgrade:
            raise StoreError(
                f"数据库 {self.path} 的版本（{rev}）需要升级到 {schema.SCHEMA_HEAD}；"
                "用 gridapp 正常打开一次即可自动升级（升级前自动备份）"
            )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"无法建立文件夹 {self.path.parent}（{exc.strerror}）") from None
        self._lock = DatabaseLock(self.path) if lock and not self.readonly else None
        if self._lock:
            self._lock.acquire()
        _OPEN.add(self.path)
        try:
            self.engine = make_engine(self.path, readonly=self.readonly, key=self.key)
            if self.key is not None:
                _KEYS[self.path] = self.key
            event.listen(self.engine, "connect", self.org_labels.install)
            event.listen(self.engine, "before_cursor_execute", self._guard)
            if not self.readonly and (found is None or not found.wal_mode):
                self._set_wal()
            if rev != schema.SCHEMA_HEAD:
                self._migrate(rev, has_data=found is not None and not found.blank)
            self._sessions = sessionmaker(self.engine, expire_on_commit=False)
            self.actor = actor or journal.default_actor()
            try:
                self.site = self._load_site()
                self.accounts_changed()
                # Found clear with accounts (made before encryption came): encrypted at an administrator's login.
                self._to_encrypt = self.key is None and self.has_accounts
            except DatabaseError as exc:
                raise StoreError(f"数据库 {self.path} 已损坏，无法读取（{exc.orig}）") from exc
        except BaseException:
            self.close(remove_lock=True)
            raise

    @classmethod
    def create_encrypted(cls, path: Path | str, admin: str, password: str, **kwargs: Any) -> tuple[Store, str]:
        """A new encrypted database whose key file wraps the key for ``admin`` (the caller then adds that
        administrator and logs in): (the store, the recovery key to show once)."""
        path = Path(path).expanduser().resolve()
        if path.exists():
            raise StoreError(f"{path} 已存在：加密的数据库只能新建，请换一个文件名")
        _kf, key, code = keys.KeyFile.create(path, admin, password)
        try:
            return cls(path, create=True, key=key, **kwargs), code
        except BaseException:
            keys.key_path(path).unlink(missing_ok=True)
            raise

    # -- lifecycle ---------------------------------------------------------------------------------

    def _identify(self, create: bool) -> tuple[dbfile.Look | None, str | None]:
        if self.key is not None and self.path.exists():
            return identify_encrypted(self.path, self.key)
        return identify(self.path, create=create)

    def _check_writable(self, found: dbfile.Look | None, rev: str | None, readonly_ok: bool) -> bool:
        """True when the database is to be opened read-only; StoreError when it must be written but cannot."""
        target = self.path
        while not target.exists() and target.parent != target:  # a new file: the folder it will be made in
            target = target.parent
        reason = dbfile.readonly_reason(target if target == self.path else target / self.path.name)
        if reason is None:
            return False
        if readonly_ok and rev == schema.SCHEMA_HEAD:
            return True
        if readonly_ok and rev is not None:
            raise StoreError(f"数据库 {self.path} 的版本（{rev}）需要先升级到 {schema.SCHEMA_HEAD} 才能使用，"
                             f"但它所在位置只读（{reason}）。请把它复制到可写的位置，用 gridapp 打开一次即可自动升级")
        raise StoreError(dbfile.readonly_message(self.path, reason))

    def _set_wal(self) -> None:
        # Written into the file once; every later connection finds it there.
        try:
            with self.engine.connect() as conn:
                conn.connection.driver_connection.execute("PRAGMA journal_mode = WAL")
        except DBAPIError as exc:
            raise self._translated(exc) from exc

    def _translated(self, exc: BaseException) -> BaseException:
        return dbfile.translate(exc, self.path) or exc

    def _migrate(self, rev: str | None, *, has_data: bool) -> None:
        if has_data:
            from gridapp.core.files import unused_name

            stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
            self.backup_path = backup_database(
                self.path, unused_name(backups_dir(self.path) / f"{self.path.stem}-升级前-{rev}-{stamp}.sqlite"),
                key=self.key)
            self.upgraded_from = rev
        # The migrations write what they must before anyone is logged in (an encrypted database is upgraded
        # in the login that opens it): the write guard stands aside for them alone.
        self._migrating = True
        try:
            schema.upgrade(self.engine)
        except (DBAPIError, *dbfile.DB_ERRORS, OSError) as exc:
            raise self._translated(exc) from exc
        finally:
            self._migrating = False

    def close(self, *, remove_lock: bool = False) -> None:
        """Release the database; ``remove_lock`` (a refused open) writes nothing more (no statistics, no
        checkpoint) and also deletes a lock file this store made."""
        engine = getattr(self, "engine", None)
        if engine is not None and (remove_lock or getattr(self, "readonly", False)):
            engine.dispose()
            self.engine = None
        elif engine is not None:
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
            except (DatabaseError, *dbfile.DB_ERRORS, StoreError):
                pass
            engine.dispose()
            self.engine = None
        if self._lock:
            self._lock.release(remove=remove_lock and self._lock.created)
        _OPEN.discard(self.path)
        _KEYS.pop(self.path, None)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- who is at the desk ---------------------------------------------------------------------------

    def accounts_changed(self) -> None:
        with self._sessions() as s:
            self.has_accounts = bool(s.execute(select(Account.id).limit(1)).first())

    def login(self, name: str, password: str, *, now: dt.datetime | None = None):
        """Log an account in (``accounts.AccountInfo``); PermissionDenied saying why not. Its name then names
        every change in the journal."""
        from gridapp.core import accounts

        self.account = None
        if self.engine is None:
            self._unlock(name, password, now=now or accounts.utcnow())
        info = accounts.authenticate(self, name, password, now=now)
        self.account, self.actor = info, info.name
        if (getattr(self, "_to_encrypt", False) and self._lock is not None and not self.readonly
                and info.role == accounts.ADMIN):
            self._encrypt(info.name, password)
        return info

    def _encrypt(self, name: str, password: str) -> None:
        """A clear database with accounts (made before encryption came) encrypted at an administrator's login;
        ``notice`` then says so, with the recovery key, to be shown once."""
        from gridapp.core import accounts, audit
        from gridapp.core.encrypt import encrypt_in_place

        with self.read() as s:
            others = [a.name for a in s.execute(select(Account)).scalars()
                      if a.enabled and accounts.key_of(a.name) != accounts.key_of(name)]
        if others:
            # Their passwords are not known here, so they could not open the encrypted file: it stays clear
            # until they can be given key slots (left for later: see the notice).
            self.notice = (f"数据库 {self.path.name} 尚未加密：还有其他启用的账号（{'、'.join(others)}），"
                           "加密后他们需要管理员重置密码；请停用不用的账号后再登录，或等待后续版本自动处理")
            self._to_encrypt = False
            return
        self.close_engine()
        try:
            self.key, self.notice = encrypt_in_place(self.path, name, password, others)
        except StoreError as exc:  # the login stands; the database stays clear and is tried again next time
            self.notice = f"{exc.message}；下次管理员登录时会再试"
            return
        finally:
            self._start_engine(found_wal=False)
            self._to_encrypt = False
        audit.record(self, "encrypted", f"数据库 {self.path.name} 已加密保存（SQLCipher）")

    def close_engine(self) -> None:
        """Fold the WAL back and release every connection (the lock stays held)."""
        with self.engine.connect() as conn:
            conn.connection.driver_connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        self.engine.dispose()
        self.engine = None

    def _start_engine(self, *, found_wal: bool) -> None:
        self.engine = make_engine(self.path, readonly=self.readonly, key=self.key)
        if self.key is not None:
            _KEYS[self.path] = self.key
        event.listen(self.engine, "connect", self.org_labels.install)
        event.listen(self.engine, "before_cursor_execute", self._guard)
        if not self.readonly and not found_wal:
            self._set_wal()
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    def recover(self, name: str, password: str):
        """An administrator's new password, the store opened with the recovery key (no one logged in)."""
        from gridapp.core import accounts, audit

        if self.engine is None or self.key is None:
            raise PermissionDenied("只有用恢复密钥打开的加密数据库才能这样设置密码")
        with self.system_session() as s:
            acc = accounts._find(s, name)
            if acc is None or acc.role != accounts.ADMIN:
                raise PermissionDenied(f"“{name}”不是这个数据库的管理员账号，没有修改")
            info = accounts._info(acc)
        self.account, self.actor = info, info.name
        audit.record(self, "password_reset", f"用恢复密钥为管理员 {info.name} 设置新密码")
        return accounts.reset_password(self, info.name, password)

    def wrap_key(self, name: str, password: str) -> None:
        """An encrypted database's key wrapped for ``name``'s (new) password: its slot alone is rewritten."""
        if self.key is not None:
            keys.KeyFile.read(self.path).set_account(self.key, name, password)

    def _require_open(self) -> None:
        if self.engine is None:
            raise PermissionDenied(f"{self.refusal('read')}，没有执行")

    def _unlock(self, name: str, password: str, *, now: dt.datetime) -> None:
        """Open an encrypted database with the key the account's slot gives; a wrong password is counted in
        the key file (the database cannot be written yet) and written into the audit trail at the next open."""
        from gridapp.core import accounts, audit

        typed = (name or "").strip()
        if not typed:
            raise PermissionDenied("请填写账号")
        kf = keys.KeyFile.read(self.path)
        until = kf.locked_until(typed)
        if until is not None and now < until:
            kf.refused(typed, now)
            raise PermissionDenied(f"账号“{typed}”因连续 {accounts.MAX_FAILURES} 次密码错误已锁定，"
                                   f"请于 {accounts._until(until)} 以后再试，或请管理员重置密码")
        key = kf.unlock(typed, password)
        if key is None:
            if typed.casefold() not in (n.casefold() for n in kf.account_names()):
                kf.refused(typed, now)
                raise PermissionDenied(f"账号“{typed}”或密码不正确（数据库加密后，加密前已有的其他账号"
                                       "需由管理员重置密码才能登录）")
            count, until = kf.failed(typed, now, max_failures=accounts.MAX_FAILURES, lock_time=accounts.LOCK_TIME)
            minutes = int(accounts.LOCK_TIME.total_seconds() // 60)
            if until is not None:
                raise PermissionDenied(f"账号“{typed}”连续 {accounts.MAX_FAILURES} 次密码错误，已锁定到 "
                                       f"{accounts._until(until)}（{minutes} 分钟），请到时再试，或请管理员重置密码")
            raise PermissionDenied(f"账号“{typed}”的密码不正确（再错 {accounts.MAX_FAILURES - count} 次将锁定 "
                                   f"{minutes} 分钟）")
        self.key = key
        try:
            self._open(actor=None, **self._opening)
        except BaseException:
            self.key = None
            raise
        for failure in kf.take_pending(typed):
            audit.record(self, "locked" if failure["locked"] else "login_failed", f"账号 {failure['account']} 登录",
                         ok=False, reason="密码不正确（数据库打开前的记录）", account=failure["account"],
                         now=dt.datetime.fromisoformat(failure["at"]))

    def logout(self) -> None:
        from gridapp.core import audit

        if self.account is not None:
            audit.record(self, "logout", f"{self.account.label} 注销")
        self.account, self.actor = None, journal.default_actor()

    def may(self, permission: str) -> bool:
        """Whether ``permission`` (a key of ``accounts.PERMISSIONS``) is allowed now: always without accounts."""
        if not self.has_accounts:
            return True
        return self.account is not None and self.account.may(permission)

    def refusal(self, permission: str) -> str:
        from gridapp.core.accounts import PERMISSIONS

        if self.account is None:
            return f"数据库 {self.path.name} 已设置账号，请先登录"
        return f"当前账号（{self.account.role_name}）无权{PERMISSIONS.get(permission, permission)}"

    def require(self, permission: str, *, action: str | None = None, what: str = "") -> None:
        """PermissionDenied (and a refusal in the audit trail) unless ``permission`` is allowed now."""
        if self.may(permission):
            return
        from gridapp.core import audit

        reason = self.refusal(permission)
        audit.record(self, action or permission, what or reason, ok=False, reason=reason)
        raise PermissionDenied(f"{reason}{'（' + what + '）' if what else ''}，没有执行")

    def _guard(self, _conn, _cursor, statement: str, _params, _context, _many) -> None:
        found = _WRITE.match(statement)
        if found is None or self._migrating:
            return
        table = found["table"].lower()
        if table == "audit_event" and found["verb"].upper() != "INSERT":
            raise StoreError("安全审计记录只能追加，不能修改或删除")
        if table not in _ACCOUNT_TABLES and self.has_accounts and not self.may("write"):
            raise PermissionDenied(f"{self.refusal('write')}，没有执行")

    # -- units of work -----------------------------------------------------------------------------

    @contextmanager
    def session(self, *, commit: bool = True) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back entirely if it raises.

        With ``commit=False`` it is rolled back at the end too: a preview runs the very same work.
        A committing session needs an account allowed to write, once the database has accounts.
        """
        if commit:
            self.require("write", what="修改数据")
        self._require_open()
        try:
            with self._sessions.begin() as s:
                s.info["journal"] = journal.JournalContext(
                    self.site.code if self.site else journal.UNSET_SITE, self.actor
                )
                yield s
                if not commit:
                    s.rollback()
        except (DBAPIError, *dbfile.DB_ERRORS, OSError) as exc:
            # A full disk, read-only media or a lock held elsewhere: one sentence for every writer.
            error = dbfile.translate(exc, self.path)
            if error is None:
                raise
            raise error from exc
        if commit:
            self.generation += 1

    @contextmanager
    def system_session(self) -> Iterator[Session]:
        """A transaction for the account tables alone (a login's bookkeeping, the audit trail): no login needed,
        no journal (accounts are not synced), and the engine's guard lets it write nothing else."""
        self._require_open()
        try:
            with self._sessions.begin() as s:
                yield s
        except (DBAPIError, *dbfile.DB_ERRORS, OSError) as exc:
            error = dbfile.translate(exc, self.path)
            if error is None:
                raise
            raise error from exc

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reading; anything it flushes is rolled back. Loaded objects stay readable."""
        if self.has_accounts and self.account is None:
            raise PermissionDenied(f"{self.refusal('read')}，没有读取数据")
        s = self._sessions()
        try:
            yield s
        except (DBAPIError, *dbfile.DB_ERRORS) as exc:
            # Damage met while reading, a vanished USB stick: a sentence, not a traceback.
            error = dbfile.translate(exc, self.path, writing=False)
            if error is None:
                raise
            raise error from exc
        finally:
            s.close()

    def _load_site(self) -> SiteInfo | None:
        with self._sessions() as s:  # before any login: the window's title names the site
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
        from gridapp.core import audit

        with audit.audited(self, "settings", "settings", f"把设置 {key} 改为 {json.dumps(value, ensure_ascii=False)}"), \
                self.session() as s:
            s.merge(Setting(key=key, value=json.dumps(value, ensure_ascii=False)))

    def backup(self, dest: Path) -> Path:
        """A checked copy of this database at ``dest`` (needs the right to back up; audited)."""
        from gridapp.core import audit

        with audit.audited(self, "backup", "backup", f"备份数据库 {self.path.name} 到 {Path(dest)}"):
            return backup_database(self.path, dest, key=self.key)


_OPEN: set[Path] = set()  # databases open in this process
_KEYS: dict[Path, bytes] = {}  # the keys of the encrypted ones (their backups are encrypted with them)
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
    if target.name.endswith(keys.SUFFIX) or (target.is_file() and keys.is_encrypted(target)):
        raise ValidationError(f"{target.name} 是加密的数据库（或其密钥文件），不能用导出的文件覆盖它")
    if target.is_file():
        with open(target, "rb") as f:
            if f.read(16) == _SQLITE_HEADER:
                raise ValidationError(f"{target.name} 是数据库文件（或其备份），不能用导出的文件覆盖它")
    return target

"""What a database file is, looked at before anything opens it for writing, and what its failures mean.

A look never leaves a trace: the header is read as bytes, the table list through SQLite's
``immutable=1`` (no -wal, -shm or lock) unless a -wal is already beside the file.
"""

from __future__ import annotations

import errno
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import sqlcipher3.dbapi2 as sqlcipher

from gridapp.core.errors import StoreError

# sqlcipher3's exceptions are not sqlite3's: whatever catches a database error catches both.
DB_ERRORS: tuple[type[Exception], ...] = (sqlite3.Error, sqlcipher.Error)

SQLITE_HEADER = b"SQLite format 3\x00"
_WAL_HEADER_VALUE = 2  # bytes 18 and 19 of the header: 1 rollback journal, 2 WAL

# SQLite's primary result codes (an extended code keeps them in its low byte).
SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26


@dataclass(frozen=True)
class Look:
    """A database file as found: its size, whether it is in WAL mode, its tables and revision rows."""

    size: int
    wal_mode: bool = False
    tables: dict[str, frozenset[str]] = field(default_factory=dict)
    revisions: tuple[object, ...] | None = None  # the rows of alembic_version; None when it is missing

    @property
    def blank(self) -> bool:
        """0 bytes, or a SQLite file with no table at all: nothing anyone could lose."""
        return self.size == 0 or not self.tables


def has_wal(path: Path) -> bool:
    """A -wal beside the file: another program has it open, or commits wait in it (a crash). Either way
    the file must be read through SQLite's locks, not as immutable."""
    return path.with_name(path.name + "-wal").exists()


def uri(path: Path, *, immutable: bool) -> str:
    """A read-only SQLite URI for ``path`` (percent-encoded: '?', '#' and '%' are legal in file names)."""
    return f"file:{quote(str(path))}?mode=ro" + ("&immutable=1" if immutable else "")


def connect_readonly(path: Path) -> sqlite3.Connection:
    """A read-only connection that leaves nothing beside the file. ``mode=ro`` alone creates -wal and
    -shm next to a WAL database and leaves them; ``immutable=1`` does not, but would miss commits
    still in a -wal and ignore other programs' locks, so it is used only when there is no -wal."""
    return sqlite3.connect(uri(path, immutable=not has_wal(path)), uri=True)


def look(path: Path) -> Look:
    """Read what ``path`` holds without changing it; StoreError when it is not a SQLite database."""
    try:
        with open(path, "rb") as f:
            head = f.read(100)
        size = path.stat().st_size
    except IsADirectoryError:
        raise StoreError(f"{path} 是文件夹，不是数据库文件，请给出数据库文件的路径") from None
    except PermissionError as exc:
        raise StoreError(f"无法读取数据库文件 {path}：没有读取权限（{exc.strerror}）") from None
    except OSError as exc:
        raise StoreError(f"无法读取数据库文件 {path}（{exc.strerror or exc}）") from None
    if size == 0:
        return Look(0)
    if len(head) < 100 or head[:16] != SQLITE_HEADER:
        raise StoreError(f"文件 {path} 不是 gridapp 数据库（不是 SQLite 数据库文件），为避免破坏数据未打开它")
    try:
        conn = connect_readonly(path)
    except sqlite3.Error as exc:
        raise StoreError(f"无法打开数据库文件 {path}（{exc}）") from None
    try:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = {n: frozenset(r[1] for r in conn.execute(f'PRAGMA table_info("{n}")'))
                  for n in names if not n.startswith("sqlite_")}
        revisions = None
        if "alembic_version" in tables:
            revisions = tuple(r[0] for r in conn.execute("SELECT * FROM alembic_version LIMIT 5"))
    except sqlite3.Error as exc:
        raise StoreError(f"文件 {path} 不是 gridapp 数据库，或已损坏（{exc}），为避免破坏数据未打开它") from None
    finally:
        conn.close()
    return Look(size, head[18] == _WAL_HEADER_VALUE and head[19] == _WAL_HEADER_VALUE, tables, revisions)


def connect_key(conn, key: bytes) -> None:
    """Give a sqlcipher3 connection its raw key, first of all statements."""
    conn.execute(f"PRAGMA key = \"x'{key.hex()}'\"")
    conn.execute("PRAGMA cipher_log_level = NONE")


def look_encrypted(path: Path, key: bytes) -> Look:
    """What an encrypted database holds, read with ``key``; StoreError when the key does not open it."""
    try:
        conn = sqlcipher.connect(uri(path, immutable=not has_wal(path)), uri=True)
    except sqlcipher.Error as exc:
        raise StoreError(f"无法打开数据库文件 {path}（{exc}）") from None
    try:
        connect_key(conn, key)
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        tables = {n: frozenset(r[1] for r in conn.execute(f'PRAGMA table_info("{n}")'))
                  for n in names if not n.startswith("sqlite_")}
        revisions = None
        if "alembic_version" in tables:
            revisions = tuple(r[0] for r in conn.execute("SELECT * FROM alembic_version LIMIT 5"))
        wal = conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    except sqlcipher.Error as exc:
        raise StoreError(f"加密的数据库 {path} 无法用密钥文件中的密钥打开，或已损坏（{exc}），没有打开它") from None
    finally:
        conn.close()
    return Look(path.stat().st_size, wal, tables, revisions)


def readonly_reason(path: Path) -> str | None:
    """Why the database at ``path`` cannot be written where it is (in Chinese), or None if it can.

    A database needs its folder writable too: SQLite keeps -wal and -shm files beside it."""
    folder = path.parent
    try:
        if hasattr(os, "statvfs") and os.statvfs(folder).f_flag & os.ST_RDONLY:
            return "只读介质或只读挂载的磁盘"
    except OSError:
        pass
    if path.exists() and not os.access(path, os.W_OK):
        return "文件设为只读或没有写入权限"
    if not os.access(folder, os.W_OK):
        return f"文件夹 {folder} 不允许写入"
    return None


def readonly_message(path: Path, reason: str) -> str:
    return (f"数据库 {path} 所在位置只读（{reason}），不能写入。"
            "请把数据库复制到可写的位置（如本机硬盘）后再操作；查看、导出、打印和检查仍可直接使用")


def full_message(where: Path | str) -> str:
    return f"磁盘空间不足：写入 {where} 时磁盘已满，本次改动没有写入（已全部撤销）。请清理磁盘空间后重试"


def translate(exc: BaseException, path: Path, *, writing: bool = True) -> StoreError | None:
    """A Chinese StoreError for a failure of the disk or of the file under ``path``; None for anything else
    (a broken rule such as UNIQUE stays what it is). The causes are searched too: after SQLITE_FULL SQLite
    rolls the whole transaction back itself, and what surfaces is the failed ROLLBACK TO SAVEPOINT."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        error = _translate_one(exc, path, "本次改动没有写入。" if writing else "")
        if error is not None:
            return error
        exc = exc.__cause__ or exc.__context__
    return None


def _translate_one(exc: BaseException, path: Path, unwritten: str) -> StoreError | None:
    if isinstance(exc, StoreError):  # already said (by the engine's error hook)
        return exc
    orig = getattr(exc, "orig", None) or exc
    if isinstance(orig, DB_ERRORS):
        code = (getattr(orig, "sqlite_errorcode", None) or 0) & 0xFF
        text = str(orig)
        if not code and "file is not a database" in text:  # sqlcipher3 gives no error codes
            code = SQLITE_NOTADB
        if code == SQLITE_FULL or "database or disk is full" in text:
            return StoreError(full_message(path))
        if code == SQLITE_READONLY or "readonly database" in text:
            return StoreError(readonly_message(path, readonly_reason(path) or "文件或磁盘不允许写入"))
        if code in (SQLITE_BUSY, SQLITE_LOCKED) or "database is locked" in text:
            return StoreError(f"数据库 {path} 正被另一个程序占用（{text}），{unwritten}"
                              "请关闭正在使用它的其他程序（如数据库查看工具）后重试")
        if code in (SQLITE_CORRUPT, SQLITE_NOTADB):
            return StoreError(f"数据库 {path} 已损坏（{text}），{unwritten}请用 gridapp check 检查，"
                              "并从备份恢复")
        if code == SQLITE_IOERR:
            return StoreError(f"读写数据库 {path} 时磁盘出错（{text}），{unwritten}"
                              "请检查U盘或磁盘是否已拔出或损坏")
        if code == SQLITE_CANTOPEN:
            return StoreError(f"无法打开数据库 {path}（{text}）：文件被移走、改名，或所在位置不可访问")
        return None
    if isinstance(orig, OSError):
        where = orig.filename or path
        if orig.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", -1)):
            return StoreError(full_message(where))
        if orig.errno == errno.EROFS:
            return StoreError(f"{where} 所在位置只读（只读介质或只读挂载的磁盘），不能写入")
    return None

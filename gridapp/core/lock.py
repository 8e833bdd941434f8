"""One program instance per database file, enforced with an OS file lock beside it.

The OS releases the lock when the process dies, so a crash never leaves a stale lock behind.
"""

from __future__ import annotations

import contextlib
import os
import socket
from pathlib import Path

from gridapp.core.errors import StoreError

if os.name == "nt":  # pragma: no cover - exercised on Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class DatabaseLock:
    def __init__(self, db_path: Path):
        self.path = Path(str(db_path) + ".lock")
        self._fd: int | None = None
        self.created = False  # this lock made the file: a refused open removes it again

    def acquire(self) -> None:
        existed = self.path.exists()
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise StoreError(f"数据库 {self.path.with_suffix('')} 所在位置只读（无法在文件夹 {self.path.parent} 中建立"
                             f"锁文件：{exc.strerror}），不能写入。请把数据库复制到可写的位置后再操作") from None
        if not _try_lock(fd):
            holder = ""
            try:
                with open(self.path, "rb") as f:
                    f.seek(1)
                    holder = f.read(200).decode("utf-8", "replace").strip()
            except OSError:
                pass
            os.close(fd)
            who = f"（{holder}）" if holder else ""
            raise StoreError(
                f"数据库 {self.path.with_suffix('')} 正在被另一个 gridapp 程序使用{who}。"
                "请先关闭那个程序，或用 --db 选择另一个数据库文件。"
            )
        # Byte 0 is the lock on Windows; the holder text goes after it.
        os.ftruncate(fd, 0)
        os.lseek(fd, 1, os.SEEK_SET)
        os.write(fd, f"进程 {os.getpid()}，计算机 {socket.gethostname()}".encode())
        self._fd = fd
        self.created = not existed

    def release(self, *, remove: bool = False) -> None:
        """Let the database go; ``remove`` deletes the lock file too (while still holding it, so no
        other program is holding the file this deletes)."""
        if self._fd is None:
            return
        try:
            if remove and os.name != "nt":
                self._remove()
            _unlock(self._fd)
        finally:
            os.close(self._fd)
            self._fd = None
        if remove and os.name == "nt":  # pragma: no cover - Windows cannot delete an open file
            self._remove()

    def _remove(self) -> None:
        with contextlib.suppress(OSError):
            self.path.unlink(missing_ok=True)

    def __enter__(self) -> DatabaseLock:
        self.acquire()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release()

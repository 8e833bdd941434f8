"""Writing the files people take away (exports, printouts, templates, reports, identity files, packages, backups).

Every such file is written the same way: the target is checked first (never a database, its -wal/-shm/.lock,
a backup, an input of the same job, a folder), the content goes to a temporary file in the target's folder
(created readable by the user alone), and only a complete file is moved into place; a failure or a cancel
leaves the old file, if any, as it was and no ``.part`` file behind. A reason the disk gives (full, read-only,
no permission, no such folder) becomes a sentence naming the path.
"""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from gridapp.core.errors import ValidationError

PathLike = Path | str


def os_error_message(exc: OSError, path: PathLike, *, writing: bool = True) -> str:
    """A Chinese sentence for what the operating system said about ``path``."""
    path = Path(path)
    verb = "写入" if writing else "读取"
    code = exc.errno
    winerror = getattr(exc, "winerror", None)
    if code == errno.ENOSPC or winerror in (39, 112):  # ERROR_HANDLE_DISK_FULL, ERROR_DISK_FULL
        return f"磁盘空间不足，未能{verb} {path}（请清理磁盘或换一个位置）"
    if code == errno.EROFS or winerror == 19:  # ERROR_WRITE_PROTECT
        return f"{path.parent} 所在位置只读（如写保护的 U 盘或光盘），未能{verb} {path.name}"
    if code in (errno.EACCES, errno.EPERM):
        if path.is_dir():
            return f"{path} 是文件夹，请给出文件名"
        return f"没有权限{verb} {path}（文件可能正被 Excel、WPS 或其他程序打开，或文件夹不允许写入）"
    if code == errno.ENOENT:
        if path.parent.is_dir():  # /proc and the like: a folder that takes no new files
            return f"{path.parent} 中不能新建文件，未能{verb} {path.name}，请换一个位置"
        return f"文件夹不存在：{path.parent}（未能{verb} {path.name}）"
    if code == errno.EFBIG:
        return (f"文件太大，{path.parent} 所在的磁盘放不下这么大的单个文件（如 FAT32 格式的 U 盘上限 4 GB），"
                f"未能{verb} {path.name}")
    if code == errno.ENOTDIR:
        return f"路径 {path} 中有一段不是文件夹，未能{verb}"
    if code == errno.EISDIR:
        return f"{path} 是文件夹，请给出文件名"
    if code == errno.ENAMETOOLONG:
        return f"文件名或路径太长，未能{verb}：{path}"
    if code == errno.EINVAL or winerror == 123:  # ERROR_INVALID_NAME
        return f"文件名 {path.name} 含有不允许的字符（如 \\ / : * ? \" < > |），未能{verb}"
    if code == errno.EIO:
        return f"读写 {path} 时设备出错（U 盘可能已拔出或损坏），未能{verb}"
    reason = exc.strerror or exc.__class__.__name__
    return f"未能{verb} {path}：{reason}"


def unused_name(path: PathLike) -> Path:
    """``path``, or ``name-2.ext``, ``name-3.ext``…: the first that does not exist yet (two backups in one second)."""
    path = Path(path)
    n = 2
    candidate = path
    while candidate.exists():
        candidate = path.with_name(f"{path.stem}-{n}{path.suffix}")
        n += 1
    return candidate


def _same_file(a: Path, b: Path) -> bool:
    if a == b:
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_target(path: PathLike, *, inputs: Iterable[PathLike | None] = ()) -> Path:
    """The resolved target of a file a job will write, refused before any work is done.

    Refused: a database or anything belonging to one (see ``store.check_output``), a folder, a file the same
    job reads (``inputs``, compared by resolved path and by file identity, so a hard link or another spelling
    of the same file is caught too), and a folder that does not exist or is not a folder.
    """
    from gridapp.core.store import check_output

    target = check_output(path)
    for source in inputs:
        if source is not None and _same_file(target, Path(source).expanduser().resolve()):
            raise ValidationError(f"输出文件 {target.name} 就是本次读取的文件，不能覆盖它，请换一个文件名")
    folder = target.parent
    if not folder.exists():
        raise ValidationError(f"文件夹不存在：{folder}（请先建好文件夹，或换一个位置）")
    if not folder.is_dir():
        raise ValidationError(f"路径 {target} 中的 {folder.name} 不是文件夹")
    return target


@contextmanager
def atomic_output(path: PathLike, *, inputs: Iterable[PathLike | None] = ()) -> Iterator[Path]:
    """A temporary path next to ``path`` to write into; moved onto ``path`` when the block ends normally.

    The temporary file exists (empty, mode 0600) when the block starts, so writers that open by name find it.
    If the block raises, the temporary file is removed and ``path`` is untouched; an ``OSError`` becomes a
    ValidationError naming the path and the reason.
    """
    target = check_target(path, inputs=inputs)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.stem[:40]}-", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise ValidationError(os_error_message(exc, target)) from None
    os.close(fd)
    tmp = Path(name)
    try:
        try:
            yield tmp
            _fsync(tmp)
            os.replace(tmp, target)
        except OSError as exc:
            raise ValidationError(os_error_message(exc, target)) from None
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)


def _fsync(path: Path) -> None:
    """The content on the disk before the rename makes it the file (a USB stick pulled out early)."""
    with open(path, "rb+") as f:
        os.fsync(f.fileno())


def write_bytes(path: PathLike, data: bytes, *, inputs: Iterable[PathLike | None] = ()) -> Path:
    with atomic_output(path, inputs=inputs) as tmp:
        tmp.write_bytes(data)
    return Path(path).expanduser().resolve()

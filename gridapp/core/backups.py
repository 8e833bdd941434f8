"""Starting a database from a backup (restore): checked, copied, then opened and audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gridapp.core import accounts, audit, keys
from gridapp.core.errors import DomainError, PermissionDenied, StoreError
from gridapp.core.store import Store, backup_database

Credentials = Callable[[], tuple[str, str]]


def restore(backup: Path | str, dest: Path | str, *, credentials: Credentials | None = None) -> Store:
    """This PC's database at ``dest`` (which must not exist yet) made from ``backup``, opened.

    A backup with accounts is restored only by one of its administrators: ``credentials()`` gives the name
    and password (asked only then); they are checked against the backup without writing to it, the restored
    database logs that account in and its audit trail records the restore.
    """
    backup, dest = Path(backup).expanduser().resolve(), Path(dest).expanduser().resolve()
    if dest.exists():
        raise StoreError(f"{dest} 已存在，没有用备份覆盖它；请先把它移走（或选择另一个位置）再恢复")
    name = password = key = None
    if keys.is_encrypted(backup):  # an encrypted backup: one of its accounts unwraps its key before anything is read
        if credentials is None:
            raise PermissionDenied(f"备份 {backup.name} 设有账号：恢复需要该备份中的管理员账号和密码")
        name, password = credentials()
        key = keys.KeyFile.read(backup).unlock(name, password)
        if key is None:
            raise PermissionDenied(f"账号“{name}”或密码不正确（备份 {backup.name} 的账号），没有恢复")
    with Store(backup, lock=False, upgrade=False, readonly_ok=True, key=key) as check:
        if check.site is None:
            raise DomainError(f"{backup.name} 中没有站点信息，不是可恢复的 gridapp 数据库备份")
        if check.has_accounts:
            if credentials is None:
                raise PermissionDenied(f"备份 {backup.name} 设有账号：恢复需要该备份中的管理员账号和密码")
            if key is None:
                name, password = credentials()
            accounts.check_holder(check, name, password, "restore")
    backup_database(backup, dest, key=key)  # still encrypted, its key file beside it
    store = Store(dest)
    try:
        if store.has_accounts:
            store.login(name, password)
        audit.record(store, "restore", f"从备份 {backup} 恢复数据库到 {dest}")
    except BaseException:
        store.close()
        raise
    return store

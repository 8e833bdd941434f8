"""Encrypting a clear database that has accounts, in place: a clear safety copy first, an encrypted copy made
with ``sqlcipher_export`` and checked (every table's row count), moved over the original, the clear copy gone."""

from __future__ import annotations

import datetime as dt
import os
import sqlite3
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from gridapp.core import dbfile, keys
from gridapp.core.errors import StoreError

NOTICE = ("数据库已加密保存（{path}）：密钥文件 {keys} 须与数据库放在一起。恢复密钥（只显示这一次）：{code}。"
          "请把它抄写或打印下来，封存在办公室保险柜中。加密前的未加密备份已在核对无误后删除。{others}")


def _counts(conn) -> dict[str, int]:
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}


def encrypt_in_place(path: Path, name: str, password: str, others: list[str]) -> tuple[bytes, str]:
    """Encrypt the closed clear database at ``path`` (its engine disposed, its lock held); the new key file
    wraps the key for ``name`` and the recovery key. (key, the notice to show once). Nothing changes on failure."""
    from gridapp.core.files import unused_name
    from gridapp.core.paths import backups_dir
    from gridapp.core.store import backup_database

    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    safety = backup_database(path, unused_name(backups_dir(path) / f"{path.stem}-加密前-{stamp}.sqlite"))
    tmp = path.with_name(path.name + ".encrypting")
    tmp_keys = keys.key_path(tmp)
    try:
        _kf, key, code = keys.KeyFile.create(tmp, name, password)
        src = sqlite3.connect(path)
        try:
            version = src.execute("PRAGMA user_version").fetchone()[0]
            before = _counts(src)
        finally:
            src.close()
        conn = sqlcipher.connect(str(path))
        try:
            conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key.hex()}'\"", (str(tmp),))
            conn.execute("SELECT sqlcipher_export('enc')")
            conn.execute(f"PRAGMA enc.user_version = {int(version)}")
            conn.execute("DETACH DATABASE enc")
        finally:
            conn.close()
        check = sqlcipher.connect(str(tmp))
        try:
            dbfile.connect_key(check, key)
            verdict = check.execute("PRAGMA quick_check").fetchone()[0]
            after = _counts(check)
        finally:
            check.close()
        if verdict != "ok" or after != before:
            raise StoreError(f"加密数据库 {path} 时核对不符（{verdict}），数据库保持未加密，没有改动")
        os.replace(tmp_keys, keys.key_path(path))
        os.replace(tmp, path)
    except (*dbfile.DB_ERRORS, OSError) as exc:
        raise StoreError(f"加密数据库 {path} 失败（{exc}），数据库保持未加密，没有改动") from exc
    finally:
        for leftover in (tmp, tmp_keys, tmp.with_name(tmp.name + "-journal")):
            leftover.unlink(missing_ok=True)
    for clear in (safety, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")):
        clear.unlink(missing_ok=True)  # the old -wal/-shm hold clear pages of the file now replaced
    note = (f"以下账号在加密后需由管理员重置密码才能登录：{'、'.join(others)}" if others else "")
    return key, NOTICE.format(path=path, keys=keys.key_path(path), code=code, others=note)

"""Reading a test database's raw tables, clear or encrypted (with an account's password for the key file)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlcipher3.dbapi2 as sqlcipher

from gridapp.core import dbfile, keys


def connect(path: Path, account: str = "", password: str = ""):
    """A plain DB-API connection on ``path``: sqlite3 for a clear file, sqlcipher3 with the key otherwise."""
    if not keys.is_encrypted(path):
        return sqlite3.connect(path)
    key = keys.KeyFile.read(path).unlock(account, password)
    assert key is not None, f"{account} cannot open {path}"
    conn = sqlcipher.connect(str(path))
    dbfile.connect_key(conn, key)
    return conn

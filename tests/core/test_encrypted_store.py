"""An encrypted database: closed until an account logs in, its key from the key file, backups encrypted too."""

from __future__ import annotations

import pytest

from gridapp.core import accounts, audit, keys
from gridapp.core.backups import restore
from gridapp.core.errors import PermissionDenied
from gridapp.core.services.site import init_site
from gridapp.core.store import Store

PASSWORD = "Admin#2026"


@pytest.fixture
def encrypted(tmp_path):
    path = tmp_path / "street.sqlite"
    _kf, key, code = keys.KeyFile.create(path, "boss", PASSWORD)
    with Store(path, create=True, key=key) as store:
        init_site(store, level="street", code="370203012", name="海泉路街道")
        accounts.add_account(store, "boss", PASSWORD, role=accounts.ADMIN)
        store.login("boss", PASSWORD)
        accounts.add_account(store, "clerk1", "Clerk#2026", role=accounts.CLERK)
    return path, code


def test_the_file_is_not_readable_sqlite_and_the_store_stays_closed_until_login(encrypted):
    path, _code = encrypted
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    assert "海泉路街道".encode() not in path.read_bytes()
    store = Store(path)
    try:
        assert store.has_accounts and store.site is None and not store.is_open
        with pytest.raises(PermissionDenied, match="请先登录"), store.read():
            pass
        store.login("clerk1", "Clerk#2026")
        assert store.is_open and store.site.name == "海泉路街道" and store.may("write")
    finally:
        store.close()


def test_wrong_passwords_are_counted_in_the_key_file_then_audited(encrypted):
    path, _code = encrypted
    store = Store(path)
    try:
        with pytest.raises(PermissionDenied, match="再错 4 次"):
            store.login("clerk1", "Wrong#2026")
        with pytest.raises(PermissionDenied, match="或密码不正确"):
            store.login("nobody", "Wrong#2026")
        assert not store.is_open
        store.login("boss", PASSWORD)
        failed = audit.events(store, action="login_failed")
        assert sorted(e.account for e in failed) == ["clerk1", "nobody"]
    finally:
        store.close()


def test_a_changed_password_opens_the_database_the_old_one_not(encrypted):
    path, _code = encrypted
    with Store(path) as store:
        store.login("boss", PASSWORD)
        accounts.reset_password(store, "clerk1", "Fresh#2026")
    with Store(path) as store:
        with pytest.raises(PermissionDenied):
            store.login("clerk1", "Clerk#2026")
        store.login("clerk1", "Fresh#2026")


def test_a_backup_is_encrypted_with_its_key_file_and_restores_with_an_account(encrypted, tmp_path):
    path, _code = encrypted
    backup = tmp_path / "b" / "backup.sqlite"
    with Store(path) as store:
        store.login("boss", PASSWORD)
        store.backup(backup)
    assert keys.is_encrypted(backup) and backup.read_bytes()[:16] != b"SQLite format 3\x00"
    with pytest.raises(PermissionDenied):
        restore(backup, tmp_path / "new" / "s.sqlite", credentials=lambda: ("boss", "Wrong#2026"))
    restored = restore(backup, tmp_path / "new" / "s.sqlite", credentials=lambda: ("boss", PASSWORD))
    try:
        assert restored.site.name == "海泉路街道" and keys.is_encrypted(restored.path)
    finally:
        restored.close()


def test_a_clear_database_with_one_account_is_encrypted_at_the_administrators_login(tmp_path):
    import sqlite3

    from gridapp.core.paths import backups_dir
    from tests.dbfiles import connect

    path = tmp_path / "old.sqlite"
    with Store(path, create=True) as store:  # made as the release before encryption made it: clear
        init_site(store, level="street", code="370203012", name="海泉路街道")
        accounts.add_account(store, "boss", PASSWORD, role=accounts.ADMIN)
        store.login("boss", PASSWORD)
        store.set_setting("idle_minutes", 12)
    assert store.notice is None and not keys.is_encrypted(path)
    conn = sqlite3.connect(path)
    names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    before = {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
    conn.close()
    with Store(path) as store:
        store.login("boss", PASSWORD)
        assert keys.is_encrypted(path) and "数据库已加密保存" in store.notice and "恢复密钥" in store.notice
        assert store.site.name == "海泉路街道" and store.get_setting("idle_minutes") == 12
        accounts.add_account(store, "clerk1", "Clerk#2026", role=accounts.CLERK)  # the store keeps working
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    assert not list(backups_dir(path).glob("*加密前*"))  # the clear safety copy is gone once verified
    conn = connect(path, "boss", PASSWORD)
    after = {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in before}
    conn.close()
    changed = ("audit_event", "account")
    assert {k: v for k, v in after.items() if k not in changed} == {k: v for k, v in before.items() if k not in changed}
    with Store(path) as store:
        store.login("clerk1", "Clerk#2026")


def test_a_clear_database_with_other_accounts_stays_clear_and_says_why(tmp_path):
    path = tmp_path / "old.sqlite"
    with Store(path, create=True) as store:
        init_site(store, level="street", code="370203012", name="海泉路街道")
        accounts.add_account(store, "boss", PASSWORD, role=accounts.ADMIN)
        store.login("boss", PASSWORD)
        accounts.add_account(store, "clerk1", "Clerk#2026", role=accounts.CLERK)
    with Store(path) as store:
        store.login("clerk1", "Clerk#2026")  # not an administrator: nothing said
        assert store.notice is None
    with Store(path) as store:
        store.login("boss", PASSWORD)
        assert not keys.is_encrypted(path) and "尚未加密" in store.notice and "clerk1" in store.notice


def test_a_copy_made_without_the_key_at_hand_uses_the_open_stores_key(encrypted, tmp_path):
    from gridapp.core.errors import StoreError
    from gridapp.core.store import backup_database

    path, _code = encrypted
    with pytest.raises(StoreError, match="请先登录再备份"):
        backup_database(path, tmp_path / "x" / "copy.sqlite")
    with Store(path) as store:
        store.login("boss", PASSWORD)
        copy = backup_database(path, tmp_path / "x" / "copy.sqlite")  # as sync's pre-import copy calls it
    assert keys.is_encrypted(copy) and copy.read_bytes()[:16] != b"SQLite format 3\x00"
    with Store(copy) as again:
        again.login("boss", PASSWORD)
        assert again.site.name == "海泉路街道"


def test_an_export_never_overwrites_an_encrypted_database_or_its_key_file(encrypted):
    from gridapp.core.errors import ValidationError
    from gridapp.core.store import check_output

    path, _code = encrypted
    for target in (path, keys.key_path(path)):
        with pytest.raises(ValidationError, match="加密的数据库"):
            check_output(target)


def test_an_encrypted_database_of_an_older_revision_upgrades_with_an_encrypted_backup(encrypted):
    """The next release's migrations run on an encrypted file: the pre-upgrade copy is encrypted too and
    opens with the same account."""
    from alembic import command
    from sqlalchemy import text

    from gridapp.core import schema

    path, _code = encrypted
    with Store(path) as store:
        store.login("boss", PASSWORD)
        cfg = schema.alembic_config(store.engine)
        with store.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.downgrade(cfg, "0009")
    with Store(path) as store:
        store.login("boss", PASSWORD)
        assert store.upgraded_from == "0009" and store.backup_path is not None
        with store.engine.connect() as conn:
            assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar() == schema.SCHEMA_HEAD
        backup = store.backup_path
    assert backup.read_bytes()[:16] != b"SQLite format 3\x00" and keys.key_path(backup).exists()
    from contextlib import closing

    from tests.dbfiles import connect

    with closing(connect(backup, "boss", PASSWORD)) as copy:
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == "0009"
        assert copy.execute("SELECT name FROM org_unit").fetchall() == [("海泉路街道",)]

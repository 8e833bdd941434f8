"""The key file: slots per account and for recovery, rewrapping, failed logins kept outside the database."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from gridapp.core import keys
from gridapp.core.errors import PermissionDenied, StoreError


def test_a_new_key_file_opens_with_the_password_and_the_recovery_code(tmp_path):
    db = tmp_path / "街道.sqlite"
    kf, key, code = keys.KeyFile.create(db, "admin", "Secret-123")
    assert kf.path == tmp_path / "街道.sqlite.keys" and keys.is_encrypted(db)
    assert len(key) == 32 and len(code.replace("-", "")) >= 24
    again = keys.KeyFile.read(db)
    assert again.unlock("admin", "Secret-123") == key
    assert again.unlock("ADMIN ", "Secret-123") == key  # login names are case-insensitive
    assert again.unlock("admin", "wrong") is None
    assert again.unlock("nobody", "Secret-123") is None
    assert again.unlock_recovery(code.lower().replace("-", " ")) == key
    with pytest.raises(PermissionDenied, match="恢复密钥不正确"):
        again.unlock_recovery("AAAA-BBBB")
    assert key.hex() not in kf.path.read_text("utf-8")


def test_a_slot_is_bound_to_its_account_and_database(tmp_path):
    kf, key, _code = keys.KeyFile.create(tmp_path / "a.sqlite", "admin", "Secret-123")
    kf.set_account(key, "li", "Other-456")
    data = json.loads(kf.path.read_text("utf-8"))
    # li's slot copied onto admin's name does not open: the associated data names the account
    data["slots"]["account:admin"] = {**data["slots"]["account:li"], "account": "admin"}
    kf.path.write_text(json.dumps(data), "utf-8")
    assert keys.KeyFile.read(tmp_path / "a.sqlite").unlock("admin", "Other-456") is None


def test_changing_a_password_rewraps_that_slot_only(tmp_path):
    db = tmp_path / "a.sqlite"
    kf, key, _code = keys.KeyFile.create(db, "admin", "Secret-123")
    kf.set_account(key, "li", "Other-456")
    before = json.loads(kf.path.read_text("utf-8"))["slots"]
    kf.set_account(key, "li", "Newer-789")
    after = json.loads(kf.path.read_text("utf-8"))["slots"]
    assert after["account:admin"] == before["account:admin"] and after["recovery"] == before["recovery"]
    assert after["account:li"] != before["account:li"]
    assert kf.unlock("li", "Newer-789") == key and kf.unlock("li", "Other-456") is None
    kf.remove_account("li")
    assert keys.KeyFile.read(db).account_names() == ["admin"]
    assert not list(tmp_path.glob("*.part"))


def test_failed_logins_lock_the_slot_and_wait_for_the_audit_trail(tmp_path):
    kf, _key, _code = keys.KeyFile.create(tmp_path / "a.sqlite", "admin", "Secret-123")
    now = dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    for n in range(1, 5):
        assert kf.failed("admin", now, max_failures=5, lock_time=dt.timedelta(minutes=10)) == (n, None)
    count, until = kf.failed("admin", now, max_failures=5, lock_time=dt.timedelta(minutes=10))
    assert (count, until) == (0, now + dt.timedelta(minutes=10))
    again = keys.KeyFile.read(tmp_path / "a.sqlite")
    assert again.locked_until("admin") == until
    pending = again.take_pending("admin")
    assert len(pending) == 5 and pending[-1]["locked"]
    assert keys.KeyFile.read(tmp_path / "a.sqlite").locked_until("admin") is None


def test_a_missing_or_foreign_key_file_is_refused_with_a_sentence(tmp_path):
    with pytest.raises(StoreError, match=r"密钥文件.*不存在"):
        keys.KeyFile.read(tmp_path / "a.sqlite")
    (tmp_path / "b.sqlite.keys").write_text("{}", "utf-8")
    with pytest.raises(StoreError, match="格式无法识别"):
        keys.KeyFile.read(tmp_path / "b.sqlite")

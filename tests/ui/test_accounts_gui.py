"""A database with accounts is not shown without a login: the window says so in Chinese and does not crash."""

from __future__ import annotations

import pytest

from gridapp.core import accounts
from gridapp.core.errors import DomainError
from gridapp.core.services.site import init_site
from gridapp.core.store import Store


def _with_admin(path):
    with Store(path, create=True) as store:
        init_site(store, level="street", code="370203012", name="海泉路街道")
        accounts.add_account(store, "boss", "Admin#2026", role="admin")


def test_the_window_refuses_a_database_with_accounts_with_a_sentence(tmp_path, qtbot, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from gridapp.ui import app

    path = tmp_path / "s.sqlite"
    _with_admin(path)
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a, **k: shown.append(f"{title}：{text}"))
    assert app.run_gui(path) == 1
    assert shown and "已设置账号，使用前需要登录" in shown[0] and "--user" in shown[0]
    with Store(path) as again:  # released: the lock is gone and the file opens again
        assert again.has_accounts


def test_a_backup_with_accounts_is_not_restored_without_its_administrator(tmp_path):
    from gridapp.ui.app import restore_backup

    backup = tmp_path / "b.sqlite"
    _with_admin(backup)
    with pytest.raises(DomainError, match="需要该备份中的管理员账号"):
        restore_backup(backup, tmp_path / "new.sqlite")
    assert not (tmp_path / "new.sqlite").exists()

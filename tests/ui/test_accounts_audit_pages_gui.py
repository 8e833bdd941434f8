"""系统设置 → 账号管理 and 安全审计: an administrator manages accounts through the core (refusals said in the
dialog), reads the audit trail filtered, and exports it; any other account sees a sentence instead."""

from __future__ import annotations

import shutil

import pytest
from openpyxl import load_workbook
from PySide6.QtWidgets import QLabel

from gridapp.core import accounts, audit
from gridapp.core.store import Store
from gridapp.ui.accounts_panel import AccountDialog
from gridapp.ui.pages.settings_page import SettingsPage

ADMIN_PW, VIEWER_PW = "Admin#2026", "Viewer#2026"


@pytest.fixture
def store(demo_template, tmp_path):
    path = tmp_path / "accounts.sqlite"
    shutil.copy(demo_template, path)
    s = Store(path)
    accounts.add_account(s, "boss", ADMIN_PW, role="admin", display_name="王主任")
    s.login("boss", ADMIN_PW)
    accounts.add_account(s, "zhao", VIEWER_PW, role="viewer", display_name="赵查看")
    yield s
    s.close()


def test_an_administrator_creates_a_clerk_weak_password_refused_first(store, qtbot):
    page = SettingsPage(store)
    qtbot.addWidget(page)
    panel = page.accounts_panel
    assert panel is not None and panel.table.rowCount() == 2
    dialog = AccountDialog(store, panel)
    qtbot.addWidget(dialog)
    qtbot.keyClicks(dialog.name, "li")
    dialog.password.setText("abc12345")
    dialog.confirm.setText("abc12345")
    dialog._save()
    assert "至少三种" in dialog.error.text() and dialog.name.text() == "li" and dialog.result() == 0
    dialog.password.setText("Clerk#2026")
    dialog.confirm.setText("Clerk#2026")
    dialog._save()
    assert dialog.result() == AccountDialog.DialogCode.Accepted
    panel.refresh()
    assert [a.name for a in panel.rows] == ["boss", "li", "zhao"]
    assert panel.table.item(1, 2).text() == "经办人"


def test_the_last_administrator_cannot_be_disabled_and_a_reset_is_audited(store, qtbot):
    dialog = AccountDialog(store, reset="zhao")
    qtbot.addWidget(dialog)
    dialog.password.setText("New#Pass2026")
    dialog.confirm.setText("New#Pass2026")
    dialog._save()
    assert dialog.result() == AccountDialog.DialogCode.Accepted
    from gridapp.core.errors import ValidationError

    with pytest.raises(ValidationError, match=r"最后一个启用的管理员|当前登录"):
        accounts.set_enabled(store, "boss", False)
    actions = [e.action for e in audit.events(store, limit=3)]
    assert actions[0] == "account_disabled" and "password_reset" in actions


def test_the_audit_panel_filters_and_exports(store, qtbot, tmp_path, monkeypatch):
    page = SettingsPage(store)
    qtbot.addWidget(page)
    panel = page.audit_panel
    assert panel.model.rowCount() >= 2
    assert panel.model.entries[0].at >= panel.model.entries[-1].at  # newest first
    panel.action.setCurrentIndex(panel.action.findData("account_added"))
    panel.refresh()
    assert {e.action for e in panel.model.entries} == {"account_added"}
    out = tmp_path / "审计.xlsx"
    from gridapp.ui import audit_panel

    monkeypatch.setattr(audit_panel.QMessageBox, "information", lambda *a, **k: None)  # the “done” note only
    assert panel.export(out) == out
    rows = list(load_workbook(out).active.iter_rows(values_only=True))
    assert rows[0][:3] == ("时间", "账号", "操作") and len(rows) == 1 + len(panel.model.entries)
    assert audit.events(store, limit=1)[0].action == "export"


def test_a_viewer_sees_a_sentence_instead_of_the_panels(store, qtbot):
    store.logout()
    store.login("zhao", VIEWER_PW)
    page = SettingsPage(store)
    qtbot.addWidget(page)
    assert page.accounts_panel is None and page.audit_panel is None
    texts = [label.text() for label in page.findChildren(QLabel)]
    assert any("只有管理员" in t for t in texts)

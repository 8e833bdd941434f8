"""The idle lock (password of the logged-in account, forms kept) and a viewer's buttons disabled with why."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QDialog, QLineEdit, QVBoxLayout

from gridapp.core import accounts, audit
from gridapp.core.store import Store
from gridapp.ui import permits
from gridapp.ui.idle_lock import UnlockDialog

ADMIN_PW, VIEWER_PW = "Admin#2026", "Viewer#2026"


@pytest.fixture
def accounts_db(demo_template, tmp_path):
    path = tmp_path / "accounts.sqlite"
    shutil.copy(demo_template, path)
    with Store(path) as store:
        accounts.add_account(store, "boss", ADMIN_PW, role="admin", display_name="王主任")
        store.login("boss", ADMIN_PW)
        accounts.add_account(store, "zhao", VIEWER_PW, role="viewer", display_name="赵查看")
        store.logout()
    return path


def test_permission_of_a_button_is_read_from_its_text():
    assert permits.needed("导入花名册") == "import"
    assert permits.needed("导出数据包…") == "sync"
    assert permits.needed("导出…") == "export"
    assert permits.needed("网格员花名册（完整身份证号码）— 打印预览…") == "export_ids"
    assert permits.needed("登记网格员") == "write"
    assert permits.needed("单位情况") is None


def test_a_viewer_finds_import_export_edit_and_backup_disabled_with_the_reason(accounts_db, qtbot):
    from gridapp.ui.main_window import MainWindow
    from gridapp.ui.pages.workers_page import WorkersPage

    store = Store(accounts_db)
    store.login("zhao", VIEWER_PW)
    window = MainWindow(store)
    qtbot.addWidget(window)
    page = window.page(WorkersPage)
    for button in (page.import_button, page.add_button, page.edit_button, page.list.export_button,
                   page.print_button):
        assert not button.isEnabled(), button.text()
    assert page.import_button.toolTip() == "当前账号（查看）无权导入数据"
    assert not window.backup_action.isEnabled()
    window.close()


def test_the_window_locks_when_idle_and_the_password_unlocks_keeping_the_form(accounts_db, qtbot):
    from gridapp.ui.main_window import MainWindow

    store = Store(accounts_db)
    store.login("boss", ADMIN_PW)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    form = QDialog(window)
    field = QLineEdit(form)
    QVBoxLayout(form).addWidget(field)
    form.show()
    qtbot.keyClicks(field, "half typed")
    seen: dict[str, object] = {}

    def answer() -> None:
        dialog = window.idle.dialog
        if dialog is None:
            QTimer.singleShot(20, answer)
            return
        seen["central_hidden"] = not window.centralWidget().isVisible()
        seen["form_inert"] = not form.isEnabled()
        dialog.password.setText("wrong#Pass1")
        dialog.login_button.click()
        seen["wrong"] = dialog.error.text()
        dialog.password.setText(ADMIN_PW)
        dialog.login_button.click()

    QTimer.singleShot(20, answer)
    window.idle.start(store, 50)
    qtbot.waitUntil(lambda: "wrong" in seen and not window.idle.locked, timeout=5000)
    assert seen["central_hidden"] and seen["form_inert"]
    assert "密码不正确" in seen["wrong"]
    assert form.isVisible() and form.isEnabled() and field.text() == "half typed"
    assert window.centralWidget().isVisible()
    actions = [e.action for e in audit.events(store, limit=5)]
    assert "lock" in actions and "unlock" in actions
    window.idle.stop()
    form.close()
    window.close()


def test_the_unlock_dialog_asks_only_the_password_of_the_account(accounts_db, qtbot):
    with Store(accounts_db) as store:
        store.login("boss", ADMIN_PW)
        dialog = UnlockDialog(store)
        qtbot.addWidget(dialog)
        assert dialog.account.text() == "boss" and dialog.account.isReadOnly()
        assert dialog.cancel_button.text() == "注销"

"""A database with accounts is shown only after a login: the 登录 dialog, who is logged in, 注销, the first
administrator from the first-run dialog, and a viewer's refusals as messages (never a traceback)."""

from __future__ import annotations

import datetime as dt
import shutil

import pytest
from PySide6.QtCore import Qt

from gridapp.core import accounts
from gridapp.core.errors import DomainError
from gridapp.core.services.site import init_site
from gridapp.core.store import Store
from gridapp.ui.login_dialog import LoginDialog

ADMIN_PW, CLERK_PW, VIEWER_PW = "Admin#2026", "Clerk#2026", "Viewer#2026"


def _with_accounts(store: Store) -> None:
    accounts.add_account(store, "boss", ADMIN_PW, role="admin", display_name="王主任")
    store.login("boss", ADMIN_PW)
    accounts.add_account(store, "li", CLERK_PW, role="clerk", display_name="李经办")
    accounts.add_account(store, "zhao", VIEWER_PW, role="viewer", display_name="赵查看")
    store.logout()


def _with_admin(path):
    with Store(path, create=True) as store:
        init_site(store, level="street", code="370203012", name="海泉路街道")
        _with_accounts(store)


@pytest.fixture
def accounts_db(demo_template, tmp_path):
    """The small demo data with 王主任 (管理员), 李经办 (经办人) and 赵查看 (查看)."""
    path = tmp_path / "accounts.sqlite"
    shutil.copy(demo_template, path)
    with Store(path) as store:
        _with_accounts(store)
    return path


def _type_login(qtbot, dialog: LoginDialog, name: str, password: str) -> None:
    dialog.account.setText(name)
    dialog.password.clear()
    qtbot.keyClicks(dialog.password, password)
    qtbot.keyClick(dialog.password, Qt.Key.Key_Return)  # Enter logs in


def test_the_login_dialog_says_why_and_stays_open_until_the_right_password(tmp_path, qtbot):
    path = tmp_path / "s.sqlite"
    _with_admin(path)
    with Store(path) as store:
        dialog = LoginDialog(store)
        qtbot.addWidget(dialog)
        dialog.show()
        assert str(path) in dialog.db_label.text()
        assert dialog.password.echoMode() == dialog.password.EchoMode.Password
        assert [dialog.login_button.text(), dialog.cancel_button.text()] == ["登录", "退出"]

        _type_login(qtbot, dialog, "boss", "wrong#Pass1")
        assert dialog.isVisible() and store.account is None
        assert "密码不正确" in dialog.error.text() and "再错 4 次" in dialog.error.text()
        assert dialog.error.objectName() == "error"  # red in the style sheet
        assert dialog.password.text() == "" and dialog.focusWidget() is dialog.password

        _type_login(qtbot, dialog, "nobody", "whatever")
        assert "或密码不正确" in dialog.error.text() and dialog.isVisible()

        _type_login(qtbot, dialog, "boss", ADMIN_PW)
        assert dialog.result() == LoginDialog.DialogCode.Accepted
        assert store.account is not None and store.account.name == "boss"


def test_a_locked_and_a_disabled_account_are_refused_in_the_dialog(tmp_path, qtbot):
    path = tmp_path / "s.sqlite"
    _with_admin(path)
    with Store(path) as store:
        store.login("boss", ADMIN_PW)
        accounts.set_enabled(store, "zhao", False)
        store.logout()
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        for _ in range(accounts.MAX_FAILURES):
            with pytest.raises(DomainError):
                store.login("li", "bad#Pass12", now=now)
        dialog = LoginDialog(store)
        qtbot.addWidget(dialog)
        dialog.show()
        _type_login(qtbot, dialog, "li", CLERK_PW)
        assert "已锁定" in dialog.error.text() and "以后再试" in dialog.error.text(), dialog.error.text()
        _type_login(qtbot, dialog, "zhao", VIEWER_PW)
        assert "已停用" in dialog.error.text() and dialog.isVisible() and store.account is None


def test_the_program_asks_for_a_login_and_shows_who_is_logged_in(tmp_path, qtbot, monkeypatch, messages):
    from gridapp.ui import app
    from gridapp.ui.main_window import MainWindow

    path = tmp_path / "s.sqlite"
    _with_admin(path)
    shown: list[MainWindow] = []
    monkeypatch.setattr(MainWindow, "show", lambda self: shown.append(self))
    monkeypatch.setattr(app.QApplication, "exec", lambda *_: 0)

    def log_in(self):
        self.account.setText("boss")
        self.password.setText(ADMIN_PW)
        self.login_button.click()
        return self.result()

    monkeypatch.setattr(LoginDialog, "exec", log_in)
    assert app.run_gui(path) == 0
    window = shown[0]
    qtbot.addWidget(window)
    assert window.account_label.text() == "当前账号：王主任（boss，管理员）"
    assert window.logout_action.isVisible()
    window.close()


def test_quitting_the_login_dialog_ends_the_program_and_releases_the_file(tmp_path, qtbot, monkeypatch):
    from gridapp.ui import app

    path = tmp_path / "s.sqlite"
    _with_admin(path)
    monkeypatch.setattr(LoginDialog, "exec", lambda self: self.cancel_button.click() or self.result())
    assert app.run_gui(path) == 0
    with Store(path) as again:  # released: the lock is gone and the file opens again
        assert again.has_accounts and again.account is None


def test_logging_out_asks_again_and_another_account_logs_in(accounts_db, qtbot, monkeypatch):
    from gridapp.ui.main_window import MainWindow

    store = Store(accounts_db)
    store.login("boss", ADMIN_PW)
    window = MainWindow(store)
    qtbot.addWidget(window)
    window.show()
    seen: list[tuple[str, int]] = []

    def as_clerk(self):
        seen.append((window.account_label.text(), window.stack.currentWidget().findChildren(object).__len__()))
        self.account.setText("li")
        self.password.setText(CLERK_PW)
        self.login_button.click()
        return self.result()

    monkeypatch.setattr(LoginDialog, "exec", as_clerk)
    window.logout_action.trigger()
    assert seen == [("", 0)]  # while the dialog asks, no account is shown and the page is empty
    assert window.account_label.text() == "当前账号：李经办（li，经办人）"
    assert window.store.account.name == "li" and window.isVisible()

    monkeypatch.setattr(LoginDialog, "exec", lambda self: self.cancel_button.click() or self.result())
    window.logout_action.trigger()
    assert not window.isVisible() and store.account is None  # 退出: the program ends


def test_a_database_without_accounts_has_no_logout_and_no_account_shown(window):
    assert not window.logout_action.isVisible() and not window.account_label.isVisible()


def test_opening_a_database_with_accounts_asks_and_cancel_keeps_the_current_one(window, accounts_db, tmp_path,
                                                                               qtbot, monkeypatch):
    other = tmp_path / "other.sqlite"
    shutil.copy(accounts_db, other)
    before = window.store
    monkeypatch.setattr(LoginDialog, "exec", lambda self: (self.cancel_button.text() == "取消"
                                                            and self.cancel_button.click()) or self.result())
    window.open_database(other)
    assert window.store is before and before.path != other and window.stack.currentWidget() is not None

    def as_viewer(self):
        self.account.setText("zhao")
        self.password.setText(VIEWER_PW)
        self.login_button.click()
        return self.result()

    monkeypatch.setattr(LoginDialog, "exec", as_viewer)
    window.open_database(other)
    assert window.store.path == other and window.store.account.name == "zhao"
    assert window.account_label.text() == "当前账号：赵查看（zhao，查看）"


def test_a_viewer_gets_the_refusal_of_an_import_as_a_message(accounts_db, qtbot, messages):
    from gridapp.ui.import_dialog import ImportDialog
    from tests.conftest import SAMPLES

    with Store(accounts_db) as store:
        store.login("zhao", VIEWER_PW)
        dialog = ImportDialog(store, "workers")
        qtbot.addWidget(dialog)
        dialog.set_path(SAMPLES / "网格员花名册-示例.xlsx")
        dialog.check()
        qtbot.waitUntil(lambda: bool(messages), timeout=10000)
        kind, text = messages[0]
        assert kind == "warning" and "无权导入数据" in text, messages


def test_a_refusal_that_escapes_a_slot_is_a_warning_not_an_unexpected_error(qtbot, monkeypatch):
    import sys

    from PySide6.QtWidgets import QMessageBox

    from gridapp.core.errors import PermissionDenied
    from gridapp.ui.errors import install_excepthook

    seen: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, title, text, *a: seen.append(f"{title}|{text}"))
    monkeypatch.setattr(QMessageBox, "critical", lambda _p, title, text, *a: seen.append(f"CRITICAL {title}"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    install_excepthook()
    try:
        raise PermissionDenied("当前账号（查看）无权导出数据，没有执行")
    except PermissionDenied as exc:
        sys.excepthook(type(exc), exc, exc.__traceback__)
    assert seen == ["操作未完成|当前账号（查看）无权导出数据，没有执行"]


# -- the first administrator, from the first-run dialog -------------------------------------------------

def _fill_site(dialog) -> None:
    dialog.level.setCurrentIndex(dialog.level.findData("street"))
    dialog.code.setText("370203012")
    dialog.name.setText("海泉路街道")


def test_the_first_run_dialog_checks_the_administrator_with_the_core_rules(tmp_path, qtbot):
    from gridapp.ui.first_run_dialog import FirstRunDialog

    dialog = FirstRunDialog(tmp_path / "g.sqlite")
    qtbot.addWidget(dialog)
    _fill_site(dialog)
    dialog.admin_name.setText("boss")
    dialog.admin_password.setText("short")
    dialog.admin_confirm.setText("short")
    dialog._accept()
    assert dialog.result() != FirstRunDialog.DialogCode.Accepted
    assert dialog.error.text() == accounts.password_problem("short")
    assert dialog.admin_password.text() == ""
    dialog.admin_password.setText(ADMIN_PW)
    dialog.admin_confirm.setText(ADMIN_PW + "x")
    dialog._accept()
    assert "不一致" in dialog.error.text() and dialog.result() != FirstRunDialog.DialogCode.Accepted
    dialog.admin_confirm.setText(ADMIN_PW)
    dialog._accept()
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    assert dialog.admin_fields() == {"name": "boss", "display_name": "", "password": ADMIN_PW}


def test_the_first_run_dialog_without_an_administrator_makes_no_account(tmp_path, qtbot):
    from gridapp.ui.first_run_dialog import FirstRunDialog

    dialog = FirstRunDialog(tmp_path / "g.sqlite")
    qtbot.addWidget(dialog)
    _fill_site(dialog)
    dialog._accept()
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted and dialog.admin_fields() is None


def test_a_new_database_starts_with_its_administrator_logged_in(tmp_path, qtbot, monkeypatch):
    from gridapp.core import keys
    from gridapp.ui import app as app_module
    from gridapp.ui.first_run_dialog import FirstRunDialog, RecoveryKeyDialog

    def fake_exec(self):
        _fill_site(self)
        self.admin_name.setText("boss")
        self.admin_display.setText("王主任")
        self.admin_password.setText(ADMIN_PW)
        self.admin_confirm.setText(ADMIN_PW)
        self._accept()
        return self.result()

    shown = []
    monkeypatch.setattr(FirstRunDialog, "exec", fake_exec)
    monkeypatch.setattr(RecoveryKeyDialog, "exec", lambda self: shown.append(self.code_label.text()) or 1)
    store = app_module.open_store(tmp_path / "new.sqlite", False)
    try:
        assert store.has_accounts and store.account.name == "boss" and store.account.role == accounts.ADMIN
        assert store.account.display_name == "王主任" and store.site.name == "海泉路街道"
    finally:
        store.close()
    # encrypted from the start: the recovery key shown once, and it recovers the database
    assert len(shown) == 1 and keys.is_encrypted(tmp_path / "new.sqlite")
    assert not (tmp_path / "new.sqlite").read_bytes().startswith(b"SQLite format 3")
    assert keys.KeyFile.read(tmp_path / "new.sqlite").unlock("boss", ADMIN_PW) is not None


def test_a_backup_with_accounts_is_not_restored_without_its_administrator(tmp_path):
    from gridapp.ui.app import restore_backup

    backup = tmp_path / "b.sqlite"
    _with_admin(backup)
    with pytest.raises(DomainError, match="需要该备份中的管理员账号"):
        restore_backup(backup, tmp_path / "new.sqlite")
    assert not (tmp_path / "new.sqlite").exists()


def test_the_smoke_test_logs_in_from_the_environment_or_says_why_not(accounts_db, monkeypatch, capsys):
    from gridapp.ui import app

    assert app.run_gui(accounts_db, smoke_test=True) == 1  # no dialog to wait on: it says why and ends
    assert "请填写账号" in capsys.readouterr().err
    monkeypatch.setenv("GRIDAPP_USER", "zhao")
    monkeypatch.setenv("GRIDAPP_PASSWORD", VIEWER_PW)
    assert app.run_gui(accounts_db, smoke_test=True) == 0
    assert '"ok": true' in capsys.readouterr().out

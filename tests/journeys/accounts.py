"""Journey scripts for accounts, run by tests/journeys/child.py: the 登录 dialog the program shows before a
database with accounts, 注销 and another account, a viewer's refusals, the first administrator made by the
first-run dialog. What the user saw is written to ``seen.json`` for tests/journeys/test_accounts.py to judge.

The program is started as ``gridapp.ui.app.run_gui`` does it (open the store, ``log_in``, the main window),
without its final ``app.exec()``: the driver runs the event loop.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from tests.journeys.driver import Driver, _showing
from tests.journeys.forms import show_page, type_into, write_seen


def _press_enter(widget) -> None:
    QTest.keyClick(widget, Qt.Key.Key_Return)


def _login_steps(driver: Driver, seen: dict, key: str, attempts: list[tuple[str, str]]):
    """Answer the 登录 dialog with each (account, password) in turn, the last one by Enter; what it said."""
    said: list[dict] = []
    seen[key] = said

    def steps(dialog) -> None:
        for i, (name, password) in enumerate(attempts):
            type_into(dialog.account, name)
            type_into(dialog.password, password)
            if i == len(attempts) - 1:
                driver.trigger("回车登录", lambda: _press_enter(dialog.password))
            else:
                driver.click(driver.button(dialog, "登录"))
            said.append({"error": dialog.error.text(), "open": _showing(dialog),
                         "password_left": dialog.password.text(), "focus_on_password":
                         dialog.focusWidget() is dialog.password, "db": dialog.db_label.text()})

    driver.when_dialog("登录", steps)


def _start(driver: Driver, db: Path):
    """The program on ``db``: its login dialog first, then the main window."""
    from gridapp.core.store import Store
    from gridapp.ui.login_dialog import log_in
    from gridapp.ui.main_window import MainWindow

    store = Store(db)
    logged: list[bool] = []
    driver.trigger("启动程序", lambda: logged.append(log_in(store)))
    if not logged or not logged[0]:
        raise AssertionError("the login dialog did not log in")
    window = MainWindow(store)
    window.show()
    driver.wait(100)
    return window


def admin_then_clerk(driver: Driver, *, db: Path, admin: str, admin_password: str, clerk: str,
                     clerk_password: str, **_options) -> None:
    """A wrong password, then the right one → the window names the administrator; 注销 → the dialog again →
    the clerk logs in."""
    seen: dict[str, object] = {}
    _login_steps(driver, seen, "first_login", [(admin, "wrong#Pass1"), (admin, admin_password)])
    window = _start(driver, db)
    seen["account_shown"] = window.account_label.text()
    seen["logout_in_file_menu"] = window.logout_action in window.menuBar().actions()[0].menu().actions()

    during: dict[str, object] = {}

    def as_clerk(dialog) -> None:
        during["account_shown"] = window.account_label.text()
        during["pages_built"] = len(window._pages)
        type_into(dialog.account, clerk)
        type_into(dialog.password, clerk_password)
        driver.click(driver.button(dialog, "登录"))

    driver.when_dialog("登录", as_clerk)
    driver.trigger("菜单 文件 › 注销", window.logout_action.trigger)
    seen["while_logged_out"] = during
    seen["after_logout"] = window.account_label.text()
    seen["window_open"] = window.isVisible()
    seen["page_shown"] = type(window.stack.currentWidget()).__name__
    driver.trigger("关闭主窗口", window.close)
    write_seen(driver, seen)


def viewer_refusals(driver: Driver, *, db: Path, viewer: str, viewer_password: str, **_options) -> None:
    """A viewer finds 导入, 导出, 登记, 编辑, 打印 (the page's and the list's buttons), 备份数据库 (the menu) and the
    数据交换 buttons disabled, each with a tooltip saying why; reading and other pages still work."""
    from gridapp.ui.pages.grids_page import GridsPage
    from gridapp.ui.pages.sync_page import SyncPage
    from gridapp.ui.pages.workers_page import WorkersPage

    seen: dict[str, object] = {}
    _login_steps(driver, seen, "login", [(viewer, viewer_password)])
    window = _start(driver, db)
    seen["account_shown"] = window.account_label.text()
    page = show_page(driver, window, WorkersPage)
    count_before = page.list.count_label.text()
    offered: dict[str, tuple[bool, str]] = {}
    for name, widget in (("import", page.import_button), ("export", page.list.export_button),
                         ("write", page.add_button), ("edit", page.edit_button), ("print", page.print_button),
                         ("backup", window.backup_action)):
        offered[name] = (widget.isEnabled(), widget.toolTip())
    sync_page = show_page(driver, window, SyncPage)
    for name, text in (("trust", "信任对方站点"), ("sync", "导出数据包")):
        button = driver.button(sync_page, text)
        offered[name] = (button.isEnabled(), button.toolTip())
    seen["offered"] = offered

    page = show_page(driver, window, WorkersPage)
    seen["count_after"] = page.list.count_label.text()
    seen["count_before"] = count_before
    grids = show_page(driver, window, GridsPage)
    seen["grids_rows"] = grids.tree.model().rowCount()
    seen["window_open"] = window.isVisible()
    driver.trigger("关闭主窗口", window.close)
    write_seen(driver, seen)


def first_run_with_admin(driver: Driver, *, admin: str, admin_password: str, **_options) -> None:
    """First run: the site and its administrator (a weak password first: the core's rule is said); the new
    database is logged in as the administrator, and the next start asks for the login."""
    from gridapp.core.store import Store
    from gridapp.ui.app import open_store
    from gridapp.ui.main_window import MainWindow

    seen: dict[str, object] = {}

    def welcome(dialog) -> None:
        dialog.new_radio.setChecked(True)
        dialog.level.setCurrentIndex(dialog.level.findText("街道"))
        type_into(dialog.code, "370203012")
        type_into(dialog.name, "海泉路街道")
        type_into(dialog.admin_name, admin)
        type_into(dialog.admin_display, "王主任")
        type_into(dialog.admin_password, "abc12345")
        type_into(dialog.admin_confirm, "abc12345")
        driver.click(driver.button(dialog, "开始"))
        seen["weak_error"] = dialog.error.text()
        seen["weak_left_open"] = _showing(dialog)
        type_into(dialog.admin_password, admin_password)
        type_into(dialog.admin_confirm, admin_password + "x")
        driver.click(driver.button(dialog, "开始"))
        seen["mismatch_error"] = dialog.error.text()
        type_into(dialog.admin_confirm, admin_password)
        driver.click(driver.button(dialog, "开始"))

    def recovery(dialog) -> None:  # shown once; OK only after the box is ticked, Esc does not close it
        from PySide6.QtWidgets import QDialogButtonBox

        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        seen["recovery_key"] = dialog.code_label.text()
        seen["recovery_ok_before_tick"] = ok.isEnabled()
        driver.click(dialog.saved)
        driver.click(ok)

    driver.when_dialog("欢迎使用", welcome)
    driver.when_dialog("恢复密钥", recovery)
    stores: list = []
    driver.trigger("首次启动", lambda: stores.append(open_store(None, False)))
    store = stores[0]
    if store is None:
        raise AssertionError("the first-run dialog made no database")
    window = MainWindow(store)
    window.show()
    driver.wait(100)
    seen["account_shown"] = window.account_label.text()
    seen["title"] = window.windowTitle()
    path = store.path
    driver.trigger("关闭主窗口", window.close)

    # the next start: the login dialog asks (its 退出 ends the program: nothing is shown)
    from gridapp.ui.login_dialog import log_in

    asked: dict[str, object] = {}

    def quit_login(dialog) -> None:
        asked["title"] = dialog.windowTitle()
        asked["db"] = dialog.db_label.text()
        dialog.cancel_button.click()

    driver.when_dialog("登录", quit_login)
    again = Store(path)
    shown: list[bool] = []
    driver.trigger("再次启动", lambda: shown.append(log_in(again)))
    asked["logged_in"] = shown[0] if shown else None
    again.close()
    seen["next_start"] = asked
    seen["db"] = str(path)
    write_seen(driver, seen)


def admin_accounts_and_idle_lock(driver: Driver, *, db: Path, admin: str, admin_password: str,
                                 **_options) -> None:
    """An administrator opens 系统设置 → 账号管理 and creates a clerk (a weak password refused first); then
    leaves the desk: the window locks, a wrong password is said, the right one unlocks."""
    from gridapp.ui.pages.settings_page import SettingsPage

    seen: dict[str, object] = {}
    _login_steps(driver, seen, "login", [(admin, admin_password)])
    window = _start(driver, db)
    page = show_page(driver, window, SettingsPage)
    page.tabs.setCurrentIndex(1)
    driver.wait(50)

    def new_clerk(dialog) -> None:
        type_into(dialog.name, "wang")
        type_into(dialog.password, "abc12345")
        type_into(dialog.confirm, "abc12345")
        driver.click(driver.button(dialog, "新建"))
        seen["weak_error"] = dialog.error.text()
        seen["weak_left_open"] = _showing(dialog)
        seen["name_kept"] = dialog.name.text()
        type_into(dialog.password, "Wang#2026x")
        type_into(dialog.confirm, "Wang#2026x")
        driver.click(driver.button(dialog, "新建"))

    driver.when_dialog("新建账号", new_clerk)
    driver.click(page.accounts_panel.add_button)
    seen["accounts"] = [a.name for a in page.accounts_panel.rows]

    def unlock(dialog) -> None:
        seen["central_hidden"] = not window.centralWidget().isVisible()
        type_into(dialog.password, "wrong#Pass1")
        driver.click(driver.button(dialog, "解锁"))
        seen["wrong_error"] = dialog.error.text()
        type_into(dialog.password, admin_password)
        window.idle.interval_ms = 3_600_000  # back at the desk: the next lock is an hour away
        driver.click(driver.button(dialog, "解锁"))

    driver.when_dialog("已锁定", unlock)

    def leave_the_desk() -> None:
        window.idle.start(window.store, 100)
        driver.wait_until(lambda: window.idle.locked, 10)
        driver.wait_until(lambda: not window.idle.locked, 10)

    driver.trigger("离开座位（无操作）", leave_the_desk)
    seen["unlocked_shown"] = window.centralWidget().isVisible()
    driver.trigger("关闭主窗口", window.close)
    write_seen(driver, seen)

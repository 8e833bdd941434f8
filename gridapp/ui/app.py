"""Start the desktop program: find or make the database, log in where it has accounts, then show the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QMessageBox

from gridapp import APP_TITLE
from gridapp.core import accounts, keys, paths
from gridapp.core import demo as demo_data
from gridapp.core.errors import DomainError
from gridapp.core.redact import redact
from gridapp.core.services.site import init_site
from gridapp.core.store import Store
from gridapp.ui import operations, theme
from gridapp.ui.errors import install_excepthook, setup_logging, show_error
from gridapp.ui.icons import app_icon
from gridapp.ui.login_dialog import log_in

log = logging.getLogger("gridapp")

DEMO_SCALE = "street"


def make_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setApplicationName(APP_TITLE)
    app.setOrganizationName("gridapp")
    app.setWindowIcon(app_icon())
    theme.apply(app)
    return app


def generate_demo(path: Path, parent=None) -> bool:
    """Make demo data at ``path`` with a progress dialog; True when it is there."""
    loop = QEventLoop()
    outcome: list[bool] = []
    op = operations.Operation(parent, "正在生成演示数据",
                              lambda p, c: demo_data.generate(path, DEMO_SCALE, progress=p, cancel=c))
    op.finished.connect(lambda _r: (outcome.append(True), loop.quit()))
    op.failed.connect(lambda _e: (outcome.append(False), loop.quit()))
    op.start()
    if not outcome:
        loop.exec()
    return bool(outcome and outcome[0])


def open_store(db: Path | None, demo: bool, parent=None) -> Store | None:
    """The store to show, asking on first run; None when the user chose to quit."""
    if demo:
        path = db or paths.demo_db_path()
        if not path.exists() and not generate_demo(path, parent):
            return None
        return Store(path)
    path = db or paths.default_db_path()
    if path.exists():
        return Store(path)
    from gridapp.ui.first_run_dialog import FirstRunDialog

    while True:
        dialog = FirstRunDialog(path, parent)
        if dialog.exec() != FirstRunDialog.DialogCode.Accepted:
            return None
        try:
            if dialog.choice == FirstRunDialog.DEMO:
                return open_store(None, True, parent)
            if dialog.choice == FirstRunDialog.OPEN and dialog.open_path:
                return Store(dialog.open_path)
            if dialog.choice == FirstRunDialog.RESTORE and dialog.open_path:
                return restore_backup(dialog.open_path, path)
            admin = dialog.admin_fields()
            recovery = None
            if admin is not None:  # with an administrator the database is encrypted from the start
                accounts.check_password(admin["password"])  # before any file is made
                store, recovery = Store.create_encrypted(path, admin["name"], admin["password"])
            else:
                store = Store(path, create=True)
            try:
                init_site(store, **dialog.site_fields())
                if admin is not None:  # the new database starts with its administrator, logged in
                    accounts.add_account(store, admin["name"], admin["password"], role=accounts.ADMIN,
                                         display_name=admin["display_name"])
                    store.login(admin["name"], admin["password"])
            except DomainError:
                store.close()
                for leftover in (path, keys.key_path(path)):
                    leftover.unlink(missing_ok=True)
                raise
            if recovery is not None:
                from gridapp.ui.first_run_dialog import RecoveryKeyDialog

                RecoveryKeyDialog(recovery, path, parent).exec()
            return store
        except DomainError as exc:
            show_error(parent, exc, "无法开始")


def restore_backup(backup: Path, path: Path) -> Store:
    """Start from a backup: it is checked by opening it, then copied to this PC's database location (a backup
    with accounts needs one of its administrators: gridapp restore --user does it)."""
    from gridapp.core.backups import restore

    return restore(backup, path)


def run_gui(db: Path | None = None, *, demo: bool = False, smoke_test: bool = False) -> int:
    """The desktop program. ``smoke_test`` opens every page of the main window, closes it and reports
    how long that took (run by CI on the built bundle, and useful on a user's PC for diagnosis)."""
    import time

    started = time.perf_counter()
    paths.restrict_new_files()  # also when started without the command line (gridapp.cli.main sets it too)
    app = make_app()
    setup_logging()
    install_excepthook()
    try:
        if smoke_test and not demo and (db is None or not Path(db).exists()):
            raise DomainError("自检需要一个已有的数据库（--db 文件）或 --demo")
        store = open_store(Path(db) if db else None, demo)
        if store is None:
            return 0
        if smoke_test and store.has_accounts:  # headless: no dialog to wait on, the account from the environment
            _smoke_login(store)
        elif not log_in(store):  # 退出 in the login dialog
            store.close()
            return 0
        if store.upgraded_from:
            log.info("upgraded %s from %s, backup %s", store.path, store.upgraded_from, store.backup_path)
        from gridapp.ui.main_window import MainWindow

        window = MainWindow(store)
        window.show()
        if smoke_test:
            return _smoke(app, window, started)
    except Exception as exc:
        if smoke_test:  # headless: say it, never wait on a dialog
            log.error("smoke test failed", exc_info=exc)
            if sys.stderr is not None:
                print(f"自检失败：{redact(str(exc))}", file=sys.stderr)
            return 1
        if isinstance(exc, DomainError):
            QMessageBox.warning(None, "无法打开数据库", exc.message)
        else:  # logged with its traceback; the user reads Chinese and where the log is
            show_error(None, exc)
        return 1
    if store.notice:  # the database was encrypted at this login (or could not be yet): said once
        QMessageBox.information(window, "数据库加密", store.notice)
        store.notice = None
    if store.upgraded_from:
        QMessageBox.information(window, "数据库已升级",
                                f"数据库已升级到新版本，升级前的副本保存在：\n{store.backup_path}")
    return app.exec()


def _smoke_login(store: Store) -> None:
    import os

    try:
        store.login(os.environ.get("GRIDAPP_USER", ""), os.environ.get("GRIDAPP_PASSWORD", ""))
    except DomainError:
        store.close()
        raise


def _smoke(app: QApplication, window, started: float) -> int:
    import json
    import time

    from gridapp.ui.main_window import PAGES

    app.processEvents()
    shown = time.perf_counter() - started
    for i in range(len(PAGES)):
        window.show_page(i)
        app.processEvents()
    result = {"ok": True, "pages": [p.title for p in PAGES], "window_shown_s": round(shown, 3),
              "all_pages_s": round(time.perf_counter() - started, 3), "database": str(window.store.path)}
    window.close()
    if sys.stdout is not None:
        print(json.dumps(result, ensure_ascii=False))
    return 0

"""Start the desktop program: find or make the database, then show the main window."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication, QMessageBox

from gridapp import APP_TITLE
from gridapp.core import demo as demo_data
from gridapp.core import paths
from gridapp.core.errors import DomainError
from gridapp.core.services.site import init_site
from gridapp.core.store import Store
from gridapp.ui import operations, theme
from gridapp.ui.errors import install_excepthook, setup_logging, show_error
from gridapp.ui.icons import app_icon

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
            store = Store(path, create=True)
            try:
                init_site(store, **dialog.site_fields())
            except DomainError:
                store.close()
                path.unlink(missing_ok=True)
                raise
            return store
        except DomainError as exc:
            show_error(parent, exc, "无法开始")


def run_gui(db: Path | None = None, *, demo: bool = False) -> int:
    app = make_app()
    setup_logging()
    install_excepthook()
    try:
        store = open_store(Path(db) if db else None, demo)
    except DomainError as exc:
        QMessageBox.warning(None, "无法打开数据库", exc.message)
        return 1
    if store is None:
        return 0
    if store.upgraded_from:
        log.info("upgraded %s from %s, backup %s", store.path, store.upgraded_from, store.backup_path)
    from gridapp.ui.main_window import MainWindow

    window = MainWindow(store)
    window.show()
    if store.upgraded_from:
        QMessageBox.information(window, "数据库已升级",
                                f"数据库已升级到新版本，升级前的副本保存在：\n{store.backup_path}")
    return app.exec()

"""The main window: navigation on the left, one page at a time, the database and site below."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QSize, Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QWidget,
)

from gridapp import APP_TITLE, __version__
from gridapp.core.codes import ORG_LEVEL
from gridapp.core.errors import DomainError
from gridapp.core.services.overview import Target
from gridapp.core.store import Store
from gridapp.ui import navigation, permits
from gridapp.ui.errors import show_error
from gridapp.ui.icons import app_icon, icon
from gridapp.ui.idle_lock import IdleLock
from gridapp.ui.login_dialog import log_in
from gridapp.ui.pages.baodao_page import BaodaoPage
from gridapp.ui.pages.base import Page
from gridapp.ui.pages.grids_page import GridsPage
from gridapp.ui.pages.overview_page import OverviewPage
from gridapp.ui.pages.property_page import PropertyPage
from gridapp.ui.pages.requests_page import RequestsPage
from gridapp.ui.pages.settings_page import SettingsPage
from gridapp.ui.pages.sync_page import SyncPage
from gridapp.ui.pages.workers_page import WorkersPage

PAGES: tuple[type[Page], ...] = (OverviewPage, GridsPage, WorkersPage, BaodaoPage, PropertyPage, RequestsPage,
                                 SyncPage, SettingsPage)


class MainWindow(QMainWindow):
    def __init__(self, store: Store):
        super().__init__()
        self.store = store
        self.setWindowIcon(app_icon())
        self.setMinimumSize(QSize(960, 600))
        self._placed = False

        self.nav = QListWidget()
        self.nav.setObjectName("nav")
        self.nav.setIconSize(QSize(20, 20))
        self.nav.setFixedWidth(168)
        for cls in PAGES:
            QListWidgetItem(icon(cls.icon_name, "#eceff1"), cls.title, self.nav)
        self.stack = QStackedWidget()
        self._pages: dict[int, Page] = {}
        for _ in PAGES:  # pages are built when first shown: start-up stays fast at district scale
            self.stack.addWidget(QWidget())
        self.nav.currentRowChanged.connect(self.show_page)

        central = QWidget()
        lay = QHBoxLayout(central)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(0)
        lay.addWidget(self.nav)
        lay.addWidget(self.stack, 1)
        self.setCentralWidget(central)

        self.db_label, self.site_label, self.account_label = QLabel(), QLabel(), QLabel()
        self.account_label.setObjectName("account")
        self.statusBar().addWidget(self.site_label)
        self.statusBar().addWidget(self.account_label)
        self.statusBar().addPermanentWidget(self.db_label)
        self._build_menus()
        self.idle = IdleLock(self, store, self.log_out)
        self._show_store()
        self.nav.setCurrentRow(0)

    # -- pages ----------------------------------------------------------------------------------------
    def show_page(self, index: int) -> Page:
        if index not in self._pages:
            try:
                page = PAGES[index](self.store)
            except DomainError as exc:
                show_error(self, exc)
                raise
            page.navigate.connect(self.go)
            permits.apply(page, self.store)
            old = self.stack.widget(index)
            self.stack.insertWidget(index, page)
            self.stack.removeWidget(old)
            old.deleteLater()
            self._pages[index] = page
        self.stack.setCurrentIndex(index)
        if self.nav.currentRow() != index:
            self.nav.setCurrentRow(index)
        return self._pages[index]

    def page(self, cls: type[Page]) -> Page:
        return self.show_page(PAGES.index(cls))

    def go(self, where: Target | type[Page]) -> QWidget:
        """Show a page (a Page subclass) or the list of the records behind a figure (an overview.Target)."""
        return navigation.go(self, where)

    def refresh_all(self) -> None:
        for page in self._pages.values():
            page.refresh()

    # -- menus and status ---------------------------------------------------------------------------
    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("文件(&F)")
        self.open_action = QAction(icon("open"), "打开数据库…", self, shortcut=QKeySequence.StandardKey.Open)
        self.open_action.triggered.connect(self.choose_database)
        self.backup_action = QAction(icon("backup"), "备份数据库", self)
        self.backup_action.triggered.connect(lambda: self.page(SettingsPage).backup())
        self.logout_action = QAction(icon("logout"), "注销", self)
        self.logout_action.triggered.connect(self.log_out)
        quit_action = QAction(icon("quit"), "退出", self, shortcut=QKeySequence.StandardKey.Quit)
        quit_action.triggered.connect(self.close)
        for a in (self.open_action, self.backup_action, self.logout_action):
            file_menu.addAction(a)
        file_menu.addSeparator()
        file_menu.addAction(quit_action)
        help_menu = self.menuBar().addMenu("帮助(&H)")
        self.about_action = QAction(icon("about"), "关于", self)
        self.about_action.triggered.connect(self.about)
        help_menu.addAction(self.about_action)

    def _show_store(self) -> None:
        site = self.store.site
        where = f"{site.name}（{ORG_LEVEL.name(site.level)} {site.code}）" if site else "未建立站点"
        self.setWindowTitle(f"{APP_TITLE} — {where}")
        self.site_label.setText(f"站点：{where}")
        self.db_label.setText(f"数据库：{self.store.path}")
        account = self.store.account
        self.account_label.setText(f"当前账号：{account.label}" if account else "")
        self.account_label.setVisible(account is not None)
        self.logout_action.setVisible(self.store.has_accounts)  # nobody to log out without accounts
        self.backup_action.setEnabled(True)
        permits.permit(self.backup_action, self.store, "backup")
        self.idle.start(self.store)

    def about(self) -> None:
        QMessageBox.about(
            self, f"关于 {APP_TITLE}",
            f"<h3>{APP_TITLE}</h3><p>版本 {__version__}</p>"
            "<p>街道社区网格管理、双报到、红色物业与数据交换的离线桌面程序。</p>"
            f"<p>数据库：{self.store.path}</p>",
        )

    def choose_database(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "打开数据库", str(self.store.path.parent),
                                              "gridapp 数据库 (*.sqlite *.db);;所有文件 (*)")
        if path:
            self.open_database(Path(path))

    def open_database(self, path: Path) -> None:
        """Show another database; one with accounts only once someone logged in to it (取消 keeps this one)."""
        if Path(path).resolve() == Path(self.store.path).resolve():
            self._drop_pages()  # the file already shown: read afresh, the same account stays logged in
            self._show_pages()
            return
        try:
            store = Store(path)
        except DomainError as exc:
            show_error(self, exc, "无法打开数据库")
            return
        if not log_in(store, self, cancel_text="取消"):
            store.close()
            return
        self._drop_pages()
        self.store.logout()
        self.store.close()
        self.store = store
        self._show_pages()

    def log_out(self) -> None:
        """注销: nothing of the data stays on screen; the next account logs in, or the program ends."""
        self.idle.stop()
        self._drop_pages()
        self.store.logout()
        self._show_store()
        if not log_in(self.store, self):
            self.close()
            return
        self._show_pages()

    def _drop_pages(self) -> None:
        for index in list(self._pages):
            page = self._pages.pop(index)
            self.stack.insertWidget(index, QWidget())
            self.stack.removeWidget(page)
            page.deleteLater()

    def _show_pages(self) -> None:
        self._show_store()
        self.show_page(self.nav.currentRow() if self.nav.currentRow() >= 0 else 0)

    # -- size and place --------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        if not self._placed:  # once: later shows keep what the user did
            self._placed = True
            self._place()
        super().showEvent(event)

    def _place(self) -> None:
        """Where the user left the window, or a comfortable default; never beyond the screen's free area
        (a 1366×768 laptop with a taskbar, a 150 % scaled 1920×1080)."""
        if self.testAttribute(Qt.WidgetAttribute.WA_Resized):  # sized by whoever made it (a test, a script)
            self.fit_to_screen()
            return
        saved = window_settings().value("main/geometry")
        if saved is None or not self.restoreGeometry(saved):
            screen = self.screen().availableGeometry()
            self.resize(min(1280, screen.width()), min(800, screen.height()))
            self.move(screen.center() - self.rect().center())
        QTimer.singleShot(0, self.fit_to_screen)
        self.fit_to_screen()

    def fit_to_screen(self) -> None:
        """Shrink and move the window so that its frame (title bar included) lies on the free screen area."""
        if self.isMaximized() or self.isFullScreen():
            return
        screen = self.screen().availableGeometry()
        frame, inner = self.frameGeometry(), self.geometry()
        extra_w, extra_h = frame.width() - inner.width(), frame.height() - inner.height()
        if frame == inner:  # the frame is not known before the window is shown: allow a title bar
            extra_w, extra_h = 16, 40
        width = min(inner.width(), screen.width() - extra_w)
        height = min(inner.height(), screen.height() - extra_h)
        if (width, height) != (inner.width(), inner.height()):
            self.setMinimumSize(QSize(min(self.minimumWidth(), width), min(self.minimumHeight(), height)))
            self.resize(width, height)
        frame = self.frameGeometry()
        x = min(max(frame.x(), screen.left()), screen.right() + 1 - frame.width())
        y = min(max(frame.y(), screen.top()), screen.bottom() + 1 - frame.height())
        if (x, y) != (frame.x(), frame.y()):
            self.move(x, y)

    def closeEvent(self, event) -> None:
        window_settings().setValue("main/geometry", self.saveGeometry())
        self.idle.stop()
        self.store.logout()  # the audit trail says when the account left
        self.store.close()
        super().closeEvent(event)


def window_settings() -> QSettings:
    """Per-user window settings, in an ini file in the user data folder (not the registry)."""
    from gridapp.core.paths import user_data_dir

    return QSettings(str(user_data_dir() / "window.ini"), QSettings.Format.IniFormat)

"""系统设置: the database file and its backups, limits, and the code tables."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gridapp import __version__
from gridapp.core import codes, schema
from gridapp.core.paths import backups_dir
from gridapp.core.services import grids
from gridapp.ui import idle_lock, operations
from gridapp.ui.icons import icon
from gridapp.ui.pages.base import Page

LIMIT_KEY = grids.HOUSEHOLDS_LIMIT_KEY


class SettingsPage(Page):
    title = "系统设置"
    icon_name = "settings"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        db = QGroupBox("数据库")
        form = QFormLayout(db)
        path = QLabel(str(store.path))
        path.setWordWrap(True)
        form.addRow("文件：", path)
        form.addRow("数据库版本：", QLabel(schema.SCHEMA_HEAD))
        form.addRow("程序版本：", QLabel(__version__))
        self.backup_button = QPushButton(icon("backup"), "立即备份")
        self.backup_button.clicked.connect(self.backup)
        self.last_backup = QLabel()
        row = QHBoxLayout()
        row.addWidget(self.backup_button)
        row.addWidget(self.last_backup, 1)
        form.addRow("备份：", row)
        self.outer.addWidget(db)

        limits = QGroupBox("网格配置")
        lform = QFormLayout(limits)
        self.limit = QSpinBox(minimum=50, maximum=5000, singleStep=50, suffix=" 户")
        self.limit.setValue(int(store.get_setting(LIMIT_KEY, 500)))
        save = QPushButton("保存")
        save.clicked.connect(self.save_limit)
        lrow = QHBoxLayout()
        lrow.addWidget(self.limit)
        lrow.addWidget(save)
        lrow.addStretch(1)
        lform.addRow("每名专职网格员最多服务：", lrow)
        if store.has_accounts:
            self.idle_minutes = QSpinBox(minimum=0, maximum=240, suffix=" 分钟")
            self.idle_minutes.setSpecialValueText("不锁定")
            self.idle_minutes.setValue(idle_lock.minutes(store))
            save_idle = QPushButton("保存")
            save_idle.clicked.connect(self.save_idle)
            irow = QHBoxLayout()
            irow.addWidget(self.idle_minutes)
            irow.addWidget(save_idle)
            irow.addStretch(1)
            lform.addRow("无操作多久后锁定：", irow)
        self.outer.addWidget(limits)

        tables = QGroupBox("代码表（国家标准与本系统代码）")
        tlay = QVBoxLayout(tables)
        regions_row = QHBoxLayout()
        self.regions_label = QLabel()
        regions_row.addWidget(self.regions_label, 1)
        self.regions_button = QPushButton(icon("search"), "行政区划代码表…")
        self.regions_button.setToolTip("查看 GB/T 2260 行政区划代码及其沿革，或用民政部新公布的代码更新")
        self.regions_button.clicked.connect(self.show_regions)
        regions_row.addWidget(self.regions_button)
        tlay.addLayout(regions_row)
        self._show_region_edition()
        self.table_choice = QComboBox()
        for t in codes.ALL.values():
            self.table_choice.addItem(f"{t.title}" + (f"（{t.standard}）" if t.standard else ""), t.key)
        self.table_choice.currentIndexChanged.connect(self._show_codes)
        self.code_table = QTableWidget(0, 2)
        self.code_table.setHorizontalHeaderLabels(["代码", "名称"])
        self.code_table.horizontalHeader().setStretchLastSection(True)
        self.code_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        tlay.addWidget(self.table_choice)
        tlay.addWidget(self.code_table)
        self.tabs = QTabWidget()
        self.tabs.addTab(tables, "代码表")
        self.accounts_panel = self.audit_panel = None
        if store.has_accounts:
            self.tabs.addTab(self._admin_only("accounts", "账号管理", "AccountsPanel"), "账号管理")
            self.tabs.addTab(self._admin_only("audit", "安全审计", "AuditPanel"), "安全审计")
        self.outer.addWidget(self.tabs, 1)
        self._show_codes()

    def _admin_only(self, permission: str, title: str, panel: str) -> QWidget:
        """The panel for an administrator; for any other account a sentence saying who may see it."""
        if not self.store.may(permission):
            note = QLabel(f"{title}只有管理员可以查看和操作（{self.store.refusal(permission)}）。")
            note.setWordWrap(True)
            note.setObjectName("cardLabel")
            return note
        from gridapp.ui import accounts_panel, audit_panel

        module = accounts_panel if permission == "accounts" else audit_panel
        widget = getattr(module, panel)(self.store)
        if permission == "accounts":
            self.accounts_panel = widget
        else:
            self.audit_panel = widget
        return widget

    def save_idle(self) -> None:
        from gridapp.core.errors import DomainError
        from gridapp.ui.errors import show_error

        try:
            self.store.set_setting(idle_lock.SETTING, self.idle_minutes.value())
        except DomainError as exc:
            show_error(self, exc, "设置未保存")
            return
        window = self.window()
        if hasattr(window, "idle"):
            window.idle.start(self.store)
        minutes = self.idle_minutes.value()
        QMessageBox.information(self, "已保存", f"已设置：无操作 {minutes} 分钟后锁定程序。" if minutes
                                else "已设置：不自动锁定程序。")

    def _show_codes(self) -> None:
        key = self.table_choice.currentData()
        if key == "special_kind":  # the standard kinds and those this site and its superiors added
            from gridapp.core.services import special_kinds

            items = [(k.code if k.standard else "自定义", k.name + ("（已停用）" if k.retired else ""))
                     for k in special_kinds.kinds(self.store)]
        else:
            items = list(codes.table(key).items)
        self.code_table.setRowCount(len(items))
        for i, (code, name) in enumerate(items):
            self.code_table.setItem(i, 0, QTableWidgetItem(code))
            self.code_table.setItem(i, 1, QTableWidgetItem(name))

    def _show_region_edition(self) -> None:
        from gridapp.core import regions

        t = regions.table()
        self.regions_label.setText(f"行政区划代码（GB/T 2260）：{t.edition} 年版，{len(t.regions):,} 个代码（含历史代码）")

    def show_regions(self) -> None:
        from gridapp.ui.region_dialog import RegionDialog

        dialog = RegionDialog(self)
        dialog.exec()
        self._show_region_edition()

    def save_limit(self) -> None:
        self.store.set_setting(LIMIT_KEY, self.limit.value())
        QMessageBox.information(self, "已保存", f"已设置：每名专职网格员最多服务 {self.limit.value()} 户。")

    def backup(self) -> None:
        from gridapp.core.files import unused_name

        dest = unused_name(backups_dir(self.store.path)
                           / f"{self.store.path.stem}-备份-{dt.datetime.now():%Y%m%d-%H%M%S}.sqlite")
        operations.run(self, "正在备份数据库", lambda _p, _c: self.store.backup(dest), self._backed_up,
                       cancellable=False)

    def _backed_up(self, dest) -> None:
        self.last_backup.setText(f"已备份到 {dest}")

"""系统设置 → 安全审计 (管理员): the audit trail, newest first, filtered by date, account, action and outcome,
and 导出 to .xlsx (itself recorded)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QDate, QModelIndex, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import audit
from gridapp.core.clock import local
from gridapp.core.errors import DomainError
from gridapp.core.store import Store
from gridapp.ui.errors import show_error
from gridapp.ui.pages.base import add_button

HEADERS = ("时间", "账号", "操作", "内容", "结果", "原因")


def _cells(e: audit.Entry) -> tuple[str, ...]:
    return (local(e.at), e.account or "", e.action_name, e.what, e.outcome_name, e.reason or "")


class AuditModel(QAbstractTableModel):
    """The events shown, as a list of plain entries: cells are made only when a view asks for them."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.entries: list[audit.Entry] = []

    def set_entries(self, entries: list[audit.Entry]) -> None:
        self.beginResetModel()
        self.entries = entries
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return len(HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and index.isValid():
            return _cells(self.entries[index.row()])[index.column()]
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return HEADERS[section]
        return None


def _utc_start(day: QDate) -> dt.datetime:
    start = dt.datetime(day.year(), day.month(), day.day()).astimezone()  # local midnight
    return start.astimezone(dt.UTC).replace(tzinfo=None)


class AuditPanel(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        today = QDate.currentDate()
        self.since = QDateEdit(today.addMonths(-1), calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.until = QDateEdit(today, calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.account = QLineEdit(placeholderText="全部账号")
        self.action = QComboBox()
        self.action.addItem("全部操作", None)
        for key, name in audit.ACTIONS.items():
            self.action.addItem(name, key)
        self.outcome = QComboBox()
        self.outcome.addItem("全部结果", None)
        for key, name in audit.OUTCOME_NAMES.items():
            self.outcome.addItem(name, key)
        bar = QHBoxLayout()
        for label, w in (("从", self.since), ("到", self.until), ("账号", self.account), ("操作", self.action),
                         ("结果", self.outcome)):
            bar.addWidget(QLabel(label))
            bar.addWidget(w)
        add_button(bar, "search", "查询", self.refresh)
        self.export_button = add_button(bar, "export", "导出…", self.export)
        bar.addStretch(1)
        self.count = QLabel()
        self.model = AuditModel(self)
        self.view = QTableView()
        self.view.setModel(self.model)
        self.view.horizontalHeader().setStretchLastSection(True)
        self.view.verticalHeader().setVisible(False)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.count)
        lay.addWidget(self.view, 1)
        self.refresh()

    def entries(self) -> list[audit.Entry]:
        found = audit.events(self.store, since=_utc_start(self.since.date()),
                             until=_utc_start(self.until.date().addDays(1)), action=self.action.currentData(),
                             account=self.account.text().strip() or None)
        outcome = self.outcome.currentData()
        return [e for e in found if outcome is None or e.outcome == outcome]

    def refresh(self) -> None:
        try:
            self.model.set_entries(self.entries())
        except DomainError as exc:
            show_error(self, exc)
            return
        self.count.setText(f"共 {len(self.model.entries):,} 条（最新的在前）")
        self.view.resizeColumnsToContents()

    def export(self, path: Path | None = None) -> Path | None:
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "导出安全审计", "安全审计.xlsx", "Excel 文件 (*.xlsx)")
            if not name:
                return None
            path = Path(name)
        from openpyxl import Workbook

        entries = self.model.entries
        what = f"导出安全审计 {len(entries)} 条到 {path}"
        try:
            self.store.require("audit", action="export", what=what)
            wb = Workbook(write_only=True)
            ws = wb.create_sheet("安全审计")
            ws.append(list(HEADERS))
            for e in entries:
                ws.append(list(_cells(e)))
            wb.save(path)
        except DomainError as exc:
            show_error(self, exc)
            return None
        except OSError as exc:
            audit.record(self.store, "export", what, ok=False, reason=str(exc))
            QMessageBox.warning(self, "导出未完成", f"无法写入 {path}：{exc.strerror or exc}")
            return None
        audit.record(self.store, "export", what)
        QMessageBox.information(self, "导出完成", f"已导出 {len(entries):,} 条审计记录到：\n{path}")
        return path

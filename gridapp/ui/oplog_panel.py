"""操作记录: who changed what and when, with filters by date, 操作人, kind and name, and an export to Excel."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import oplog
from gridapp.core.store import Store
from gridapp.io.xlsx_out import export_oplog
from gridapp.ui import operations
from gridapp.ui.icons import icon
from gridapp.ui.oplog_model import COLUMNS, OpLogModel
from gridapp.ui.worker_dialog import date_edit

# Date ranges people ask for: (label, days back from today; None for all time, -1 for the dates chosen).
RANGES: tuple[tuple[str, int | None], ...] = (("全部日期", None), ("今天", 0), ("最近7天", 6), ("最近30天", 29),
                                               ("最近一年", 364), ("指定日期", -1))


class ActorBox(QComboBox):
    """操作人: everyone who changed something, read from the journal the first time the list opens (a scan
    of the whole journal is not worth making for a page that may never use it)."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.addItem("全部操作人", None)
        self._filled = False
        self.setMinimumContentsLength(8)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)

    def fill(self) -> None:
        if self._filled:
            return
        self._filled = True
        current = self.currentData()
        for name in oplog.actors(self.store):
            if self.findData(name) < 0:
                self.addItem(name, name)
        self.setCurrentIndex(max(self.findData(current), 0))

    def showPopup(self) -> None:
        self.fill()
        super().showPopup()


class OpLogPanel(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.model = OpLogModel(store, self)

        self.search = QLineEdit(placeholderText="搜索对象名称：姓名（或拼音首字母）、网格、社区、单位、企业、小区…",
                                clearButtonEnabled=True)
        self.search.addAction(icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.setMinimumWidth(280)
        self._debounce = QTimer(self, singleShot=True, interval=300)
        self._debounce.timeout.connect(self.apply)
        self.search.textChanged.connect(self._debounce.start)
        self.kind = QComboBox()
        self.kind.addItem("全部类别", None)
        for k in oplog.KINDS:
            self.kind.addItem(k.title, k.key)
        self.actor = ActorBox(store)
        self.range = QComboBox()
        for label, days in RANGES:
            self.range.addItem(label, days)
        today = dt.date.today()
        self.since, self.until = date_edit(today - dt.timedelta(days=29)), date_edit(today)
        for box in (self.kind, self.actor):
            box.currentIndexChanged.connect(self.apply)
        self.range.currentIndexChanged.connect(self._range_chosen)
        for edit in (self.since, self.until):
            edit.dateChanged.connect(self._dates_edited)
        self.count_label = QLabel()
        self.export_button = QPushButton(icon("export"), "导出 Excel…")
        self.export_button.clicked.connect(lambda: self.export())

        top = QHBoxLayout()
        top.addWidget(self.search, 3)
        top.addWidget(self.kind, 1)
        top.addWidget(self.actor, 1)
        dates = QHBoxLayout()
        dates.addWidget(QLabel("时间："))
        dates.addWidget(self.range)
        dates.addWidget(self.since)
        dates.addWidget(QLabel("至"))
        dates.addWidget(self.until)
        dates.addStretch(1)
        dates.addWidget(self.count_label)
        dates.addWidget(self.export_button)

        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setAlternatingRowColors(True)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.verticalHeader().setDefaultSectionSize(26)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        self.table.horizontalHeader().setStretchLastSection(True)
        for i, (_title, width) in enumerate(COLUMNS[:-1]):  # the changes take the rest, elided, whole in the tip
            self.table.setColumnWidth(i, width)
        # The selected entry's changes, wrapped: a long change list is read here, not in an elided cell.
        self.detail = QPlainTextEdit(readOnly=True, placeholderText="选中一条记录，在此查看它的全部变更内容。")
        self.detail.setObjectName("oplogDetail")
        self.table.selectionModel().currentRowChanged.connect(lambda current, _old: self.show_entry(current.row()))
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.table)
        split.addWidget(self.detail)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        split.setChildrenCollapsible(False)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addLayout(dates)
        layout.addWidget(split, 1)
        self.model.loaded.connect(self._show_count)
        self.model.modelReset.connect(self.detail.clear)
        self._range_chosen()

    # -- filters --------------------------------------------------------------------------------------------------
    def _range_chosen(self) -> None:
        days = self.range.currentData()
        for edit in (self.since, self.until):
            edit.setEnabled(days is not None)
        if days is not None and days >= 0:
            today = dt.date.today()
            for edit, day in ((self.since, today - dt.timedelta(days=days)), (self.until, today)):
                edit.blockSignals(True)
                edit.setDate(QDate(day))
                edit.blockSignals(False)
        self.apply()

    def _dates_edited(self) -> None:
        if self.range.currentData() != -1:
            self.range.blockSignals(True)
            self.range.setCurrentIndex(self.range.findData(-1))
            self.range.blockSignals(False)
        self.apply()

    def query(self) -> oplog.LogQuery:
        """What the filters ask for now."""
        dated = self.range.currentData() is not None
        since, until = self.since.date().toPython(), self.until.date().toPython()
        return oplog.LogQuery(since=since if dated else None, until=until if dated else None,
                              actor=self.actor.currentData(), kind=self.kind.currentData(),
                              search=self.search.text().strip())

    def apply(self) -> None:
        self.model.set_query(self.query())

    def _show_count(self) -> None:
        n = len(self.model.entries)
        if self.model.complete:
            self.count_label.setText(f"共 {n:,} 条")
        else:
            self.count_label.setText(f"已显示最新的 {n:,} 条，向下滚动显示更多")

    # -- loading --------------------------------------------------------------------------------------------------
    def showEvent(self, event) -> None:
        if not self.model.is_loaded:
            self.model.set_query(self.query())
            self.model.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        """Reload now if the log has been shown; otherwise it loads when it is."""
        if self.model.is_loaded or self.isVisible():
            self.model.query = self.query()
            self.model.refresh()

    def show_entry(self, row: int) -> None:
        """The entry of ``row`` in the pane below the table (cleared when no row is current)."""
        if not 0 <= row < self.model.rowCount():
            self.detail.clear()
            return
        e = self.model.entry(row)
        self.detail.setPlainText(f"{e.when}　{e.actor}　{e.op_name}　{e.subject}\n{e.summary}".rstrip())

    # -- export ---------------------------------------------------------------------------------------------------
    def title(self) -> str:
        """The sheet's heading: this site, and the filters in words."""
        q = self.query()
        site = self.store.site.name if self.store.site else ""
        said = [b.currentText() for b in (self.kind, self.actor) if b.currentData() is not None]
        if q.since:
            said.insert(0, f"{q.since:%Y-%m-%d} 至 {q.until:%Y-%m-%d}")
        if q.search:
            said.append(f"含“{q.search}”")
        return f"{site}操作记录" + (f"（{'，'.join(said)}）" if said else "")

    def export(self, path: Path | None = None) -> None:
        """Export what the filters show, every page of it, to .xlsx, off the GUI thread."""
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "导出操作记录", f"操作记录-{dt.date.today():%Y%m%d}.xlsx",
                                                  "Excel 文件 (*.xlsx)")
            if not name:
                return
            path = Path(name)
        query, title = self.query(), self.title()
        self._export_op = operations.run(
            self, "正在导出操作记录",
            lambda p, c: export_oplog(self.store, query, path, title=title, progress=p, cancel=c),
            lambda n: QMessageBox.information(self, "导出完成", f"已导出 {n:,} 条操作记录到：\n{path}"))

"""Import any kind of sheet: pick a file, check it (a dry run), look at the preview, confirm.

The check and the import run off the GUI thread with a progress bar and a cancel button; the
preview is exactly what the import will do.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from gridapp.core.services import orgs
from gridapp.core.store import Store
from gridapp.io.importer import OUTCOME_NAMES, ImportReport, run_import
from gridapp.io.kinds import bound
from gridapp.io.xlsx_out import write_error_report, write_template
from gridapp.ui import operations
from gridapp.ui.icons import icon
from gridapp.ui.picker import add_picks, searchable

_COLOURS = {"new": "#e8f5e9", "updated": "#e3f2fd", "unchanged": "#ffffff", "rejected": "#ffebee"}

# Every format import reads (gridapp.io.source), together first, then one by one.
SHEET_FILTER = ";;".join((
    "表格文件 (*.xlsx *.xlsm *.xls *.et *.ods *.fods *.xlsb *.csv *.txt)",
    "Excel 工作簿 (*.xlsx *.xlsm)", "Excel 97-2003 工作簿 (*.xls)", "WPS 表格 (*.et)",
    "OpenDocument 表格 (*.ods *.fods)", "Excel 二进制工作簿 (*.xlsb)", "CSV 或文本文件 (*.csv *.txt)", "所有文件 (*)",
))


class ReportModel(QAbstractTableModel):
    HEADERS = ("原表行号", "结果", "名称", "出错的列", "原因")

    def __init__(self, report: ImportReport | None = None):
        super().__init__()
        self.rows: list[tuple[Any, ...]] = []
        self.set_report(report)

    def set_report(self, report: ImportReport | None) -> None:
        self.beginResetModel()
        self.rows = []
        for r in report.rows if report else []:
            if r.problems:
                for column, reason in r.problems:
                    self.rows.append((r.number, r.outcome, r.label, column, reason))
            elif not r.notes:
                self.rows.append((r.number, r.outcome, r.label, "", ""))
            for column, reason in r.notes:  # went in, with something left alone
                self.rows.append((r.number, r.outcome, r.label, column, f"提示：{reason}"))
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def data(self, index, role=Qt.ItemDataRole.DisplayRole):
        row = self.rows[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            value = row[index.column()]
            return OUTCOME_NAMES[value] if index.column() == 1 else str(value)
        if role == Qt.ItemDataRole.ToolTipRole and row[4]:
            return f"第 {row[0]} 行 [{row[3]}] {row[4]}"
        if role == Qt.ItemDataRole.BackgroundRole:
            return QColor(_COLOURS[row[1]])
        return None

    def headerData(self, section, orientation, role=Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.HEADERS[section]
        return None


class ImportDialog(QDialog):
    imported = Signal(object)  # the committed ImportReport

    def __init__(self, store: Store, kind: str, parent: QWidget | None = None, *, path: Path | None = None,
                 options: dict | None = None):
        super().__init__(parent)
        self.extra_options = dict(options or {})
        # Kinds whose columns depend on the data (ratings: the year's indicators) are bound once here.
        self.store, self.handler = store, bound(kind, store, self.extra_options)
        self.report: ImportReport | None = None
        self.setWindowTitle(f"导入{self.handler.spec.title}")
        self.resize(900, 600)

        self.path_edit = QLineEdit(placeholderText="请选择要导入的 Excel 文件（.xlsx）或 CSV 文件")
        self.path_edit.setReadOnly(True)
        choose = QPushButton(icon("open"), "选择文件…")
        choose.clicked.connect(self.choose_file)
        template = QPushButton("下载导入模板…")
        template.clicked.connect(self.save_template)
        top = QHBoxLayout()
        top.addWidget(self.path_edit, 1)
        top.addWidget(choose)
        top.addWidget(template)

        self.community = QComboBox()
        self.community.addItem("自动识别（表头或网格名称中的社区名）", None)
        if kind == "workers":
            add_picks(self.community, orgs.picks(store, "community", by="code"))
            searchable(self.community)
        scope = QHBoxLayout()
        scope.addWidget(QLabel("表中网格所属社区："))
        scope.addWidget(self.community, 1)
        self.community.setVisible(kind == "workers")
        scope.itemAt(0).widget().setVisible(kind == "workers")
        self.community.currentIndexChanged.connect(self._invalidate)

        self.summary = QLabel("选择文件后点击“检查”，先预览导入结果，确认后再写入。")
        self.summary.setWordWrap(True)
        self.model = ReportModel()
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        for col, width in enumerate((70, 60, 160, 90)):
            self.table.setColumnWidth(col, width)
        self.table.setWordWrap(True)  # a long reason wraps in its row (and is whole in the row's tooltip)
        self.model.modelReset.connect(self._fit_rows)

        self.check_button = QPushButton("检查")
        self.check_button.clicked.connect(self.check)
        self.import_button = QPushButton("确认导入")
        self.import_button.setEnabled(False)
        self.import_button.clicked.connect(self.commit)
        self.report_button = QPushButton("保存错误报告…")
        self.report_button.setEnabled(False)
        self.report_button.clicked.connect(self.save_report)
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.report_button)
        buttons.addStretch(1)
        for b in (self.check_button, self.import_button, close):
            buttons.addWidget(b)

        lay = QVBoxLayout(self)
        lay.addLayout(top)
        lay.addLayout(scope)
        lay.addWidget(self.summary)
        lay.addWidget(self.table, 1)
        lay.addLayout(buttons)
        if path is not None:
            self.set_path(path)

    def _fit_rows(self) -> None:
        if self.model.rowCount() <= 500:  # measuring every row of a 10,000-row report would stall the dialog
            self.table.resizeRowsToContents()

    def options(self) -> dict[str, Any]:
        return {**self.extra_options, "org": self.community.currentData()}

    def set_path(self, path: Path) -> None:
        self.path_edit.setText(str(path))
        self._invalidate()

    def _invalidate(self) -> None:
        self.report = None
        self.model.set_report(None)
        self.import_button.setEnabled(False)
        self.report_button.setEnabled(False)

    def choose_file(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择表格文件", "", SHEET_FILTER)
        if path:
            self.set_path(Path(path))
            self.check()

    def save_template(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "保存导入模板", f"{self.handler.spec.title}导入模板.xlsx",
                                              "Excel 文件 (*.xlsx)")
        if path:
            write_template(self.handler.spec, Path(path))
            QMessageBox.information(self, "已保存", f"导入模板已保存到：\n{path}")

    def check(self) -> None:
        path = self.path_edit.text()
        if not path:
            self.choose_file()
            return
        self._run(commit=False)

    def commit(self) -> None:
        self._run(commit=True)

    def _run(self, *, commit: bool) -> None:
        """The same pipeline for the preview and the import: only ``commit`` differs."""
        path, options = self.path_edit.text(), self.options()
        self._op = operations.run(
            self, "正在导入" if commit else "正在检查",
            lambda p, c: run_import(self.store, self.handler, path, commit=commit, options=options, progress=p,
                                    cancel=c),
            self._committed if commit else self._checked)

    def _checked(self, report: ImportReport) -> None:
        self.report = report
        self.model.set_report(report)
        c = report.counts()
        self.summary.setText(f"检查结果（尚未写入）：{report.summary()}。"
                             + ("确认后，合格的行将一次性写入数据库。" if c["new"] + c["updated"] else "没有需要写入的行。"))
        self.import_button.setEnabled(bool(c["new"] + c["updated"]))
        self.report_button.setEnabled(bool(c["rejected"] or report.noted))

    def _committed(self, report: ImportReport) -> None:
        self.report = report
        self.model.set_report(report)
        self.import_button.setEnabled(False)
        self.report_button.setEnabled(bool(report.rejected or report.noted))
        self.summary.setText(f"已导入：{report.summary()}。" + ("未导入的行可保存为错误报告，修改后重新导入。"
                                                              if report.rejected else ""))
        self.imported.emit(report)

    def save_report(self) -> None:
        if self.report is None:
            return
        default = Path(self.report.file).with_name(Path(self.report.file).stem + "-错误报告.xlsx")
        path, _ = QFileDialog.getSaveFileName(self, "保存错误报告", str(default), "Excel 文件 (*.xlsx)")
        if path:
            write_error_report(self.report, Path(path))
            QMessageBox.information(self, "已保存", f"错误报告已保存到：\n{path}")

"""数据交换: this site and its trusted peers, export and import wizards, the package history, conflicts
to review, and the 操作记录 (the change journal that packages are made from, as people read it)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import labels
from gridapp.core.clock import local as _local
from gridapp.core.codes import ORG_LEVEL
from gridapp.core.errors import DomainError
from gridapp.core.services.site import fingerprint
from gridapp.sync import apply, export, history, identity
from gridapp.ui import operations
from gridapp.ui.errors import show_error
from gridapp.ui.oplog_panel import OpLogPanel
from gridapp.ui.pages.base import Page, add_button


def _table(headers: tuple[str, ...]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    t.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    t.setAlternatingRowColors(True)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setStretchLastSection(True)
    return t


def _fill(t: QTableWidget, rows: list[tuple]) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            t.setItem(r, c, QTableWidgetItem("" if value is None else str(value)))
    t.resizeColumnsToContents()


class SyncPage(Page):
    title = "数据交换"
    icon_name = "sync"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        box = QGroupBox("本站点")
        form = QFormLayout(box)
        self.site_name, self.fp = QLabel(), QLabel()
        self.fp.setObjectName("fingerprint")
        self.fp.setStyleSheet("font-size: 14pt; letter-spacing: 1px")
        form.addRow("名称：", self.site_name)
        form.addRow("密钥指纹：", self.fp)
        bar = QHBoxLayout()
        add_button(bar, "export", "导出本站身份文件…", self.save_identity)
        add_button(bar, "key", "信任对方站点…", self.trust)
        add_button(bar, "export", "导出数据包…", self.export)
        add_button(bar, "import", "导入数据包…", self.import_package)
        bar.addStretch(1)
        form.addRow(bar)
        self.outer.addWidget(box)

        self.tabs = QTabWidget()
        self.peers = _table(("对方站点", "编码", "层级", "指纹", "最近导出", "最近导入", "导出 / 导入次数"))
        self.packages = _table(("时间", "方向", "对方", "编号", "全量", "文件", "结果"))
        conflicts = QWidget()
        cl = QVBoxLayout(conflicts)
        cl.setContentsMargins(0, 0, 0, 0)
        cbar = QHBoxLayout()
        add_button(cbar, "edit", "采用未被采用的值", lambda: self.resolve(True))
        add_button(cbar, "retire", "确认保留现值", lambda: self.resolve(False))
        cbar.addWidget(QLabel("同一字段两边都改过时，默认保留该记录所属单位的修改；可在此复核并改用另一方的值。"))
        cbar.addStretch(1)
        self.conflicts = _table(("发现时间", "数据类别", "记录", "字段", "现值（保留）", "来自", "未采用的值", "来自"))
        cl.addLayout(cbar)
        cl.addWidget(self.conflicts)
        self.journal = OpLogPanel(store)
        self.tabs.addTab(self.peers, "已信任的站点")
        self.tabs.addTab(self.packages, "数据包记录")
        self.tabs.addTab(conflicts, "冲突复核")
        self.tabs.addTab(self.journal, "操作记录")
        self.outer.addWidget(self.tabs, 1)
        self._conflict_ids: list[int] = []
        self.refresh()

    def refresh(self) -> None:
        site = self.store.site
        self.site_name.setText(f"{site.name}（{ORG_LEVEL.name(site.level)} {site.code}）" if site else "未建立")
        self.fp.setText(fingerprint(self.store) or "无")
        if site is None:
            return
        _fill(self.peers, [(p.peer.name, p.peer.code, ORG_LEVEL.name(p.peer.level), p.peer.fingerprint,
                            _local(p.last_sent) or "无", _local(p.last_received) or "无", f"{p.sent} / {p.received}")
                           for p in history.peer_status(self.store)])
        _fill(self.packages, [(_local(e.recorded_at), e.direction_name, e.peer_name, f"第 {e.number} 号",
                               "是" if e.full else "", e.file_name, self._outcome(e)) for e in history.packages(self.store)])
        found = history.conflicts(self.store)
        self._conflict_ids = [c.id for c in found]
        _fill(self.conflicts, [(_local(c.detected_at), c.table_name, c.record_label, c.field_name, c.kept_text,
                                c.kept_from, c.lost_text, c.lost_from) for c in found])
        self.tabs.setTabText(2, f"冲突复核（{len(found)}）" if found else "冲突复核")
        self.journal.refresh()

    @staticmethod
    def _outcome(e: history.PackageEntry) -> str:
        totals = e.summary.get("totals")
        if totals:
            return "，".join(f"{apply.OUTCOME_NAMES[k]} {v}" for k, v in totals.items() if v) or "无变化"
        return f"{e.summary.get('records', 0)} 条记录，{e.summary.get('changes', 0)} 项变更"

    # -- identity and trust ---------------------------------------------------------------------------------------
    def save_identity(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "导出本站身份文件", f"{self.store.site.name}-身份.json",
                                                  "身份文件 (*.json)")
            if not name:
                return
            path = Path(name)
        try:
            identity.write_identity(self.store, path)
        except DomainError as exc:
            show_error(self, exc)
            return
        QMessageBox.information(self, "已导出", f"身份文件已保存到：\n{path}\n\n请把它交给对方导入，并把本站指纹\n"
                                              f"{fingerprint(self.store)}\n读给对方核对。")

    def trust(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "选择对方的身份文件", "", "身份文件 (*.json)")
            if not name:
                return
            path = Path(name)
        try:
            data = identity.read_identity(path)
        except DomainError as exc:
            show_error(self, exc, "无法读取身份文件")
            return
        dialog = TrustDialog(self.store, path, data, self)
        if dialog.exec():
            self.refresh()

    # -- packages --------------------------------------------------------------------------------------------------
    def export(self) -> None:
        peers = identity.peers(self.store)
        if not peers:
            QMessageBox.information(self, "尚无可交换的站点", "请先“信任对方站点”：导入对方的身份文件并核对指纹。")
            return
        dialog = ExportDialog(peers, self)
        if not dialog.exec():
            return
        to, folder, full = dialog.values()
        self._op = operations.run(
            self, "正在导出数据包",
            lambda p, c: export.export_package(self.store, to, folder, full=full, progress=p, cancel=c),
            self._exported)

    def _exported(self, r: export.ExportResult) -> None:
        self.refresh()
        QMessageBox.information(self, "导出完成", f"第 {r.number} 号{'全量' if r.full else ''}数据包已保存：\n{r.path}\n\n"
                                                f"共 {r.records} 条记录、{r.changes} 项变更。请用U盘交给对方导入。")

    def import_package(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getOpenFileName(self, "选择数据包", "", "数据包 (*.gridsync)")
            if not name:
                return
            path = Path(name)
        self._op = operations.run(
            self, "正在校验数据包",
            lambda p, c: apply.import_package(self.store, path, commit=False, progress=p, cancel=c),
            lambda report: self._previewed(path, report))

    def _previewed(self, path: Path, report: apply.SyncReport) -> None:
        if report.already:
            QMessageBox.information(self, "已导入过", report.summary())
            return
        dialog = PreviewDialog(report, self)
        if dialog.exec():
            self._op = operations.run(
                self, "正在导入数据包",
                lambda p, c: apply.import_package(self.store, path, commit=True, progress=p, cancel=c),
                self._imported)

    def _imported(self, report: apply.SyncReport) -> None:
        self.refresh()
        window = self.window()
        if hasattr(window, "refresh_all"):
            window.refresh_all()
        QMessageBox.information(self, "导入完成", f"{report.summary()}。\n导入前的数据库已备份到：\n{report.backup_path}")

    def resolve(self, take_lost: bool) -> None:
        row = self.conflicts.currentRow()
        if row < 0 or row >= len(self._conflict_ids):
            QMessageBox.information(self, "请选择", "请先在列表中选中一项冲突。")
            return
        try:
            history.resolve(self.store, self._conflict_ids[row], take_lost=take_lost)
        except DomainError as exc:
            show_error(self, exc, "无法处理")
            return
        self.refresh()


class TrustDialog(QDialog):
    """Trust a site: its fingerprint on this screen must equal the one the other side reads out."""

    def __init__(self, store, path: Path, data: dict, parent=None):
        super().__init__(parent)
        self.store, self.path, self.data = store, path, data
        self.setWindowTitle("信任对方站点")
        self.entry = QLineEdit(placeholderText="请输入对方读出的指纹，如 AB12-CD34-EF56-7890-1234")
        self.replace = QCheckBox("对方换了电脑或重装：替换原来信任的密钥")
        form = QFormLayout(self)
        form.addRow("站点：", QLabel(f"{data['name']}（{ORG_LEVEL.name(data['level'])} {data['code']}）"))
        fp = QLabel(data["fingerprint"])
        fp.setStyleSheet("font-size: 14pt")
        form.addRow("文件中的指纹：", fp)
        form.addRow(QLabel("请通过电话或当面请对方读出其屏幕上“密钥指纹”，输入后核对；不一致说明文件可能被替换，切勿信任。"))
        form.addRow("对方读出的指纹：", self.entry)
        form.addRow(self.replace)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("核对并信任")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def accept(self) -> None:
        try:
            identity.trust(self.store, self.path, fingerprint=self.entry.text(), replace=self.replace.isChecked())
        except DomainError as exc:
            show_error(self, exc, "未信任")
            return
        super().accept()


class ExportDialog(QDialog):
    def __init__(self, peers: list[identity.Peer], parent=None):
        super().__init__(parent)
        self.setWindowTitle("导出数据包")
        self.peer = QComboBox()
        for p in peers:
            self.peer.addItem(p.label, p.code)
        self.folder = QLineEdit(str(Path.home()))
        choose = QPushButton("选择…")
        choose.clicked.connect(self._choose)
        row = QHBoxLayout()
        row.addWidget(self.folder, 1)
        row.addWidget(choose)
        self.full = QCheckBox("全量导出（本站点范围内的全部数据，用于对方新装电脑）")
        form = QFormLayout(self)
        form.addRow("发给：", self.peer)
        form.addRow("保存到文件夹：", row)
        form.addRow(self.full)
        form.addRow(QLabel("数据包包含对方尚未确认收到的全部变更；丢失的数据包会由下一个补齐。数据包已加密，只有对方能打开。"))
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("导出")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        form.addRow(box)

    def _choose(self) -> None:
        name = QFileDialog.getExistingDirectory(self, "保存到", self.folder.text())
        if name:
            self.folder.setText(name)

    def values(self) -> tuple[str, Path, bool]:
        return self.peer.currentData(), Path(self.folder.text()), self.full.isChecked()


class PreviewDialog(QDialog):
    """What an import will do, per data class, before anything is written."""

    def __init__(self, report: apply.SyncReport, parent=None):
        super().__init__(parent)
        self.setWindowTitle("导入预览")
        self.resize(760, 480)
        lay = QVBoxLayout(self)
        lay.addWidget(QLabel(f"{report.sender_name}第 {report.number} 号{'全量' if report.full else ''}数据包："
                             f"{report.summary()}。确认后先备份数据库，再一次性写入。"))
        for w in report.warnings:
            warn = QLabel(w)
            warn.setStyleSheet("color: #b71c1c")
            lay.addWidget(warn)
        headers = ("数据类别", *(apply.OUTCOME_NAMES[k] for k in apply.OUTCOMES))
        self.table = _table(headers)
        _fill(self.table, [(labels.TABLES.get(t, t), *(c.get(k, 0) for k in apply.OUTCOMES))
                           for t, c in sorted(report.tables.items())])
        lay.addWidget(self.table, 1)
        if report.rejected:
            rejected = _table(("数据类别", "记录", "原因"))
            _fill(rejected, [(labels.TABLES.get(t, t), rid[:8], reason) for t, rid, reason in report.rejected[:200]])
            lay.addWidget(QLabel("以下记录超出对方的范围，不会导入："))
            lay.addWidget(rejected, 1)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText("确认导入")
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        lay.addWidget(box)


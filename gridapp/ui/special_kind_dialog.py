"""专属网格类别 management: the standard kinds, and adding, renaming, retiring, reinstating and deleting the
kinds this site added (reached from the 网格管理 page and from a grid's form)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridapp.core.errors import DomainError
from gridapp.core.models import SpecialKind
from gridapp.core.services import special_kinds
from gridapp.core.store import Store
from gridapp.ui.errors import show_error
from gridapp.ui.form_dialog import FormDialog, fit
from gridapp.ui.icons import icon

CODE_ROLE = Qt.ItemDataRole.UserRole + 1


class KindNameDialog(FormDialog):
    """The name of a new kind, or a new name for one."""

    def __init__(self, store: Store, kind: special_kinds.KindInfo | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.kind = store, kind
        self.setWindowTitle("专属网格类别改名" if kind else "添加专属网格类别")
        self.name = fit(QLineEdit(kind.name if kind else ""), SpecialKind.name)
        self.name.setPlaceholderText("如：养老机构、宗教场所、交通场站")
        self.name.setMinimumWidth(self.fontMetrics().horizontalAdvance("如：养老机构、宗教场所、交通场站") + 40)
        form = QFormLayout(self)
        form.addRow("类别名称 *", self.name)
        form.addRow(self.buttons("保存"))

    def apply(self):
        if self.kind:
            return special_kinds.rename(self.store, self.kind.code, self.name.text())
        return special_kinds.add(self.store, self.name.text())


class SpecialKindsDialog(QDialog):
    """The kinds as a table; the actions apply to the selected row."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.changed = False
        self.setWindowTitle("专属网格类别")
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["类别名称", "来源", "状态", "网格数"])
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col, sample in ((1, "上级单位添加"), (2, "已停用"), (3, "网格数")):
            self.table.setColumnWidth(col, self.fontMetrics().horizontalAdvance(sample) + 32)
        self.table.currentCellChanged.connect(lambda *_a: self._enable())
        self.table.doubleClicked.connect(lambda _i: self.rename())

        actions = QVBoxLayout()
        self.actions: dict[str, QPushButton] = {}
        for key, icon_name, text, slot in (
            ("add", "add_unit", "添加…", self.add),
            ("rename", "edit", "改名…", self.rename),
            ("retire", "retire", "停用", self.retire),
            ("reinstate", "restore", "恢复启用", self.reinstate),
            ("delete", "delete", "删除", self.delete),
        ):
            button = QPushButton(icon(icon_name), text)
            button.setMinimumWidth(button.fontMetrics().horizontalAdvance("恢复启用") + 56)
            button.clicked.connect(slot)
            actions.addWidget(button)
            self.actions[key] = button
        actions.addStretch(1)

        note = QLabel("标准类别（党政机关、学校、医院、企业、园区、商圈、市场、景区、其他）不能修改。本站点添加的类别"
                      "随数据包报送上级；停用后不再供选择，已属于该类别的网格不受影响；没有网格使用的类别才能删除。")
        note.setWordWrap(True)
        body = QHBoxLayout()
        body.addWidget(self.table, 1)
        body.addLayout(actions)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(body, 1)
        layout.addWidget(note)
        layout.addWidget(buttons)
        self.resize(620, 460)
        self.refresh()

    # -- the table --------------------------------------------------------------------------------
    def refresh(self, select: str | None = None) -> None:
        kinds = special_kinds.kinds(self.store)
        own = self.store.site.code if self.store.site else ""
        self.table.setRowCount(len(kinds))
        row_of = {}
        for i, k in enumerate(kinds):
            source = "标准" if k.standard else "本站点添加" if k.scope_code == own else (
                "下级单位添加" if (k.scope_code or "").startswith(own) else "上级单位添加")
            cells = [k.name, source, "已停用" if k.retired else "使用中", str(k.grids)]
            for col, value in enumerate(cells):
                item = QTableWidgetItem(value)
                item.setData(CODE_ROLE, k.code)
                if k.retired:
                    item.setForeground(Qt.GlobalColor.gray)
                if col == 3:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.table.setItem(i, col, item)
            row_of[k.code] = i
        self._kinds = {k.code: k for k in kinds}
        if select in row_of:
            self.table.setCurrentCell(row_of[select], 0)
        self._enable()

    def selected(self) -> special_kinds.KindInfo | None:
        item = self.table.item(self.table.currentRow(), 0)
        return self._kinds.get(item.data(CODE_ROLE)) if item else None

    def _enable(self) -> None:
        k = self.selected()
        editable = bool(k and not k.standard)
        self.actions["rename"].setEnabled(editable)
        self.actions["retire"].setEnabled(editable and not k.retired)
        self.actions["reinstate"].setEnabled(editable and k.retired)
        self.actions["delete"].setEnabled(editable and k.grids == 0)

    def _require(self) -> special_kinds.KindInfo | None:
        k = self.selected()
        if k is None:
            QMessageBox.information(self, "请选择", "请先在列表中选中一个专属网格类别。")
        return k

    def _run(self, fn, *args) -> None:
        try:
            result = fn(self.store, *args)
        except DomainError as exc:
            show_error(self, exc, self.windowTitle())
            return
        self.changed = True
        self.refresh(getattr(result, "code", None))

    # -- actions ----------------------------------------------------------------------------------
    def add(self) -> None:
        dialog = KindNameDialog(self.store, parent=self)
        if dialog.exec():
            self.changed = True
            self.refresh(dialog.result_value.code)

    def rename(self) -> None:
        k = self._require()
        if k is None:
            return
        if k.standard:
            QMessageBox.information(self, self.windowTitle(), f"“{k.name}”是标准类别，不能改名。")
            return
        dialog = KindNameDialog(self.store, k, parent=self)
        if dialog.exec():
            self.changed = True
            self.refresh(k.code)

    def retire(self) -> None:
        k = self._require()
        if k is not None:
            self._run(special_kinds.retire, k.code)

    def reinstate(self) -> None:
        k = self._require()
        if k is not None:
            self._run(special_kinds.reinstate, k.code)

    def delete(self) -> None:
        k = self._require()
        if k is None:
            return
        answer = QMessageBox.question(self, "删除专属网格类别", f"确定删除类别“{k.name}”吗？",
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
        if answer == QMessageBox.StandardButton.Yes:
            self._run(special_kinds.delete, k.code)

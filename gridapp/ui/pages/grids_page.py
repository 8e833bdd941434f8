"""网格管理: the org tree and the selected unit's details."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QCheckBox, QFormLayout, QGroupBox, QLabel, QSplitter, QTreeView

from gridapp.core.codes import GRID_TYPE, ORG_LEVEL
from gridapp.core.services import orgs
from gridapp.ui.icons import icon
from gridapp.ui.pages.base import Page

ID_ROLE = Qt.ItemDataRole.UserRole + 1


class GridsPage(Page):
    title = "网格管理"
    icon_name = "grids"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.show_retired = QCheckBox("显示已撤销的网格")
        self.show_retired.toggled.connect(self.refresh)
        self.header.addWidget(self.show_retired)

        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(["名称", "编码", "户数"])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.selectionModel().currentChanged.connect(self._show_details)

        self.details = QGroupBox("详细信息")
        self.form = QFormLayout(self.details)
        self.fields: dict[str, QLabel] = {}
        for key, label in (("name", "名称"), ("code", "编码"), ("level", "层级"), ("grid_type", "网格类型"),
                           ("households", "户数"), ("population", "人口"), ("boundary", "四至范围"),
                           ("party_org_name", "党组织"), ("active_from", "设立日期"), ("retired_on", "撤销日期")):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            self.form.addRow(label + "：", value)

        split = QSplitter()
        split.addWidget(self.tree)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.outer.addWidget(split, 1)
        self._units: dict[str, orgs.OrgUnitInfo] = {}
        self.refresh()

    def refresh(self) -> None:
        self.model.removeRows(0, self.model.rowCount())
        units = orgs.tree(self.store, include_retired=self.show_retired.isChecked())
        self._units = {u.id: u for u in units}
        items: dict[str, QStandardItem] = {}
        for u in units:
            name = QStandardItem(icon(u.level), u.name + ("（已撤销）" if u.is_retired else ""))
            name.setData(u.id, ID_ROLE)
            name.setEditable(False)
            row = [name, QStandardItem(u.code), QStandardItem("" if u.households is None else str(u.households))]
            for it in row[1:]:
                it.setEditable(False)
            parent = items.get(u.parent_id or "")
            (parent or self.model.invisibleRootItem()).appendRow(row)
            items[u.id] = name
        self.tree.expandToDepth(0)
        self.tree.setColumnWidth(0, 260)
        if self.model.rowCount():
            self.tree.setCurrentIndex(self.model.index(0, 0))

    def _show_details(self, current, _previous=None) -> None:
        unit = self._units.get(current.siblingAtColumn(0).data(ID_ROLE)) if current.isValid() else None
        for key, label in self.fields.items():
            value = getattr(unit, key, None) if unit else None
            if key == "level" and value:
                value = ORG_LEVEL.name(value)
            elif key == "grid_type" and value:
                value = GRID_TYPE.name(value)
            label.setText("" if value is None else str(value))

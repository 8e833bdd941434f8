"""网格管理: the org tree (or a filtered list of units), the selected unit's page and its actions."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QPushButton,
    QSplitter,
    QTabWidget,
    QTreeView,
    QVBoxLayout,
)

from gridapp.core import list_specs
from gridapp.core.codes import ORG_LEVEL
from gridapp.core.services import grids, orgs, overview, special_kinds
from gridapp.ui import grid_dialogs, permits, print_actions
from gridapp.ui.icons import icon
from gridapp.ui.import_dialog import ImportDialog
from gridapp.ui.list_panel import ListPanel
from gridapp.ui.pages.base import Page
from gridapp.ui.special_kind_dialog import SpecialKindsDialog

ID_ROLE = Qt.ItemDataRole.UserRole + 1
GAP_COLOR = "#bf360c"  # the overview's warning colour: a grid short of staff


class GridsPage(Page):
    title = "网格管理"
    icon_name = "grids"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.show_retired = QCheckBox("显示已撤销的单位")
        self.show_retired.toggled.connect(self.refresh)
        self.header.addWidget(self.show_retired)

        bar = QHBoxLayout()
        self.actions: dict[str, QPushButton] = {}
        for key, icon_name, text, slot in (
            ("add", "add_unit", "新建下级", self.add_child),
            ("edit", "edit", "编辑", self.edit),
            ("move", "move", "移动", self.move),
            ("split", "split", "拆分", self.split),
            ("merge", "merge", "合并", self.merge),
            ("retire", "retire", "撤销", self.retire),
            ("import", "import", "导入网格划分表", self.import_sheet),
            ("kinds", "kinds", "专属网格类别", self.manage_kinds),
        ):
            button = QPushButton(icon(icon_name), text)
            button.clicked.connect(slot)
            bar.addWidget(button)
            self.actions[key] = button
            if key == "retire":
                bar.addSpacing(16)
        bar.addWidget(print_actions.print_button(self, store, lambda: self.current.code if self.current else None))
        bar.addStretch(1)
        self.outer.addLayout(bar)

        self.model = QStandardItemModel(self)
        self.model.setHorizontalHeaderLabels(["名称", "编码", "户数"])
        self.tree = QTreeView()
        self.tree.setModel(self.model)
        self.tree.setUniformRowHeights(True)
        self.tree.selectionModel().currentChanged.connect(self._show_details)
        self.tree.doubleClicked.connect(lambda _i: self.edit())

        self.details = QGroupBox("详细信息")
        dlay = QVBoxLayout(self.details)
        form = QFormLayout()
        self.fields: dict[str, QLabel] = {}
        for key, label in (("name", "名称"), ("code", "编码"), ("level", "层级"), ("grid_type", "网格类型"),
                           ("special_unit", "所属单位"), ("households", "户数"), ("population", "人口"), ("boundary", "四至范围"),
                           ("party_org_name", "党组织"), ("leader", "网格长"), ("active_from", "设立日期"),
                           ("retired_on", "撤销日期")):
            value = QLabel()
            value.setWordWrap(True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(label + "：", value)
        dlay.addLayout(form)
        self.warnings = QLabel()
        self.warnings.setObjectName("warning")
        self.warnings.setWordWrap(True)
        dlay.addWidget(self.warnings)
        dlay.addWidget(QLabel("在岗网格员："))
        self.members = QListWidget()
        dlay.addWidget(self.members, 2)
        self.unit_print = print_actions.unit_print_buttons(
            self, store, lambda: self.current.code if self.current and not self.current.is_retired else None)
        prow = QHBoxLayout()
        for b in self.unit_print:
            prow.addWidget(b)
        prow.addStretch(1)
        dlay.addLayout(prow)
        dlay.addWidget(QLabel("网格内小区："))
        self.compounds = QListWidget()
        dlay.addWidget(self.compounds, 1)

        # The same units as a list that filters (the overview's warnings open it); its selection is the tree's.
        self.units_list = ListPanel(store, list_specs.ORG_UNITS, search_hint="搜索：单位名称或编码")
        self.units_list.table.selectionModel().currentRowChanged.connect(self._on_list_row)
        self.units_list.activated.connect(lambda _rid: self.edit())
        self.views = QTabWidget()
        self.views.addTab(self.tree, "组织架构")
        self.views.addTab(self.units_list, "单位列表")

        split = QSplitter()
        split.addWidget(self.views)
        split.addWidget(self.details)
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        self.outer.addWidget(split, 1)
        self._units: dict[str, orgs.OrgUnitInfo] = {}
        self._items: dict[str, QStandardItem] = {}  # the tree's name item per unit id
        self.current: orgs.OrgUnitInfo | None = None
        self.refresh()

    # -- the tree ---------------------------------------------------------------------------------
    def refresh(self, select_id: str | None = None) -> None:
        select_id = select_id or (self.current.id if self.current else None)
        self.model.removeRows(0, self.model.rowCount())
        units = orgs.tree(self.store, include_retired=self.show_retired.isChecked())
        self._units = {u.id: u for u in units}
        gaps = overview.grid_gaps(self.store)
        items: dict[str, QStandardItem] = {}
        for u in units:
            name = QStandardItem(icon(u.level), u.name + ("（已撤销）" if u.is_retired else ""))
            name.setData(u.id, ID_ROLE)
            if u.is_retired:
                name.setForeground(Qt.GlobalColor.gray)
            row = [name, QStandardItem(u.code), QStandardItem("" if u.households is None else str(u.households))]
            for it in row:
                it.setEditable(False)
            if u.id in gaps:
                name.setIcon(icon("warning", GAP_COLOR))
                for it in row:
                    it.setForeground(QColor(GAP_COLOR))
                    it.setToolTip("本网格" + "；".join(gaps[u.id]))
            parent = items.get(u.parent_id or "")
            (parent or self.model.invisibleRootItem()).appendRow(row)
            items[u.id] = name
        self._mark_ancestors(gaps, items)
        self._items = items
        self.units_list.refresh()
        self.tree.expandToDepth(0)
        self.tree.setColumnWidth(0, 260)
        self.tree.setColumnWidth(1, self.tree.fontMetrics().horizontalAdvance("0" * 15) + 24)  # a grid code
        target = items.get(select_id or "") or self.model.item(0, 0)
        if target is not None:
            self.tree.setCurrentIndex(target.index())
            self.tree.scrollTo(target.index())

    def _mark_ancestors(self, gaps: dict[str, tuple[str, ...]], items: dict[str, QStandardItem]) -> None:
        """A collapsed community or street still shows that grids below it are short of staff."""
        below: dict[str, int] = {}
        for grid_id in gaps:
            unit = self._units.get(grid_id)
            while unit is not None and unit.parent_id in self._units:
                below[unit.parent_id] = below.get(unit.parent_id, 0) + 1
                unit = self._units[unit.parent_id]
        for unit_id, n in below.items():
            if unit_id in items:
                items[unit_id].setForeground(QColor(GAP_COLOR))
                items[unit_id].setToolTip(f"下属 {n} 个网格人员配备不足")

    def _on_list_row(self, current, _previous=None) -> None:
        """A unit chosen in the list is the selected unit: the details and the actions follow it."""
        item = self._items.get(self.units_list.model.record_id(current.row()) or "") if current.isValid() else None
        if item is not None:
            self.tree.setCurrentIndex(item.index())

    def select_code(self, code: str) -> None:
        unit = next((u for u in self._units.values() if u.code == code), None)
        if unit:
            self.refresh(unit.id)

    def _show_details(self, current, _previous=None) -> None:
        with self.store.read() as s:  # a few dozen kinds at most; renamed ones show at once
            self._kind_names = special_kinds.names_in(s)
        unit = self._units.get(current.siblingAtColumn(0).data(ID_ROLE)) if current.isValid() else None
        self.current = unit
        self.members.clear()
        self.compounds.clear()
        self.warnings.clear()
        details = grids.details(self.store, unit.id) if unit else None
        for key, label in self.fields.items():
            value = getattr(unit, key, None) if unit else None
            if key == "level" and value:
                value = ORG_LEVEL.name(value)
            elif key == "grid_type" and value:
                value = special_kinds.type_label(value, self._kind_names.get(unit.special_kind or "", ""))
            elif key == "leader" and details:
                value = details.leader.name if details.leader else ("无" if unit.level == "grid" else None)
            label.setText("" if value is None else str(value))
        if details:
            for m in details.members:
                self.members.addItem(f"{m.name}　{m.role_name}　{m.phone or ''}")
            for name, households in details.compounds:
                self.compounds.addItem(f"{name}" + (f"（{households} 户）" if households else ""))
            notes = list(details.warnings)
            if details.successor:
                notes.append(f"已并入/拆分为：{details.successor}")
            self.warnings.setText("；".join(notes))
        is_grid = bool(unit and unit.level == "grid" and not unit.is_retired)
        live = bool(unit and not unit.is_retired)
        for b in self.unit_print:
            b.setEnabled(live)
        if unit:
            print_actions.set_unit_print_level(self.unit_print, unit.level_name)
        self.actions["add"].setEnabled(live and unit.level != "microgrid")
        self.actions["edit"].setEnabled(live)
        self.actions["move"].setEnabled(live and unit.level not in ("district",) and unit.code != self._site_code())
        self.actions["retire"].setEnabled(live and unit.code != self._site_code())
        self.actions["split"].setEnabled(is_grid)
        self.actions["merge"].setEnabled(is_grid)
        permits.apply(self, self.store)  # the role's limits stay over what the selection allows

    def _site_code(self) -> str:
        return self.store.site.code if self.store.site else ""

    # -- actions ----------------------------------------------------------------------------------
    def _run(self, dialog) -> None:
        if dialog.exec():
            result = getattr(dialog, "result_value", None)
            new = result[0] if isinstance(result, tuple) else result
            self.refresh(getattr(new, "id", None))

    def add_child(self) -> None:
        if self.current:
            self._run(grid_dialogs.UnitDialog(self.store, parent_unit=self.current, parent=self))

    def edit(self) -> None:
        if self.current and not self.current.is_retired:
            self._run(grid_dialogs.UnitDialog(self.store, unit=self.current, parent=self))

    def move(self) -> None:
        if self.current:
            self._run(grid_dialogs.MoveDialog(self.store, self.current, self))

    def retire(self) -> None:
        if self.current:
            self._run(grid_dialogs.RetireDialog(self.store, self.current, self))

    def split(self) -> None:
        if self.current:
            self._run(grid_dialogs.SplitDialog(self.store, self.current, self))

    def merge(self) -> None:
        if self.current:
            self._run(grid_dialogs.MergeDialog(self.store, self.current, self))

    def manage_kinds(self) -> None:
        dialog = SpecialKindsDialog(self.store, self)
        dialog.exec()
        if dialog.changed:
            self.refresh()

    def import_sheet(self) -> None:
        dialog = ImportDialog(self.store, "grids", self)
        dialog.imported.connect(lambda _report: self.refresh())
        dialog.exec()

"""Dialogs of the 网格管理 page: add or edit a unit, move, retire, split and merge grids."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import codes
from gridapp.core.errors import ValidationError
from gridapp.core.models import OrgUnit
from gridapp.core.services import grids, orgs, special_kinds
from gridapp.core.store import Store
from gridapp.core.validation import normalize_phone
from gridapp.ui.form_dialog import FormDialog, count_spin, fit
from gridapp.ui.picker import add_picks, searchable
from gridapp.ui.worker_dialog import code_combo, date_edit, set_combo


def _count(attribute) -> QSpinBox:
    return count_spin(None, attribute=attribute)


class UnitDialog(FormDialog):
    """New unit under a parent (next free code), or edit an existing one."""

    def __init__(self, store: Store, *, parent_unit: orgs.OrgUnitInfo | None = None,
                 unit: orgs.OrgUnitInfo | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.parent_unit, self.unit = store, parent_unit, unit
        level = unit.level if unit else {"district": "street", "street": "community", "community": "grid",
                                         "grid": "microgrid"}[parent_unit.level]
        self.level = level
        self.setWindowTitle(f"{'编辑' if unit else '新建'}{codes.ORG_LEVEL.name(level)}")
        self.name = fit(QLineEdit(unit.name if unit else ""), OrgUnit.name)
        self.grid_type = code_combo("grid_type", blank=False)
        # 专属网格类别 and 所属单位: shown and used only for a 专属网格.
        self.kind = QComboBox()
        self.kind.setObjectName("special_kind")
        self.kind_scope = unit.code if unit else parent_unit.code
        self.manage_kinds = QPushButton("管理类别…")
        self.manage_kinds.setToolTip("添加、改名或停用本街道的专属网格类别")
        self.manage_kinds.clicked.connect(self._manage_kinds)
        kind_row = QWidget()
        kind_lay = QHBoxLayout(kind_row)
        kind_lay.setContentsMargins(0, 0, 0, 0)
        kind_lay.addWidget(self.kind, 1)
        kind_lay.addWidget(self.manage_kinds)
        self.kind_row = kind_row
        self.special_unit = fit(QLineEdit(unit.special_unit or "" if unit else ""), OrgUnit.special_unit)
        self.special_unit.setPlaceholderText("如：青岛市第三中学（可不填）")
        self._fill_kinds(unit.special_kind if unit else None)
        self.households, self.population = _count(OrgUnit.households), _count(OrgUnit.population)
        self.boundary = QPlainTextEdit(unit.boundary or "" if unit else "")
        self.boundary.setFixedHeight(60)
        self.party = fit(QLineEdit(unit.party_org_name or "" if unit else ""), OrgUnit.party_org_name)
        self.phone = QLineEdit(unit.supervision_phone or "" if unit else "")
        form = QFormLayout(self)
        if unit:
            form.addRow("编码：", QLabel(unit.code))
            set_combo(self.grid_type, unit.grid_type)
            self.households.setValue(unit.households if unit.households is not None else -1)
            self.population.setValue(unit.population if unit.population is not None else -1)
        else:
            form.addRow("上级：", QLabel(f"{parent_unit.name}（{parent_unit.code}），编码自动顺延"))
        form.addRow("名称 *", self.name)
        if level in ("grid", "microgrid"):
            form.addRow("网格类型", self.grid_type)
            form.addRow("专属网格类别", self.kind_row)
            form.addRow("所属单位", self.special_unit)
            self.form = form
            self.grid_type.currentIndexChanged.connect(lambda _i: self._show_kind())
            self._show_kind()
            form.addRow("户数", self.households)
            form.addRow("人口", self.population)
            form.addRow("四至范围", self.boundary)
        form.addRow("党组织名称", self.party)
        form.addRow("监督电话", self.phone)
        form.addRow(self.buttons("保存"))

    def fields(self) -> dict:
        phone = self.phone.text().strip()
        out = {"name": self.name.text().strip(), "party_org_name": self.party.text().strip() or None,
               "supervision_phone": normalize_phone(phone) if phone else None}
        if self.level in ("grid", "microgrid"):
            special = self.grid_type.currentData() == "special"
            out.update(special_kind=self.kind.currentData() if special else None,
                       special_unit=(self.special_unit.text().strip() or None) if special else None)
            out.update(grid_type=self.grid_type.currentData(),
                       households=None if self.households.value() < 0 else self.households.value(),
                       population=None if self.population.value() < 0 else self.population.value(),
                       boundary=self.boundary.toPlainText().strip() or None)
        return out

    def _fill_kinds(self, current: str | None) -> None:
        self.kind.clear()
        self.kind.addItem("（未选择）", None)
        for code, name in special_kinds.choices(self.store, self.kind_scope, keep=current):
            self.kind.addItem(name, code)
        set_combo(self.kind, current)

    def _show_kind(self) -> None:
        special = self.grid_type.currentData() == "special"
        for widget in (self.kind_row, self.special_unit):
            self.form.setRowVisible(widget, special)
            widget.setEnabled(special)

    def _manage_kinds(self) -> None:
        from gridapp.ui.special_kind_dialog import SpecialKindsDialog

        dialog = SpecialKindsDialog(self.store, self)
        dialog.exec()
        if dialog.changed:
            self._fill_kinds(self.kind.currentData())

    def apply(self):
        fields = self.fields()
        if self.unit:
            return grids.update(self.store, self.unit.id, **fields)
        name = fields.pop("name")
        return grids.add_child(self.store, self.parent_unit.id, name, **fields)


class RetireDialog(FormDialog):
    def __init__(self, store: Store, unit: orgs.OrgUnitInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.unit = store, unit
        self.setWindowTitle(f"撤销{unit.level_name} — {unit.name}")
        self.on = date_edit()
        self.reason = QLineEdit(placeholderText="如：网格调整、社区合并")
        form = QFormLayout(self)
        form.addRow(QLabel("撤销后该单位保留全部历史记录，但不再出现在当前名单中。"))
        form.addRow("撤销日期", self.on)
        form.addRow("撤销原因 *", self.reason)
        form.addRow(self.buttons("撤销"))

    def apply(self):
        return grids.retire(self.store, self.unit.id, self.on.date().toPython(), self.reason.text())


class MoveDialog(FormDialog):
    def __init__(self, store: Store, unit: orgs.OrgUnitInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.unit = store, unit
        self.setWindowTitle(f"移动 — {unit.name}")
        parent_level = {"street": "district", "community": "street", "grid": "community", "microgrid": "grid"}[unit.level]
        self.target = QComboBox()
        add_picks(self.target, (p for p in orgs.picks(store, parent_level) if p.value != unit.parent_id))
        searchable(self.target)
        form = QFormLayout(self)
        form.addRow(QLabel("移动后该单位及其下级将获得新的编码。"))
        form.addRow(f"移到{codes.ORG_LEVEL.name(parent_level)}", self.target)
        form.addRow(self.buttons("移动"))

    def apply(self):
        if not self.target.currentData():
            raise ValidationError("没有可移入的上级单位")
        return grids.move(self.store, self.unit.id, self.target.currentData())


class SplitDialog(FormDialog):
    """Split a grid in two: names and figures of each, and where each worker and compound goes."""

    def __init__(self, store: Store, unit: orgs.OrgUnitInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.unit = store, unit
        self.setWindowTitle(f"拆分网格 — {unit.name}")
        lay = QVBoxLayout(self)
        parts = QGroupBox("拆分后的两个网格")
        pf = QFormLayout(parts)
        self.names = [fit(QLineEdit(f"{unit.name}{n}"), OrgUnit.name) for n in "一二"]
        self.households = [_count(OrgUnit.households), _count(OrgUnit.households)]
        self.boundaries = [fit(QLineEdit(), OrgUnit.boundary), fit(QLineEdit(), OrgUnit.boundary)]
        for i in range(2):
            pf.addRow(f"网格{'甲乙'[i]}名称 *", self.names[i])
            pf.addRow(f"网格{'甲乙'[i]}户数", self.households[i])
            pf.addRow(f"网格{'甲乙'[i]}四至", self.boundaries[i])
        lay.addWidget(parts)
        moves = QGroupBox("网格员和小区的去向")
        mf = QFormLayout(moves)
        self.worker_boxes: dict[str, QComboBox] = {}
        self.compound_boxes: dict[str, QComboBox] = {}
        inside = grids.contents(store, unit.id)
        for assignment_id, name, role in inside.assignments:
            self.worker_boxes[assignment_id] = self._ab()
            mf.addRow(f"{name}（{role}）", self.worker_boxes[assignment_id])
        for compound_id, name in inside.compounds:
            self.compound_boxes[compound_id] = self._ab()
            mf.addRow(f"小区：{name}", self.compound_boxes[compound_id])
        if not self.worker_boxes and not self.compound_boxes:
            mf.addRow(QLabel("该网格没有在岗网格员和小区。"))
        lay.addWidget(moves)
        self.on = date_edit()
        df = QFormLayout()
        df.addRow("拆分日期", self.on)
        lay.addLayout(df)
        lay.addWidget(self.buttons("拆分"))

    def _ab(self) -> QComboBox:
        box = QComboBox()
        box.addItem("转入网格甲", 0)
        box.addItem("转入网格乙", 1)
        return box

    def apply(self):
        parts = tuple(grids.NewGrid(self.names[i].text().strip(),
                                    None if self.households[i].value() < 0 else self.households[i].value(),
                                    None, self.boundaries[i].text().strip() or None) for i in range(2))
        if not all(p.name for p in parts):
            raise ValidationError("请填写拆分后两个网格的名称")
        return grids.split(self.store, self.unit.id, parts,  # type: ignore[arg-type]
                           workers={k: b.currentData() for k, b in self.worker_boxes.items()},
                           compounds={k: b.currentData() for k, b in self.compound_boxes.items()},
                           on=self.on.date().toPython())


class MergeDialog(FormDialog):
    def __init__(self, store: Store, unit: orgs.OrgUnitInfo, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.unit = store, unit
        self.setWindowTitle(f"合并网格 — {unit.name}")
        self.other = QComboBox()
        for sibling in orgs.children(store, unit.parent_id):
            if sibling.id != unit.id and sibling.level == "grid":
                self.other.addItem(sibling.name, sibling.id)
        self.name = fit(QLineEdit(unit.name), OrgUnit.name)
        self.leader = QComboBox()
        self.leader.addItem(f"保留“{unit.name}”的网格长", 0)
        self.leader.addItem("保留另一网格的网格长", 1)
        self.on = date_edit()
        form = QFormLayout(self)
        form.addRow(QLabel("两个网格撤销，合并为一个新网格；网格员和小区全部转入新网格。"))
        form.addRow("与之合并的网格", self.other)
        form.addRow("新网格名称 *", self.name)
        form.addRow("网格长", self.leader)
        form.addRow("合并日期", self.on)
        form.addRow(self.buttons("合并"))

    def apply(self):
        if not self.other.currentData():
            raise ValidationError("同一社区内没有可合并的其他网格")
        return grids.merge(self.store, (self.unit.id, self.other.currentData()), self.name.text().strip(),
                           self.on.date().toPython(), leader_from=self.leader.currentData())

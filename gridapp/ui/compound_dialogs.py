"""红色物业 compound dialogs: the compound form with its owners' committee and contract history,
choosing a new firm, and ending a firm's service."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gridapp.core.models import Compound, OwnersCommittee
from gridapp.core.services import compounds, firms
from gridapp.core.store import Store
from gridapp.ui.form_dialog import FormDialog, OptionalDate, count_spin, fit, spin_value
from gridapp.ui.picker import searchable
from gridapp.ui.worker_dialog import code_combo, date_edit, grid_combo, set_combo


class CompoundDialog(FormDialog):
    """登记 / 修改小区, its owners' committee and (read-only here) its contract history."""

    def __init__(self, store: Store, compound_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.compound_id = store, compound_id
        d = compounds.details(store, compound_id) if compound_id else None
        self.setWindowTitle(f"小区 — {d.name}" if d else "登记小区")
        self.name = fit(QLineEdit(d.name if d else ""), Compound.name)
        self.address = fit(QLineEdit(d.address or "" if d else ""), Compound.address)
        self.party_name = fit(QLineEdit(d.party_org_name or "" if d else ""), Compound.party_org_name)
        self.grid = grid_combo(store)
        self.kind = code_combo("compound_kind")
        self.buildings = count_spin(d.building_count if d else None, attribute=Compound.building_count)
        self.households = count_spin(d.households if d else None, attribute=Compound.households)
        self.built = QSpinBox(minimum=1899, maximum=2100)
        self.built.setSpecialValueText("未填")
        self.built.setValue(d.built_year if d and d.built_year else 1899)
        self.covered = QCheckBox("小区已建立党组织（党组织覆盖）")
        self.covered.toggled.connect(self.party_name.setEnabled)
        if d:
            set_combo(self.grid, d.grid_id)
            set_combo(self.kind, d.kind)
            self.covered.setChecked(d.party_org_covered)
        self.party_name.setEnabled(self.covered.isChecked())

        c = d.committee if d else None
        self.established = QCheckBox("已成立业主委员会")
        self.established.setChecked(bool(c and c.established))
        self.director = fit(QLineEdit(c.director_name or "" if c else ""), OwnersCommittee.director_name)
        self.members = count_spin(c.member_count if c else None, attribute=OwnersCommittee.member_count)
        self.party_members = count_spin(c.party_member_count if c else None,
                                        attribute=OwnersCommittee.party_member_count)
        self.term_start = OptionalDate(c.term_start if c else None)
        self.term_end = OptionalDate(c.term_end if c else None)
        committee = QGroupBox("业主委员会")
        cf = QFormLayout(committee)
        for label, w in (("", self.established), ("主任", self.director), ("成员数", self.members),
                         ("其中党员", self.party_members), ("任期开始", self.term_start), ("任期届满", self.term_end)):
            cf.addRow(label, w)
        self.committee_fields = (self.director, self.members, self.party_members, self.term_start, self.term_end)
        self.established.toggled.connect(self._follow_committee)
        self._follow_committee()

        basic = QGroupBox("小区信息")
        bf = QFormLayout(basic)
        for label, w in (("小区名称 *", self.name), ("所在网格 *", self.grid), ("小区地址", self.address),
                         ("小区类型", self.kind), ("楼栋数", self.buildings), ("户数", self.households),
                         ("建成年份", self.built), ("", self.covered), ("党组织名称", self.party_name)):
            bf.addRow(label, w)
        row = QHBoxLayout()
        row.addWidget(basic, 1)
        row.addWidget(committee, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        history = QLabel(self._history(d))
        history.setWordWrap(True)
        history.setObjectName("contractHistory")
        lay.addWidget(history)
        lay.addWidget(self.buttons())

    @staticmethod
    def _history(d: compounds.CompoundDetails | None) -> str:
        if d is None or not d.contracts:
            return "物业服务：无（登记后可在列表上方“更换物业”选聘物业企业）"
        lines = []
        for c in d.contracts:
            period = f"{c.start_date or '起始日期未填'} 至 {c.end_date or '今'}"
            lines.append(f"{c.firm_name}（{period}" + (f"，{c.end_reason_name}" if c.end_reason else "") + "）")
        return "物业服务：" + "；".join(lines)

    def _follow_committee(self) -> None:
        for w in self.committee_fields:
            w.setEnabled(self.established.isChecked())

    def apply(self) -> str:
        data = {"name": self.name.text(), "grid_id": self.grid.currentData(),
                "address": self.address.text().strip() or None, "kind": self.kind.currentData(),
                "building_count": spin_value(self.buildings), "households": spin_value(self.households),
                "built_year": None if self.built.value() == self.built.minimum() else self.built.value(),
                "party_org_covered": self.covered.isChecked(),
                "party_org_name": self.party_name.text().strip() or None}
        committee = {"established": self.established.isChecked(),
                     "director_name": self.director.text().strip() or None,
                     "member_count": spin_value(self.members), "party_member_count": spin_value(self.party_members),
                     "term_start": self.term_start.value(), "term_end": self.term_end.value()}
        return compounds.save_compound(self.store, data, self.compound_id, committee=committee)


class ChangeFirmDialog(FormDialog):
    """选聘 / 更换物业: the new firm from a date; the current contract ends that day."""

    def __init__(self, store: Store, compound_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.compound_id = store, compound_id
        d = compounds.details(store, compound_id)
        self.setWindowTitle(f"更换物业 — {d.name}")
        current = d.current
        self.firm = searchable(QComboBox())
        self.firm.addItem("请选择物业企业", None)
        for fid, name in firms.choices(store):
            if current is None or fid != current.firm_id:
                self.firm.addItem(name, fid)
        self.start = date_edit()
        self.reason = code_combo("contract_end", blank=False)
        form = QFormLayout(self)
        form.addRow("现物业", QLabel(f"{current.firm_name}（{current.start_date or '起始日期未填'}起）" if current else "无"))
        form.addRow("新物业企业 *", self.firm)
        form.addRow("服务起始日期", self.start)
        if current is not None:
            form.addRow("原合同终止方式", self.reason)
        form.addRow(self.buttons("确定"))
        self.has_current = current is not None

    def apply(self) -> str:
        return compounds.change_firm(self.store, self.compound_id, self.firm.currentData(),
                                     self.start.date().toPython(), self.reason.currentData())


class EndServiceDialog(FormDialog):
    """The firm stops serving the compound (the compound is left without a firm)."""

    def __init__(self, store: Store, compound_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.compound_id = store, compound_id
        d = compounds.details(store, compound_id)
        self.setWindowTitle(f"终止物业服务 — {d.name}")
        self.on = date_edit()
        self.reason = code_combo("contract_end", blank=False)
        form = QFormLayout(self)
        form.addRow("现物业", QLabel(d.current.firm_name if d.current else "无"))
        form.addRow("终止日期", self.on)
        form.addRow("终止方式", self.reason)
        form.addRow(self.buttons("终止服务"))

    def apply(self) -> None:
        compounds.end_service(self.store, self.compound_id, self.on.date().toPython(), self.reason.currentData())

"""红色物业 firm dialogs: the firm form, its page, quarterly figures and cross-appointments."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QSpinBox,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import codes
from gridapp.core.errors import DomainError
from gridapp.core.models import FirmQuarterly, PropertyFirm
from gridapp.core.services import compounds, firms, ratings
from gridapp.core.store import Store
from gridapp.core.validation import parse_credit_code
from gridapp.ui.form_dialog import FormDialog, OptionalDate, count_spin, fit, spin_value
from gridapp.ui.picker import org_picker, searchable
from gridapp.ui.worker_dialog import code_combo, date_edit, set_combo


def _esc(text: object) -> str:
    return str(text if text is not None else "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def community_combo(store: Store, blank: str) -> QComboBox:
    return org_picker(store, "community", blank=blank)


class FirmDialog(FormDialog):
    """登记 / 修改物业服务企业: the credit code is checked as typed; the Party fields follow the status."""

    def __init__(self, store: Store, firm_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.firm_id = store, firm_id
        self.setWindowTitle("修改物业企业" if firm_id else "登记物业企业")
        self.setMinimumWidth(780)
        v = firms.details(store, firm_id).values if firm_id else {}
        text = {k: QLineEdit(v.get(k) or "") for k in ("name", "credit_code", "legal_rep", "contact_name",
                                                         "contact_phone", "address", "qualification", "party_org_name",
                                                         "party_secretary", "instructor_name", "instructor_phone")}
        self.fields = text
        for key in ("name", "legal_rep", "contact_name", "address", "qualification", "party_org_name",
                    "party_secretary", "instructor_name"):
            fit(text[key], getattr(PropertyFirm, key))
        text["credit_code"].setMaxLength(20)
        text["credit_code"].setPlaceholderText("18位，按 GB 32100 校验")
        self.code_hint = QLabel()
        text["credit_code"].textChanged.connect(self._check_code)
        self.staff = count_spin(v.get("staff_count"), attribute=PropertyFirm.staff_count)
        self.members = count_spin(v.get("party_member_count"), attribute=PropertyFirm.party_member_count)
        self.status = code_combo("firm_party_status")
        set_combo(self.status, v.get("party_org_status"))
        self.status.currentIndexChanged.connect(self._follow_status)
        self.led = QCheckBox("社区党组织领办物业")
        self.led.setChecked(bool(v.get("led_by_community")))
        self.community = community_combo(store, "请选择领办社区")
        set_combo(self.community, v.get("leading_community_id"))
        self.led.toggled.connect(self.community.setEnabled)
        self.community.setEnabled(self.led.isChecked())
        self.alliance = QCheckBox("红色物业联盟成员")
        self.alliance.setChecked(bool(v.get("alliance_member")))
        self.joined = OptionalDate(v.get("alliance_joined_on"), "加入日期")
        self.alliance.toggled.connect(self.joined.setEnabled)
        self.joined.setEnabled(self.alliance.isChecked())

        basic = QGroupBox("企业信息")
        f1 = QFormLayout(basic)
        for label, w in (("企业名称 *", text["name"]), ("统一社会信用代码", text["credit_code"]), ("", self.code_hint),
                         ("法定代表人", text["legal_rep"]), ("联系人", text["contact_name"]),
                         ("联系电话", text["contact_phone"]), ("企业地址", text["address"]),
                         ("资质等级", text["qualification"]), ("从业人数", self.staff)):
            f1.addRow(label, w)
        party = QGroupBox("党建情况")
        f2 = QFormLayout(party)
        for label, w in (("党员人数", self.members), ("党组织建立情况", self.status),
                         ("党组织名称", text["party_org_name"]), ("党组织书记", text["party_secretary"]),
                         ("党建指导员", text["instructor_name"]), ("指导员电话", text["instructor_phone"]),
                         ("", self.led), ("领办社区", self.community), ("", self.alliance), ("", self.joined)):
            f2.addRow(label, w)
        row = QHBoxLayout()
        row.addWidget(basic, 1)
        row.addWidget(party, 1)
        lay = QVBoxLayout(self)
        lay.addLayout(row)
        lay.addWidget(self.buttons())
        self._follow_status()
        self._check_code()

    def _check_code(self) -> None:
        text = self.fields["credit_code"].text().strip()
        if len(text) < 18:
            self.code_hint.setText("")
            return
        try:
            parse_credit_code(text)
            self.code_hint.setStyleSheet("color: #2e7d32")
            self.code_hint.setText("✓ 信用代码校验通过")
        except DomainError as exc:
            self.code_hint.setStyleSheet("color: #c62828")
            self.code_hint.setText(exc.message)

    def _follow_status(self) -> None:
        has_org = self.status.currentData() in firms.WITH_ORGANISATION
        for key in ("party_org_name", "party_secretary"):
            self.fields[key].setEnabled(has_org)
        if not has_org:
            self.fields["party_org_name"].clear()
            self.fields["party_secretary"].clear()

    def values(self) -> dict:
        data = {k: w.text().strip() or None for k, w in self.fields.items()}
        data.update(staff_count=spin_value(self.staff), party_member_count=spin_value(self.members),
                    party_org_status=self.status.currentData(), led_by_community=self.led.isChecked(),
                    leading_community_id=self.community.currentData() if self.led.isChecked() else None,
                    alliance_member=self.alliance.isChecked(),
                    alliance_joined_on=self.joined.value() if self.alliance.isChecked() else None)
        data["name"] = data["name"] or ""
        return data

    def apply(self) -> str:
        return firms.save_firm(self.store, self.values(), self.firm_id)


class QuarterDialog(FormDialog):
    """季度投诉与满意度 of one firm (entered again for a quarter, it replaces the earlier figures)."""

    def __init__(self, store: Store, firm_id: str, firm_name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.firm_id = store, firm_id
        self.setWindowTitle(f"季度投诉与满意度 — {firm_name}")
        today = dt.date.today()
        self.year = QSpinBox(minimum=2000, maximum=2100, value=today.year)
        self.quarter = QComboBox()
        for q in range(1, 5):
            self.quarter.addItem(f"第{'一二三四'[q - 1]}季度", q)
        self.quarter.setCurrentIndex((today.month - 1) // 3)
        self.complaints = fit(QSpinBox(), FirmQuarterly.complaints)
        self.resolved = fit(QSpinBox(), FirmQuarterly.complaints_resolved)
        self.satisfaction = QDoubleSpinBox(minimum=-1, maximum=100, decimals=1, suffix=" %", value=-1)
        self.satisfaction.setSpecialValueText("未测评")
        form = QFormLayout(self)
        for label, w in (("年度", self.year), ("季度", self.quarter), ("投诉件数", self.complaints),
                         ("办结件数", self.resolved), ("居民满意度", self.satisfaction)):
            form.addRow(label, w)
        form.addRow(self.buttons())

    def apply(self) -> None:
        sat = self.satisfaction.value()
        firms.record_quarter(self.store, self.firm_id, self.year.value(), self.quarter.currentData(),
                             complaints=self.complaints.value(), resolved=self.resolved.value(),
                             satisfaction=None if sat < 0 else sat)


class FirmPageDialog(QDialog):
    """Everything about one firm: its Party work, the compounds it serves and served, quarters, ratings."""

    def __init__(self, store: Store, firm_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.firm_id = store, firm_id
        self.view = QTextBrowser()
        self.resize(760, 640)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.view)
        lay.addWidget(buttons)
        self.show_firm()

    def show_firm(self) -> None:
        d = firms.details(self.store, self.firm_id)
        v = d.values
        self.setWindowTitle(f"物业企业 — {d.name}")
        status = codes.FIRM_PARTY_STATUS.name(v["party_org_status"]) if v["party_org_status"] else "未填"
        party = f"{status}" + (f"：{_esc(v['party_org_name'])}（书记 {_esc(v['party_secretary'] or '未填')}）"
                               if v["party_org_name"] else "")
        if v["instructor_name"]:
            party += f"；党建指导员 {_esc(v['instructor_name'])} {_esc(v['instructor_phone'] or '')}"
        facts = [("统一社会信用代码", v["credit_code"] or "未填"), ("法定代表人", v["legal_rep"] or ""),
                 ("联系人", f"{v['contact_name'] or ''} {v['contact_phone'] or ''}"),
                 ("资质等级", v["qualification"] or ""), ("从业人数 / 党员", f"{v['staff_count'] or '—'} / "
                                                               f"{v['party_member_count'] if v['party_member_count'] is not None else '—'}"),
                 ("党组织", party),
                 ("社区领办", d.leading_community or "否"),
                 ("红色物业联盟", f"是（{v['alliance_joined_on']} 加入）" if v["alliance_member"] and v["alliance_joined_on"]
                  else "是" if v["alliance_member"] else "否")]
        html = [f"<h2>{_esc(d.name)}</h2><table cellpadding='3'>"]
        html += [f"<tr><td style='color:#555'>{k}</td><td>{_esc(val) if k != '党组织' else val}</td></tr>"
                 for k, val in facts]
        html.append("</table>")
        html.append(f"<h3>服务小区（{len(d.compounds)}）</h3>")
        html.append("、".join(f"{_esc(n)}（{s or '起始日期未填'}起）" for n, s in d.compounds) or "无")
        if d.former:
            html.append("<h3>曾服务的小区</h3><ul>" + "".join(
                f"<li>{_esc(n)}：{a or '?'} 至 {b}，{_esc(r)}</li>" for n, a, b, r in d.former) + "</ul>")
        html.append("<h3>评星定级</h3>")
        html.append("、".join(f"{y}年 {t:g}分 {ratings.stars_text(s)}" for y, t, s in d.ratings if t is not None)
                    or "尚未评定")
        html.append("<h3>季度投诉与满意度</h3>")
        if d.quarters:
            html.append("<table border='1' cellspacing='0' cellpadding='3'><tr><th>季度</th><th>投诉</th><th>办结</th>"
                        "<th>办结率</th><th>满意度</th></tr>")
            for q in d.quarters:
                rate = f"{q.resolved_rate:.0%}" if q.resolved_rate is not None else "—"
                sat = f"{q.satisfaction:g}%" if q.satisfaction is not None else "—"
                html.append(f"<tr><td>{q.year}年第{q.quarter}季度</td><td>{q.complaints}</td>"
                            f"<td>{q.complaints_resolved}</td><td>{rate}</td><td>{sat}</td></tr>")
            html.append("</table>")
        else:
            html.append("未填报")
        html.append("<h3>交叉任职</h3>")
        html.append("<ul>" + "".join(f"<li>{_esc(n)}：{_esc(d_)}，{_esc(r)}（{a or '?'} 起"
                                     + (f"，{b} 离任" if b else "") + "）</li>"
                                     for n, d_, r, a, b in d.appointments) + "</ul>" if d.appointments else "无")
        self.view.setHtml("".join(html))


class AppointmentDialog(FormDialog):
    """交叉任职: who, in which direction, where, what role, since when."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("登记交叉任职")
        self.name, self.id_number, self.phone, self.role = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        self.role.setPlaceholderText("如：物业企业党支部兼职副书记、业委会委员、社区党委兼职委员")
        self.direction = code_combo("appointment_direction", blank=False)
        self.direction.currentIndexChanged.connect(self._follow_direction)
        self.community = community_combo(store, "请选择社区")
        self.firm = searchable(QComboBox())
        self.firm.addItem("请选择物业企业", None)
        for fid, name in firms.choices(store):
            self.firm.addItem(name, fid)
        self.compound = searchable(QComboBox())
        self.compound.addItem("请选择小区（须已成立业委会）", None)
        for cid, label in compounds.choices(store):
            self.compound.addItem(label, cid)
        self.start = date_edit()
        self.form = QFormLayout(self)
        for label, w in (("姓名 *", self.name), ("身份证号码 *", self.id_number), ("联系电话", self.phone),
                         ("任职方向", self.direction), ("社区 *", self.community), ("物业企业", self.firm),
                         ("小区业委会", self.compound), ("所任职务 *", self.role), ("任职日期", self.start)):
            self.form.addRow(label, w)
        self.form.addRow(self.buttons())
        self._follow_direction()

    def _follow_direction(self) -> None:
        to_committee = self.direction.currentData() == "community_to_committee"
        self.form.setRowVisible(self.firm, not to_committee)
        self.form.setRowVisible(self.compound, to_committee)

    def apply(self) -> str:
        to_committee = self.direction.currentData() == "community_to_committee"
        return firms.appoint(self.store, {
            "name": self.name.text().strip(), "id_number": self.id_number.text().strip(),
            "phone": self.phone.text().strip() or None,
            "direction": self.direction.currentData(), "community_id": self.community.currentData(),
            "firm_id": None if to_committee else self.firm.currentData(),
            "compound_id": self.compound.currentData() if to_committee else None,
            "role": self.role.text(), "start_date": self.start.date().toPython()})


class EndAppointmentDialog(FormDialog):
    def __init__(self, store: Store, appointment_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.appointment_id = store, appointment_id
        self.setWindowTitle("离任")
        self.on = date_edit()
        form = QFormLayout(self)
        form.addRow("离任日期", self.on)
        form.addRow(self.buttons("确定"))

    def apply(self) -> None:
        firms.end_appointment(self.store, self.appointment_id, self.on.date().toPython())

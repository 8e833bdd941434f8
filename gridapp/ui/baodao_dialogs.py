"""双报到 dialogs: register a member, a unit's form and its summary, an activity, sign-in, feedback."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import list_specs, lists, regions
from gridapp.core.errors import DomainError, ValidationError
from gridapp.core.models import Activity, MemberRegistration, Person, Unit
from gridapp.core.services import baodao, needs
from gridapp.core.store import Store
from gridapp.core.validation import parse_id_number
from gridapp.io import reports
from gridapp.io.xlsx_out import write_letters
from gridapp.ui import operations, printing
from gridapp.ui.errors import show_error
from gridapp.ui.form_dialog import FormDialog, fit
from gridapp.ui.picker import org_picker, searchable
from gridapp.ui.worker_dialog import code_combo, date_edit, grid_combo


def unit_combo(store: Store, *, blank: str | None = None) -> QComboBox:
    box = QComboBox()
    if blank:
        box.addItem(blank, None)
    with store.engine.connect() as conn:
        ids = lists.query_rowids(conn, list_specs.UNITS, lists.Query())
        names = lists.fetch_rows(conn, list_specs.UNITS, ids)
        uuids = lists.record_ids(conn, list_specs.UNITS, ids)
    for rid in ids:
        box.addItem(names[rid][0], uuids[rid])
    return searchable(box)


class MemberDialog(FormDialog):
    """在职党员到社区报到登记."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("在职党员报到登记")
        self.name, self.id_number, self.phone, self.position = QLineEdit(), QLineEdit(), QLineEdit(), QLineEdit()
        fit(self.name, Person.name)
        fit(self.position, MemberRegistration.position)
        self.id_hint = QLabel()
        self.id_hint.setWordWrap(True)  # a region note is a sentence
        self.id_number.textChanged.connect(self._check_id)
        self.unit = unit_combo(store, blank="请选择工作单位")
        self.cadre = QCheckBox("处级及以上领导干部")
        self.grid = grid_combo(store)
        self.compound = QComboBox()
        self.compound.addItem("（不填）", None)
        for cid, label in baodao.compound_choices(store):
            self.compound.addItem(label, cid)
        searchable(self.compound)
        self.registered_on = date_edit()
        self.post = code_combo("service_post")
        self.political = code_combo("political", blank=False)
        self.political.setCurrentIndex(self.political.findData("01"))
        form = QFormLayout(self)
        for label, widget in (("姓名 *", self.name), ("身份证号码 *", self.id_number), ("", self.id_hint),
                              ("政治面貌", self.political), ("联系电话", self.phone), ("工作单位 *", self.unit),
                              ("职务", self.position), ("", self.cadre), ("居住网格 *", self.grid), ("居住小区", self.compound),
                              ("报到日期", self.registered_on), ("服务岗位", self.post)):
            form.addRow(label, widget)
        form.addRow(self.buttons("报到"))

    def _check_id(self) -> None:
        text = self.id_number.text().strip()
        if len(text) < 15:
            self.id_hint.setText("")
            return
        try:
            info = parse_id_number(text)
            note = regions.id_region_note(info.number)  # saved as typed: the table may be older than the county
            self.id_hint.setStyleSheet("color: #b26a00" if note else "color: #2e7d32")
            self.id_hint.setText(f"✓ 出生日期 {info.birth_date}" + (f"。{note}" if note else ""))
        except DomainError as exc:
            self.id_hint.setStyleSheet("color: #c62828")
            self.id_hint.setText(exc.message)

    def apply(self):
        if not self.grid.currentData():  # the service would ask for the community, which this form does not show
            raise ValidationError("请选择居住网格：在职党员到居住地所在社区报到", field="grid")
        data = {"name": self.name.text().strip(), "id_number": self.id_number.text().strip(),
                "political_status": self.political.currentData(), "phone": self.phone.text().strip() or None,
                "position": self.position.text().strip() or None, "is_leading_cadre": self.cadre.isChecked(),
                "grid_id": self.grid.currentData(), "compound_id": self.compound.currentData(),
                "registered_on": self.registered_on.date().toPython(),
                "service_post": self.post.currentData()}
        return baodao.register_member(self.store, data, unit_id=self.unit.currentData())


class StatusDialog(FormDialog):
    def __init__(self, store: Store, member_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.member_id = store, member_id
        self.setWindowTitle("报到状态变更")
        self.status = code_combo("member_status", blank=False)
        self.on = date_edit()
        form = QFormLayout(self)
        form.addRow("状态", self.status)
        form.addRow("日期", self.on)
        form.addRow(self.buttons())

    def apply(self):
        baodao.set_status(self.store, self.member_id, self.status.currentData(), self.on.date().toPython())


class UnitFormDialog(FormDialog):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("登记报到单位")
        self.name, self.code, self.party_name = QLineEdit(), QLineEdit(), QLineEdit()
        self.secretary, self.contact, self.phone = QLineEdit(), QLineEdit(), QLineEdit()
        self.unit_type, self.party_type = code_combo("unit_type"), code_combo("party_org_type")
        for widget, attribute in ((self.name, Unit.name), (self.party_name, Unit.party_org_name),
                                  (self.secretary, Unit.secretary), (self.contact, Unit.contact_name)):
            fit(widget, attribute)
        self.reported = fit(QSpinBox(), Unit.reported_member_count)
        self.community = org_picker(store, "community", blank="（暂不结对）")
        self.agreement = date_edit()
        form = QFormLayout(self)
        for label, widget in (("单位名称 *", self.name), ("统一社会信用代码", self.code), ("单位类型", self.unit_type),
                              ("党组织类型", self.party_type), ("党组织名称", self.party_name),
                              ("书记", self.secretary), ("联系人", self.contact), ("联系电话", self.phone),
                              ("在职党员数", self.reported), ("结对社区", self.community),
                              ("签约日期", self.agreement)):
            form.addRow(label, widget)
        form.addRow(self.buttons())

    def apply(self):
        data = {"name": self.name.text(), "credit_code": self.code.text().strip() or None,
                "unit_type": self.unit_type.currentData(), "party_org_type": self.party_type.currentData(),
                "party_org_name": self.party_name.text().strip() or None,
                "secretary": self.secretary.text().strip() or None, "contact_name": self.contact.text().strip() or None,
                "contact_phone": self.phone.text().strip() or None, "reported_member_count": self.reported.value()}
        pairs = [(self.community.currentData(), self.agreement.date().toPython())] if self.community.currentData() else []
        return baodao.save_unit(self.store, data, pair_with=pairs)


def unit_summary_text(s: baodao.UnitSummary) -> str:
    rate = f"{s.rate:.0%}" if s.rate is not None else "—"
    return (f"<h3>{s.name}</h3><p>统一社会信用代码：{s.credit_code or '—'}<br/>党组织：{s.party_org_name or '—'}<br/>"
            f"结对社区：{'、'.join(s.communities) or '—'}</p>"
            f"<p>在职党员 {s.reported} 名，已报到 {s.registered} 名，报到率 <b>{rate}</b><br/>"
            f"本年度服务 {s.hours:g} 小时，积分 {s.points:g} 分<br/>本年度未参加服务的党员：{s.without_service} 名</p>")


class ActivityDialog(FormDialog):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("新建服务活动")
        self.title, self.place = fit(QLineEdit(), Activity.title), fit(QLineEdit(), Activity.place)
        self.date = date_edit()
        self.type = code_combo("activity_type", blank=False)
        self.community = org_picker(store, "community")
        self.organiser = unit_combo(store, blank="社区组织")
        self.grid = grid_combo(store)
        self.grid.setItemText(0, "（不限网格）")
        self.need = QComboBox()
        self.need.addItem("（不关联需求）", None)
        for need_id, _community, label in baodao.open_needs(store):
            self.need.addItem(label, need_id)
        form = QFormLayout(self)
        for label, widget in (("活动名称 *", self.title), ("活动日期", self.date), ("活动类型", self.type),
                              ("活动地点", self.place), ("组织社区 *", self.community), ("网格", self.grid),
                              ("组织单位", self.organiser), ("关联需求", self.need)):
            form.addRow(label, widget)
        form.addRow(self.buttons())

    def apply(self):
        return baodao.create_activity(self.store, {
            "title": self.title.text(), "date": self.date.date().toPython(), "activity_type": self.type.currentData(),
            "place": self.place.text().strip() or None, "community_id": self.community.currentData(),
            "grid_id": self.grid.currentData(), "organiser_unit_id": self.organiser.currentData(),
            "need_id": self.need.currentData()})


_MEMBER_ID = Qt.ItemDataRole.UserRole
_SAVED = Qt.ItemDataRole.UserRole + 1  # signed in before this dialog opened (in the database)
_LABEL = Qt.ItemDataRole.UserRole + 2  # name, community, phone tail


def _member_label(name: str, community: str, phone: str | None) -> str:
    return f"{name}　{community}　{(phone or '')[-4:]}".rstrip()


class SignInDialog(QDialog):
    """Fast sign-in: type a name, pinyin initials or phone digits, Enter adds the first match.

    The list on the right holds everyone signed in to the activity: those already in the database,
    with their hours and points, and those added now, saved together by 完成签到.
    """

    def __init__(self, store: Store, activity_id: str, title: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.activity_id = store, activity_id
        self.setWindowTitle(f"活动签到 — {title}")
        self.resize(760, 560)
        self.search = QLineEdit(placeholderText="输入姓名、拼音首字母或电话后几位，回车加入签到名单")
        self.matches = QListWidget()
        self.signed = QListWidget()
        self.signed.setSelectionMode(QListWidget.SelectionMode.ExtendedSelection)
        self.count = QLabel()
        self.hint = QLabel()
        self.hint.setStyleSheet("color: #666")
        self.hours = QDoubleSpinBox(minimum=0.5, maximum=24, singleStep=0.5, value=2.0, suffix=" 小时")
        self.evaluation = code_combo("evaluation", blank=False)
        self.evaluation.setCurrentIndex(self.evaluation.findData("good"))
        self.search.textChanged.connect(self._find)
        self.search.returnPressed.connect(self.add_current)
        self.matches.itemActivated.connect(lambda _i: self.add_current())
        self.hours.valueChanged.connect(lambda _v: self._show_new())
        remove = QPushButton("移出名单")
        remove.clicked.connect(self._remove)
        lists_row = QHBoxLayout()
        left = QVBoxLayout()
        left.addWidget(self.search)
        left.addWidget(self.matches)
        right = QVBoxLayout()
        right.addWidget(self.count)
        right.addWidget(self.signed)
        right.addWidget(self.hint)
        right.addWidget(remove)
        lists_row.addLayout(left, 1)
        lists_row.addLayout(right, 1)
        opts = QFormLayout()
        opts.addRow("每人服务时长", self.hours)
        opts.addRow("评价", self.evaluation)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("完成签到")
        buttons.button(QDialogButtonBox.StandardButton.Ok).setAutoDefault(False)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setDefault(False)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(lists_row, 1)
        lay.addLayout(opts)
        lay.addWidget(buttons)
        self.result_value: baodao.SignIn | None = None
        for p in baodao.participants(store, activity_id):
            item = QListWidgetItem(f"{_member_label(p.name, p.community, p.phone)}　{p.hours:g} 小时 · {p.points:g} 分")
            item.setData(_MEMBER_ID, p.member_id)
            item.setData(_SAVED, True)
            self.signed.addItem(item)
        self._show_count()

    def _find(self, text: str) -> None:
        self.matches.clear()
        if not text.strip():
            return
        spec = list_specs.MEMBERS
        listed = set(self.member_ids())
        with self.store.engine.connect() as conn:
            ids = lists.query_rowids(conn, spec, lists.Query(search=text, filters=(("status", "registered"),)),
                                     limit=20)
            rows = lists.fetch_rows(conn, spec, ids)
            uuids = lists.record_ids(conn, spec, ids)
        for rid in ids:
            r = rows[rid]
            label = _member_label(r[0], r[spec.index_of("community")], r[spec.index_of("phone")])
            item = QListWidgetItem(label + ("　（已签到）" if uuids[rid] in listed else ""))
            item.setData(_MEMBER_ID, uuids[rid])
            item.setData(_LABEL, label)
            self.matches.addItem(item)
        self.matches.setCurrentRow(0)

    def add_current(self) -> None:
        item = self.matches.currentItem()
        if item is None:
            return
        mid = item.data(_MEMBER_ID)
        listed = self.member_ids()
        if mid in listed:
            self.signed.setCurrentRow(listed.index(mid))
            self.hint.setText(f"{item.data(_LABEL).split('　')[0]}已在签到名单中")
        else:
            added = QListWidgetItem()
            added.setData(_MEMBER_ID, mid)
            added.setData(_SAVED, False)
            added.setData(_LABEL, item.data(_LABEL))
            self.signed.addItem(added)
            self.signed.scrollToItem(added)
            self.hint.setText("")
            self._show_new()
        self._show_count()
        self.search.clear()
        self.search.setFocus()

    def _new_items(self) -> list[QListWidgetItem]:
        return [it for it in (self.signed.item(i) for i in range(self.signed.count())) if not it.data(_SAVED)]

    def _show_new(self) -> None:
        """Members added now show the hours and points they will get (from the rules)."""
        new = self._new_items()
        if not new:
            return
        hours = self.hours.value()
        points = baodao.points_preview(self.store, self.activity_id, hours)
        for it in new:
            it.setText(f"{it.data(_LABEL)}　{hours:g} 小时 · {points:g} 分（本次新增）")

    def _show_count(self) -> None:
        added = len(self._new_items())
        self.count.setText(f"已签到 {self.signed.count()} 人" + (f"（本次新增 {added} 人）" if added else ""))

    def _remove(self) -> None:
        saved = [it for it in self.signed.selectedItems() if it.data(_SAVED)]
        for item in self.signed.selectedItems():
            if not item.data(_SAVED):
                self.signed.takeItem(self.signed.row(item))
        if saved:
            QMessageBox.information(self, "移出名单", "已保存的签到记录不能在这里移出："
                                    + "、".join(it.text().split("　")[0] for it in saved))
        self._show_count()

    def member_ids(self) -> list[str]:
        """Everyone in the list: signed in before, and added now."""
        return [self.signed.item(i).data(_MEMBER_ID) for i in range(self.signed.count())]

    def new_member_ids(self) -> list[str]:
        return [it.data(_MEMBER_ID) for it in self._new_items()]

    def keyPressEvent(self, event) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.add_current()
            return
        super().keyPressEvent(event)

    def save(self) -> None:
        new = self.new_member_ids()
        if not new and not self.member_ids():
            show_error(self, ValidationError("签到名单还是空的：请输入姓名、拼音首字母或电话后几位，回车加入签到名单"),
                       "无法签到")
            return
        if not new:  # only those signed in before: nothing to save
            self.accept()
            return
        try:
            self.result_value = baodao.sign_in(self.store, self.activity_id, new, self.hours.value(),
                                               self.evaluation.currentData())
        except DomainError as exc:
            show_error(self, exc, "无法签到")
            return
        self.accept()


class FeedbackDialog(QDialog):
    """年度双向反馈: one unit or all units, previewed, printed, saved as PDF or Excel."""

    def __init__(self, store: Store, parent: QWidget | None = None, *, unit_id: str | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("年度反馈函")
        self.year = QSpinBox(minimum=2000, maximum=2100, value=dt.date.today().year)
        self.unit = unit_combo(store, blank="全部报到单位（每个单位一份）")
        if unit_id:
            self.unit.setCurrentIndex(self.unit.findData(unit_id))
        self.issued_on = date_edit()
        preview = QPushButton("打印预览…")
        preview.clicked.connect(self.preview)
        pdf = QPushButton("另存为 PDF…")
        pdf.clicked.connect(lambda: self.save_pdf())
        xlsx = QPushButton("导出 Excel…")
        xlsx.clicked.connect(lambda: self.save_xlsx())
        form = QFormLayout(self)
        form.addRow("年度", self.year)
        form.addRow("报到单位", self.unit)
        form.addRow("落款日期", self.issued_on)
        row = QHBoxLayout()
        for b in (preview, pdf, xlsx):
            row.addWidget(b)
        form.addRow(row)
        self.status = QLabel()
        form.addRow(self.status)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.rejected.connect(self.reject)
        form.addRow(close)

    def letters(self) -> list[reports.Letter]:
        unit = self.unit.currentData()
        return reports.feedback_letters(self.store, self.year.value(), [unit] if unit else None,
                                        issued_on=self.issued_on.date().toPython())

    def preview(self) -> None:
        from gridapp.ui import print_actions

        letters = self.letters()
        print_actions.preview(self, f"{self.year.value()}年度反馈函", lambda p: printing.print_letters(letters, p),
                              landscape=False, size=(900, 900))

    def save_pdf(self, path: Path | None = None) -> operations.Operation | None:
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "另存为 PDF", f"{self.year.value()}年度反馈函.pdf", "PDF (*.pdf)")
            if not name:
                return None
            path = Path(name)
        year, unit, on = self.year.value(), self.unit.currentData(), self.issued_on.date().toPython()

        def work(progress, cancel):
            letters = reports.feedback_letters(self.store, year, [unit] if unit else None, issued_on=on)
            return printing.letters_pdf(letters, path, progress, cancel)

        return operations.run(self, "正在生成反馈函", work,
                              lambda pages: self.status.setText(f"已保存（{pages} 页）：{path}"))

    def save_xlsx(self, path: Path | None = None) -> None:
        if path is None:
            name, _ = QFileDialog.getSaveFileName(self, "导出 Excel", f"{self.year.value()}年度反馈.xlsx", "Excel (*.xlsx)")
            if not name:
                return
            path = Path(name)
        write_letters(self.letters(), path)
        self.status.setText(f"已导出：{path}")
        QMessageBox.information(self, "已导出", f"已导出到：\n{path}")


class NeedDialog(FormDialog):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("提出需求")
        self.community = org_picker(store, "community")
        self.title, self.description = QLineEdit(), QLineEdit()
        self.on = date_edit()
        form = QFormLayout(self)
        for label, widget in (("社区 *", self.community), ("需求 *", self.title), ("说明", self.description),
                              ("提出日期", self.on)):
            form.addRow(label, widget)
        form.addRow(self.buttons())

    def apply(self):
        return needs.raise_need(self.store, self.community.currentData(), self.title.text(),
                                self.description.text().strip() or None, self.on.date().toPython())


class ClaimDialog(FormDialog):
    def __init__(self, store: Store, need_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.need_id = store, need_id
        self.setWindowTitle("认领需求")
        self.unit = unit_combo(store, blank="请选择认领单位")
        self.on = date_edit()
        form = QFormLayout(self)
        form.addRow("认领单位 *", self.unit)
        form.addRow("认领日期", self.on)
        form.addRow(self.buttons("认领"))

    def apply(self):
        if not self.unit.currentData():
            raise ValidationError("请选择认领单位")
        needs.claim(self.store, self.need_id, unit_id=self.unit.currentData(), on=self.on.date().toPython())


class CloseNeedDialog(FormDialog):
    def __init__(self, store: Store, need_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.need_id = store, need_id
        self.setWindowTitle("需求办结")
        self.result_text = QLineEdit()
        self.on = date_edit()
        form = QFormLayout(self)
        form.addRow("办理结果 *", self.result_text)
        form.addRow("办结日期", self.on)
        form.addRow(self.buttons("办结"))

    def apply(self):
        needs.close(self.store, self.need_id, self.result_text.text(), self.on.date().toPython())


class ResourceDialog(FormDialog):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("登记资源")
        self.unit = unit_combo(store, blank="请选择单位")
        self.title, self.category, self.description = QLineEdit(), QComboBox(), QLineEdit()
        self.category.setEditable(True)
        self.category.addItems(["场地", "人才", "资金", "物资", "专业技术", "其他"])
        form = QFormLayout(self)
        for label, widget in (("单位 *", self.unit), ("资源 *", self.title), ("类别", self.category),
                              ("说明", self.description)):
            form.addRow(label, widget)
        form.addRow(self.buttons())

    def apply(self):
        if not self.unit.currentData():
            raise ValidationError("请选择单位")
        return needs.add_resource(self.store, self.unit.currentData(), self.title.text(), self.category.currentText(),
                                  self.description.text().strip() or None)


class UnitPageDialog(QDialog):
    """A unit's page: its figures for the year and its registered members, with their filters."""

    def __init__(self, store: Store, unit_id: str, parent: QWidget | None = None):
        from PySide6.QtWidgets import QTextBrowser

        from gridapp.ui.list_panel import ListPanel

        super().__init__(parent)
        self.setWindowTitle("报到单位情况")
        self.resize(1100, 700)
        summary = baodao.unit_summary(store, unit_id, dt.date.today().year)
        head = QTextBrowser()
        head.setHtml(unit_summary_text(summary))
        head.setMaximumHeight(170)
        self.members = ListPanel(store, list_specs.MEMBERS, self)
        self.members.set_filter("unit", unit_id)
        feedback = QPushButton("年度反馈函…")
        feedback.clicked.connect(lambda: FeedbackDialog(store, self, unit_id=unit_id).exec())
        self.members.toolbar.addWidget(feedback)
        self.members.toolbar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(head)
        lay.addWidget(self.members, 1)
        self.summary = summary


class RuleDialog(FormDialog):
    """One points rule: per activity type (or all), points per hour, a bonus, a cap, from a date."""

    def __init__(self, store: Store, rule: baodao.RuleInfo | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.rule = store, rule
        self.setWindowTitle("积分规则")
        self.type = code_combo("activity_type")
        self.type.setItemText(0, "全部活动")
        self.per_hour = QDoubleSpinBox(maximum=100, singleStep=0.5, value=1.0, suffix=" 分/小时")
        self.bonus = QDoubleSpinBox(maximum=100, singleStep=0.5, suffix=" 分/次")
        self.cap = QDoubleSpinBox(maximum=1000, singleStep=1, suffix=" 分")
        self.cap.setSpecialValueText("不设上限")
        self.valid_from = date_edit(dt.date(dt.date.today().year, 1, 1))
        if rule:
            self.type.setCurrentIndex(max(self.type.findData(rule.activity_type), 0))
            self.per_hour.setValue(rule.points_per_hour)
            self.bonus.setValue(rule.bonus)
            self.cap.setValue(rule.cap or 0)
            if rule.valid_from:
                self.valid_from.setDate(rule.valid_from)
        form = QFormLayout(self)
        for label, widget in (("活动类型", self.type), ("每小时积分", self.per_hour), ("每次奖励", self.bonus),
                              ("每次上限", self.cap), ("生效日期", self.valid_from)):
            form.addRow(label, widget)
        form.addRow(QLabel("新规则只影响生效日期以后的签到；已记录的积分保持不变。"))
        form.addRow(self.buttons())

    def apply(self):
        return baodao.save_rule(self.store, activity_type=self.type.currentData(),
                                points_per_hour=self.per_hour.value(), bonus=self.bonus.value(),
                                cap=self.cap.value() or None, valid_from=self.valid_from.date().toPython(),
                                rule_id=self.rule.id if self.rule else None)

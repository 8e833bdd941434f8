"""民情诉求: registering a request, and its page where each step of handling it is taken and its history read."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate, QDateTime, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import codes
from gridapp.core.clock import local
from gridapp.core.errors import DomainError
from gridapp.core.models import GridRequest
from gridapp.core.services import requests
from gridapp.core.services.requests import STEPS, NewRequest
from gridapp.core.store import Store
from gridapp.ui.errors import show_error
from gridapp.ui.form_dialog import FormDialog, fit
from gridapp.ui.permits import permit
from gridapp.ui.picker import org_picker
from gridapp.ui.worker_dialog import code_combo


class NewRequestDialog(FormDialog):
    """登记诉求: where, what, from whom; the deadline follows from the category and urgency."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("登记民情诉求")
        self.grid = org_picker(store, "grid", "microgrid", blank="请选择网格")
        self.category = code_combo("request_category", blank=False)
        self.source = code_combo("request_source", blank=False)
        self.urgency = code_combo("urgency", blank=False)
        self.place = fit(QLineEdit(placeholderText="如：3号楼2单元"), GridRequest.place)
        self.raiser = fit(QLineEdit(placeholderText="可不填"), GridRequest.raiser_name)
        self.phone = fit(QLineEdit(placeholderText="可不填"), GridRequest.raiser_phone)
        self.description = QPlainTextEdit()
        self.description.setPlaceholderText("群众反映的问题")
        self.description.setMinimumHeight(80)
        self.raised_at = QDateTimeEdit(QDateTime.currentDateTime(), calendarPopup=True,
                                       displayFormat="yyyy-MM-dd HH:mm")
        self.deadline = QLabel()
        form = QFormLayout(self)
        for label, widget in (("网格 *", self.grid), ("类别 *", self.category), ("来源", self.source),
                              ("紧急程度", self.urgency), ("地点", self.place), ("诉求人", self.raiser),
                              ("联系电话", self.phone), ("诉求内容 *", self.description),
                              ("诉求时间", self.raised_at), ("办结时限", self.deadline)):
            form.addRow(label, widget)
        form.addRow(self.buttons("登记"))
        for box in (self.category, self.urgency):
            box.currentIndexChanged.connect(self._show_deadline)
        self.raised_at.dateTimeChanged.connect(self._show_deadline)
        self._show_deadline()

    def _show_deadline(self) -> None:
        day = requests.deadline_for(self.category.currentData(), self.urgency.currentData(),
                                    self.raised_at.date().toPython())
        self.deadline.setText(f"{day:%Y-%m-%d}（按类别和紧急程度自动计算）")

    def apply(self) -> str:
        if not self.grid.currentData():
            raise DomainError("请选择诉求所在的网格")
        return requests.raise_request(self.store, NewRequest(
            community_id=None, grid_id=self.grid.currentData(), category=self.category.currentData(),
            description=self.description.toPlainText(), source=self.source.currentData(),
            urgency=self.urgency.currentData(), place=self.place.text().strip() or None,
            raiser_name=self.raiser.text().strip() or None, raiser_phone=self.phone.text().strip() or None,
            raised_at=self.raised_at.dateTime().toPython().replace(second=0, microsecond=0)))


class RequestDialog(QDialog):
    """A request's page: where it stands, its whole history, and the steps that may be taken now."""

    def __init__(self, store: Store, request_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.request_id, self.changed = store, request_id, False
        self.resize(820, 640)
        outer = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        outer.addWidget(self.summary)

        self.history = QTableWidget(0, 5)
        self.history.setHorizontalHeaderLabels(["时间", "环节", "办理后状态", "经办人", "办理意见"])
        self.history.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.history.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.history.verticalHeader().setVisible(False)
        outer.addWidget(self.history, 1)

        act = QGroupBox("办理")
        form = QFormLayout(act)
        self.note = QLineEdit(placeholderText="办理意见、退回原因、处置结果或延期理由")
        form.addRow("意见：", self.note)
        self.steps_row = QHBoxLayout()
        form.addRow("环节：", self.steps_row)
        self.assignee_kind = QComboBox()
        self.assignee_kind.addItem("街道部门", "department")
        self.assignee_kind.addItem("社区", "community")
        self.department = QLineEdit(placeholderText="承办部门名称，如：街道城管科")
        self.department.setMaxLength(100)
        self.community = org_picker(store, "community")
        self.community.setVisible(False)
        self.assignee_kind.currentIndexChanged.connect(self._show_assignee)
        assign_row = QHBoxLayout()
        for w in (self.assignee_kind, self.department, self.community):
            assign_row.addWidget(w)
        self.assign_button = QPushButton("分派")
        self.assign_button.clicked.connect(self.assign)
        assign_row.addWidget(self.assign_button)
        form.addRow("分派给：", assign_row)
        self.satisfaction = code_combo("satisfaction", blank=False)
        self.evaluate_button = QPushButton("回访评价")
        self.evaluate_button.clicked.connect(self.evaluate)
        eval_row = QHBoxLayout()
        eval_row.addWidget(self.satisfaction)
        eval_row.addWidget(self.evaluate_button)
        eval_row.addStretch(1)
        form.addRow("满意度：", eval_row)
        self.new_deadline = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        self.extend_button = QPushButton("申请延期")
        self.extend_button.clicked.connect(self.extend)
        self.grant_button = QPushButton("同意延期")
        self.grant_button.clicked.connect(lambda: self.decide(True))
        self.refuse_button = QPushButton("不同意延期")
        self.refuse_button.clicked.connect(lambda: self.decide(False))
        ext_row = QHBoxLayout()
        for w in (self.new_deadline, self.extend_button, self.grant_button, self.refuse_button):
            ext_row.addWidget(w)
        ext_row.addStretch(1)
        form.addRow("延期：", ext_row)
        self.supervision = code_combo("supervision", blank=False)
        self.supervise_button = QPushButton("督办")
        self.supervise_button.clicked.connect(self.supervise)
        sup_row = QHBoxLayout()
        sup_row.addWidget(self.supervision)
        sup_row.addWidget(self.supervise_button)
        sup_row.addStretch(1)
        form.addRow("督办：", sup_row)
        outer.addWidget(act)
        close = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        close.button(QDialogButtonBox.StandardButton.Close).setText("关闭")
        close.rejected.connect(self.reject)
        outer.addWidget(close)
        self.step_buttons: dict[str, QPushButton] = {}
        for action in ("accept", "start", "resolve", "verify", "reject", "close", "return", "resubmit", "escalate"):
            b = QPushButton(codes.REQUEST_ACTION.name(action))
            b.clicked.connect(lambda _c=False, a=action: self.step(a))
            self.steps_row.addWidget(b)
            self.step_buttons[action] = b
        self.steps_row.addStretch(1)
        self.load()

    def _show_assignee(self) -> None:
        department = self.assignee_kind.currentData() == "department"
        self.department.setVisible(department)
        self.community.setVisible(not department)

    def load(self) -> None:
        with self.store.read() as s:
            req = s.get(GridRequest, self.request_id)
            r = {k: getattr(req, k) for k in ("number", "state", "category", "urgency", "source", "description",
                                               "place", "deadline", "assignee_name", "supervision", "extension_state",
                                               "extension_deadline", "satisfaction", "result", "raised_at")}
        self.setWindowTitle(f"民情诉求 {r['number']}")
        overdue = r["state"] in requests.OPEN and r["deadline"] < dt.date.today()
        lines = [f"<b>{r['number']}</b>　{codes.REQUEST_STATE.name(r['state'])}"
                 + ("　<span style='color:#c0392b'>已超期</span>" if overdue else ""),
                 f"{codes.REQUEST_CATEGORY.name(r['category'])}　{codes.URGENCY.name(r['urgency'])}　"
                 f"来源：{codes.REQUEST_SOURCE.name(r['source'])}　诉求时间：{r['raised_at']:%Y-%m-%d %H:%M}　"
                 f"办结时限：{r['deadline']}",
                 f"诉求内容：{_escape(r['description'])}" + (f"（{_escape(r['place'])}）" if r["place"] else "")]
        if r["assignee_name"]:
            lines.append(f"承办方：{_escape(r['assignee_name'])}")
        if r["supervision"]:
            lines.append(f"督办：{codes.SUPERVISION.name(r['supervision'])}")
        if r["extension_state"]:
            lines.append(f"延期申请：{codes.EXTENSION_STATE.name(r['extension_state'])}（至 {r['extension_deadline']}）")
        if r["result"]:
            lines.append(f"处置结果：{_escape(r['result'])}")
        if r["satisfaction"]:
            lines.append(f"回访评价：{codes.SATISFACTION.name(r['satisfaction'])}")
        self.summary.setText("<br>".join(lines))
        steps = requests.history(self.store, self.request_id)
        self.history.setRowCount(len(steps))
        for i, st in enumerate(steps):
            for j, text in enumerate((local(st.at), codes.REQUEST_ACTION.name(st.action),
                                      codes.REQUEST_STATE.name(st.to_state), st.actor or "", st.note or "")):
                self.history.setItem(i, j, QTableWidgetItem(text))
        self.history.resizeColumnsToContents()
        allowed = STEPS.get(r["state"], {})
        for action, button in self.step_buttons.items():
            button.setEnabled(action in allowed)
        self.assign_button.setEnabled("assign" in allowed)
        self.evaluate_button.setEnabled("evaluate" in allowed)
        is_open = r["state"] in requests.OPEN
        pending = r["extension_state"] == "pending"
        self.extend_button.setEnabled(is_open and not pending)
        self.grant_button.setEnabled(pending)
        self.refuse_button.setEnabled(pending)
        self.new_deadline.setMinimumDate(QDate(r["deadline"] + dt.timedelta(days=1)))
        supervising = self.store.site is not None and self.store.site.level in requests.SUPERVISING_LEVELS
        self.supervise_button.setEnabled(supervising and r["state"] != "closed")
        if not supervising:
            self.supervise_button.setToolTip("督办由街道或区（县）进行")
        for button in (*self.step_buttons.values(), self.assign_button, self.evaluate_button, self.extend_button,
                       self.grant_button, self.refuse_button, self.supervise_button):
            permit(button, self.store, "write")  # a viewer reads the request and its history, takes no step

    def _do(self, work, title: str) -> None:
        try:
            work()
        except DomainError as exc:
            show_error(self, exc, title)
            return
        self.changed = True
        self.note.clear()
        self.load()

    def step(self, action: str) -> None:
        note = self.note.text()
        if action == "escalate":
            self._do(lambda: requests.escalate(self.store, self.request_id, note), "无法上报上级")
        else:
            self._do(lambda: requests.act(self.store, self.request_id, action, note=note or None),
                     f"无法{codes.REQUEST_ACTION.name(action)}")

    def assign(self) -> None:
        kind = self.assignee_kind.currentData()
        note = self.note.text() or None
        if kind == "department":
            work = lambda: requests.assign(self.store, self.request_id, kind,  # noqa: E731
                                           assignee_name=self.department.text(), note=note)
        else:
            work = lambda: requests.assign(self.store, self.request_id, kind,  # noqa: E731
                                           assignee_id=self.community.currentData(), note=note)
        self._do(work, "无法分派")

    def evaluate(self) -> None:
        self._do(lambda: requests.evaluate(self.store, self.request_id, self.satisfaction.currentData(),
                                           self.note.text() or None), "无法回访评价")

    def extend(self) -> None:
        self._do(lambda: requests.request_extension(self.store, self.request_id, self.new_deadline.date().toPython(),
                                                    self.note.text()), "无法申请延期")

    def decide(self, granted: bool) -> None:
        self._do(lambda: requests.decide_extension(self.store, self.request_id, granted, self.note.text() or None),
                 "无法审核延期")

    def supervise(self) -> None:
        self._do(lambda: requests.supervise(self.store, self.request_id, self.supervision.currentData(),
                                            self.note.text() or None), "无法督办")


def _escape(text: str | None) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

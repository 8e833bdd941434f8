"""双报到: members, units, activities and sign-in, the yearly feedback and statistics."""

from __future__ import annotations

import datetime as dt

from PySide6.QtWidgets import (
    QHBoxLayout,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import list_specs
from gridapp.core.errors import DomainError
from gridapp.core.services import baodao, needs
from gridapp.ui import operations, print_actions
from gridapp.ui.baodao_dialogs import (
    ActivityDialog,
    ClaimDialog,
    CloseNeedDialog,
    FeedbackDialog,
    MemberDialog,
    NeedDialog,
    ResourceDialog,
    RuleDialog,
    SignInDialog,
    StatusDialog,
    UnitFormDialog,
    UnitPageDialog,
)
from gridapp.ui.errors import show_error
from gridapp.ui.icons import icon
from gridapp.ui.import_dialog import ImportDialog
from gridapp.ui.list_panel import ListPanel
from gridapp.ui.pages.base import Page, add_button


class BaodaoPage(Page):
    title = "双报到"
    icon_name = "baodao"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.tabs = QTabWidget()
        self.members = ListPanel(store, list_specs.MEMBERS)
        self.units = ListPanel(store, list_specs.UNITS, search_hint="搜索：单位名称或联系电话")
        self.activities = ListPanel(store, list_specs.ACTIVITIES, search_hint="搜索：活动名称或地点")
        self.participations = ListPanel(store, list_specs.PARTICIPATIONS, search_hint="搜索：姓名、拼音首字母、电话或活动名称")
        self.needs = ListPanel(store, list_specs.NEEDS, search_hint="搜索：需求、认领单位或党员")
        self.resources = ListPanel(store, list_specs.RESOURCES, search_hint="搜索：单位或资源")
        self.projects = ListPanel(store, list_specs.PROJECTS, search_hint="搜索：项目或实施单位")
        lists_tab = QTabWidget()
        lists_tab.addTab(self.needs, "需求清单")
        lists_tab.addTab(self.resources, "资源清单")
        lists_tab.addTab(self.projects, "项目清单")
        self.rules = _RulesTab(store)
        self.stats = _StatsTab(store)
        for panel, name in ((self.members, "在职党员"), (self.units, "报到单位"), (self.activities, "服务活动"),
                            (self.participations, "签到记录")):
            self.tabs.addTab(panel, name)
        self.tabs.addTab(lists_tab, "需求·资源·项目")
        self.tabs.addTab(self.rules, "积分规则")
        self.tabs.addTab(self.stats, "统计")
        self.outer.addWidget(self.tabs, 1)

        mb = self.members.toolbar
        add_button(mb, "add", "报到登记", self.register)
        add_button(mb, "edit", "状态变更", self.change_status)
        self.form_button = print_actions.menu_button(self, "打印登记表", [
            ("打印预览（身份证号码脱敏）…", self.print_form),
            ("打印预览（完整身份证号码，交本人核对）…", lambda: self.print_form(mask=False)),
        ])
        mb.addWidget(self.form_button)
        add_button(mb, "import", "导入在职党员", lambda: self.import_kind("members"))
        mb.addStretch(1)
        ub = self.units.toolbar
        add_button(ub, "add_unit", "登记单位", self.add_unit)
        add_button(ub, "overview", "单位情况", self.show_unit)
        add_button(ub, "import", "导入报到单位", lambda: self.import_kind("units"))
        add_button(ub, "print", "年度反馈函", self.feedback)
        ub.addStretch(1)
        self.units.activated.connect(lambda _rid: self.show_unit())
        ab = self.activities.toolbar
        add_button(ab, "activity", "新建活动", self.add_activity)
        add_button(ab, "add", "签到", self.sign_in)
        add_button(ab, "import", "导入活动", lambda: self.import_kind("activities"))
        add_button(ab, "import", "导入签到表", lambda: self.import_kind("participations"))
        ab.addStretch(1)
        self.activities.activated.connect(lambda _rid: self.sign_in())
        nb = self.needs.toolbar
        add_button(nb, "add", "提出需求", lambda: self._dialog(NeedDialog(self.store, self)))
        add_button(nb, "edit", "认领", lambda: self._on_need(ClaimDialog))
        add_button(nb, "activity", "立项实施", self.start_project)
        add_button(nb, "retire", "办结", lambda: self._on_need(CloseNeedDialog))
        nb.addStretch(1)
        rb = self.resources.toolbar
        add_button(rb, "add", "登记资源", lambda: self._dialog(ResourceDialog(self.store, self)))
        rb.addStretch(1)

    def refresh(self) -> None:
        for panel in (self.members, self.units, self.activities, self.participations, self.needs, self.resources,
                      self.projects):
            panel.refresh()

    def _dialog(self, dialog) -> None:
        if dialog.exec():
            self.refresh()

    def _on_need(self, dialog_class) -> None:
        rid = self._pick(self.needs, "需求")
        if rid:
            self._dialog(dialog_class(self.store, rid, self))

    def start_project(self) -> None:
        rid = self._pick(self.needs, "需求")
        if rid:
            try:
                needs.start_project(self.store, rid)
            except DomainError as exc:
                show_error(self, exc, "无法立项")
                return
            self.refresh()

    def _pick(self, panel: ListPanel, what: str) -> str | None:
        return panel.require_selection(what)

    def register(self) -> None:
        if MemberDialog(self.store, self).exec():
            self.refresh()

    def print_form(self, *, mask: bool = True) -> None:
        rid = self._pick(self.members, "在职党员")
        if rid is None:
            return
        from gridapp.io import reports
        from gridapp.ui import printing

        if not mask and not print_actions.confirm_full_ids(self, "报到登记表"):
            return
        forms = reports.registration_forms(self.store, [rid], mask=mask)
        print_actions.preview(self, "在职党员到社区报到登记表", lambda p: printing.print_forms(forms, p),
                              landscape=False, size=(900, 900))

    def change_status(self) -> None:
        rid = self._pick(self.members, "在职党员")
        if rid and StatusDialog(self.store, rid, self).exec():
            self.refresh()

    def add_unit(self) -> None:
        if UnitFormDialog(self.store, self).exec():
            self.refresh()

    def show_unit(self) -> None:
        rid = self._pick(self.units, "单位")
        if rid:
            UnitPageDialog(self.store, rid, self).exec()

    def add_activity(self) -> None:
        if ActivityDialog(self.store, self).exec():
            self.refresh()

    def sign_in(self) -> None:
        rid = self._pick(self.activities, "活动")
        if not rid:
            return
        title = self.activities.model.row_values(self.activities.table.currentIndex().row())[0]
        dialog = SignInDialog(self.store, rid, title, self)
        if dialog.exec() and dialog.result_value:
            r = dialog.result_value
            QMessageBox.information(self, "签到完成", f"新签到 {r.added} 人" + (f"，{r.already} 人此前已签到" if r.already else ""))
            self.refresh()

    def feedback(self) -> None:
        FeedbackDialog(self.store, self, unit_id=self.units.selected_record_id()).exec()

    def import_kind(self, kind: str) -> None:
        dialog = ImportDialog(self.store, kind, self)
        dialog.imported.connect(lambda _r: self.refresh())
        dialog.exec()


class _RulesTab(QWidget):
    """The points rules, held as data; the street edits them here."""

    def __init__(self, store, parent=None):
        from PySide6.QtWidgets import QTableWidget

        super().__init__(parent)
        self.store = store
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(["活动类型", "每小时积分", "每次奖励", "每次上限", "生效日期"])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(lambda _i: self.edit())
        bar = QHBoxLayout()
        add_button(bar, "add", "新增规则", self.add)
        add_button(bar, "edit", "修改", self.edit)
        add_button(bar, "retire", "删除", self.delete)
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.table, 1)
        self.refresh()

    def refresh(self) -> None:
        from PySide6.QtWidgets import QTableWidgetItem

        self.rules = baodao.list_rules(self.store)
        self.table.setRowCount(len(self.rules))
        for i, r in enumerate(self.rules):
            values = (r.type_name, f"{r.points_per_hour:g}", f"{r.bonus:g}", f"{r.cap:g}" if r.cap else "不设上限",
                      r.valid_from.isoformat() if r.valid_from else "")
            for j, v in enumerate(values):
                self.table.setItem(i, j, QTableWidgetItem(v))

    def _current(self):
        row = self.table.currentRow()
        return self.rules[row] if 0 <= row < len(self.rules) else None

    def add(self) -> None:
        if RuleDialog(self.store, None, self).exec():
            self.refresh()

    def edit(self) -> None:
        rule = self._current()
        if rule and RuleDialog(self.store, rule, self).exec():
            self.refresh()

    def delete(self) -> None:
        rule = self._current()
        if rule and QMessageBox.question(self, "删除积分规则", f"删除“{rule.type_name}”的这条规则？") == \
                QMessageBox.StandardButton.Yes:
            baodao.delete_rule(self.store, rule.id)
            self.refresh()


class _StatsTab(QWidget):
    """Registered members per community and grid, rates by unit, service by month, members without service."""

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.year = QSpinBox(minimum=2000, maximum=2100, value=dt.date.today().year, prefix="年度 ")
        go = QPushButton(icon("refresh"), "统计")
        go.clicked.connect(self.compute)
        bar = QHBoxLayout()
        bar.addWidget(self.year)
        bar.addWidget(go)
        bar.addStretch(1)
        self.view = QTextBrowser()
        lay = QVBoxLayout(self)
        lay.addLayout(bar)
        lay.addWidget(self.view, 1)
        self.view.setHtml("<p>选择年度后点击“统计”。</p>")

    def compute(self) -> None:
        year = self.year.value()
        self._op = operations.run(self, "正在统计", lambda _p, _c: baodao.statistics(self.store, year), self.show)

    def show(self, st: baodao.Statistics) -> None:
        def table(head, rows):
            cells = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
            return ('<table border="1" cellspacing="0" cellpadding="4"><tr>'
                    + "".join(f"<th>{h}</th>" for h in head) + f"</tr>{cells}</table>")

        units = [(n, r, t, f"{min(r / t, 1):.0%}" if t else "—") for n, r, t in st.by_unit[:30]]
        months = [(f"{m}月", f"{h:g}", f"{p:g}", c) for m, h, p, c in st.by_month]
        self.view.setHtml(
            f"<h3>{st.year}年度双报到统计</h3><p>已报到在职党员 {st.registered:,} 名，"
            f"本年度未参加服务 {st.without_service:,} 名。</p>"
            f"<h4>服务时长与积分（按月）</h4>{table(('月份', '服务时长', '积分', '人次'), months)}"
            f"<h4>报到率最低的单位（前30）</h4>{table(('单位', '已报到', '在职党员数', '报到率'), units)}"
            f"<h4>各社区报到人数</h4>{table(('社区', '人数'), st.by_community)}"
            f"<h4>报到人数最多的网格（前50）</h4>{table(('网格', '人数'), st.by_grid)}")

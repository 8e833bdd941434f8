"""红色物业: firms, compounds and their contracts, cross-appointments, yearly ratings and coverage."""

from __future__ import annotations

import datetime as dt

from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import list_specs
from gridapp.core.errors import DomainError
from gridapp.core.list_specs_property import ratings_list
from gridapp.core.services import compounds, coverage, firms, ratings
from gridapp.io import reports
from gridapp.ui.compound_dialogs import ChangeFirmDialog, CompoundDialog, EndServiceDialog
from gridapp.ui.errors import show_error
from gridapp.ui.firm_dialogs import (
    AppointmentDialog,
    EndAppointmentDialog,
    FirmDialog,
    FirmPageDialog,
    QuarterDialog,
)
from gridapp.ui.import_dialog import ImportDialog
from gridapp.ui.list_panel import ListPanel
from gridapp.ui.pages.base import Page, add_button
from gridapp.ui.print_actions import table_button
from gridapp.ui.rating_dialogs import RatingDialog, TemplateDialog


def _year_spin(value: int) -> QSpinBox:
    box = QSpinBox(minimum=2000, maximum=2100, value=value)
    box.setPrefix("年度：")
    return box


class PropertyPage(Page):
    title = "红色物业"
    icon_name = "property"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.tabs = QTabWidget()
        self.firms = ListPanel(store, list_specs.FIRMS, search_hint="搜索：企业名称、法定代表人、电话或信用代码")
        self.compounds = ListPanel(store, list_specs.COMPOUNDS, search_hint="搜索：小区名称或地址")
        self.contracts = ListPanel(store, list_specs.CONTRACTS, search_hint="搜索：小区或企业名称")
        self.appointments = ListPanel(store, list_specs.APPOINTMENTS, search_hint="搜索：姓名、拼音首字母、企业或小区")
        self.ratings = RatingsTab(store, self)
        self.coverage = CoverageTab(store)
        for widget, name in ((self.firms, "物业企业"), (self.compounds, "小区"), (self.contracts, "服务合同"),
                             (self.appointments, "交叉任职"), (self.ratings, "评星定级"), (self.coverage, "覆盖情况")):
            self.tabs.addTab(widget, name)
        self.outer.addWidget(self.tabs, 1)

        fb = self.firms.toolbar
        add_button(fb, "add_unit", "登记企业", lambda: self._dialog(FirmDialog(self.store, parent=self)))
        add_button(fb, "edit", "修改", self.edit_firm)
        add_button(fb, "overview", "企业详情", self.show_firm)
        add_button(fb, "quarter", "季度投诉与满意度", self.record_quarter)
        add_button(fb, "delete", "删除", self.delete_firm)
        add_button(fb, "import", "导入企业", lambda: self.import_kind("firms"))
        fb.addWidget(table_button(self, "企业名册", lambda: reports.firm_roster(self.store)))
        fb.addStretch(1)
        self.firms.activated.connect(lambda _rid: self.show_firm())

        cb = self.compounds.toolbar
        add_button(cb, "add_unit", "登记小区", lambda: self._dialog(CompoundDialog(self.store, parent=self)))
        add_button(cb, "edit", "修改 / 业委会", self.edit_compound)
        add_button(cb, "change", "更换物业", lambda: self._on_compound(ChangeFirmDialog))
        add_button(cb, "stop", "终止服务", lambda: self._on_compound(EndServiceDialog))
        add_button(cb, "delete", "删除", self.delete_compound)
        add_button(cb, "import", "导入小区", lambda: self.import_kind("compounds"))
        cb.addStretch(1)
        self.compounds.activated.connect(lambda _rid: self.edit_compound())

        kb = self.contracts.toolbar
        add_button(kb, "import", "导入服务合同", lambda: self.import_kind("contracts"))
        kb.addStretch(1)

        ab = self.appointments.toolbar
        add_button(ab, "appointment", "登记交叉任职", lambda: self._dialog(AppointmentDialog(self.store, self)))
        add_button(ab, "leave", "离任", self.end_appointment)
        ab.addStretch(1)

    def refresh(self) -> None:
        for panel in (self.firms, self.compounds, self.contracts, self.appointments):
            panel.refresh()
        self.ratings.refresh()
        self.coverage.refresh()

    def _dialog(self, dialog) -> bool:
        if dialog.exec():
            self.refresh()
            return True
        return False

    def edit_firm(self) -> None:
        rid = self.firms.require_selection("物业企业")
        if rid:
            self._dialog(FirmDialog(self.store, rid, self))

    def show_firm(self) -> None:
        rid = self.firms.require_selection("物业企业")
        if rid:
            FirmPageDialog(self.store, rid, self).exec()

    def record_quarter(self) -> None:
        rid = self.firms.require_selection("物业企业")
        if rid:
            self._dialog(QuarterDialog(self.store, rid, firms.details(self.store, rid).name, self))

    def delete_firm(self) -> None:
        rid = self.firms.require_selection("物业企业")
        if not rid:
            return
        name = firms.details(self.store, rid).name
        if QMessageBox.question(self, "删除物业企业", f"确定删除“{name}”？删除后可在“数据交换 → 操作记录”中查到。") \
                != QMessageBox.StandardButton.Yes:
            return
        self._guard(lambda: firms.delete_firm(self.store, rid), "无法删除")

    def edit_compound(self) -> None:
        rid = self.compounds.require_selection("小区")
        if rid:
            self._dialog(CompoundDialog(self.store, rid, self))

    def _on_compound(self, dialog_class) -> None:
        rid = self.compounds.require_selection("小区")
        if rid:
            self._dialog(dialog_class(self.store, rid, self))

    def delete_compound(self) -> None:
        rid = self.compounds.require_selection("小区")
        if not rid:
            return
        name = compounds.details(self.store, rid).name
        if QMessageBox.question(self, "删除小区", f"确定删除小区“{name}”？") != QMessageBox.StandardButton.Yes:
            return
        self._guard(lambda: compounds.delete_compound(self.store, rid), "无法删除")

    def end_appointment(self) -> None:
        rid = self.appointments.require_selection("任职记录")
        if rid:
            self._dialog(EndAppointmentDialog(self.store, rid, self))

    def _guard(self, action, title: str) -> None:
        try:
            action()
        except DomainError as exc:
            show_error(self, exc, title)
            return
        self.refresh()

    def import_kind(self, kind: str) -> None:
        dialog = ImportDialog(self.store, kind, self)
        dialog.imported.connect(lambda _r: self.refresh())
        dialog.exec()


class RatingsTab(QWidget):
    """The year's ratings ranked (晾晒评比), with scoring, the template, import, export and printing."""

    def __init__(self, store, page: PropertyPage):
        super().__init__(page)
        self.store, self.page = store, page
        years = ratings.years(store)
        self.year = _year_spin(years[0] if years else dt.date.today().year)
        self.year.valueChanged.connect(lambda _y: self.rebuild())
        bar = QHBoxLayout()
        bar.addWidget(self.year)
        add_button(bar, "star", "评定 / 修改评分", self.rate)
        add_button(bar, "delete", "删除评定", self.delete)
        add_button(bar, "template", "评星标准", self.edit_template)
        add_button(bar, "import", "导入评分", self.import_scores)
        bar.addWidget(table_button(self, "评星结果", lambda: reports.rating_list(self.store, self.year.value())))
        bar.addStretch(1)
        self.summary = QLabel()
        self.summary.setObjectName("ratingSummary")
        self.summary.setWordWrap(True)
        self.lay = QVBoxLayout(self)
        self.lay.setContentsMargins(0, 0, 0, 0)
        self.lay.addLayout(bar)
        self.lay.addWidget(self.summary)
        self.panel: ListPanel | None = None
        self.rebuild()

    def rebuild(self) -> None:
        """A new list for the year: its columns are the indicators of that year's template."""
        if self.panel is not None:
            self.lay.removeWidget(self.panel)
            self.panel.deleteLater()
        self.panel = ListPanel(self.store, ratings_list(self.store, self.year.value()), search_hint="搜索：企业名称或信用代码")
        self.panel.activated.connect(lambda _rid: self.rate())
        self.lay.addWidget(self.panel, 1)
        self._summarise()

    def _summarise(self) -> None:
        r = ratings.ranking(self.store, self.year.value())
        counts = r.star_counts()
        parts = [f"{'★' * k} {n} 家" for k, n in counts.items() if n]
        text = f"{self.year.value()}年度已评定 {len(r.rows)} 家：" + "，".join(parts) if r.rows else \
            f"{self.year.value()}年度尚无评定。"
        if r.unrated:
            text += f"　未评定 {len(r.unrated)} 家：{'、'.join(r.unrated[:8])}{'…' if len(r.unrated) > 8 else ''}"
        self.summary.setText(text)

    def refresh(self) -> None:
        if self.panel is not None:
            self.panel.refresh()
        self._summarise()

    def _selected_firm(self) -> str | None:
        rid = self.panel.selected_record_id() if self.panel else None
        if rid is None:
            return None
        from gridapp.core.models import FirmRating

        with self.store.read() as s:
            row = s.get(FirmRating, rid)
            return row.firm_id if row else None

    def rate(self) -> None:
        dialog = RatingDialog(self.store, self.year.value(), self._selected_firm(), self)
        if dialog.exec():
            r = dialog.result_value
            if r.year != self.year.value():
                self.year.setValue(r.year)
            else:
                self.refresh()
            self.page.coverage.refresh()

    def delete(self) -> None:
        firm_id = self._selected_firm()
        if firm_id is None:
            QMessageBox.information(self, "请选择", "请先在列表中选中一个评定结果。")
            return
        if QMessageBox.question(self, "删除评定", f"确定删除该企业 {self.year.value()} 年度的评定？") \
                != QMessageBox.StandardButton.Yes:
            return
        try:
            ratings.delete_rating(self.store, firm_id, self.year.value())
        except DomainError as exc:
            show_error(self, exc, "无法删除")
            return
        self.refresh()

    def edit_template(self) -> None:
        if TemplateDialog(self.store, self.year.value(), self).exec():
            self.rebuild()

    def import_scores(self) -> None:
        dialog = ImportDialog(self.store, "ratings", self, options={"year": self.year.value()})
        dialog.imported.connect(lambda _r: self.refresh())
        dialog.exec()


class CoverageTab(QWidget):
    """红色物业覆盖情况: the four shares for the whole unit, then by community."""

    CARDS = (("org", "物业企业党组织覆盖率"), ("firm", "小区物业服务覆盖率"), ("good", "三星以上企业服务的小区"),
             ("led", "社区党组织领办物业"))

    def __init__(self, store, parent=None):
        super().__init__(parent)
        self.store = store
        self.year = _year_spin((ratings.years(store) or [dt.date.today().year])[0])
        self.year.valueChanged.connect(lambda _y: self.refresh())
        bar = QHBoxLayout()
        bar.addWidget(self.year)
        bar.addWidget(table_button(self, "覆盖情况", lambda: reports.coverage_report(self.store, self.year.value())))
        bar.addStretch(1)
        cards = QGridLayout()
        self.cards: dict[str, tuple[QLabel, QLabel]] = {}
        for i, (key, title) in enumerate(self.CARDS):
            box = QWidget()
            box.setObjectName("card")
            lay = QVBoxLayout(box)
            value, detail = QLabel(), QLabel()
            value.setObjectName(f"cover_{key}")
            value.setStyleSheet("font-size: 22pt; color: #b71c1c")
            lay.addWidget(QLabel(title))
            lay.addWidget(value)
            lay.addWidget(detail)
            cards.addWidget(box, 0, i)
            self.cards[key] = (value, detail)
        self.table = QTableWidget(0, len(reports.COVERAGE_COLUMNS))
        self.table.setHorizontalHeaderLabels(reports.COVERAGE_COLUMNS)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        self.note = QLabel("党组织覆盖指企业单独或联合组建党组织；党的工作覆盖另含派驻党建指导员。企业计入其服务小区所在社区和领办社区，"
                           "服务多个社区的企业在合计中只计一次。")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #666")
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addLayout(cards)
        lay.addWidget(self.table, 1)
        lay.addWidget(self.note)
        self._loaded = False

    def showEvent(self, event) -> None:
        if not self._loaded:
            self.refresh()
        super().showEvent(event)

    def refresh(self) -> None:
        if not self.isVisible() and not self._loaded:
            return
        self._loaded = True
        cov = coverage.coverage(self.store, self.year.value())
        t = cov.total
        details = {"org": f"{len(t.with_org)} / {t.firms} 家企业", "firm": f"{t.with_firm} / {t.compounds} 个小区",
                   "good": f"{t.good_firm} / {t.compounds} 个小区", "led": f"{len(t.led)} / {t.firms} 家企业"}
        for key, (value, detail) in self.cards.items():
            rate = t.rate(key)
            value.setText("—" if rate is None else f"{rate:.0%}")
            detail.setText(details[key])
        rows = reports.coverage_rows(cov)
        subtotals = [sub for _r, sub in cov.grouped()] + [True]
        self.table.setRowCount(len(rows))
        bold = QFont()
        bold.setBold(True)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if subtotals[r]:  # a street's subtotal, and the total
                    item.setFont(bold)
                    item.setBackground(QColor("#fbe9e7" if r == len(rows) - 1 else "#fff3e0"))
                self.table.setItem(r, c, item)
        self.table.resizeColumnsToContents()

"""Pages that are lists over the shared list machinery: 双报到, 红色物业."""

from __future__ import annotations

from PySide6.QtWidgets import QTabWidget

from gridapp.core import list_specs
from gridapp.ui.list_panel import ListPanel
from gridapp.ui.pages.base import Page


class BaodaoPage(Page):
    title = "双报到"
    icon_name = "baodao"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.tabs = QTabWidget()
        self.members = ListPanel(store, list_specs.MEMBERS)
        self.units = ListPanel(store, list_specs.UNITS, search_hint="搜索：单位名称或联系电话")
        self.tabs.addTab(self.members, "在职党员")
        self.tabs.addTab(self.units, "报到单位")
        self.outer.addWidget(self.tabs, 1)

    def refresh(self) -> None:
        self.members.refresh()
        self.units.refresh()


class PropertyPage(Page):
    title = "红色物业"
    icon_name = "property"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.firms = ListPanel(store, list_specs.FIRMS, search_hint="搜索：企业名称、法定代表人、电话或信用代码")
        self.outer.addWidget(self.firms, 1)

    def refresh(self) -> None:
        self.firms.refresh()

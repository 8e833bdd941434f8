"""Pages that are lists over the shared list machinery: 红色物业 (until its own page arrives)."""

from __future__ import annotations

from gridapp.core import list_specs
from gridapp.ui.list_panel import ListPanel
from gridapp.ui.pages.base import Page


class PropertyPage(Page):
    title = "红色物业"
    icon_name = "property"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.firms = ListPanel(store, list_specs.FIRMS, search_hint="搜索：企业名称、法定代表人、电话或信用代码")
        self.outer.addWidget(self.firms, 1)

    def refresh(self) -> None:
        self.firms.refresh()

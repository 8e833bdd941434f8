"""民情诉求: every request of this site with its state and deadline, the 超期 warning, registering and handling."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel

from gridapp.core import list_specs
from gridapp.core.services import requests
from gridapp.ui.list_panel import ListPanel
from gridapp.ui.pages.base import Page, add_button
from gridapp.ui.request_dialogs import NewRequestDialog, RequestDialog


class RequestsPage(Page):
    title = "民情诉求"
    icon_name = "requests"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.warning = QLabel()
        self.warning.setObjectName("warningText")
        self.header.insertWidget(1, self.warning)
        self.list = ListPanel(store, list_specs.REQUESTS, self, search_hint="搜索：编号、诉求内容或地点")
        self.list.activated.connect(self.handle)
        bar = self.list.toolbar
        add_button(bar, "add", "登记诉求", self.add)
        add_button(bar, "handle", "办理", lambda: self.handle(self.list.require_selection("诉求")))
        add_button(bar, "warning", "只看超期", lambda: self.list.set_filter("overdue", 1))
        bar.addStretch(1)
        self.outer.addWidget(self.list, 1)
        self._count()

    def _count(self) -> None:
        if self.store.site is None:
            self.warning.clear()
            return
        due = requests.due(self.store, self.store.site.code)
        late = sum(d.overdue for d in due)
        self.warning.setText(f"　超期 {late} 件，即将超期 {len(due) - late} 件" if due else "　没有超期或即将超期的诉求")

    def refresh(self) -> None:
        self.list.refresh()
        self._count()

    def add(self) -> None:
        if NewRequestDialog(self.store, self).exec():
            self.refresh()

    def handle(self, request_id: str | None) -> None:
        if not request_id:
            return
        dialog = RequestDialog(self.store, request_id, self)
        dialog.exec()
        if dialog.changed:
            self.refresh()

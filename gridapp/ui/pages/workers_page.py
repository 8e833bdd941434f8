"""网格员: the list with search and filters, the form, transfer, 离岗, import, export and printing."""

from __future__ import annotations

from PySide6.QtWidgets import QPushButton

from gridapp.core import list_specs
from gridapp.core.services import orgs
from gridapp.ui import print_actions
from gridapp.ui.icons import icon
from gridapp.ui.import_dialog import ImportDialog
from gridapp.ui.list_panel import ListPanel
from gridapp.ui.pages.base import Page
from gridapp.ui.worker_dialog import LeaveDialog, TransferDialog, WorkerDialog


class WorkersPage(Page):
    title = "网格员"
    icon_name = "workers"

    def __init__(self, store, parent=None):
        super().__init__(store, parent)
        self.list = ListPanel(store, list_specs.WORKERS, self)
        self.list.activated.connect(self.edit)
        bar = self.list.toolbar
        self.add_button = self._button(bar, "add", "登记网格员", self.add)
        self.edit_button = self._button(bar, "edit", "编辑", lambda: self.edit(self.list.selected_record_id()))
        self.transfer_button = self._button(bar, "transfer", "调动", self.transfer)
        self.assign_button = self._button(bar, "add_unit", "兼任网格", self.assign)
        self.leave_button = self._button(bar, "leave", "离岗 / 恢复在岗", self.leave)
        bar.addSpacing(16)
        self.import_button = self._button(bar, "import", "导入花名册", self.import_sheet)
        self.print_button = print_actions.print_button(self, store, self.print_scope)
        bar.addWidget(self.print_button)
        bar.addStretch(1)
        self.outer.addWidget(self.list, 1)

    def _button(self, bar, icon_name: str, text: str, slot) -> QPushButton:
        button = QPushButton(icon(icon_name), text)
        button.clicked.connect(slot)
        bar.addWidget(button)
        return button

    def refresh(self) -> None:
        self.list.refresh()

    def _selected(self) -> str | None:
        return self.list.require_selection("网格员")

    def add(self) -> None:
        if WorkerDialog(self.store, None, self).exec():
            self.refresh()

    def edit(self, worker_id: str | None) -> None:
        if worker_id and WorkerDialog(self.store, worker_id, self).exec():
            self.refresh()

    def transfer(self) -> None:
        rid = self._selected()
        if rid and TransferDialog(self.store, rid, self).exec():
            self.refresh()

    def assign(self) -> None:
        rid = self._selected()
        if rid and TransferDialog(self.store, rid, self, additional=True).exec():
            self.refresh()

    def leave(self) -> None:
        rid = self._selected()
        if rid and LeaveDialog(self.store, rid, self).exec():
            self.refresh()

    def import_sheet(self) -> None:
        dialog = ImportDialog(self.store, "workers", self)
        dialog.imported.connect(lambda _r: self.refresh())
        dialog.exec()

    def print_scope(self) -> str | None:
        """Print for the community or grid chosen in the filters, else for the whole site."""
        for key in ("grid", "community"):
            unit_id = self.list.filter_value(key)
            if unit_id:
                return orgs.code_of(self.store, unit_id)
        return self.store.site.code if self.store.site else None

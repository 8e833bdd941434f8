"""人员: everyone the database knows, whatever their roles (网格员, 在职党员, 交叉任职)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout, QWidget

from gridapp.core import list_specs
from gridapp.core.store import Store
from gridapp.ui.list_panel import ListPanel


class PeopleDialog(QDialog):
    """The persons list; no page of its own, since each role is edited on its own page."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("人员")
        self.resize(1000, 600)
        self.list = ListPanel(store, list_specs.PERSONS, self)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.list, 1)
        lay.addWidget(buttons)

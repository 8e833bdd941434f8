"""What every page has: a title row and a refresh when the data under it changed."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QBoxLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from gridapp.core.store import Store


def add_button(bar: QBoxLayout, icon_name: str, text: str, slot) -> QPushButton:
    """A button with its icon at the end of a page's (or a list's) toolbar."""
    from gridapp.ui.icons import icon

    b = QPushButton(icon(icon_name), text)
    # clicked(bool) would fill a slot's first optional parameter (a path, say) with False
    b.clicked.connect(lambda _checked=False: slot())
    bar.addWidget(b)
    return b


class Page(QWidget):
    title = ""
    icon_name = ""
    # Asks the main window to show another page (a Page subclass) or the records behind a figure
    # (an overview.Target); pages do not know the window they are in.
    navigate = Signal(object)

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.outer = QVBoxLayout(self)
        self.outer.setContentsMargins(16, 12, 16, 12)
        self.header = QHBoxLayout()
        heading = QLabel(self.title)
        heading.setObjectName("pageTitle")
        self.header.addWidget(heading)
        self.header.addStretch(1)
        self.outer.addLayout(self.header)

    def refresh(self) -> None:
        """Reload what the page shows (after an import, a sync, a change elsewhere)."""

"""Pickers: drop-downs people type into to find one entry among hundreds (grids, communities, firms).

Typing narrows the list to the entries whose label holds every typed word, whose pinyin initials run
along it (``fa`` finds 福安社区（永宁山街道）) or whose org code holds it; Enter takes the first one
left. Leaving the box with text that names no entry puts the chosen entry's label back.
"""

from __future__ import annotations

from collections.abc import Iterable

import shiboken6
from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QComboBox, QCompleter

from gridapp.core.pinyin import SearchKey, search_key
from gridapp.core.services import orgs
from gridapp.core.store import Store

SEARCH_ROLE = Qt.ItemDataRole.UserRole + 20  # an entry's SearchKey


class _Matches(QSortFilterProxyModel):
    """The entries of a combo box that match what was typed."""

    def __init__(self, parent: QObject):
        super().__init__(parent)
        self.term = ""

    def set_term(self, term: str) -> None:
        self.beginFilterChange()
        self.term = term
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        if not self.term.strip():
            return True
        key = self.sourceModel().index(row, 0, parent).data(SEARCH_ROLE)
        return isinstance(key, SearchKey) and key.matches(self.term)


class _Picker(QObject):
    """What makes a combo box a picker; a child of the box, so its slots go when the box does."""

    def __init__(self, box: QComboBox):
        super().__init__(box)
        self.box, self.edit = box, box.lineEdit()
        self.matches = _Matches(self)
        self.matches.setSourceModel(box.model())
        self.completer = QCompleter(self.matches, box)
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setMaxVisibleItems(20)
        box.setCompleter(self.completer)  # the box maps a chosen match back to its own row
        self.keyed(0, box.count() - 1)
        box.model().rowsInserted.connect(lambda _parent, first, last: self.keyed(first, last))
        self.edit.textEdited.connect(self.typed)
        self.edit.editingFinished.connect(self.finished)
        self.edit.installEventFilter(self)

    def keyed(self, first: int, last: int) -> None:
        """Entries without a key of their own are found by their text."""
        for row in range(first, last + 1):
            if self.box.itemData(row, SEARCH_ROLE) is None:
                self.box.setItemData(row, search_key(self.box.itemText(row)), SEARCH_ROLE)

    def typed(self, text: str) -> None:
        self.matches.set_term(text)
        popup = self.completer.popup()
        # As wide as the longest match: a label is told apart by its end (…（永宁山街道）).
        width = popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width() + 8
        popup.setMinimumWidth(min(width, 720))

    def finished(self) -> None:
        """Enter takes the first match; leaving with text that names no entry puts the chosen one back."""
        if not (shiboken6.isValid(self.box) and shiboken6.isValid(self.edit)):
            return  # focus lost while the dialog is torn down
        box, text = self.box, self.edit.text()
        if text == box.itemText(box.currentIndex()):
            return
        exact = box.findText(text)
        if exact >= 0:
            box.setCurrentIndex(exact)
        elif self.edit.hasFocus() and self.matches.rowCount():
            box.setCurrentIndex(self.matches.mapToSource(self.matches.index(0, 0)).row())
        else:
            self.edit.setText(box.itemText(box.currentIndex()))
        self.completer.popup().hide()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.FocusIn:
            # Select all once the click has placed the cursor, so what is typed replaces the label.
            QTimer.singleShot(0, self.edit, self.edit.selectAll)
        return False


def searchable(box: QComboBox) -> QComboBox:
    """Let people type to find an entry; entries added later are found too (by their text, unless
    they carry a SearchKey in ``SEARCH_ROLE``, as org units do with their codes)."""
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    box.setMaxVisibleItems(20)
    _Picker(box)
    return box


def add_picks(box: QComboBox, picks: Iterable[orgs.Pick]) -> None:
    """Add org-unit entries with their search keys."""
    for pick in picks:
        box.addItem(pick.label, pick.value)
        box.setItemData(box.count() - 1, pick.key, SEARCH_ROLE)


def org_picker(store: Store, *levels: str, blank: str | None = None, by: str = "id") -> QComboBox:
    """A searchable drop-down of the current units of ``levels``, labelled so same names are told apart."""
    box = QComboBox()
    if blank is not None:
        box.addItem(blank, None)
    add_picks(box, orgs.picks(store, *levels, by=by))
    return searchable(box)

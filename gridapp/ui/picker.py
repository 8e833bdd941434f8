"""Pickers: drop-downs people type into to find one entry among hundreds (grids, communities, firms).

Typing narrows the list to the entries whose label holds every typed word, whose pinyin initials run
along it (``fa`` finds 福安社区（永宁山街道）) or whose org code holds it; Enter takes the first one
left. Leaving the box with text that names no entry puts the chosen entry's label back.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTimer,
)
from PySide6.QtWidgets import QComboBox, QCompleter, QLineEdit

from gridapp.core.pinyin import SearchKey, search_key
from gridapp.core.services import orgs
from gridapp.core.store import Store

SEARCH_ROLE = Qt.ItemDataRole.UserRole + 20  # an entry's SearchKey


class _SelectOnFocus(QObject):
    """Select the whole text when the box gets focus, so what is typed replaces the chosen label."""

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.FocusIn and isinstance(watched, QLineEdit):
            QTimer.singleShot(0, watched.selectAll)  # after the click has placed the cursor
        return False


class _Matches(QSortFilterProxyModel):
    """The entries of a combo box that match what was typed."""

    def __init__(self, parent: QComboBox):
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


def searchable(box: QComboBox) -> QComboBox:
    """Let people type to find an entry; entries added later are found too (by their text, unless
    they carry a SearchKey in ``SEARCH_ROLE``, as org units do with their codes)."""
    box.setEditable(True)
    box.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    box.setMaxVisibleItems(20)

    def keyed(first: int, last: int) -> None:
        for row in range(first, last + 1):
            if box.itemData(row, SEARCH_ROLE) is None:
                box.setItemData(row, search_key(box.itemText(row)), SEARCH_ROLE)

    keyed(0, box.count() - 1)
    box.model().rowsInserted.connect(lambda _parent, first, last: keyed(first, last))
    matches = _Matches(box)
    matches.setSourceModel(box.model())
    completer = QCompleter(matches, box)
    completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
    completer.setMaxVisibleItems(20)
    box.setCompleter(completer)  # the box maps a chosen match back to its own row
    edit = box.lineEdit()

    def typed(text: str) -> None:
        matches.set_term(text)
        popup = completer.popup()
        # As wide as the longest match: a label is told apart by its end (…（永宁山街道）).
        popup.setMinimumWidth(min(popup.sizeHintForColumn(0) + popup.verticalScrollBar().sizeHint().width() + 8,
                                  720))

    def finished() -> None:
        text = edit.text()
        if text == box.itemText(box.currentIndex()):
            return
        exact = box.findText(text)
        if exact >= 0:
            box.setCurrentIndex(exact)
        elif edit.hasFocus() and matches.rowCount():  # Enter: the first match
            box.setCurrentIndex(matches.mapToSource(matches.index(0, 0)).row())
        else:
            edit.setText(box.itemText(box.currentIndex()))
        completer.popup().hide()

    edit.textEdited.connect(typed)
    edit.editingFinished.connect(finished)
    edit.installEventFilter(_SelectOnFocus(edit))
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

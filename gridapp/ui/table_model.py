"""One table model for every list: the count, windows of row ids near what is shown, their values.

Nothing is held for the rows nobody looks at: a 500,000-row list opens with one count and one window
of ids, and scrolling asks for the window that holds the rows in view. Sorting keeps the count.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from gridapp.core import lists
from gridapp.core.store import Store

_Index = QModelIndex | QPersistentModelIndex


class SqlTableModel(QAbstractTableModel):
    WINDOW = 1000  # row ids fetched at once (a few screens)
    PAGE = 100  # rows whose values are fetched at once
    MAX_WINDOWS = 20
    MAX_CACHED = 5000

    counted = Signal(int)

    def __init__(self, store: Store, spec: lists.ListSpec, parent=None, *, load: bool = True):
        super().__init__(parent)
        self.store, self.spec = store, spec
        self.query = lists.Query()
        self._count = 0
        self._windows: dict[int, list[int]] = {}  # window number -> row ids in order
        self._cache: dict[int, tuple] = {}  # row id -> values
        self.loaded = False
        if load:
            self.refresh()

    # -- what is listed ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Count again and forget every window (after a change, a search or a filter)."""
        self.loaded = True
        with self.store.engine.connect() as conn:
            if self.query.search:
                # A search's rows are all visited to be ordered anyway: take them in one go, counted.
                ids = lists.query_rowids(conn, self.spec, self.query)
                self._reset(len(ids), {n: ids[i : i + self.WINDOW]
                                       for n, i in enumerate(range(0, min(len(ids), self.MAX_WINDOWS * self.WINDOW),
                                                                   self.WINDOW))})
            else:
                self._reset(lists.count(conn, self.spec, self.query))
        self.counted.emit(self._count)

    def _reset(self, count: int, windows: dict[int, list[int]] | None = None) -> None:
        self.beginResetModel()
        self._count = count
        self._windows = windows or {}
        self._cache.clear()
        self.endResetModel()

    def _requery(self) -> None:
        if self.loaded:
            self.refresh()

    def set_search(self, text: str) -> None:
        if text != self.query.search:
            self.query = replace(self.query, search=text)
            self._requery()

    def set_filter(self, key: str, value: Any) -> None:
        filters = dict(self.query.filters)
        if value is None or value == "":
            filters.pop(key, None)
        else:
            filters[key] = value
        self.query = replace(self.query, filters=tuple(filters.items()))
        self._requery()

    def rowid(self, row: int) -> int | None:
        """The row id shown at ``row`` (None past the end, if rows went away since the count)."""
        if not 0 <= row < self._count:
            return None
        number, at = divmod(row, self.WINDOW)
        window = self._windows.get(number)
        if window is None:
            if len(self._windows) >= self.MAX_WINDOWS:
                self._windows.clear()
            with self.store.engine.connect() as conn:
                window = lists.query_rowids(conn, self.spec, self.query, offset=number * self.WINDOW,
                                            limit=self.WINDOW, rows=self._count)
            self._windows[number] = window
        return window[at] if at < len(window) else None

    def record_id(self, row: int) -> str | None:
        rid = self.rowid(row)
        if rid is None:
            return None
        with self.store.engine.connect() as conn:
            return lists.record_id(conn, self.spec, rid)

    def row_values(self, row: int) -> tuple:
        rid = self.rowid(row)
        if rid is None:
            return ()
        if rid not in self._cache:
            self._fetch_page(row)
        return self._cache.get(rid, ())

    def _fetch_page(self, row: int) -> None:
        if len(self._cache) > self.MAX_CACHED:
            self._cache.clear()
        start = row - row % self.PAGE
        ids = [r for r in (self.rowid(i) for i in range(start, min(start + self.PAGE, self._count))) if r is not None]
        with self.store.engine.connect() as conn:
            self._cache.update(lists.fetch_rows(conn, self.spec, ids))

    # -- Qt model interface -----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.spec.columns)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        col = self.spec.columns[index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            values = self.row_values(index.row())
            return col.display(values[index.column()]) if values else ""
        if role == Qt.ItemDataRole.TextAlignmentRole and col.kind in ("int", "float"):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return self.spec.columns[section].title
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        key = self.spec.columns[column].key if 0 <= column < len(self.spec.columns) else None
        self.query = replace(self.query, sort=key, descending=order == Qt.SortOrder.DescendingOrder)
        if self.loaded and self.query.search:
            self.refresh()
        elif self.loaded:
            self._reset(self._count)  # the same rows in another order: no need to count them again

"""One table model for every list: row ids in memory, a page of values fetched when shown."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal

from gridapp.core import lists
from gridapp.core.store import Store

_Index = QModelIndex | QPersistentModelIndex


class SqlTableModel(QAbstractTableModel):
    PAGE = 200
    MAX_CACHED = 5000

    counted = Signal(int)

    def __init__(self, store: Store, spec: lists.ListSpec, parent=None, *, load: bool = True):
        super().__init__(parent)
        self.store, self.spec = store, spec
        self.query = lists.Query()
        self._rowids: list[int] = []
        self._cache: dict[int, tuple] = {}
        self.loaded = False
        if load:
            self.refresh()

    # -- what is listed ------------------------------------------------------------------------------
    def refresh(self) -> None:
        self.loaded = True
        self.beginResetModel()
        with self.store.engine.connect() as conn:
            self._rowids = lists.query_rowids(conn, self.spec, self.query)
        self._cache.clear()
        self.endResetModel()
        self.counted.emit(len(self._rowids))

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

    def record_id(self, row: int) -> str | None:
        with self.store.engine.connect() as conn:
            return lists.record_id(conn, self.spec, self._rowids[row])

    def row_values(self, row: int) -> tuple:
        rid = self._rowids[row]
        if rid not in self._cache:
            self._fetch_page(row)
        return self._cache.get(rid, ())

    def _fetch_page(self, row: int) -> None:
        if len(self._cache) > self.MAX_CACHED:
            self._cache.clear()
        start = row - row % self.PAGE
        with self.store.engine.connect() as conn:
            self._cache.update(lists.fetch_rows(conn, self.spec, self._rowids[start : start + self.PAGE]))

    # -- Qt model interface -----------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rowids)

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
        self._requery()

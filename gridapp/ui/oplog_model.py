"""The 操作记录 as a table: entries read from the core a page at a time, more as the view scrolls down."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor

from gridapp.core import oplog
from gridapp.core.store import Store

_Index = QModelIndex | QPersistentModelIndex
COLUMNS: tuple[tuple[str, int], ...] = (("时间", 150), ("操作人", 110), ("操作", 52), ("对象", 300), ("变更内容", 0))
_OP_COLOURS = {"insert": "#1b5e20", "delete": "#b71c1c", "restore": "#0d47a1"}


class OpLogModel(QAbstractTableModel):
    """Holds only the entries shown so far; Qt asks for the next page (``fetchMore``) near the bottom."""

    PAGE = oplog.PAGE
    loaded = Signal()  # after a reload or a further page

    def __init__(self, store: Store, parent=None):
        super().__init__(parent)
        self.store = store
        self.query = oplog.LogQuery()
        self.reader: oplog.LogReader | None = None
        self.entries: list[oplog.Entry] = []

    @property
    def is_loaded(self) -> bool:
        return self.reader is not None

    @property
    def complete(self) -> bool:
        return self.reader is not None and self.reader.exhausted

    def refresh(self) -> None:
        self.beginResetModel()
        self.reader = oplog.LogReader(self.store, self.query)
        self.entries = self.reader.page(self.PAGE)
        self.endResetModel()
        self.loaded.emit()

    def set_query(self, query: oplog.LogQuery) -> None:
        if query != self.query:
            self.query = query
            if self.is_loaded:
                self.refresh()

    def entry(self, row: int) -> oplog.Entry:
        return self.entries[row]

    # -- Qt model interface -----------------------------------------------------------------------------------------
    def canFetchMore(self, parent: _Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and self.reader is not None and not self.reader.exhausted

    def fetchMore(self, parent: _Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        more = self.reader.page(self.PAGE)
        if more:
            self.beginInsertRows(QModelIndex(), len(self.entries), len(self.entries) + len(more) - 1)
            self.entries += more
            self.endInsertRows()
        self.loaded.emit()

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.entries)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        e, col = self.entries[index.row()], index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return (e.when, e.actor, e.op_name, e.subject, e.summary)[col]
        if role == Qt.ItemDataRole.ToolTipRole:
            return (None, None, None, e.subject, e.details or None)[col]
        if role == Qt.ItemDataRole.ForegroundRole and col == 2 and e.op in _OP_COLOURS:
            return QBrush(QColor(_OP_COLOURS[e.op]))
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Horizontal:
            return COLUMNS[section][0]
        if role == Qt.ItemDataRole.DisplayRole and orientation == Qt.Orientation.Vertical:
            return str(section + 1)
        return None

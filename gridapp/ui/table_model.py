"""One table model for every list: windows of row ids near what is shown, their values, the count.

Nothing is held for the rows nobody looks at: a 500,000-row list opens with one window of ids (a
LIMIT query), and scrolling asks for the window that holds the rows in view. A list, a search or a
filter whose first window is not full has its count at once; otherwise the model shows that window
and counts on a background thread (its own connection; a newer search interrupts it), and the rows
past the window appear when the count comes. Sorting keeps the count.
"""

from __future__ import annotations

import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from sqlalchemy.exc import OperationalError

from gridapp.core import dbfile, lists
from gridapp.core.store import Store

_Index = QModelIndex | QPersistentModelIndex

# One counting thread for every list: SQLite reads in parallel in WAL mode, but a second count at
# once would only slow the first one down.
_COUNTER = ThreadPoolExecutor(max_workers=1, thread_name_prefix="list-count")


class _Running:
    """The connection a count runs on, so that a newer query can interrupt it."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.conn: sqlite3.Connection | None = None


class SqlTableModel(QAbstractTableModel):
    WINDOW = 1000  # row ids fetched at once (a few screens)
    PAGE = 100  # rows whose values are fetched at once
    MAX_WINDOWS = 20
    MAX_CACHED = 5000

    counted = Signal(int)  # the number of rows, when known (``count_known``) or as far as shown so far

    def __init__(self, store: Store, spec: lists.ListSpec, parent=None, *, load: bool = True):
        super().__init__(parent)
        self.store, self.spec = store, spec
        self.query = lists.Query()
        self._count = 0
        self.count_known = True
        self._generation = 0  # bumped by each refresh: a count of an older query is dropped
        self._counting: Future | None = None
        self._counting_generation = 0
        self._running: _Running | None = None
        # The counting thread touches no Qt object: the GUI thread looks for its result now and then.
        self._poll = QTimer(self, singleShot=True, interval=15)
        self._poll.timeout.connect(self._poll_count)
        self._windows: dict[int, list[int]] = {}  # window number -> row ids in order
        self._cache: dict[int, tuple] = {}  # row id -> values
        self.loaded = False
        if load:
            self.refresh()

    # -- what is listed ------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Forget every window and read the first one again (after a change, a search or a filter)."""
        self.loaded = True
        self._generation += 1
        self._interrupt_count()
        with self.store.engine.connect() as conn:
            first = lists.query_rowids(conn, self.spec, self.query, offset=0, limit=self.WINDOW)
        self.count_known = len(first) < self.WINDOW
        self._reset(len(first), {0: first})
        if not self.count_known:
            self._start_count()
        self.counted.emit(self._count)

    def _start_count(self) -> None:
        # The job holds no reference to the model: were it the last one, the model (a QObject) would be
        # destroyed on the counting thread.
        store, spec, query, running = self.store, self.spec, self.query, _Running()

        def count() -> int | None:
            try:
                with store.engine.connect() as conn:
                    with running.lock:
                        running.conn = conn.connection.driver_connection
                    try:
                        return lists.count(conn, spec, query)
                    finally:
                        with running.lock:
                            running.conn = None
            except (OperationalError, *dbfile.DB_ERRORS):
                return None  # interrupted by a newer query, or the store closed under it

        self._running = running
        self._counting = _COUNTER.submit(count)
        self._counting_generation = self._generation
        self._poll.start()

    def _poll_count(self) -> None:
        future = self._counting
        if future is None or self.count_known:
            return
        if not future.done():
            self._poll.start()
            return
        n = future.result()
        if n is not None:
            self._counted(self._counting_generation, n)

    def _interrupt_count(self) -> None:
        running = self._running
        if running is not None:
            with running.lock:
                if running.conn is not None:
                    running.conn.interrupt()

    def _counted(self, generation: int, n: int) -> None:
        if generation != self._generation or self.count_known:
            return
        self.count_known = True
        if n > self._count:
            self.beginInsertRows(QModelIndex(), self._count, n - 1)
            self._count = n
            self.endInsertRows()
        self.counted.emit(self._count)

    def wait_count(self) -> int:
        """The count, waiting for the counting thread if it is still at work (tests, benchmarks)."""
        if not self.count_known and self._counting is not None:
            n = self._counting.result()
            if n is not None:
                self._counted(self._counting_generation, n)
        return self._count

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
                                            limit=self.WINDOW, rows=self._count if self.count_known else None)
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
        if self.loaded:
            self._reset(self._count)  # the same rows in another order: no need to count them again

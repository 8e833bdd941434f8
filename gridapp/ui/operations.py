"""Long work off the GUI thread: a progress dialog with a cancel button around a core call.

Core functions take ``progress(done, total, what)`` and a ``cancel`` event; this runs them on a
single worker thread (SQLite has one writer) and reports back on the GUI thread.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, Qt, QThreadPool, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from gridapp.ui.errors import show_error

Work = Callable[[Callable[[int, int, str], None], threading.Event], Any]

_pool: QThreadPool | None = None
_running: set[Operation] = set()


def pool() -> QThreadPool:
    global _pool
    if _pool is None:
        _pool = QThreadPool()
        _pool.setMaxThreadCount(1)
    return _pool


class _Signals(QObject):
    progress = Signal(int, int, str)
    done = Signal(object)
    failed = Signal(object)


class _Runner(QRunnable):
    def __init__(self, work: Work, signals: _Signals, cancel: threading.Event):
        super().__init__()
        self.work, self.signals, self.cancel = work, signals, cancel
        self.setAutoDelete(False)

    def run(self) -> None:
        try:
            result = self.work(lambda d, t, w: self.signals.progress.emit(d, t, w), self.cancel)
        except BaseException as exc:
            self.signals.failed.emit(exc)
        else:
            self.signals.done.emit(result)


class Operation(QObject):
    """One background operation with its progress dialog; ``finished`` fires on success."""

    finished = Signal(object)
    failed = Signal(object)

    def __init__(self, parent: QWidget | None, title: str, work: Work, *, cancellable: bool = True,
                 show_errors: bool = True):
        super().__init__(parent)
        self.parent_widget, self.title, self.show_errors = parent, title, show_errors
        self.cancel = threading.Event()
        self.dialog = QProgressDialog(title, "取消" if cancellable else "", 0, 0, parent)
        if not cancellable:
            self.dialog.setCancelButton(None)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(400)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        self.dialog.canceled.connect(self._on_cancel)
        self.signals = _Signals()
        self.signals.progress.connect(self._on_progress)
        self.signals.done.connect(self._on_done)
        self.signals.failed.connect(self._on_failed)
        self.runner = _Runner(work, self.signals, self.cancel)

    def start(self) -> Operation:
        _running.add(self)
        pool().start(self.runner)
        return self

    def _on_cancel(self) -> None:
        self.cancel.set()
        self.dialog.setLabelText("正在取消…")

    def _on_progress(self, done: int, total: int, what: str) -> None:
        if total > 0:
            self.dialog.setMaximum(total)
            self.dialog.setValue(min(done, total))
        if not self.cancel.is_set():
            self.dialog.setLabelText(what)

    def _finish(self) -> None:
        self.dialog.canceled.disconnect(self._on_cancel)
        self.dialog.close()
        _running.discard(self)

    def _on_done(self, result: object) -> None:
        self._finish()
        self.finished.emit(result)

    def _on_failed(self, exc: BaseException) -> None:
        self._finish()
        if self.show_errors:
            show_error(self.parent_widget, exc, self.title)
        self.failed.emit(exc)


def run(parent: QWidget | None, title: str, work: Work, on_success: Callable[[Any], None] | None = None,
        *, cancellable: bool = True) -> Operation:
    op = Operation(parent, title, work, cancellable=cancellable)
    if on_success is not None:
        op.finished.connect(on_success)
    return op.start()

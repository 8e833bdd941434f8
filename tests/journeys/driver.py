"""The child side of the user-journey harness: drive the real main window as a user does.

Runs in its own process (``python -m tests.journeys.child``) so that a crash — a segmentation fault
in Qt, a hang — fails one test, naming the action, instead of ending the test run. Every action is
announced on stdout before it runs (``ACTION …``); every failure is announced as it is found
(``FAIL …``); the parent reads those lines.

What counts as a failure: a Python exception anywhere (a slot, a thread, the action itself), an
unexpected-error box (“程序出错”), a modal dialog that does not close, a print preview without
pages, an action that runs longer than its limit (the process then exits with a traceback).
"""

from __future__ import annotations

import faulthandler
import logging
import re
import sys
import threading
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import shiboken6
from PySide6.QtCore import QCoreApplication, QEventLoop, QObject, Qt, QTimer
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QLineEdit,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QTabBar,
    QTabWidget,
    QToolButton,
    QWidget,
)

ACTION_LIMIT_S = 240  # one action (with everything it opens) — a hang beyond that fails the run

# Buttons a harness must not press: they end the program or the session under test.
SKIP_TEXTS = ("退出",)


def say(line: str) -> None:
    print(line, flush=True)


def _showing(w: QWidget) -> bool:
    """Still on screen (a dialog that deletes itself on close is gone, not showing)."""
    return shiboken6.isValid(w) and w.isVisible()


def _text(w: QObject) -> str:
    if isinstance(w, QAbstractButton | QAction):
        t = w.text() or w.toolTip() or w.objectName()
    else:
        t = w.objectName()
    return " ".join(t.replace("&", "").split())


# Latin words a Chinese user may see: file formats, the product's own name and file kinds.
LATIN_OK = {"PDF", "Excel", "xlsx", "xls", "pdf", "CSV", "csv", "WPS", "OpenDocument", "gridapp", "sqlite", "json", "gridsync", "keys", "Qt", "USB", "ID", "Tab",
            "Ctrl", "Shift", "Alt", "Enter", "Esc", "Del", "Home", "End", "PgUp", "PgDown", "Space"}
_LATIN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]{3,}(?![A-Za-z0-9])")  # a word, not a code such as 541E-CFD3


def untranslated(root: QWidget) -> list[str]:
    """Texts of the program's own chrome (titles, labels, buttons, tabs, choices) with English words in them."""
    from PySide6.QtWidgets import QGroupBox, QLabel

    texts: list[str] = [root.windowTitle()]
    for w in root.findChildren(QWidget):
        if not w.isVisible():
            continue
        if isinstance(w, QLabel) and w.textFormat() != Qt.TextFormat.RichText and "<" not in w.text():
            texts.append(w.text())
        elif isinstance(w, QAbstractButton):
            texts += [w.text(), w.toolTip()]
        elif isinstance(w, QGroupBox):
            texts.append(w.title())
        elif isinstance(w, QTabBar):
            texts += [w.tabText(i) for i in range(w.count())]
        elif isinstance(w, QComboBox) and not w.isEditable():
            texts += [w.itemText(i) for i in range(min(w.count(), 50))]
        elif isinstance(w, QLineEdit):
            texts.append(w.placeholderText())
    bad = []
    for t in texts:
        if not t or "/" in t or "\\" in t or "@" in t:
            continue  # a path, an address: the user's own words
        t = re.sub(r"\(\*\.[^)]*\)|\*\.\w+|[0-9A-Z]{4}(?:-[0-9A-Z]{4})+", "", t)  # file patterns, fingerprints, keys
        words = [x for x in _LATIN.findall(t) if x not in LATIN_OK]
        if words:
            bad.append(t)
    return sorted(set(bad))


def cut_off(root: QWidget) -> list[str]:
    """Buttons narrower than their text and drop-downs too narrow for the choice they show."""
    out = []
    for w in root.findChildren(QWidget):
        if not w.isVisible() or isinstance(w.parentWidget(), QLineEdit | QComboBox):
            continue
        if isinstance(w, QAbstractButton) and w.text() and not isinstance(w.parentWidget(), QTabBar):
            hint = w.minimumSizeHint()
            if w.width() < hint.width() - 1:
                out.append(f"button “{_text(w)}” {w.width()} px < {hint.width()} px")
        elif isinstance(w, QComboBox) and w.currentText() and not w.isEditable():
            need = w.fontMetrics().horizontalAdvance(w.currentText()) + 28
            if w.width() < need:
                out.append(f"drop-down “{w.currentText()}” {w.width()} px < {need} px")
    return out


class _ErrorLog(logging.Handler):
    """The program logs every unexpected error it shows the user; each one fails the run."""

    def __init__(self, driver: Driver):
        super().__init__(logging.ERROR)
        self.driver = driver

    def emit(self, record: logging.LogRecord) -> None:
        detail = record.getMessage()
        if record.exc_info:
            detail += "\n" + "".join(traceback.format_exception(*record.exc_info))
        self.driver.fail(f"logged error: {detail}")


@dataclass
class Report:
    actions: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    previews: list[tuple[str, int]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


class Driver:
    """Triggers actions and answers whatever they open: message boxes, file dialogs, previews, forms."""

    def __init__(self, app: QApplication, out_dir: Path, *, explore_depth: int = 2):
        self.app = app
        self.out_dir = out_dir
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.report = Report()
        self.explore_depth = explore_depth
        self.cancel_after = 8.0  # seconds of progress before the harness presses 取消
        self.shots = False  # a PNG of each page and of each dialog the first time it opens
        self._shot_titles: set[str] = set()
        self.path: list[str] = []  # the action being run, as a breadcrumb
        self._handled: list[QWidget] = []  # modal widgets being answered, outermost first
        self.file_answers: list[Path] = []  # paths for the next open-file dialogs (scripted journeys)
        self.dialog_hooks: list[Callable[[QDialog], bool]] = []  # scripted answers; True = handled
        self._install_hooks()

    # -- failures ------------------------------------------------------------------------------------
    def _install_hooks(self) -> None:
        def hook(exc_type, exc, tb):
            self.fail("exception: " + "".join(traceback.format_exception(exc_type, exc, tb)))

        sys.excepthook = hook
        threading.excepthook = lambda a: hook(a.exc_type, a.exc_value, a.exc_traceback)
        logging.getLogger("gridapp").addHandler(_ErrorLog(self))
        faulthandler.enable(all_threads=True)

    def fail(self, message: str) -> None:
        where = " › ".join(self.path) or "(start)"
        line = f"{where}: {message}"
        self.report.failures.append(line)
        say("FAIL " + line.replace("\n", "\n    "))

    # -- waiting --------------------------------------------------------------------------------------
    def wait(self, ms: int = 0) -> None:
        """Let the event loop run (timers, queued signals, painting) for ``ms`` milliseconds."""
        end = time.monotonic() + ms / 1000
        while True:
            self.app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
            QCoreApplication.sendPostedEvents(None, 0)  # deferred deletes too
            if time.monotonic() >= end:
                return
            time.sleep(0.005)

    def wait_until(self, cond: Callable[[], bool], timeout_s: float = 60, what: str = "") -> bool:
        end = time.monotonic() + timeout_s
        while time.monotonic() < end:
            if cond():
                return True
            self.wait(20)
        if what:
            self.fail(f"timed out waiting for {what}")
        return False

    def settle(self) -> None:
        """Wait for background operations (exports, PDFs, imports) to finish and be reported."""
        from gridapp.ui import operations

        self.wait(30)
        self.wait_until(lambda: not operations._running and operations.pool().activeThreadCount() == 0,
                        ACTION_LIMIT_S - 10, "a background operation to finish")
        self.wait(30)

    # -- actions --------------------------------------------------------------------------------------
    def trigger(self, name: str, fn: Callable[[], object]) -> None:
        """Run one user action, answering every window it opens until it is over."""
        self.path.append(name)
        label = " › ".join(self.path)
        self.report.actions.append(label)
        say("ACTION " + label)
        outer = len(self.path) == 1
        if outer:
            faulthandler.dump_traceback_later(ACTION_LIMIT_S, exit=True)
        before = self._top_levels()
        started = time.monotonic()
        try:
            with self._watching():
                fn()
                self.settle()
                self._close_new_windows(before)
        except Exception:
            self.fail("exception: " + traceback.format_exc())
        finally:
            if outer:
                faulthandler.cancel_dump_traceback_later()
            say(f"TOOK {time.monotonic() - started:.2f} {label}")
            self.path.pop()

    @contextmanager
    def _watching(self):
        """Answer modal windows while the block runs, even when it blocks in a nested event loop.

        Qt does not deliver a timer again while its handler runs, so each blocking step (an action,
        answering a dialog) gets a chain of single-shot timers of its own.
        """
        state = {"done": False}

        def check() -> None:
            if state["done"]:
                return
            widget = self._new_modal()
            if widget is not None:
                self._answer(widget)
            if not state["done"]:
                QTimer.singleShot(30, check)

        QTimer.singleShot(30, check)
        try:
            yield
        finally:
            state["done"] = True

    def _new_modal(self) -> QWidget | None:
        popup = QApplication.activePopupWidget()
        if isinstance(popup, QMenu):
            popup.close()  # a drop-down left open: menus are driven through their actions
        w = QApplication.activeModalWidget()
        if w is None or w in self._handled or not w.isVisible():
            return None
        return w

    def _top_levels(self) -> set[int]:
        return {id(w) for w in QApplication.topLevelWidgets() if w.isVisible()}

    def _close_new_windows(self, before: set[int]) -> None:
        for w in QApplication.topLevelWidgets():
            if id(w) not in before and _showing(w) and isinstance(w, QDialog) and w not in self._handled:
                if isinstance(w, QProgressDialog):
                    continue
                self._answer(w)

    # -- answering what opens ------------------------------------------------------------------------
    def _answer(self, w: QWidget) -> None:
        self._handled.append(w)
        try:
            with self._watching():
                self._answer_one(w)
        finally:
            self._handled.remove(w)

    def check_language(self, w: QWidget) -> None:
        """What a user reads is Chinese and not cut off."""
        english = untranslated(w)
        if english:
            self.fail(f"English in “{w.windowTitle() or type(w).__name__}”: {english}")
        narrow = [] if isinstance(w, QFileDialog) else cut_off(w)  # Qt's own path box shows long paths
        if narrow:
            self.fail(f"cut off in “{w.windowTitle() or type(w).__name__}”: {narrow}")

    def _answer_one(self, w: QWidget) -> None:
        title = w.windowTitle()
        if not isinstance(w, QProgressDialog):
            self.wait(5)
            self.check_language(w)
            if self.shots and title not in self._shot_titles:
                self._shot_titles.add(title)
                self.screenshot(w, f"dialog-{len(self._shot_titles):03d}-{re.sub(r'[^0-9A-Za-z一-鿿]+', '_', title)}")
        if isinstance(w, QProgressDialog):
            self._answer_progress(w)
            return
        for hook in list(self.dialog_hooks):
            if isinstance(w, QDialog) and hook(w):
                return
        if isinstance(w, QMessageBox):
            self._answer_message(w)
        elif isinstance(w, QFileDialog):
            self._answer_file(w)
        elif type(w).__name__ == "QPrintPreviewDialog":
            self._answer_preview(w)
        elif type(w).__name__ in ("QPrintDialog", "QPageSetupDialog"):
            self.report.dialogs.append(f"{' › '.join(self.path)} → {title}")
            self._close(w)
        elif isinstance(w, QDialog):
            self.report.dialogs.append(f"{' › '.join(self.path)} → {title or type(w).__name__}")
            if len(self._handled) <= self.explore_depth:
                self.explore_dialog(w)
            if _showing(w):
                self._close(w)
        else:
            self._close(w)

    def _answer_progress(self, dialog: QProgressDialog) -> None:
        """Long work shows its progress; what runs longer than ``cancel_after`` is cancelled, as a user
        tired of waiting does: the cancel path is a user's path too."""
        started = time.monotonic()
        while _showing(dialog) and time.monotonic() - started < self.cancel_after:
            self.wait(50)
        if _showing(dialog):
            say(f"CANCEL {dialog.windowTitle()} after {self.cancel_after:.0f} s")
            self.report.dialogs.append(f"{' › '.join(self.path)} → {dialog.windowTitle()}（取消）")
            button = next((b for b in dialog.findChildren(QPushButton) if b.isVisible()), None)
            if button is not None:
                button.click()
            self.wait_until(lambda: not _showing(dialog), ACTION_LIMIT_S / 2, "a cancelled operation to stop")

    def _close(self, w: QWidget) -> None:
        if isinstance(w, QDialog):
            w.reject()
        else:
            w.close()
        self.wait(10)
        if _showing(w):
            self.fail(f"dialog “{w.windowTitle()}” does not close")
            w.hide()

    def _answer_message(self, box: QMessageBox) -> None:
        text = f"[{box.windowTitle()}] {box.text()}"
        self.report.messages.append(f"{' › '.join(self.path)} → {text}")
        say("MESSAGE " + text.replace("\n", " "))
        if box.icon() == QMessageBox.Icon.Critical and box.windowTitle() == "程序出错":
            self.fail(f"unexpected-error box: {box.text()}")
        # An explicitly chosen default (e.g. 继续 打印) is taken; otherwise the safe answer (No, Cancel).
        button = box.defaultButton() if box.property("gridapp_default") else box.escapeButton()
        if button is None:
            button = box.defaultButton() or (box.buttons()[0] if box.buttons() else None)
        if button is not None:
            button.click()
        else:
            box.done(0)
        self.wait(5)
        if _showing(box):
            self.fail(f"message box “{box.windowTitle()}” does not close")
            box.hide()

    def _answer_file(self, dialog: QFileDialog) -> None:
        self.report.dialogs.append(f"{' › '.join(self.path)} → 文件对话框：{dialog.windowTitle()}")
        if dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave:
            suggested = dialog.selectedFiles()[0] if dialog.selectedFiles() else "output"
            name = Path(suggested).name or "output"
            folder = self.out_dir / f"{len(self.report.files):03d}"
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / name
            if not target.suffix:
                # a suffix the dialog's filter implies, as Qt adds it when the user types a bare name
                suffix = dialog.defaultSuffix() or self._filter_suffix(dialog)
                target = target.with_suffix("." + suffix) if suffix else target
            self.report.files.append(str(target))
            self._type_path(dialog, target)
        elif dialog.fileMode() == QFileDialog.FileMode.Directory:
            folder = self.out_dir / f"{len(self.report.files):03d}-folder"
            folder.mkdir(parents=True, exist_ok=True)
            self.report.files.append(str(folder))
            self._type_path(dialog, folder)
        elif self.file_answers:
            self._type_path(dialog, Path(self.file_answers.pop(0)))
        else:
            dialog.reject()
        self.wait_until(lambda: not _showing(dialog), 3)
        if _showing(dialog):
            self.fail("file dialog does not close")
            dialog.hide()

    @staticmethod
    def _type_path(dialog: QFileDialog, path: Path) -> None:
        """Type the whole path into the dialog's file name box and press its OK, as a user may."""
        from PySide6.QtWidgets import QLineEdit

        edit = dialog.findChild(QLineEdit, "fileNameEdit")
        if edit is not None:
            edit.setText(str(path))
        else:
            dialog.selectFile(str(path))
        dialog.accept()

    @staticmethod
    def _filter_suffix(dialog: QFileDialog) -> str:
        import re

        m = re.search(r"\*\.(\w+)", dialog.selectedNameFilter() or "")
        return m.group(1) if m else ""

    def _answer_preview(self, dialog: QDialog) -> None:
        from PySide6.QtPrintSupport import QPrintPreviewWidget

        self.wait(50)
        preview = dialog.findChild(QPrintPreviewWidget)
        pages = preview.pageCount() if preview is not None else 0
        for page in range(1, pages + 1):  # every page is painted, as a user paging through it
            preview.setCurrentPage(page)
            self.wait(1)
        self.report.previews.append((dialog.windowTitle(), pages))
        say(f"PREVIEW {dialog.windowTitle()} pages={pages}")
        if pages < 1:
            self.fail(f"print preview “{dialog.windowTitle()}” has no pages")
        self._close(dialog)

    # -- finding what a user can press ---------------------------------------------------------------
    def actionables(self, root: QWidget, exclude: QWidget | None = None) -> list[tuple[str, Callable[[], object]]]:
        """Every visible, enabled button, menu entry and check box under ``root`` (not under ``exclude``)."""
        found: list[tuple[str, Callable[[], object]]] = []
        for w in root.findChildren(QAbstractButton):
            if not self._usable(w, root) or (exclude is not None and exclude.isAncestorOf(w)):
                continue
            text = _text(w)
            if not text or any(s in text for s in SKIP_TEXTS):
                continue
            if isinstance(w, QToolButton) and w.menu() is not None and \
                    w.popupMode() == QToolButton.ToolButtonPopupMode.InstantPopup:
                found.extend(self.menu_entries(w.menu(), text))
            elif isinstance(w, QCheckBox | QRadioButton):
                found.append((text, lambda w=w: (w.click(), self.wait(20), w.click())))
            else:
                found.append((text, w.click))
        return found

    def menu_entries(self, menu: QMenu, prefix: str) -> list[tuple[str, Callable[[], object]]]:
        menu.aboutToShow.emit()  # menus filled when they open are filled now
        entries = []
        for a in menu.actions():
            if a.isSeparator() or not a.isEnabled() or not a.isVisible():
                continue
            if a.menu() is not None:
                entries.extend(self.menu_entries(a.menu(), f"{prefix} › {_text(a)}"))
            elif not any(s in _text(a) for s in SKIP_TEXTS):
                entries.append((f"{prefix} › {_text(a)}", a.trigger))
        return entries

    @staticmethod
    def _usable(w: QWidget, root: QWidget) -> bool:
        if not w.isVisibleTo(root) or not w.isEnabled() or not w.isVisible():
            return False
        parent = w.parentWidget()
        while parent is not None and parent is not root:
            if isinstance(parent, QTabBar | QComboBox | QAbstractItemView):
                return False  # a tab bar's scroll arrows, a combo's or a view's own internals
            parent = parent.parentWidget()
        return type(w).__name__ != "QTableCornerButton"

    @staticmethod
    def visible_tabs(root: QWidget) -> list[QTabWidget]:
        return [t for t in root.findChildren(QTabWidget) if t.isVisible()]

    # -- exploring a dialog --------------------------------------------------------------------------
    def explore_dialog(self, dialog: QDialog) -> None:
        """Press what a form offers (except its OK/Cancel), then its OK: a broken rule keeps it open."""
        self.wait(10)
        tabs = self.visible_tabs(dialog)
        for tabw in tabs:
            for i in range(tabw.count()):
                if _showing(dialog):
                    tabw.setCurrentIndex(i)
                    self.wait(5)
        for name, fn in self.actionables(dialog):
            if not _showing(dialog):
                return
            if self._in_button_box(fn, dialog):
                continue
            self.trigger(name, fn)
        if _showing(dialog):
            ok = self._ok_button(dialog)
            if ok is not None and ok.isEnabled():
                self.trigger(_text(ok), ok.click)

    @staticmethod
    def _ok_button(dialog: QDialog) -> QPushButton | None:
        for box in dialog.findChildren(QDialogButtonBox):
            if not box.isVisible():
                continue
            for b in box.buttons():
                if box.buttonRole(b) in (QDialogButtonBox.ButtonRole.AcceptRole, QDialogButtonBox.ButtonRole.YesRole):
                    return b
        return None

    @staticmethod
    def _in_button_box(fn, dialog: QDialog) -> bool:
        owner = getattr(fn, "__self__", None)
        return isinstance(owner, QWidget) and isinstance(owner.parentWidget(), QDialogButtonBox)

    # -- scripted answers ------------------------------------------------------------------------------
    def when_dialog(self, title: str, handler: Callable[[QDialog], object]) -> None:
        """Answer the next dialog whose title starts with ``title`` with ``handler(dialog)`` (a user's steps);
        the dialog is closed afterwards if the steps left it open."""
        def hook(dialog: QDialog) -> bool:
            if not dialog.windowTitle().startswith(title):
                return False
            self.dialog_hooks.remove(hook)
            self.report.dialogs.append(f"{' › '.join(self.path)} → {dialog.windowTitle()}")
            handler(dialog)
            if _showing(dialog):
                self._close(dialog)
            return True

        self.dialog_hooks.append(hook)

    def click(self, button: QAbstractButton) -> None:
        """Press a button as a user does, as one action (what it opens is answered)."""
        if not button.isVisible() or not button.isEnabled():
            self.fail(f"button “{_text(button)}” is not there to press (hidden or disabled)")
            return
        self.trigger(_text(button), button.click)

    def choose(self, menu_button: QToolButton, entry: str) -> None:
        """Pick ``entry`` from a drop-down button's menu."""
        for name, fn in self.menu_entries(menu_button.menu(), _text(menu_button)):
            if name.endswith(entry):
                self.trigger(name, fn)
                return
        self.fail(f"menu of “{_text(menu_button)}” has no entry “{entry}”")

    def button(self, root: QWidget, text: str) -> QAbstractButton:
        """The visible button under ``root`` whose text is (or starts with) ``text``."""
        for b in root.findChildren(QAbstractButton):
            if b.isVisible() and _text(b).startswith(text):
                return b
        raise AssertionError(f"no button “{text}” in {root.windowTitle() or type(root).__name__}")

    # -- lists -----------------------------------------------------------------------------------------
    def select_first_row(self, root: QWidget) -> None:
        for view in root.findChildren(QAbstractItemView):
            if view.isVisible() and view.model() is not None and view.model().rowCount() > 0:
                index = view.model().index(0, 0)
                view.setCurrentIndex(index)
                view.selectionModel().select(index, view.selectionModel().SelectionFlag.ClearAndSelect
                                             | view.selectionModel().SelectionFlag.Rows)
        self.wait(10)

    def screenshot(self, widget: QWidget, name: str) -> Path:
        path = self.out_dir / f"{name}.png"
        widget.grab().save(str(path))
        return path


def no_modal_left(app: QApplication) -> QWidget | None:
    w = app.activeModalWidget()
    return w if w is not None and w.isVisible() else None


__all__ = ["ACTION_LIMIT_S", "Driver", "Qt", "no_modal_left", "say"]

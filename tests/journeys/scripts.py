"""Journey scripts, run by tests/journeys/child.py in a child process on the real main window.

``explore`` walks the whole window by itself: every page, every tab, every button, every drop-down
menu entry, every menu action, every filter, a double click on each list; each dialog those open is
explored in turn (its buttons, then its OK) and closed. A new button is covered without a new line.
"""

from __future__ import annotations

from pathlib import Path

import shiboken6
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QLineEdit, QTableView, QTreeView, QWidget

from tests.journeys.driver import Driver, say


def open_window(driver: Driver, db: Path, size: tuple[int, int]):
    """The main window as the program shows it, checked to fit the screen it is on."""
    from gridapp.core.store import Store
    from gridapp.ui.main_window import MainWindow

    window = MainWindow(Store(db))
    window.show()
    driver.wait(100)
    screen = window.screen().availableGeometry()
    frame = window.frameGeometry()
    if not screen.contains(frame):
        driver.fail(f"window {frame.width()}×{frame.height()} at ({frame.x()},{frame.y()}) does not fit the "
                    f"available screen {screen.width()}×{screen.height()} (asked for {size[0]}×{size[1]})")
    if not window.statusBar().isVisible():
        driver.fail("status bar is not visible")
    return window


def explore(driver: Driver, *, db: Path, size: tuple[int, int], shots: str = "1", **_options) -> None:
    from gridapp.ui.main_window import PAGES

    window = open_window(driver, db, size)
    for index, cls in enumerate(PAGES):
        driver.trigger(f"页面 {cls.title}", lambda i=index: window.nav.setCurrentRow(i))
        page = window.stack.widget(index)
        tabs = driver.visible_tabs(page)
        if not tabs:
            _explore_area(driver, window, page, index, None, 0, cls.title, shots == "1")
            continue
        outer = tabs[0]
        for t in range(outer.count()):
            name = f"{cls.title}-{outer.tabText(t)}"
            driver.trigger(f"标签 {name}", lambda t=t, w=outer: w.setCurrentIndex(t))
            _explore_area(driver, window, page, index, outer, t, name, shots == "1")
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None:
            continue
        for name, fn in driver.menu_entries(menu, f"菜单 {menu_action.text().replace('&', '')}"):
            driver.trigger(name, fn)
    driver.trigger("关闭主窗口", window.close)
    say(f"PAGES {len(PAGES)}")


def _explore_area(driver: Driver, window, page: QWidget, index: int, tabw, t: int, name: str, shots: bool) -> None:
    """Everything a user can do on one page (or one tab of it)."""

    def back() -> QWidget:
        if window.nav.currentRow() != index:
            window.nav.setCurrentRow(index)
        if tabw is not None and shiboken6.isValid(tabw) and tabw.currentIndex() != t:
            tabw.setCurrentIndex(t)
        driver.wait(5)
        return tabw.widget(t) if tabw is not None else page

    area = back()
    _select_something(driver, area)
    if shots:
        driver.screenshot(window, f"page-{name}")
    # filters: each drop-down set to its first real choice, then back to 全部
    for box in [b for b in area.findChildren(QComboBox) if b.isVisible() and b.isEnabled() and b.count() > 1]:
        label = box.objectName() or box.itemText(0)

        def pick(box=box):
            box.setCurrentIndex(1)
            driver.wait(30)
            box.setCurrentIndex(0)
        driver.trigger(f"{name} › 选择 {label}", pick)
    for edit in [e for e in area.findChildren(QLineEdit) if e.isVisible() and e.isEnabled()
                 and not isinstance(e.parentWidget(), QComboBox) and e.placeholderText().startswith("搜索")]:
        def search(edit=edit):
            edit.setText("张")
            driver.wait(400)
            edit.setText("138")
            driver.wait(400)
            edit.clear()
            driver.wait(300)
        driver.trigger(f"{name} › 搜索", search)
    area = back()
    _select_something(driver, area)
    for label, fn in driver.actionables(area):
        owner = getattr(fn, "__self__", None)
        if owner is not None and not shiboken6.isValid(owner):
            continue  # the page rebuilt itself since the list was taken
        driver.trigger(f"{name} › {label}", fn)
        area = back()
        _select_something(driver, area)
    for view in [v for v in area.findChildren(QAbstractItemView) if v.isVisible()
                 and isinstance(v, QTableView | QTreeView)]:
        model = view.model()
        if model is None or model.rowCount() == 0:
            continue
        driver.trigger(f"{name} › 双击第一行 {view.objectName() or type(view).__name__}",
                       lambda view=view: view.doubleClicked.emit(_first_leaf(view)))
        back()


def _first_leaf(view: QAbstractItemView):
    """The first row of a table; in a tree, the first item without children (a grid)."""
    model = view.model()
    index = model.index(0, 0)
    while isinstance(view, QTreeView) and model.rowCount(index) > 0:
        index = model.index(0, 0, index)
    return index


def _select_something(driver: Driver, area: QWidget) -> None:
    for view in area.findChildren(QAbstractItemView):
        if not view.isVisible() or view.model() is None or view.model().rowCount() == 0:
            continue
        if view.currentIndex().isValid():
            continue
        index = _first_leaf(view)
        view.setCurrentIndex(index)
    driver.wait(10)

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


def explore(driver: Driver, *, db: Path, size: tuple[int, int], shots: str = "1", cancel_after: str = "8",
            pages: str = "", **_options) -> None:
    """Every page (or those whose titles ``pages`` lists, comma-separated, to walk one area by hand) and menu."""
    from gridapp.ui.main_window import PAGES

    driver.cancel_after = float(cancel_after)
    driver.shots = shots == "1"
    window = open_window(driver, db, size)
    only = {t for t in pages.split(",") if t}
    for index, cls in enumerate(PAGES):
        if only and cls.title not in only:
            continue
        driver.trigger(f"页面 {cls.title}", lambda i=index: window.nav.setCurrentRow(i))
        page = window.stack.widget(index)
        tabs = driver.visible_tabs(page)
        if not tabs:
            _explore_area(driver, window, page, index, None, 0, cls.title, shots == "1")
            continue
        outer = tabs[0]
        # the page's own buttons, outside its tabs (a toolbar above them)
        _explore_area(driver, window, page, index, None, 0, cls.title, False, exclude=outer)
        for t in range(outer.count()):
            name = f"{cls.title}-{outer.tabText(t)}"
            driver.trigger(f"标签 {name}", lambda t=t, w=outer: w.setCurrentIndex(t))
            _explore_area(driver, window, page, index, outer, t, name, shots == "1")
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        if menu is None or only:
            continue
        for name, fn in driver.menu_entries(menu, f"菜单 {menu_action.text().replace('&', '')}"):
            driver.trigger(name, fn)
    driver.trigger("关闭主窗口", window.close)
    say(f"PAGES {len(PAGES)}")


def _explore_area(driver: Driver, window, page: QWidget, index: int, tabw, t: int, name: str, shots: bool,
                  exclude: QWidget | None = None) -> None:
    """Everything a user can do on one page (or one tab of it, or the page outside ``exclude``)."""

    def outside(w: QWidget) -> bool:
        return exclude is None or not (w is exclude or exclude.isAncestorOf(w))

    def back() -> QWidget:
        if window.nav.currentRow() != index:
            window.nav.setCurrentRow(index)
        if tabw is not None and shiboken6.isValid(tabw) and tabw.currentIndex() != t:
            tabw.setCurrentIndex(t)
        driver.wait(5)
        return tabw.widget(t) if tabw is not None else page

    area = back()
    _select_something(driver, area)
    driver.check_language(area)
    if shots:
        driver.screenshot(window, f"page-{name}")
    # filters: each drop-down set to its first real choice, then back to 全部
    for box in [b for b in area.findChildren(QComboBox) if b.isVisible() and b.isEnabled() and b.count() > 1
                and outside(b)]:
        label = box.objectName() or box.itemText(0)

        def pick(box=box):
            box.setCurrentIndex(1)
            driver.wait(30)
            box.setCurrentIndex(0)
        driver.trigger(f"{name} › 选择 {label}", pick)
    for edit in [e for e in area.findChildren(QLineEdit) if e.isVisible() and e.isEnabled()
                 and not isinstance(e.parentWidget(), QComboBox) and e.placeholderText().startswith("搜索")
                 and outside(e)]:
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
    for label, fn in driver.actionables(area, exclude):
        owner = getattr(fn, "__self__", None)
        if owner is not None and not shiboken6.isValid(owner):
            continue  # the page rebuilt itself since the list was taken
        driver.trigger(f"{name} › {label}", fn)
        area = back()
        _select_something(driver, area)
    for view in [v for v in area.findChildren(QAbstractItemView) if v.isVisible()
                 and isinstance(v, QTableView | QTreeView) and outside(v)]:
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
        if view.currentIndex().isValid() and not isinstance(view, QTreeView):
            continue
        index = _first_leaf(view)  # in the org tree: a grid, so grid-level actions are enabled too
        if view.currentIndex() == index:
            continue
        view.setCurrentIndex(index)
    driver.wait(10)


# -- a new street officer's first day --------------------------------------------------------------------

def new_street_officer(driver: Driver, *, samples: str, peer_identity: str, peer_fingerprint: str,
                       **_options) -> None:
    """First run → create the site → import 网格划分 and 网格员花名册 → fix a rejected row in the form →
    print one grid's roster (preview and PDF) → export the month's package to the district.
    Writes what the user saw to ``seen.json`` for the test to check."""
    import json

    from PySide6.QtWidgets import QLabel

    from gridapp.ui.app import open_store
    from gridapp.ui.main_window import MainWindow
    from gridapp.ui.pages.grids_page import GridsPage
    from gridapp.ui.pages.sync_page import SyncPage
    from gridapp.ui.pages.workers_page import WorkersPage

    samples_dir = Path(samples)
    seen: dict[str, object] = {}

    # 1. the first start: no database yet, the welcome dialog asks; the officer creates the street
    def welcome(dialog) -> None:
        dialog.new_radio.setChecked(True)
        dialog.level.setCurrentIndex(dialog.level.findText("街道"))
        dialog.code.setText("3702030120")  # one digit too many: the dialog says so and stays open
        driver.click(driver.button(dialog, "开始"))
        seen["code_error"] = dialog.error.text()
        dialog.code.setText("370203012")
        dialog.name.setText("海泉路街道")
        driver.click(driver.button(dialog, "开始"))

    driver.when_dialog("欢迎使用", welcome)
    stores = []
    driver.trigger("首次启动", lambda: stores.append(open_store(None, False)))
    store = stores[0]
    assert store is not None and store.site is not None, "the first-run dialog made no site"
    window = MainWindow(store)
    window.show()
    driver.wait(100)
    seen["title"] = window.windowTitle()

    # 2. import 网格划分: choose the file, the check runs by itself, confirm
    grids_page: GridsPage = window.page(GridsPage)

    def import_sheet(dialog, sample: str, key: str) -> None:
        driver.file_answers.append(samples_dir / sample)
        driver.click(driver.button(dialog, "选择文件"))
        seen[f"{key}_checked"] = dialog.summary.text()
        driver.click(driver.button(dialog, "确认导入"))
        seen[f"{key}_imported"] = dialog.summary.text()
        seen[f"{key}_rows"] = [dialog.model.rows[i][:5] for i in range(len(dialog.model.rows))]
        driver.click(driver.button(dialog, "关闭"))

    driver.when_dialog("导入网格划分", lambda d: import_sheet(d, "网格划分-示例.xlsx", "grids"))
    driver.click(driver.button(grids_page, "导入网格划分表"))
    tree: QTreeView = grids_page.tree
    seen["tree_grids"] = _count_items(tree.model(), lambda text: text.endswith("网格"))

    # 3. import 网格员花名册
    workers_page: WorkersPage = window.page(WorkersPage)
    driver.when_dialog("导入网格员花名册", lambda d: import_sheet(d, "网格员花名册-示例.xlsx", "workers"))
    driver.click(workers_page.import_button)
    seen["workers_count_label"] = workers_page.list.count_label.text()

    # 4. one rejected row (潘敏敏: 第一网格 already has its 网格长) goes in through the form as 专职网格员
    row = _sheet_row(samples_dir / "网格员花名册-示例.xlsx", "潘敏敏")

    def register(dialog) -> None:
        dialog.name.setText(row["姓名"])
        dialog.id_number.setText(str(row["身份证号码"]))
        dialog.phone.setText(str(row["联系电话"]))
        dialog.worker_type.setCurrentIndex(dialog.worker_type.findText("专职"))
        grid = dialog.grid
        grid.setCurrentIndex(next(i for i in range(grid.count()) if grid.itemText(i).endswith("第一网格")
                                  and "云溪" in grid.itemText(i)))
        seen["role_default"] = dialog.role.currentText()
        driver.click(driver.button(dialog, "保存"))
        seen["form_left_open"] = dialog.isVisible()

    driver.when_dialog("登记网格员", register)
    driver.click(workers_page.add_button)
    driver.trigger("搜索 潘敏敏", lambda: (workers_page.list.search.setText("潘敏敏"), driver.wait(500)))
    seen["search_rows"] = workers_page.list.model.rowCount()
    workers_page.list.search.clear()
    driver.wait(400)
    seen["workers_count_after_fix"] = workers_page.list.count_label.text()

    # 5. the roster of one grid, from the grid's own details panel: preview, then PDF
    grids_page = window.page(GridsPage)
    index = _find_item(tree.model(), lambda text: text == "第一网格", under="云溪社区")
    tree.setCurrentIndex(index)
    driver.wait(50)
    roster_button = driver.button(grids_page.details, "打印本网格花名册")
    driver.choose(roster_button, "打印预览…")
    driver.choose(roster_button, "另存为 PDF…")
    seen["previews"] = driver.report.previews
    seen["pdf"] = next((f for f in driver.report.files if f.endswith(".pdf")), None)

    # 6. the month's package for the district: trust it once (fingerprint read out), then export
    sync_page: SyncPage = window.page(SyncPage)

    def trust(dialog) -> None:
        dialog.entry.setText(peer_fingerprint)
        driver.click(driver.button(dialog, "核对并信任"))

    driver.file_answers.append(Path(peer_identity))
    driver.when_dialog("信任对方站点", trust)
    driver.click(driver.button(sync_page, "信任对方站点"))

    def export(dialog) -> None:
        driver.click(driver.button(dialog, "选择"))
        seen["export_folder"] = dialog.folder.text()
        driver.click(driver.button(dialog, "导出"))

    driver.when_dialog("导出数据包", export)
    driver.click(driver.button(sync_page, "导出数据包"))
    seen["messages"] = driver.report.messages
    seen["peers_text"] = " ".join(lbl.text() for lbl in sync_page.findChildren(QLabel))
    driver.trigger("关闭主窗口", window.close)
    (driver.out_dir / "seen.json").write_text(json.dumps(seen, ensure_ascii=False, indent=1), encoding="utf-8")


def _sheet_row(path: Path, name: str) -> dict[str, object]:
    """The row of ``name`` in a roster sheet, by its header (as the officer reads it off the sheet)."""
    import openpyxl

    sheet = openpyxl.load_workbook(path, read_only=True).active
    rows = list(sheet.iter_rows(values_only=True))
    header_at = next(i for i, r in enumerate(rows) if r and "姓名" in r)
    header = [str(h or "").strip() for h in rows[header_at]]
    for r in rows[header_at + 1:]:
        if r and name in (str(v or "").strip() for v in r):
            return dict(zip(header, r, strict=False))
    raise AssertionError(f"{name} is not in {path.name}")


def _walk(model, parent=None):
    from PySide6.QtCore import QModelIndex

    parent = parent or QModelIndex()
    for r in range(model.rowCount(parent)):
        index = model.index(r, 0, parent)
        yield index
        yield from _walk(model, index)


def _count_items(model, match) -> int:
    return sum(1 for i in _walk(model) if match(i.data()))


def _find_item(model, match, *, under: str):
    for i in _walk(model):
        if match(i.data()) and i.parent().data() and under in i.parent().data():
            return i
    raise AssertionError(f"no tree item under {under}")

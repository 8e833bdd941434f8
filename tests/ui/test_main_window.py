import threading

import pytest
from PySide6.QtCore import Qt

from gridapp import __version__
from gridapp.core.errors import DomainError
from gridapp.ui import operations, theme
from gridapp.ui.main_window import PAGES
from gridapp.ui.pages.baodao_page import BaodaoPage
from gridapp.ui.pages.grids_page import GridsPage
from gridapp.ui.pages.settings_page import SettingsPage
from gridapp.ui.pages.workers_page import WorkersPage


def test_every_navigation_entry_shows_its_page(window, qtbot):
    assert window.nav.count() == len(PAGES) == 8
    titles = [window.nav.item(i).text() for i in range(window.nav.count())]
    assert titles == ["首页概览", "网格管理", "网格员", "双报到", "红色物业", "民情诉求", "数据交换", "系统设置"]
    for i, cls in enumerate(PAGES):
        window.nav.setCurrentRow(i)
        page = window.stack.currentWidget()
        assert isinstance(page, cls)
        assert page.isVisible()
    assert "海泉路街道" in window.windowTitle()
    assert str(window.store.path) in window.db_label.text()


def test_overview_counts_and_warnings(window):
    page = window.show_page(0)
    assert page.value_labels["grids"].text() == "12"
    assert page.value_labels["members"].text() != "0"
    assert page.notice_buttons and all(b.isVisible() for b in page.notice_buttons.values())


def test_worker_search_by_initials_and_filters(window, qtbot):
    page: WorkersPage = window.page(WorkersPage)
    panel = page.list
    total = panel.model.rowCount()
    assert total > 30 and f"共 {total:,} 条" == panel.count_label.text()
    first_name = panel.model.index(0, 0).data()
    from gridapp.core.pinyin import initials

    qtbot.keyClicks(panel.search, initials(first_name))
    qtbot.waitUntil(lambda: panel.model.rowCount() < total, timeout=3000)
    names = [panel.model.index(r, 0).data() for r in range(panel.model.rowCount())]
    assert first_name in names
    panel.search.clear()
    qtbot.waitUntil(lambda: panel.model.rowCount() == total, timeout=3000)
    box = panel.filter_boxes["worker_type"]
    box.setCurrentIndex(box.findData("fulltime"))
    full = panel.model.rowCount()
    assert 0 < full < total
    kinds = {panel.model.index(r, panel.spec.index_of("worker_type")).data() for r in range(full)}
    assert kinds == {"专职"}


def test_id_numbers_are_masked_in_lists(window):
    panel = window.page(BaodaoPage).members
    shown = panel.model.index(0, panel.spec.index_of("id_number")).data()
    assert "**********" in shown and len(shown) == 18


def test_sorting_by_a_header(window):
    panel = window.page(WorkersPage).list
    column = panel.spec.index_of("hired_on")
    panel.table.sortByColumn(column, Qt.SortOrder.DescendingOrder)
    dates = [panel.model.index(r, column).data() for r in range(panel.model.rowCount())]
    assert dates == sorted(dates, reverse=True)


def test_grid_tree_shows_the_hierarchy(window):
    page: GridsPage = window.page(GridsPage)
    root = page.model.item(0, 0)
    assert root.text() == "海泉路街道"
    assert root.rowCount() == 3
    community = root.child(0, 0)
    assert community.rowCount() == 4
    page.tree.setCurrentIndex(community.child(0, 0).index())
    assert page.fields["level"].text() == "网格"
    assert page.fields["boundary"].text().startswith("东至")


def test_settings_limit_and_backup(window, qtbot, messages):
    page: SettingsPage = window.page(SettingsPage)
    page.limit.setValue(450)
    page.save_limit()
    assert window.store.get_setting("grid.households_per_fulltime_limit") == 450
    assert messages and "450" in messages[-1][1]
    page.backup()
    qtbot.waitUntil(lambda: page.last_backup.text().startswith("已备份到"), timeout=10000)
    backups = list((window.store.path.parent / "backups").glob("*.sqlite"))
    assert len(backups) == 1


def test_about_shows_version(window, messages):
    window.about_action.trigger()
    assert messages[-1][0] == "about" and __version__ in messages[-1][1]


def test_background_operation_reports_domain_errors(qtbot, messages):
    def work(progress, cancel: threading.Event):
        progress(1, 2, "半程")
        raise DomainError("第3行：身份证号码校验位错误")

    op = operations.Operation(None, "导入", work)
    with qtbot.waitSignal(op.failed, timeout=5000):
        op.start()
    assert messages == [("warning", "第3行：身份证号码校验位错误")]


def test_background_operation_can_be_cancelled(qtbot, messages):
    started = threading.Event()

    def work(progress, cancel: threading.Event):
        started.set()
        if cancel.wait(5):
            from gridapp.core.errors import Cancelled

            raise Cancelled()
        return "not cancelled"

    op = operations.Operation(None, "生成", work)
    with qtbot.waitSignal(op.failed, timeout=5000):
        op.start()
        started.wait(2)
        op.dialog.canceled.emit()  # what the dialog's 取消 button sends
    assert messages and "已取消" in messages[-1][1]


def test_qt_standard_buttons_speak_chinese(qapp):
    from PySide6.QtWidgets import QDialogButtonBox, QMessageBox

    from gridapp.ui import theme

    theme.apply(qapp)
    box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
    assert sorted(b.text() for b in box.buttons()) == sorted(["确定", "取消"])
    ask = QMessageBox(QMessageBox.Icon.Question, "删除", "确定删除？",
                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    assert sorted(b.text() for b in ask.buttons()) == sorted(["是(&Y)", "否(&N)"])


@pytest.mark.parametrize("size", [(1366, 768), (1280, 720)])
def test_no_control_is_squeezed_on_small_or_high_dpi_screens(qtbot, qapp, demo_db, size):
    """Every visible button, drop-down and text field of every page (and tab) gets at least the room it
    asks for at 1366×768, and at 1280×720 logical pixels: a 1920×1080 laptop at 150 % lays out at that
    size (Qt scales the layout as a whole, so logical pixels are what can run out)."""
    from PySide6.QtWidgets import QAbstractButton, QAbstractSpinBox, QComboBox, QLineEdit, QTabWidget, QWidget

    from gridapp.core.store import Store
    from gridapp.ui.main_window import PAGES, MainWindow

    theme.apply(qapp)
    win = MainWindow(Store(demo_db))
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    squeezed = []
    for i, cls in enumerate(PAGES):
        page = win.show_page(i)
        tabs = [t for t in page.findChildren(QTabWidget) if t.isVisible()]
        for t in tabs or [None]:
            for k in range(t.count() if t else 1):
                if t:
                    t.setCurrentIndex(k)
                qapp.processEvents()
                for w in page.findChildren(QWidget):
                    inner = isinstance(w.parent(), QLineEdit | QAbstractSpinBox | QComboBox)
                    if inner or not w.isVisible() or not isinstance(w, QAbstractButton | QComboBox | QLineEdit):
                        continue
                    hint = w.minimumSizeHint()
                    if w.width() < hint.width() - 1 or w.height() < hint.height() - 1:
                        squeezed.append((cls.title, t.tabText(k) if t else "", type(w).__name__,
                                         getattr(w, "text", lambda: "")(), w.size().toTuple(), hint.toTuple()))
    win.close()
    assert not squeezed, squeezed


def test_settings_code_tables_show_the_kinds_this_site_added(window):
    """系统设置's 专属网格类别 table lists the standard kinds and those added here (养老机构 in the demo)."""
    page: SettingsPage = window.page(SettingsPage)
    page.table_choice.setCurrentIndex(page.table_choice.findData("special_kind"))
    rows = [(page.code_table.item(i, 0).text(), page.code_table.item(i, 1).text())
            for i in range(page.code_table.rowCount())]
    assert ("school", "学校") in rows and ("自定义", "养老机构") in rows
    page.table_choice.setCurrentIndex(page.table_choice.findData("education"))
    assert page.code_table.rowCount() == 40

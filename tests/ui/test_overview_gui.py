"""首页概览: every figure and warning opens exactly the records behind it; a new site is told what to do."""

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QTabWidget

from gridapp.core.services import grids, overview, workers
from gridapp.core.validation import id_check_digit
from gridapp.ui import theme
from gridapp.ui.list_panel import ListPanel
from gridapp.ui.pages.baodao_page import BaodaoPage
from gridapp.ui.pages.grids_page import GridsPage
from gridapp.ui.pages.overview_page import EMPTY_HINT, OverviewPage
from gridapp.ui.pages.property_page import PropertyPage
from gridapp.ui.pages.workers_page import WorkersPage
from gridapp.ui.people_dialog import PeopleDialog

# Where a user expects each figure to lead: the page, and the tab of that page (None: the page is the list).
EXPECTED = {
    "communities": (GridsPage, "单位列表"),
    "grids": (GridsPage, "单位列表"),
    "compounds": (PropertyPage, "小区"),
    "grid_workers": (WorkersPage, None),
    "units": (BaodaoPage, "报到单位"),
    "members": (BaodaoPage, "在职党员"),
    "activities": (BaodaoPage, "服务活动"),
    "participations": (BaodaoPage, "签到记录"),
    "firms": (PropertyPage, "物业企业"),
}
FILTER_TEXT = {"lacks_fulltime": "缺专职网格员：是", "lacks_leader": "缺网格长：是", "overloaded": "专职服务户数超标：是"}


def _overview(window) -> OverviewPage:
    page = window.show_page(0)
    assert isinstance(page, OverviewPage)
    return page


def _current_tab_texts(page) -> set[str]:
    return {t.tabText(t.currentIndex()) for t in page.findChildren(QTabWidget) if t.isVisible()}


def _shown_panel(window, list_key: str) -> ListPanel:
    """The one visible list of ``list_key`` on the page now shown."""
    page = window.stack.currentWidget()
    panels = [p for p in page.findChildren(ListPanel) if p.spec.key == list_key and p.isVisible()]
    assert len(panels) == 1, list_key
    return panels[0]


def _assert_list_shows(panel, item) -> None:
    """The list the user now sees: the figure's count, no search, and exactly the target's filters chosen."""
    assert panel.count_label.text() == f"共 {item.count:,} 条"
    assert panel.model.rowCount() == item.count
    assert panel.search.text() == ""
    chosen = {k: b.currentData() for k, b in panel.filter_boxes.items() if b.currentData() is not None}
    assert chosen == dict(item.target.filters)


def test_every_figure_opens_exactly_its_records(window, qtbot):
    page = _overview(window)
    summary = overview.summary(window.store)
    assert set(page.cards) == {f.key for f in summary.figures} == set(EXPECTED) | {"persons"}
    for figure in summary.figures:
        if figure.key == "persons":
            continue
        page = _overview(window)
        card = page.cards[figure.key]
        assert card.value.text() == f"{figure.count:,}"
        qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
        cls, tab = EXPECTED[figure.key]
        shown = window.stack.currentWidget()
        assert isinstance(shown, cls), figure.key
        assert window.nav.currentItem().text() == cls.title
        if tab:
            assert tab in _current_tab_texts(shown), figure.key
        _assert_list_shows(_shown_panel(window, figure.target.list_key), figure)


def test_status_filters_are_shown_by_name(window, qtbot):
    qtbot.mouseClick(_overview(window).cards["grid_workers"], Qt.MouseButton.LeftButton)
    assert window.page(WorkersPage).list.filter_boxes["status"].currentText() == "在岗"
    qtbot.mouseClick(_overview(window).cards["members"], Qt.MouseButton.LeftButton)
    assert window.page(BaodaoPage).members.filter_boxes["status"].currentText() == "已报到"
    qtbot.mouseClick(_overview(window).cards["grids"], Qt.MouseButton.LeftButton)
    panel = window.page(GridsPage).units_list
    assert panel.filter_boxes["level"].currentText() == "网格"
    levels = {panel.model.index(r, panel.spec.index_of("level")).data() for r in range(panel.model.rowCount())}
    assert levels == {"网格"}


def test_persons_figure_opens_the_people_list(window, qtbot):
    page = _overview(window)
    qtbot.mouseClick(page.cards["persons"], Qt.MouseButton.LeftButton)
    dialogs = [d for d in window.findChildren(PeopleDialog) if d.isVisible()]
    assert len(dialogs) == 1
    figure = next(f for f in overview.summary(window.store).figures if f.key == "persons")
    _assert_list_shows(dialogs[0].list, figure)
    assert dialogs[0].list.count_label.text() == f"共 {page.cards['persons'].value.text()} 条"
    dialogs[0].reject()


def test_every_warning_opens_exactly_its_grids(window, qtbot):
    notices = overview.summary(window.store).notices
    assert {n.key for n in notices} == set(FILTER_TEXT)
    for notice in notices:
        button = _overview(window).notice_buttons[notice.key]
        assert button.text().startswith(notice.text) and button.text().split(" ")[0] == str(notice.count)
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        page = window.stack.currentWidget()
        assert isinstance(page, GridsPage)
        assert page.views.tabText(page.views.currentIndex()) == "单位列表"
        panel = page.units_list
        assert panel.isVisible()
        _assert_list_shows(panel, notice)
        assert panel.filter_boxes[notice.key].currentText() == FILTER_TEXT[notice.key]
        column = {"lacks_fulltime": "fulltime", "lacks_leader": "leader"}.get(notice.key)
        if column:
            values = {panel.model.index(r, panel.spec.index_of(column)).data() for r in range(panel.model.rowCount())}
            assert values == {"0" if column == "fulltime" else ""}


def test_a_figure_clears_what_the_user_had_searched_and_filtered(window, qtbot):
    panel = window.page(WorkersPage).list
    panel.set_filter("worker_type", "fulltime")
    qtbot.keyClicks(panel.search, "zzzz")
    qtbot.waitUntil(lambda: panel.model.rowCount() == 0, timeout=3000)
    qtbot.mouseClick(_overview(window).cards["grid_workers"], Qt.MouseButton.LeftButton)
    figure = next(f for f in overview.summary(window.store).figures if f.key == "grid_workers")
    _assert_list_shows(panel, figure)
    qtbot.wait(300)  # the search box's debounce must not bring the old search back
    assert panel.model.rowCount() == figure.count


def test_figures_and_warnings_are_buttons_for_mouse_and_keyboard(window, qtbot):
    page = _overview(window)
    for button in [*page.cards.values(), *page.notice_buttons.values()]:
        assert button.cursor().shape() == Qt.CursorShape.PointingHandCursor
        assert button.focusPolicy() & Qt.FocusPolicy.TabFocus
        assert button.toolTip()
    card = page.cards["units"]
    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Space)
    assert isinstance(window.stack.currentWidget(), BaodaoPage)
    assert "报到单位" in _current_tab_texts(window.stack.currentWidget())
    link = _overview(window).notice_buttons["lacks_leader"]
    link.setFocus()
    qtbot.keyClick(link, Qt.Key.Key_Space)
    assert window.page(GridsPage).units_list.filter_boxes["lacks_leader"].currentData() == 1


def test_tree_marks_the_warnings_grids(window):
    page: GridsPage = window.page(GridsPage)
    counts = {n.key: n.count for n in overview.summary(window.store).notices}
    marked: list[str] = []  # tooltips: grid names repeat across communities
    flagged_parents = []

    def walk(item):
        for r in range(item.rowCount()):
            child = item.child(r, 0)
            if child.toolTip().startswith("本网格"):
                marked.append(child.toolTip())
                assert child.foreground().color().name() == "#bf360c"
            elif child.toolTip().startswith("下属"):
                flagged_parents.append(child.text())
            walk(child)

    walk(page.model.invisibleRootItem())
    assert sum("没有在岗的专职网格员" in tip for tip in marked) == counts["lacks_fulltime"]
    assert sum("没有网格长" in tip for tip in marked) == counts["lacks_leader"]
    assert sum("超过 500 户的配备标准" in tip for tip in marked) == counts["overloaded"]
    assert "海泉路街道" in flagged_parents  # visible even with every community collapsed


def test_choosing_a_listed_grid_shows_its_details(window, qtbot):
    qtbot.mouseClick(_overview(window).notice_buttons["lacks_leader"], Qt.MouseButton.LeftButton)
    page: GridsPage = window.page(GridsPage)
    panel = page.units_list
    panel.table.setCurrentIndex(panel.model.index(1, 0))
    name = panel.model.index(1, panel.spec.index_of("name")).data()
    assert page.current is not None and page.current.name == name
    assert page.fields["leader"].text() == "无"
    assert "没有网格长" in page.warnings.text()
    assert page.actions["edit"].isEnabled()


@pytest.fixture
def empty_window(qtbot, qapp, street_store):
    from gridapp.ui.main_window import MainWindow

    theme.apply(qapp)
    win = MainWindow(street_store)
    qtbot.addWidget(win)
    win.resize(1366, 768)
    win.show()
    yield win
    win.close()


def test_new_site_is_told_its_next_step(empty_window, qtbot):
    page = _overview(empty_window)
    assert page.hint.isVisible() and page.hint_text.text() == EMPTY_HINT
    assert not page.all_well.isVisible() and not page.notices_title.isVisible() and not page.notice_buttons
    assert "streets" not in page.cards  # a street site has one street: itself
    qtbot.mouseClick(page.hint_button, Qt.MouseButton.LeftButton)
    grids_page = empty_window.stack.currentWidget()
    assert isinstance(grids_page, GridsPage)
    assert grids_page.views.tabText(grids_page.views.currentIndex()) == "组织架构"
    assert grids_page.actions["add"].isEnabled()

    store = empty_window.store
    community = grids.add_child(store, store.site.org_unit_id, "云溪社区")
    grid = grids.add_child(store, community.id, "第一网格", households=300)
    page = _overview(empty_window)  # shown again: counted again
    assert not page.hint.isVisible()
    assert page.cards["grids"].value.text() == "1"
    assert page.notice_buttons["lacks_fulltime"].text().startswith("1 个网格没有在岗专职网格员")
    assert page.notices_title.isVisible() and not page.all_well.isVisible()

    number = "37020319800101001" + id_check_digit("37020319800101001")
    workers.create_or_update(store, {"name": "张三", "id_number": number, "worker_type": "fulltime"},
                             grid_id=grid.id, role="leader")
    empty_window.page(WorkersPage)  # where a user would register the worker, then back
    page = _overview(empty_window)
    assert page.all_well.isVisible() and page.all_well.objectName() == "ok"  # green, not the warning red
    assert not page.notice_buttons and not page.notices_title.isVisible()


def test_overview_fits_a_small_screen(window, qapp):
    """At 1366×768 every card and warning lies inside the page and gets the height it asks for."""
    from PySide6.QtCore import QRect

    window.resize(1366, 768)
    page = _overview(window)
    qapp.processEvents()
    for button in [*page.cards.values(), *page.notice_buttons.values()]:
        on_page = QRect(button.mapTo(page, button.rect().topLeft()), button.size())
        assert page.rect().contains(on_page), button.accessibleName() or button.text()
        assert button.height() >= button.sizeHint().height() - 1

"""Journey scripts for the main forms, run by tests/journeys/child.py on the real main window.

Each form is opened from its page button (the list row selected first where the action needs one),
filled the way a user does — digits and Latin letters typed key by key, Chinese committed as an
input method commits it, choices picked by what the drop-down shows — and saved once with one
invalid field (the form must stay open and say what is wrong) and once with valid data (the form
closes). What the user saw afterwards — a list's “共 N 条”, a search, the tree — is written to
``seen.json`` in the run folder for the parent test (tests/journeys/test_forms.py) to judge.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QDate, QPoint, Qt, QTimer
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QComboBox, QDateEdit, QTabWidget, QWidget

from tests.journeys.driver import Driver, _showing
from tests.journeys.scripts import _walk, open_window

TODAY = dt.date.today()

# -- national identifiers, computed here rather than by the code under test ----------------------------

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def id_number(region: str, birth: str, sequence: str) -> str:
    """A GB 11643 citizen ID number: region (6 digits), birth date (8), sequence (3; odd = male), check."""
    first17 = region + birth + sequence
    assert len(first17) == 17 and first17.isdigit(), first17
    return first17 + "10X98765432"[sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True)) % 11]


def credit_code(first17: str) -> str:
    """A GB 32100 unified social credit code with its check character."""
    assert len(first17) == 17 and all(c in _CREDIT_CHARS for c in first17), first17
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True))
    return first17 + _CREDIT_CHARS[(31 - total % 31) % 31]


def mistyped(code: str) -> str:
    """The same code with a wrong last character, as when one key is missed."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


# -- a user's hands ----------------------------------------------------------------------------------

def type_into(widget: QWidget, text: str) -> None:
    """Select what the field holds and type over it: digits and Latin letters key by key, Chinese as an
    input method commits it (QTest cannot press keys that are not on the keyboard)."""
    widget.setFocus()
    widget.selectAll()
    if not text:
        QTest.keyClick(widget, Qt.Key.Key_Delete)
    for ascii_run, chars in itertools.groupby(text, str.isascii):
        run = "".join(chars)
        if ascii_run:
            QTest.keyClicks(widget, run)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(run)
            QApplication.sendEvent(widget, event)


def pick(box: QComboBox, *parts: str) -> None:
    """Choose the entry that reads ``parts[0]`` exactly, or else the first that contains every part."""
    texts = [box.itemText(i) for i in range(box.count())]
    index = texts.index(parts[0]) if len(parts) == 1 and parts[0] in texts else \
        next((i for i, t in enumerate(texts) if all(p in t for p in parts)), -1)
    if index < 0:
        raise AssertionError(f"no entry with {parts} among {texts[:30]}")
    box.setCurrentIndex(index)
    box.activated.emit(index)


def set_date(edit: QDateEdit, day: dt.date) -> None:
    """A date chosen in the calendar."""
    edit.setDate(QDate(day))


def tick(check: QAbstractButton, on: bool = True) -> None:
    """Click a check box on its words (a stretched box's centre may be empty space beside them)."""
    if check.isChecked() != on:
        at = QPoint(min(check.sizeHint().width(), check.width()) // 2, check.height() // 2)
        QTest.mouseClick(check, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, at)
    if check.isChecked() != on:
        raise AssertionError(f"check box “{check.text()}” did not follow the click")


# -- pages, tabs, lists ------------------------------------------------------------------------------

def show_page(driver: Driver, window, cls):
    from gridapp.ui.main_window import PAGES

    index = PAGES.index(cls)
    driver.trigger(f"页面 {cls.title}", lambda: window.nav.setCurrentRow(index))
    return window.page(cls)


def show_tab(driver: Driver, tabs: QTabWidget, name: str) -> None:
    index = next(i for i in range(tabs.count()) if tabs.tabText(i) == name)
    driver.trigger(f"标签 {name}", lambda: tabs.setCurrentIndex(index))


def row_texts(panel, row: int) -> dict[str, str]:
    """One row of a list as the user reads it: column title → what the cell shows."""
    model = panel.model
    return {str(model.headerData(c, Qt.Orientation.Horizontal)): str(model.index(row, c).data() or "")
            for c in range(model.columnCount())}


def _typed(driver: Driver, panel, text: str) -> None:
    """Type into the search box and wait until the list has asked again (its pause after typing is over)."""
    type_into(panel.search, text)
    driver.wait(10)
    driver.wait_until(lambda: not any(t.isActive() and t.isSingleShot() for t in panel.findChildren(QTimer)), 5,
                      "the list to search")
    driver.wait(10)


def search(driver: Driver, panel, text: str) -> dict:
    """Type into the list's search box and read what it shows (the count and the first rows)."""
    if panel.search.text():
        clear_search(driver, panel)  # typed again from empty, so the list is asked again
    driver.trigger(f"搜索 {text}", lambda: _typed(driver, panel, text))
    return {"count": panel.count_label.text(),
            "rows": [row_texts(panel, r) for r in range(min(panel.model.rowCount(), 5))]}


def clear_search(driver: Driver, panel) -> str:
    """Empty the search box again; the list's whole count."""
    driver.trigger("清空搜索", lambda: _typed(driver, panel, ""))
    return panel.count_label.text()


def look_up(driver: Driver, panel, text: str) -> dict:
    found = search(driver, panel, text)
    clear_search(driver, panel)
    return found


def select_row(driver: Driver, panel, text: str) -> dict:
    """Find a record with the search box and click its row (the search stays, as a user leaves it);
    what the search showed."""
    found = search(driver, panel, text)
    if panel.model.rowCount() == 0:
        raise AssertionError(f"“{text}” is not in the list {panel.spec.title}")
    driver.trigger(f"选中 {text}", lambda: panel.table.selectRow(0))
    return found


def attempt(driver: Driver, button: QAbstractButton, title: str, fill: Callable[[QWidget], object], *,
            ok: str = "保存", note: Callable[[QWidget], str] | None = None) -> dict:
    """Open a form with its page button, fill it, press its OK: what the user saw.

    ``left_open`` tells whether the form was still open after OK, ``messages`` the boxes it showed
    (“[title] text”), ``note`` what the form says inline (a hint under a field)."""
    seen: dict[str, object] = {"opened": False}
    first = len(driver.report.messages)

    def steps(dialog: QWidget) -> None:
        seen["opened"] = True
        seen["title"] = dialog.windowTitle()
        fill(dialog)
        driver.wait(20)
        save = driver.button(dialog, ok)
        seen["ok_enabled"] = save.isEnabled()
        if save.isEnabled():
            driver.click(save)
        seen["left_open"] = _showing(dialog)
        if note is not None and seen["left_open"]:
            seen["note"] = note(dialog)

    driver.when_dialog(title, steps)
    hook = driver.dialog_hooks[-1]
    driver.click(button)
    if hook in driver.dialog_hooks:  # the form never opened: its answer must not catch a later dialog
        driver.dialog_hooks.remove(hook)
        driver.fail(f"“{button.text()}” did not open “{title}”")
    seen["messages"] = [m.split(" → ", 1)[-1] for m in driver.report.messages[first:]]
    return seen


def write_seen(driver: Driver, seen: dict) -> None:
    (driver.out_dir / "seen.json").write_text(json.dumps(seen, ensure_ascii=False, indent=1, default=str),
                                              encoding="utf-8")


def step(driver: Driver, seen: dict, name: str, fn: Callable[[dict], object]) -> None:
    """One form's journey as one action: a failure is named and the next form still runs."""
    part: dict[str, object] = {}
    seen[name] = part
    driver.trigger(f"表单 {name}", lambda: fn(part))


# -- what the demo street holds, read as the officer reads it off the screen ------------------------------

def _grids(store) -> list:
    """Every live grid's details, in code order."""
    from gridapp.core.services import grids, orgs

    return [grids.details(store, u.id) for u in orgs.tree(store) if u.level == "grid"]


# -- 网格管理 --------------------------------------------------------------------------------------------

def grid_forms(driver: Driver, *, db: Path, size: tuple[int, int], **_options) -> None:
    """新建下级: a grid under a community with an empty name, a sibling's name, a phone without its area
    code, then valid; then the new grid's 编辑 form."""
    from gridapp.core.services import orgs
    from gridapp.ui.pages.grids_page import GridsPage

    window = open_window(driver, db, size)
    page: GridsPage = show_page(driver, window, GridsPage)
    seen: dict[str, object] = {}
    community = next(u for u in orgs.tree(window.store) if u.level == "community")
    seen["community"] = community.name

    def community_row():
        """The community's row in the tree, found by its name as the user finds it."""
        return next(i for i in _walk(page.tree.model()) if i.data() == community.name)

    def children() -> list[str]:
        model, row = page.tree.model(), community_row()
        return [model.index(r, 0, row).data() for r in range(model.rowCount(row))]

    def units_count() -> str:
        show_tab(driver, page.views, "单位列表")
        text = page.units_list.count_label.text()
        show_tab(driver, page.views, "组织架构")
        return text

    def choose_community() -> None:
        driver.trigger(f"选中 {community.name}", lambda: page.tree.setCurrentIndex(community_row()))

    def new_grid(part: dict) -> None:
        part["children_before"] = children()
        part["count_before"] = units_count()
        name = next(f"第{n}网格" for n in "五六七八九十" if f"第{n}网格" not in part["children_before"])
        part["name"] = name

        def fill(grid_name: str):
            def steps(d) -> None:
                type_into(d.name, grid_name)
                pick(d.grid_type, "城镇社区网格")
                type_into(d.households, "820")
                type_into(d.population, "2150")
                type_into(d.boundary, "东至海泉路，西至云溪街，南至松柏路，北至福安路")
                type_into(d.party, f"{community.name}{name}党支部")
                type_into(d.phone, "0532-83801234")
            return steps

        choose_community()
        part["empty_name"] = attempt(driver, page.actions["add"], "新建网格", fill(""))
        choose_community()
        part["same_name"] = attempt(driver, page.actions["add"], "新建网格", fill(part["children_before"][0]))
        choose_community()
        part["bad_phone"] = attempt(driver, page.actions["add"], "新建网格",
                                    lambda d: (fill(name)(d), type_into(d.phone, "8380123")))
        part["children_after_invalid"] = children()
        part["count_after_invalid"] = units_count()
        choose_community()
        part["valid"] = attempt(driver, page.actions["add"], "新建网格", fill(name))
        part["children_after"] = children()
        part["selected"] = {k: label.text() for k, label in page.fields.items()}
        part["count_after"] = units_count()

        def edit(d) -> None:  # the new grid is selected: its form shows what was typed, the phone too
            part["edit_shows"] = {"name": d.name.text(), "phone": d.phone.text()}
            type_into(d.phone, "0532-83807788")

        part["edit"] = attempt(driver, page.actions["edit"], "编辑网格", edit)

    step(driver, seen, "新建下级", new_grid)
    write_seen(driver, seen)
    driver.trigger("关闭主窗口", window.close)


# -- 网格员 ----------------------------------------------------------------------------------------------

def worker_forms(driver: Driver, *, db: Path, size: tuple[int, int], **_options) -> None:
    """登记网格员, 编辑, 调动, 兼任网格 and 离岗 / 恢复在岗, each with one invalid field first."""
    from gridapp.ui.pages.workers_page import WorkersPage

    window = open_window(driver, db, size)
    store = window.store
    page: WorkersPage = show_page(driver, window, WorkersPage)
    panel = page.list
    seen: dict[str, object] = {}
    grids = _grids(store)
    led = [g for g in grids if g.leader is not None]
    home = next(g for g in led if sum(m.role != "leader" for m in g.members) >= 2)  # one to edit, one to add
    other = next(g for g in led if g.unit.id != home.unit.id)
    free = next(g for g in grids if g.leader is None)
    helpers = [m for m in home.members if m.role != "leader"]
    seen["grids"] = {"home": [home.community, home.unit.name, home.leader.name],
                     "other": [other.community, other.unit.name, other.leader.name],
                     "free": [free.community, free.unit.name]}

    def register(part: dict) -> None:
        name, number = "郑雨桐", id_number("370203", "19920315", "442")
        part["name"], part["id_number"] = name, number

        def fill(grid, role: str, id_text: str):
            def steps(d) -> None:
                type_into(d.name, name)
                type_into(d.id_number, id_text)
                pick(d.ethnicity, "汉族")
                pick(d.political, "中共党员")
                pick(d.education, "大学本科")
                type_into(d.phone, "13969801234")
                pick(d.worker_type, "专职")
                set_date(d.hired_on, TODAY - dt.timedelta(days=30))
                type_into(d.address, "海泉路12号3单元501户")
                pick(d.grid, grid.community, grid.unit.name)
                pick(d.role, role)
            return steps

        part["count_before"] = panel.count_label.text()
        part["bad_id"] = attempt(driver, page.add_button, "登记网格员", fill(free, "专职网格员", mistyped(number)),
                                 note=lambda d: d.id_hint.text())
        part["second_leader"] = attempt(driver, page.add_button, "登记网格员", fill(home, "网格长", number))
        part["after_invalid"] = look_up(driver, panel, name)
        part["valid"] = attempt(driver, page.add_button, "登记网格员", fill(free, "网格长", number))
        part["found"] = search(driver, panel, name)
        part["count_after"] = clear_search(driver, panel)

    def edit(part: dict) -> None:
        who = helpers[0]
        part["who"] = who.name
        select_row(driver, panel, who.name)
        part["empty_name"] = attempt(driver, page.edit_button, "编辑网格员", lambda d: type_into(d.name, ""))
        part["after_invalid"] = select_row(driver, panel, who.name)

        def fill(d) -> None:
            type_into(d.phone, "13953201234")
            type_into(d.address, "云溪街8号2单元302户")

        part["valid"] = attempt(driver, page.edit_button, "编辑网格员", fill)
        part["found"] = look_up(driver, panel, "13953201234")

    def transfer(part: dict) -> None:
        who = helpers[0]
        part["who"] = who.name
        select_row(driver, panel, who.name)

        def fill(grid, role: str):
            def steps(d) -> None:
                if grid is None:
                    pick(d.grid, "请选择网格")
                else:
                    pick(d.grid, grid.community, grid.unit.name)
                pick(d.role, role)
                set_date(d.on, TODAY)
            return steps

        part["no_grid"] = attempt(driver, page.transfer_button, "调动", fill(None, "兼职网格员"), ok="确定")
        part["second_leader"] = attempt(driver, page.transfer_button, "调动", fill(other, "网格长"), ok="确定")
        part["after_invalid"] = select_row(driver, panel, who.name)
        part["valid"] = attempt(driver, page.transfer_button, "调动", fill(other, "兼职网格员"), ok="确定")
        part["found"] = look_up(driver, panel, who.name)

    def assign(part: dict) -> None:
        who = helpers[1]
        part["who"] = who.name

        def in_grid(grid) -> list[str]:
            """Who the list shows with its 网格 filter set to ``grid``."""
            if panel.search.text():
                clear_search(driver, panel)
            driver.trigger(f"筛选 {grid.unit.name}", lambda: (panel.set_filter("grid", grid.unit.id), driver.wait(20)))
            names = [row_texts(panel, r)["姓名"] for r in range(panel.model.rowCount())]
            driver.trigger("全部网格", lambda: (panel.set_filter("grid", None), driver.wait(20)))
            return names

        part["in_grid_before"] = in_grid(free)
        select_row(driver, panel, who.name)

        def fill(grid):
            def steps(d) -> None:
                if grid is None:
                    pick(d.grid, "请选择网格")
                else:
                    pick(d.grid, grid.community, grid.unit.name)
                pick(d.role, "兼职网格员")
            return steps

        part["no_grid"] = attempt(driver, page.assign_button, "兼任网格", fill(None), ok="确定")
        part["in_grid_after_invalid"] = in_grid(free)
        select_row(driver, panel, who.name)
        part["valid"] = attempt(driver, page.assign_button, "兼任网格", fill(free), ok="确定")
        part["in_grid_after"] = in_grid(free)
        part["in_home_grid_after"] = in_grid(home)  # the grid held before is kept

    def leave(part: dict) -> None:
        who = "郑雨桐"  # registered above
        select_row(driver, panel, who)

        def fill(reason: str):
            def steps(d) -> None:
                set_date(d.on, TODAY)
                type_into(d.reason.lineEdit(), reason)
            return steps

        part["no_reason"] = attempt(driver, page.leave_button, "离岗", fill(""), ok="确定")
        part["after_invalid"] = select_row(driver, panel, who)
        part["valid"] = attempt(driver, page.leave_button, "离岗", fill("辞职"), ok="确定")
        part["left"] = select_row(driver, panel, who)
        part["back"] = attempt(driver, page.leave_button, "恢复在岗", lambda d: set_date(d.on, TODAY), ok="确定")
        part["found"] = look_up(driver, panel, who)

    step(driver, seen, "登记网格员", register)
    step(driver, seen, "编辑", edit)
    step(driver, seen, "调动", transfer)
    step(driver, seen, "兼任网格", assign)
    step(driver, seen, "离岗", leave)
    write_seen(driver, seen)
    driver.trigger("关闭主窗口", window.close)


# -- 双报到 ------------------------------------------------------------------------------------------------

def baodao_forms(driver: Driver, *, db: Path, size: tuple[int, int], **_options) -> None:
    """登记报到单位, 在职党员报到登记, 新建服务活动, 活动签到, 提出需求, 认领 and 办结."""
    from gridapp.core import pinyin
    from gridapp.ui.pages.baodao_page import BaodaoPage

    window = open_window(driver, db, size)
    store = window.store
    page: BaodaoPage = show_page(driver, window, BaodaoPage)
    seen: dict[str, object] = {}
    grid = _grids(store)[0]
    seen["grid"] = [grid.community, grid.unit.name]
    unit_name = "青岛海泉数据科技有限公司"
    member_name = "韩志远"
    title = "垃圾分类宣传进楼院"

    def register_unit(part: dict) -> None:
        show_tab(driver, page.tabs, "报到单位")
        code = credit_code("91370203MA3D2L6H5")
        part["credit_code"] = code

        def fill(code_text: str):
            def steps(d) -> None:
                type_into(d.name, unit_name)
                type_into(d.code, code_text)
                pick(d.unit_type, "非公企业")
                pick(d.party_type, "党支部")
                type_into(d.party_name, f"{unit_name}党支部")
                type_into(d.secretary, "陈思远")
                type_into(d.contact, "林晓")
                type_into(d.phone, "0532-83806677")
                type_into(d.reported, "18")
                pick(d.community, grid.community)
                set_date(d.agreement, TODAY - dt.timedelta(days=10))
            return steps

        part["count_before"] = page.units.count_label.text()
        part["bad_code"] = attempt(driver, driver.button(page.units, "登记单位"), "登记报到单位", fill(mistyped(code)))
        part["after_invalid"] = look_up(driver, page.units, unit_name)
        part["valid"] = attempt(driver, driver.button(page.units, "登记单位"), "登记报到单位", fill(code))
        part["found"] = search(driver, page.units, unit_name)
        part["count_after"] = clear_search(driver, page.units)

    def register_member(part: dict) -> None:
        show_tab(driver, page.tabs, "在职党员")
        number = id_number("370202", "19850607", "331")
        part["id_number"] = number

        def fill(id_text: str, with_grid: bool = True):
            def steps(d) -> None:
                type_into(d.name, member_name)
                type_into(d.id_number, id_text)
                pick(d.political, "中共党员")
                type_into(d.phone, "13708976543")
                pick(d.unit, unit_name)
                type_into(d.position, "工程师")
                if with_grid:
                    pick(d.grid, grid.community, grid.unit.name)
                else:
                    pick(d.grid, "请选择网格")
                set_date(d.registered_on, TODAY)
                pick(d.post, "政策宣传")
            return steps

        part["count_before"] = page.members.count_label.text()
        part["bad_id"] = attempt(driver, driver.button(page.members, "报到登记"), "在职党员报到登记", fill(mistyped(number)),
                                 ok="报到", note=lambda d: d.id_hint.text())
        part["no_grid"] = attempt(driver, driver.button(page.members, "报到登记"), "在职党员报到登记",
                                  fill(number, with_grid=False), ok="报到")
        part["after_invalid"] = look_up(driver, page.members, member_name)
        part["valid"] = attempt(driver, driver.button(page.members, "报到登记"), "在职党员报到登记", fill(number), ok="报到")
        part["found"] = search(driver, page.members, member_name)
        part["count_after"] = clear_search(driver, page.members)

    def new_activity(part: dict) -> None:
        show_tab(driver, page.tabs, "服务活动")

        def fill(title_text: str):
            def steps(d) -> None:
                type_into(d.title, title_text)
                set_date(d.date, TODAY - dt.timedelta(days=2))
                pick(d.type, "环境整治")
                type_into(d.place, f"{grid.community}党群服务中心")
                pick(d.community, grid.community)
                pick(d.grid, grid.community, grid.unit.name)
                pick(d.organiser, unit_name)
            return steps

        part["count_before"] = page.activities.count_label.text()
        part["empty_title"] = attempt(driver, driver.button(page.activities, "新建活动"), "新建服务活动", fill(""))
        part["count_after_invalid"] = clear_search(driver, page.activities)
        part["valid"] = attempt(driver, driver.button(page.activities, "新建活动"), "新建服务活动", fill(title))
        part["found"] = search(driver, page.activities, title)
        part["count_after"] = clear_search(driver, page.activities)

    def sign_in(part: dict) -> None:
        show_tab(driver, page.tabs, "签到记录")
        part["count_before"] = page.participations.count_label.text()
        show_tab(driver, page.tabs, "服务活动")
        other = _registered_member(store, other_than=member_name)
        part["members"] = [member_name, other]
        sign = driver.button(page.activities, "签到")

        def empty(d) -> None:
            part["empty_count"] = d.count.text()

        def fill(d) -> None:
            type_into(d.search, member_name)  # by name
            driver.wait(50)
            QTest.keyClick(d.search, Qt.Key.Key_Return)
            type_into(d.search, pinyin.initials(other))  # by pinyin initials, then the one among namesakes
            driver.wait(50)
            part["matches"] = [d.matches.item(i).text() for i in range(d.matches.count())]
            d.matches.setCurrentRow(next(i for i, t in enumerate(part["matches"]) if t.startswith(other)))
            QTest.keyClick(d.search, Qt.Key.Key_Return)
            type_into(d.hours, "2.5")
            pick(d.evaluation, "优秀")
            part["signed_count"] = d.count.text()

        select_row(driver, page.activities, title)
        part["nobody"] = attempt(driver, sign, "活动签到", empty, ok="完成签到")
        select_row(driver, page.activities, title)
        part["valid"] = attempt(driver, sign, "活动签到", fill, ok="完成签到")
        part["activity"] = look_up(driver, page.activities, title)
        show_tab(driver, page.tabs, "签到记录")
        part["found"] = search(driver, page.participations, title)
        part["count_after"] = clear_search(driver, page.participations)

    def raise_need(part: dict) -> None:
        show_tab(driver, page.tabs, "需求·资源·项目")
        inner = page.needs.parentWidget()
        while not isinstance(inner, QTabWidget):
            inner = inner.parentWidget()
        show_tab(driver, inner, "需求清单")
        need = "老旧小区加装电梯政策咨询"

        def fill(need_title: str):
            def steps(d) -> None:
                pick(d.community, grid.community)
                type_into(d.title, need_title)
                type_into(d.description, "居民希望了解加装电梯的补贴标准和申请流程")
                set_date(d.on, TODAY)
            return steps

        part["count_before"] = page.needs.count_label.text()
        part["empty_title"] = attempt(driver, driver.button(page.needs, "提出需求"), "提出需求", fill(""))
        part["count_after_invalid"] = clear_search(driver, page.needs)
        part["valid"] = attempt(driver, driver.button(page.needs, "提出需求"), "提出需求", fill(need))
        part["found"] = search(driver, page.needs, need)
        part["count_after"] = clear_search(driver, page.needs)
        seen["need"] = need

    def claim_and_close(part: dict) -> None:
        need = seen["need"]
        close, claim = driver.button(page.needs, "办结"), driver.button(page.needs, "认领")

        def result(text: str):
            def steps(d) -> None:
                type_into(d.result_text, text)
                set_date(d.on, TODAY)
            return steps

        def unit(name: str | None):
            def steps(d) -> None:
                pick(d.unit, name or "请选择认领单位")
                set_date(d.on, TODAY)
            return steps

        done = "已邀请区住建局现场解读政策，12户居民完成申请"
        select_row(driver, page.needs, need)
        part["close_unclaimed"] = attempt(driver, close, "需求办结", result(done), ok="办结")
        select_row(driver, page.needs, need)
        part["no_unit"] = attempt(driver, claim, "认领需求", unit(None), ok="认领")
        part["after_invalid"] = select_row(driver, page.needs, need)
        part["claimed"] = attempt(driver, claim, "认领需求", unit(unit_name), ok="认领")
        part["after_claim"] = select_row(driver, page.needs, need)
        part["no_result"] = attempt(driver, close, "需求办结", result(""), ok="办结")
        select_row(driver, page.needs, need)
        part["closed"] = attempt(driver, close, "需求办结", result(done), ok="办结")
        part["found"] = look_up(driver, page.needs, need)

    step(driver, seen, "登记报到单位", register_unit)
    step(driver, seen, "在职党员报到登记", register_member)
    step(driver, seen, "新建服务活动", new_activity)
    step(driver, seen, "活动签到", sign_in)
    step(driver, seen, "提出需求", raise_need)
    step(driver, seen, "认领与办结", claim_and_close)
    write_seen(driver, seen)
    driver.trigger("关闭主窗口", window.close)


def _registered_member(store, *, other_than: str) -> str:
    """A registered member whose pinyin initials lead the search (a name off the paper sign-in sheet)."""
    from sqlalchemy import text

    with store.engine.connect() as conn:
        return conn.execute(text(
            "SELECT p.name FROM member_registration m JOIN person p ON p.id = m.person_id "
            "WHERE m.status = 'registered' AND m.deleted_at IS NULL AND p.name != :n "
            "ORDER BY p.name_initials, p.name LIMIT 1"), {"n": other_than}).scalar_one()


# -- 红色物业 ----------------------------------------------------------------------------------------------

def property_forms(driver: Driver, *, db: Path, size: tuple[int, int], **_options) -> None:
    """登记物业企业, 季度投诉与满意度, 登记小区, 更换物业, 登记交叉任职 and 评星定级."""
    from gridapp.core.services import compounds
    from gridapp.ui.pages.property_page import PropertyPage

    window = open_window(driver, db, size)
    store = window.store
    page: PropertyPage = show_page(driver, window, PropertyPage)
    seen: dict[str, object] = {}
    grid = _grids(store)[0]
    seen["grid"] = [grid.community, grid.unit.name]
    firm_name = "青岛海润物业服务有限公司"

    def register_firm(part: dict) -> None:
        show_tab(driver, page.tabs, "物业企业")
        code = credit_code("91370203MA3F7T9N4")
        part["credit_code"] = code

        def fill(code_text: str):
            def steps(d) -> None:
                f = d.fields
                type_into(f["name"], firm_name)
                type_into(f["credit_code"], code_text)
                type_into(f["legal_rep"], "孙海峰")
                type_into(f["contact_name"], "刘晓燕")
                type_into(f["contact_phone"], "0532-83805566")
                type_into(f["address"], "市北区海泉路88号")
                type_into(f["qualification"], "一级")
                type_into(d.staff, "46")
                type_into(d.members, "5")
                pick(d.status, "单独组建")
                type_into(f["party_org_name"], f"{firm_name}党支部")
                type_into(f["party_secretary"], "孙海峰")
                type_into(f["instructor_name"], "王立新")
                type_into(f["instructor_phone"], "13805321234")
                tick(d.alliance)
                tick(d.joined.check)
                set_date(d.joined.edit, TODAY - dt.timedelta(days=60))
            return steps

        part["count_before"] = page.firms.count_label.text()
        part["bad_code"] = attempt(driver, driver.button(page.firms, "登记企业"), "登记物业企业", fill(mistyped(code)),
                                   note=lambda d: d.code_hint.text())
        part["after_invalid"] = look_up(driver, page.firms, firm_name)
        part["valid"] = attempt(driver, driver.button(page.firms, "登记企业"), "登记物业企业", fill(code))
        part["found"] = search(driver, page.firms, firm_name)
        part["count_after"] = clear_search(driver, page.firms)

    def record_quarter(part: dict) -> None:
        show_tab(driver, page.tabs, "物业企业")
        quarter = "第" + "一二三四"[(TODAY.month - 1) // 3] + "季度"

        def fill(resolved: str):
            def steps(d) -> None:
                type_into(d.year, str(TODAY.year))
                pick(d.quarter, quarter)
                type_into(d.complaints, "3")
                type_into(d.resolved, resolved)
                type_into(d.satisfaction, "95.5")
            return steps

        select_row(driver, page.firms, firm_name)
        part["more_resolved"] = attempt(driver, driver.button(page.firms, "季度投诉与满意度"), "季度投诉与满意度",
                                        fill("5"))
        select_row(driver, page.firms, firm_name)
        part["valid"] = attempt(driver, driver.button(page.firms, "季度投诉与满意度"), "季度投诉与满意度", fill("3"))

        def read(d) -> None:
            part["firm_page"] = d.view.toPlainText()

        select_row(driver, page.firms, firm_name)
        driver.when_dialog("物业企业 — ", read)
        driver.click(driver.button(page.firms, "企业详情"))
        clear_search(driver, page.firms)

    def register_compound(part: dict) -> None:
        show_tab(driver, page.tabs, "小区")
        name = "海润嘉园"

        def fill(built: str):
            def steps(d) -> None:
                type_into(d.name, name)
                pick(d.grid, grid.community, grid.unit.name)
                type_into(d.address, "市北区海泉路66号")
                pick(d.kind, "商品房小区")
                type_into(d.buildings, "12")
                type_into(d.households, "860")
                type_into(d.built, built)
                tick(d.covered)
                type_into(d.party_name, f"{name}党支部")
                tick(d.established)
                type_into(d.director, "周建华")
                type_into(d.members, "7")
                type_into(d.party_members, "4")
                tick(d.term_start.check)
                set_date(d.term_start.edit, dt.date(TODAY.year - 1, 6, 1))
                tick(d.term_end.check)
                set_date(d.term_end.edit, dt.date(TODAY.year + 4, 5, 31))
            return steps

        part["count_before"] = page.compounds.count_label.text()
        part["future_year"] = str(TODAY.year + 5)
        part["built_in_future"] = attempt(driver, driver.button(page.compounds, "登记小区"), "登记小区",
                                          fill(part["future_year"]))
        part["after_invalid"] = look_up(driver, page.compounds, name)
        part["valid"] = attempt(driver, driver.button(page.compounds, "登记小区"), "登记小区", fill("2008"))
        part["found"] = search(driver, page.compounds, name)
        part["count_after"] = clear_search(driver, page.compounds)

    def change_firm(part: dict) -> None:
        show_tab(driver, page.tabs, "服务合同")
        part["contracts_before"] = page.contracts.count_label.text()
        show_tab(driver, page.tabs, "小区")
        served = next(d for d in (compounds.details(store, cid) for cid, _label in compounds.choices(store))
                      if d.current is not None and d.current.start_date is not None)
        part["compound"], part["current"] = served.name, [served.current.firm_name, served.current.start_date]

        def fill(start: dt.date):
            def steps(d) -> None:
                pick(d.firm, firm_name)
                set_date(d.start, start)
                pick(d.reason, "到期终止")
            return steps

        select_row(driver, page.compounds, served.name)
        part["before_current"] = attempt(driver, driver.button(page.compounds, "更换物业"), "更换物业",
                                         fill(served.current.start_date - dt.timedelta(days=1)), ok="确定")
        part["after_invalid"] = search(driver, page.compounds, served.name)
        page.compounds.table.selectRow(0)
        part["valid"] = attempt(driver, driver.button(page.compounds, "更换物业"), "更换物业", fill(TODAY), ok="确定")
        part["found"] = look_up(driver, page.compounds, served.name)
        show_tab(driver, page.tabs, "服务合同")
        part["contracts_after"] = page.contracts.count_label.text()

    def appoint(part: dict) -> None:
        show_tab(driver, page.tabs, "交叉任职")
        name, number = "孙立平", id_number("370203", "19790823", "517")
        part["name"], part["id_number"] = name, number

        def fill(id_text: str):
            def steps(d) -> None:
                type_into(d.name, name)
                type_into(d.id_number, id_text)
                type_into(d.phone, "13854206789")
                pick(d.direction, "社区党组织成员到物业企业任职")
                pick(d.community, grid.community)
                pick(d.firm, firm_name)
                type_into(d.role, "物业企业党支部兼职副书记")
                set_date(d.start, TODAY - dt.timedelta(days=5))
            return steps

        part["count_before"] = page.appointments.count_label.text()
        part["bad_id"] = attempt(driver, driver.button(page.appointments, "登记交叉任职"), "登记交叉任职",
                                 fill(mistyped(number)))
        part["after_invalid"] = look_up(driver, page.appointments, name)
        part["valid"] = attempt(driver, driver.button(page.appointments, "登记交叉任职"), "登记交叉任职", fill(number))
        part["found"] = search(driver, page.appointments, name)
        part["count_after"] = clear_search(driver, page.appointments)

    def rate(part: dict) -> None:
        show_tab(driver, page.tabs, "评星定级")
        tab = page.ratings
        driver.trigger("选择年度", lambda: type_into(tab.year, str(TODAY.year)))
        part["summary_before"] = tab.summary.text()
        part["count_before"] = tab.panel.count_label.text()

        def fill(with_firm: bool):
            def steps(d) -> None:
                if with_firm:
                    pick(d.firm, firm_name)
                for ind in d.template.indicators:
                    type_into(d.spins[ind.id], f"{ind.max_score * 0.9:g}")
                set_date(d.rated_on, TODAY)
                type_into(d.notes, "年度考核")
                part.setdefault("totals", []).append(d.total.text())
            return steps

        part["no_firm"] = attempt(driver, driver.button(tab, "评定"), "评星定级", fill(False), ok="保存评定")
        part["count_after_invalid"] = tab.panel.count_label.text()
        part["valid"] = attempt(driver, driver.button(tab, "评定"), "评星定级", fill(True), ok="保存评定")
        part["summary_after"] = tab.summary.text()
        part["found"] = search(driver, tab.panel, firm_name)
        part["count_after"] = clear_search(driver, tab.panel)

    step(driver, seen, "登记物业企业", register_firm)
    step(driver, seen, "季度投诉与满意度", record_quarter)
    step(driver, seen, "登记小区", register_compound)
    step(driver, seen, "更换物业", change_firm)
    step(driver, seen, "登记交叉任职", appoint)
    step(driver, seen, "评星定级", rate)
    write_seen(driver, seen)
    driver.trigger("关闭主窗口", window.close)


__all__ = ["baodao_forms", "credit_code", "grid_forms", "id_number", "property_forms", "worker_forms"]

"""The 专属网格类别 screen and the grid form's kind: what a street officer clicks and sees."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QPushButton

from gridapp.core.services import orgs, special_kinds
from gridapp.ui.grid_dialogs import UnitDialog
from gridapp.ui.special_kind_dialog import KindNameDialog, SpecialKindsDialog


def _ok(dialog):
    dialog.findChild(QDialogButtonBox).button(QDialogButtonBox.StandardButton.Ok).click()


def test_adding_a_kind_and_what_is_refused(qtbot, gridded, messages, monkeypatch):
    dialog = SpecialKindsDialog(gridded)
    qtbot.addWidget(dialog)
    assert dialog.table.rowCount() == 9 and dialog.table.item(0, 0).text() == "党政机关"
    names = iter(["", "学校", "养老机构"])

    def fake_exec(self):
        self.name.setText(next(names))
        _ok(self)
        return self.result()

    monkeypatch.setattr(KindNameDialog, "exec", fake_exec)
    for _ in range(3):
        dialog.actions["add"].click()
    assert [m[1] for m in messages] == ["专属网格类别名称不能为空", "“学校”是标准的专属网格类别，无需添加"]
    assert dialog.table.rowCount() == 10 and dialog.table.item(9, 0).text() == "养老机构"
    assert dialog.table.item(9, 1).text() == "本站点添加" and dialog.changed
    # A standard kind selected: nothing to rename, retire or delete.
    dialog.table.setCurrentCell(1, 0)
    assert not any(dialog.actions[k].isEnabled() for k in ("rename", "retire", "delete"))
    dialog.table.setCurrentCell(9, 0)
    dialog.actions["retire"].click()
    assert dialog.table.item(9, 2).text() == "已停用" and dialog.actions["reinstate"].isEnabled()
    # Every button is wide enough for its words; the screen has no English.
    for button in dialog.findChildren(QPushButton):
        assert button.sizeHint().width() <= button.width() or not button.isVisible()
        assert button.text().isascii() is False or not button.text()


def test_the_kind_is_chosen_only_for_a_special_grid(qtbot, gridded):
    home = special_kinds.add(gridded, "养老机构")
    community = orgs.get(gridded, "370203012002")
    dialog = UnitDialog(gridded, parent_unit=community)
    qtbot.addWidget(dialog)
    dialog.show()
    assert not dialog.kind_row.isVisible() and not dialog.special_unit.isVisible()
    dialog.grid_type.setCurrentIndex(dialog.grid_type.findData("special"))
    assert dialog.kind_row.isVisible() and dialog.kind.isEnabled()
    assert [dialog.kind.itemText(i) for i in range(dialog.kind.count())][-2:] == ["其他", "养老机构"]
    dialog.name.setText("颐和网格")
    dialog.kind.setCurrentIndex(dialog.kind.findData(home.code))
    dialog.special_unit.setText("颐和养老院")  # typing CJK through QTest aborts offscreen
    _ok(dialog)
    grid = dialog.result_value
    assert (grid.grid_type, grid.special_kind, grid.special_unit) == ("special", home.code, "颐和养老院")
    # Edited back to a basic grid: the kind goes with the type.
    edit = UnitDialog(gridded, unit=orgs.get(gridded, grid.code))
    qtbot.addWidget(edit)
    assert edit.kind.currentData() == home.code
    edit.grid_type.setCurrentIndex(edit.grid_type.findData("urban"))
    _ok(edit)
    assert orgs.get(gridded, grid.code).special_kind is None


def test_the_grids_page_opens_the_kinds_screen_and_filters_by_kind(qtbot, window, monkeypatch):
    from gridapp.ui.pages.grids_page import GridsPage

    page = window.page(GridsPage)
    opened = []
    monkeypatch.setattr(SpecialKindsDialog, "exec", lambda self: opened.append(self.table.rowCount()) or 0)
    qtbot.mouseClick(page.actions["kinds"], Qt.MouseButton.LeftButton)
    assert opened == [10]  # the demo's street added 养老机构
    from gridapp.ui.main_window import PAGES

    window.show_page(PAGES.index(GridsPage))
    panel = page.units_list
    page.views.setCurrentWidget(panel)
    box = panel.filter_boxes["grid_type"]
    assert box.findText("　专属网格·养老机构") > box.findText("专属网格") > 0
    box.setCurrentIndex(box.findData("kind:school"))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 1)
    box.setCurrentIndex(box.findData("special"))
    qtbot.waitUntil(lambda: panel.model.rowCount() == 2)


def test_the_overview_shows_the_grids_by_type_and_opens_them(qtbot, window):
    from gridapp.ui.pages.overview_page import OverviewPage

    page = window.page(OverviewPage)
    page.refresh()
    shown = [page.types.item(r, 0).text().strip() for r in range(page.types.rowCount())]
    assert shown == ["城镇社区网格", "农村网格", "专属网格", "学校", "养老机构", "合计"]
    assert page.types.item(3, 1).text() == "1"
    targets = []
    page.navigate.connect(targets.append)
    page.types.cellDoubleClicked.emit(3, 0)
    assert targets[-1].filters == (("level", "grid"), ("grid_type", "kind:school"))
    assert targets[-1].count(window.store) == 1

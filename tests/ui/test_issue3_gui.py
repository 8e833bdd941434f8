"""GUI tests for the grid tree, worker form validation, the import preview and list export."""

import datetime as dt

import openpyxl
import pytest
from PySide6.QtWidgets import QDialogButtonBox

from gridapp.core.services import grids, orgs, workers
from gridapp.core.validation import id_check_digit
from gridapp.ui.grid_dialogs import MergeDialog, RetireDialog, SplitDialog, UnitDialog
from gridapp.ui.import_dialog import ImportDialog
from gridapp.ui.pages.grids_page import GridsPage
from gridapp.ui.pages.workers_page import WorkersPage
from gridapp.ui.worker_dialog import LeaveDialog, TransferDialog, WorkerDialog
from tests.conftest import SAMPLES

GOOD = "37020319850315204" + id_check_digit("37020319850315204")  # ends in X


@pytest.fixture
def community(gridded):
    return orgs.get(gridded, "370203012002")


def test_worker_form_validates_as_you_type(qtbot, gridded, community, messages):
    dialog = WorkerDialog(gridded)
    qtbot.addWidget(dialog)
    save = dialog.buttons.button(QDialogButtonBox.StandardButton.Save)
    qtbot.keyClicks(dialog.id_number, "3702031985")
    assert "已输入 10 位" in dialog.id_hint.text() and not save.isEnabled()
    qtbot.keyClicks(dialog.id_number, "03152041")  # a wrong check digit
    assert "校验位错误" in dialog.id_hint.text() and not save.isEnabled()
    dialog.id_number.setText(GOOD[:-1] + "x")
    assert save.isEnabled() and "1985-03-15" in dialog.id_hint.text()
    assert dialog.birth.text() == "1985-03-15" and dialog.gender.currentText() == "女"
    dialog.name.setText("李娜")
    qtbot.keyClicks(dialog.phone, "139-1234-5678")
    dialog.phone.editingFinished.emit()
    assert dialog.phone.text() == "13912345678"
    dialog.phone2.setText("8888")
    dialog.phone2.editingFinished.emit()
    assert "格式不正确" in dialog.phone_hint.text() or "缺少区号" in dialog.phone_hint.text()
    dialog.phone2.clear()
    dialog.grid.setCurrentIndex(dialog.grid.findText("云溪社区第二网格"))
    dialog.save()
    assert dialog.result() == WorkerDialog.DialogCode.Accepted
    saved = workers.find_by_id_number(gridded, GOOD)
    assert saved.name == "李娜" and saved.current[0].grid_name == "第二网格"


def test_edit_form_shows_the_whole_id_and_transfer_and_leave(qtbot, gridded, community, messages):
    grid = orgs.get(gridded, "370203012002001")
    w = workers.create_or_update(gridded, {"name": "李娜", "id_number": GOOD, "worker_type": "fulltime",
                                           "phone": "13912345678"}, grid_id=grid.id)
    edit = WorkerDialog(gridded, w.id)
    qtbot.addWidget(edit)
    assert edit.id_number.text() == GOOD
    transfer = TransferDialog(gridded, w.id)
    qtbot.addWidget(transfer)
    transfer.grid.setCurrentIndex(transfer.grid.findText("云溪社区第三网格"))
    transfer.save()
    assert workers.get(gridded, w.id).current[0].grid_name == "第三网格"
    extra = TransferDialog(gridded, w.id, additional=True)
    qtbot.addWidget(extra)
    extra.grid.setCurrentIndex(extra.grid.findText("云溪社区第四网格"))
    extra.role.setCurrentIndex(extra.role.findData("building"))
    extra.save()
    assert {(a.grid_name, a.role) for a in workers.get(gridded, w.id).current} == {
        ("第三网格", "fulltime"), ("第四网格", "building")}
    leave = LeaveDialog(gridded, w.id)
    qtbot.addWidget(leave)
    leave.reason.setCurrentText("辞职")
    leave.save()
    assert workers.get(gridded, w.id).status == "left"
    assert workers.get(gridded, w.id).current == ()  # every assignment ended


def test_import_dialog_preview_then_confirm(qtbot, gridded, tmp_path, messages):
    dialog = ImportDialog(gridded, "workers", path=SAMPLES / "网格员花名册-示例.xlsx")
    qtbot.addWidget(dialog)
    dialog.check()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10000)
    assert "新增 22 行" in dialog.summary.text() and "未导入 7 行" in dialog.summary.text()
    assert "尚未写入" in dialog.summary.text()
    assert workers.find_by_id_number(gridded, "370203199210160104") is None  # the preview wrote nothing
    assert dialog.import_button.isEnabled() and dialog.report_button.isEnabled()
    rows = [dialog.model.index(r, 1).data() for r in range(dialog.model.rowCount())]
    assert rows.count("未导入") == 7 and rows.count("新增") == 22
    with qtbot.waitSignal(dialog.imported, timeout=10000):
        dialog.commit()
    assert workers.find_by_id_number(gridded, "370203199210160104") is not None
    assert "已导入" in dialog.summary.text()


def test_grids_page_actions(qtbot, gridded, community, messages):
    page = GridsPage(gridded)
    qtbot.addWidget(page)
    page.select_code("370203012002")
    assert page.current.name == "云溪社区"
    assert not page.actions["split"].isEnabled() and page.actions["add"].isEnabled()
    page.select_code("370203012002001")
    assert page.fields["households"].text() == "399"
    assert "没有网格长" in page.warnings.text()
    assert page.actions["split"].isEnabled()

    add = UnitDialog(gridded, parent_unit=community)
    qtbot.addWidget(add)
    add.name.setText("第五网格")
    add.households.setValue(320)
    add.accept()
    assert add.result_value.code == "370203012002005"

    split = SplitDialog(gridded, orgs.get(gridded, "370203012002005"))
    qtbot.addWidget(split)
    split.accept()
    assert split.result() == SplitDialog.DialogCode.Accepted
    names = [u.name for u in orgs.children(gridded, community.id)]
    assert "第五网格一" in names and "第五网格二" in names and "第五网格" not in names

    merge = MergeDialog(gridded, orgs.get(gridded, "370203012002006"))
    qtbot.addWidget(merge)
    merge.other.setCurrentIndex(merge.other.findText("第五网格二"))
    merge.name.setText("第五网格")
    merge.accept()
    assert merge.result_value.name == "第五网格"

    retire = RetireDialog(gridded, merge.result_value)
    qtbot.addWidget(retire)
    retire.accept()  # no reason: refused, stays open
    assert retire.result() != RetireDialog.DialogCode.Accepted
    retire.reason.setText("网格调整")
    retire.accept()
    assert orgs.get(gridded, merge.result_value.code).is_retired
    page.refresh()
    page.show_retired.setChecked(True)
    assert any("（已撤销）" in page.model.item(0).child(1).child(r).text()
               for r in range(page.model.item(0).child(1).rowCount()))


def test_export_from_the_worker_list(qtbot, window, tmp_path, messages):
    page = window.page(WorkersPage)
    box = page.list.filter_boxes["worker_type"]
    box.setCurrentIndex(box.findData("parttime"))
    shown = page.list.model.rowCount()
    path = tmp_path / "parttime.xlsx"
    page.list.export(mask_ids=True, path=path)
    qtbot.waitUntil(lambda: path.exists(), timeout=10000)
    ws = openpyxl.load_workbook(path).active
    assert "兼职" in ws["A1"].value
    assert ws.max_row - 2 - 2 == shown  # title, header, blank line and the count line
    assert page.print_scope() == window.store.site.code


def test_retired_dates(gridded):
    assert grids.details(gridded, orgs.get(gridded, "370203012002001").id).unit.active_from <= dt.date.today()

"""民情诉求 in the window: register a request, handle it step by step on its page, read its history."""

from PySide6.QtCore import Qt

from gridapp.core.models import GridRequest
from gridapp.core.services import requests
from gridapp.ui.main_window import PAGES
from gridapp.ui.pages.requests_page import RequestsPage
from gridapp.ui.request_dialogs import NewRequestDialog, RequestDialog


def test_register_and_handle_a_request_to_the_end(qtbot, window, messages):
    page = window.page(RequestsPage)
    page.list.model.refresh()
    before = page.list.model.rowCount()
    assert "超期" in page.warning.text()
    dialog = NewRequestDialog(window.store, page)
    qtbot.addWidget(dialog)
    dialog.accept()  # no grid: refused, stays open
    assert dialog.result() != NewRequestDialog.DialogCode.Accepted and "网格" in messages[-1][1]
    dialog.grid.setCurrentIndex(1)
    dialog.category.setCurrentIndex(dialog.category.findData("hazard"))
    assert "按类别和紧急程度自动计算" in dialog.deadline.text()
    dialog.accept()  # no description: refused with the field named
    assert "诉求内容" in messages[-1][1]
    dialog.description.setPlainText("楼道堆放杂物")
    dialog.accept()
    assert dialog.result() == NewRequestDialog.DialogCode.Accepted
    rid = dialog.result_value
    page.refresh()
    assert page.list.model.rowCount() == before + 1

    view = RequestDialog(window.store, rid, page)
    qtbot.addWidget(view)
    assert view.step_buttons["accept"].isEnabled() and not view.step_buttons["close"].isEnabled()
    qtbot.mouseClick(view.step_buttons["return"], Qt.MouseButton.LeftButton)  # no reason: refused
    assert "退回原因" in messages[-1][1]
    qtbot.mouseClick(view.step_buttons["accept"], Qt.MouseButton.LeftButton)
    view.department.setText("街道城管科")
    qtbot.mouseClick(view.assign_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.step_buttons["start"], Qt.MouseButton.LeftButton)
    view.note.setText("已清理")
    qtbot.mouseClick(view.step_buttons["resolve"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.step_buttons["verify"], Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.evaluate_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(view.step_buttons["close"], Qt.MouseButton.LeftButton)
    assert view.changed and view.history.rowCount() == 8
    assert [view.history.item(i, 1).text() for i in range(8)] == [
        "上报", "受理", "分派", "开始处置", "处置完成", "验证通过", "回访评价", "办结"]
    assert view.history.item(2, 4).text() == "分派给街道部门：街道城管科"
    assert "办结" in view.summary.text() and "满意" in view.summary.text()
    assert not any(b.isEnabled() for b in view.step_buttons.values())
    with window.store.read() as s:
        assert s.get(GridRequest, rid).state == "closed"


def test_extension_and_supervision_from_the_request_page(qtbot, window, messages):
    page = window.page(RequestsPage)
    with window.store.read() as s:
        rid = s.query(GridRequest.id).filter(GridRequest.state == "in_progress").first()[0]
    view = RequestDialog(window.store, rid, page)
    qtbot.addWidget(view)
    assert view.supervise_button.isEnabled()  # the demo is a street
    view.supervision.setCurrentIndex(view.supervision.findData("red"))
    qtbot.mouseClick(view.supervise_button, Qt.MouseButton.LeftButton)
    assert "红牌" in view.summary.text()
    qtbot.mouseClick(view.extend_button, Qt.MouseButton.LeftButton)  # no reason
    assert "延期理由" in messages[-1][1]
    view.note.setText("等待施工")
    qtbot.mouseClick(view.extend_button, Qt.MouseButton.LeftButton)
    assert view.grant_button.isEnabled() and not view.extend_button.isEnabled()
    qtbot.mouseClick(view.grant_button, Qt.MouseButton.LeftButton)
    assert "同意" in view.summary.text()
    with window.store.read() as s:
        req = s.get(GridRequest, rid)
        assert req.extension_state == "granted" and req.supervision == "red"
        assert req.deadline == req.extension_deadline
    assert [s.action for s in requests.history(window.store, rid)][-3:] == ["supervise", "extend", "grant"]


def test_the_overdue_filter_and_a_double_click_open_the_request(qtbot, window, monkeypatch):
    page = window.page(RequestsPage)
    window.show_page(PAGES.index(RequestsPage))
    page.list.model.refresh()
    everything = page.list.model.rowCount()
    page.list.set_filter("overdue", 1)
    qtbot.waitUntil(lambda: page.list.model.rowCount() < everything)
    overdue = page.list.model.rowCount()
    assert overdue >= 1
    opened = []
    monkeypatch.setattr(RequestDialog, "exec", lambda self: opened.append(self.request_id) or 0)
    page.list.table.selectRow(0)
    page.list.activated.emit(page.list.selected_record_id())
    assert opened == [page.list.selected_record_id()]


def test_a_viewer_reads_a_request_but_takes_no_step(qtbot, demo_db):
    from gridapp.core import accounts
    from gridapp.core.store import Store

    with Store(demo_db) as store:
        accounts.add_account(store, "boss", "Admin#2026", role="admin")
        store.login("boss", "Admin#2026")
        accounts.add_account(store, "zhao", "Viewer#2026", role="viewer")
    with Store(demo_db) as store:
        store.login("zhao", "Viewer#2026")
        with store.read() as s:
            rid = s.query(GridRequest.id).filter(GridRequest.state == "reported").first()[0]
        view = RequestDialog(store, rid)
        qtbot.addWidget(view)
        assert view.history.rowCount() >= 1 and "上报" in view.summary.text()
        assert not view.step_buttons["accept"].isEnabled() and not view.assign_button.isEnabled()
        assert "查看" in view.step_buttons["accept"].toolTip()

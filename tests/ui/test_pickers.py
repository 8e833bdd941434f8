"""Pickers and filter boxes on a district where two streets each have a 福安社区."""

from PySide6.QtCore import Qt
from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication

from gridapp.core.services import orgs
from gridapp.ui.picker import org_picker


def type_into(qtbot, box, text: str) -> None:
    """Type as people do: letters and digits key by key, Chinese committed by the input method."""
    edit = box.lineEdit()
    box.window().activateWindow()
    edit.setFocus()
    qtbot.waitUntil(edit.hasFocus)
    edit.selectAll()  # as the picker does when it gets focus
    for part in text.split(" "):
        if part.isascii():
            qtbot.keyClicks(edit, part)
        else:
            event = QInputMethodEvent("", [])
            event.setCommitString(part)
            QApplication.sendEvent(edit, event)
        if part is not text.split(" ")[-1]:
            qtbot.keyClick(edit, Qt.Key.Key_Space)


def shown(box) -> list[str]:
    """The matches the picker offers now."""
    model = box.completer().completionModel()
    return [model.index(r, 0).data() for r in range(model.rowCount())]


def test_picker_finds_by_initials_street_and_code(qtbot, district_store):
    box = org_picker(district_store, "community", blank="请选择社区")
    qtbot.addWidget(box)
    box.show()
    type_into(qtbot, box, "fa")
    assert shown(box) == ["福安社区（永宁山街道）", "福安社区（海泉路街道）"]
    box.lineEdit().clear()
    type_into(qtbot, box, "海泉路")
    assert shown(box) == ["福安社区（海泉路街道）"]
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert box.currentText() == "福安社区（海泉路街道）"
    assert orgs.label(district_store, box.currentData()) == "福安社区（海泉路街道）"


def _worker(store, grid_label: str, name: str, id_number: str) -> None:
    from gridapp.core.services import workers

    grid_id = {label: gid for gid, label in orgs.choices(store, "grid")}[grid_label]
    workers.create_or_update(store, {"name": name, "id_number": id_number, "worker_type": "fulltime"},
                             grid_id=grid_id, role="fulltime")


def test_community_filter_box_tells_the_streets_apart(qtbot, district_store):
    from gridapp.core import list_specs
    from gridapp.ui.list_panel import ListPanel

    _worker(district_store, "永宁山街道福安社区第一网格", "张伟", "370203199001011233")
    _worker(district_store, "海泉路街道福安社区第二网格", "李娜", "370203198505052229")
    panel = ListPanel(district_store, list_specs.WORKERS)
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    box = panel.filter_boxes["community"]
    assert [box.itemText(i) for i in range(box.count())] == [
        "全部社区", "福安社区（永宁山街道）", "云溪社区", "福安社区（海泉路街道）"]
    column = panel.spec.index_of("community")

    def rows() -> list[tuple[str, str]]:
        return [(panel.model.index(r, 0).data(), panel.model.index(r, column).data())
                for r in range(panel.model.rowCount())]

    assert sorted(rows()) == [("张伟", "福安社区（永宁山街道）"), ("李娜", "福安社区（海泉路街道）")]
    type_into(qtbot, box, "海泉路 fa")
    assert shown(box) == ["福安社区（海泉路街道）"]
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert box.currentText() == "福安社区（海泉路街道）"
    assert rows() == [("李娜", "福安社区（海泉路街道）")]
    # A 12-digit code finds the other one; leaving the box with text naming nothing puts the choice back.
    code = orgs.code_of(district_store, box.itemData(1))
    type_into(qtbot, box, code)
    assert shown(box) == ["福安社区（永宁山街道）"]
    qtbot.keyClick(box.lineEdit(), Qt.Key.Key_Return)
    assert rows() == [("张伟", "福安社区（永宁山街道）")]
    type_into(qtbot, box, "xyz")
    assert shown(box) == []
    panel.search.setFocus()
    qtbot.waitUntil(lambda: box.currentText() == "福安社区（永宁山街道）")
    assert rows() == [("张伟", "福安社区（永宁山街道）")]


def test_worker_dialog_grid_picker_saves_the_street_chosen(qtbot, district_store):
    from gridapp.core.services import workers
    from gridapp.ui.worker_dialog import WorkerDialog

    dialog = WorkerDialog(district_store)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    labels = [dialog.grid.itemText(i) for i in range(dialog.grid.count())]
    assert labels == ["请选择网格", "永宁山街道福安社区第一网格", "云溪社区第一网格", "海泉路街道福安社区第一网格",
                      "海泉路街道福安社区第二网格"]
    dialog.name.setText("王芳")
    dialog.id_number.setText("370203199203032227")
    type_into(qtbot, dialog.grid, "hql fa 第一")
    assert shown(dialog.grid) == ["海泉路街道福安社区第一网格"]
    qtbot.keyClick(dialog.grid.lineEdit(), Qt.Key.Key_Return)
    assert dialog.grid.currentText() == "海泉路街道福安社区第一网格"
    dialog.save()
    saved = workers.get(district_store, dialog.saved.id)
    assert orgs.label(district_store, saved.current[0].grid_id) == "海泉路街道福安社区第一网格"

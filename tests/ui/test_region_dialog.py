"""系统设置 › 行政区划代码表: a code's history found, and the table updated from a year's list as a user does it."""

from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from gridapp.core import regions
from gridapp.ui.pages.settings_page import SettingsPage
from gridapp.ui.region_dialog import RegionDialog


def _when_modal(kind, act):
    def poll():
        w = QApplication.activeModalWidget()
        if isinstance(w, kind):
            act(w)
        else:
            QTimer.singleShot(50, poll)
    QTimer.singleShot(50, poll)


def _when(condition, act, tries=400):
    """``act`` once ``condition`` holds (polled from the event loop, so nested dialogs keep running)."""
    def poll(left=tries):
        if condition():
            act()
        elif left:
            QTimer.singleShot(50, lambda: poll(left - 1))
    QTimer.singleShot(50, poll)


def finish(dialog):
    finish.checked = "新设区" in dialog.table.item(0, 1).text() and "年版" in dialog.about.text()
    dialog.reject()


def _year_list(tmp_path, year):
    t = regions.table()
    listed = [(c, t.current(c).name) for c in sorted(t.regions) if t.current(c) and not c.startswith("83")]
    path = tmp_path / f"{year}年县以上行政区划代码.txt"
    path.write_text("\n".join(f"{c}\t{n}" for c, n in [*listed, ("370299", "新设区")]), encoding="utf-8")
    return path


def test_search_and_update_from_the_settings_page(window, qtbot, tmp_path, monkeypatch, messages):
    page: SettingsPage = window.go(SettingsPage)
    base = regions.table().edition
    assert f"{base} 年版" in page.regions_label.text()
    year = base + 1
    source = _year_list(tmp_path, year)
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(source), "")))
    seen: list[str] = []

    def on_dialog(dialog: RegionDialog):
        dialog.search.setText("崇文")  # typed through an input method: keyClicks only types ASCII
        assert dialog.table.rowCount() == 1 and dialog.table.item(0, 0).text() == "110103"
        assert dialog.table.item(0, 3).text() == "2010"
        dialog.search.clear()
        qtbot.keyClicks(dialog.search, "370299")
        assert dialog.table.rowCount() == 0 and "没有找到" in dialog.found.text()

        def on_question(box: QMessageBox):
            seen.append(box.text())
            next(b for b in box.buttons() if b.text() == "保存").click()
            _when(lambda: regions.table().edition == year and dialog.table.rowCount() == 1, lambda: finish(dialog))

        _when_modal(QMessageBox, on_question)
        dialog.update_button.click()

    _when_modal(RegionDialog, on_dialog)
    page.regions_button.click()
    assert getattr(finish, "checked", False)
    assert seen and "新增 1 个" in seen[0] and "新增 370299 新设区" in seen[0]
    assert f"{year} 年版" in page.regions_label.text()
    assert any("已更新" in text for _k, text in messages)


def test_a_wrong_file_is_a_message_and_changes_nothing(window, qtbot, tmp_path, messages):
    dialog = RegionDialog(window)
    qtbot.addWidget(dialog)
    bad = tmp_path / "2030.txt"
    bad.write_text("110000 北京市\n", encoding="utf-8")
    dialog.plan(bad)
    qtbot.waitUntil(lambda: bool(messages), timeout=10_000)
    assert "不是完整的全国" in messages[-1][1]
    assert regions.table().path == regions.shipped_path()

"""The GUI's error handler and export actions keep ID numbers and phone numbers private."""

from __future__ import annotations

import sys

import openpyxl

from tests.privacy.test_redaction import PHONE, _duplicate_id_error


def test_the_error_dialog_and_its_log_hold_no_id_or_phone_number(qapp, demo_db, log_file, messages):
    from gridapp.ui.errors import install_excepthook, show_error

    integrity, number = _duplicate_id_error(demo_db)
    try:
        raise ValueError(f"联系电话 {PHONE} 格式异常（{number}）")
    except ValueError as e:
        value_error = e
    show_error(None, integrity)
    show_error(None, value_error)
    old = sys.excepthook
    try:
        install_excepthook()
        sys.excepthook(ValueError, value_error, value_error.__traceback__)
    finally:
        sys.excepthook = old
    assert [k for k, _t in messages] == ["critical"] * 3
    shown = "\n".join(t for _k, t in messages)
    assert str(log_file) in shown and "IntegrityError" in shown and "ValueError: 联系电话 138****5678" in shown
    written = log_file.read_text(encoding="utf-8")
    assert written.count("unexpected error") == 2 and written.count("uncaught") == 1
    for what in (shown, written):
        assert number not in what and PHONE not in what


def _ids_in(path, column="身份证号码") -> list[str]:
    ws = openpyxl.load_workbook(path).active
    col = [c.value for c in ws[2]].index(column)
    return [r[col] for r in ws.iter_rows(min_row=3, values_only=True) if r[col]]


def _answer_export_dialog(qtbot, full: bool, seen: list) -> None:
    """Answer the export dialog as a user does: look, tick (or not), press 导出…."""
    from PySide6.QtCore import Qt, QTimer
    from PySide6.QtWidgets import QApplication, QDialogButtonBox

    from gridapp.ui.list_panel import ExportDialog

    def answer():
        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, ExportDialog) and w.isVisible()),
                      None)
        if dialog is None:
            QTimer.singleShot(20, answer)
            return
        seen.append((dialog.full_ids.isChecked(), dialog.warning.text()))
        if full:
            dialog.full_ids.click()
        buttons = dialog.findChild(QDialogButtonBox)
        qtbot.mouseClick(buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    QTimer.singleShot(20, answer)


def test_list_export_asks_and_masks_unless_full_numbers_are_ticked(qtbot, window, tmp_path, messages):
    from gridapp.ui.pages.workers_page import WorkersPage

    panel = window.page(WorkersPage).list
    seen: list = []
    for full, name in ((False, "masked.xlsx"), (True, "full.xlsx")):
        _answer_export_dialog(qtbot, full, seen)
        panel.export(path=tmp_path / name)
        qtbot.waitUntil(lambda n=name: (tmp_path / n).exists(), timeout=60_000)
    assert [checked for checked, _w in seen] == [False, False]  # off until the user ticks it
    assert all("个人信息" in warning for _c, warning in seen)
    masked, full_ = _ids_in(tmp_path / "masked.xlsx"), _ids_in(tmp_path / "full.xlsx")
    assert masked and all("**********" in v for v in masked)
    assert len(full_) == len(masked) and all("*" not in v and len(v) == 18 for v in full_)
    qtbot.waitUntil(lambda: len(messages) == 2)
    assert "完整身份证号码" in messages[1][1] and "完整身份证号码" not in messages[0][1]


def test_cancelling_the_export_dialog_writes_nothing(qtbot, window, tmp_path, messages):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from gridapp.ui.list_panel import ExportDialog
    from gridapp.ui.pages.workers_page import WorkersPage

    def cancel():
        dialog = next((w for w in QApplication.topLevelWidgets() if isinstance(w, ExportDialog) and w.isVisible()),
                      None)
        if dialog is None:
            QTimer.singleShot(20, cancel)
        else:
            dialog.reject()

    QTimer.singleShot(20, cancel)
    window.page(WorkersPage).list.export(path=tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists() and messages == []


def test_a_list_without_id_numbers_exports_without_asking(qtbot, window, tmp_path, messages):
    from gridapp.core import list_specs
    from gridapp.ui.list_panel import ListPanel

    panel = ListPanel(window.store, list_specs.GRIDS)
    qtbot.addWidget(panel)
    panel.export(path=tmp_path / "g.xlsx")  # no dialog to answer: it would block this test
    qtbot.waitUntil(lambda: (tmp_path / "g.xlsx").exists(), timeout=60_000)

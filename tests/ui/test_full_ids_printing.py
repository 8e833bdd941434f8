"""Printouts show ID numbers masked; the full number only from its own menu entry, after a warning."""

from __future__ import annotations

import re

from pypdf import PdfReader
from PySide6.QtCore import QTimer
from PySide6.QtPrintSupport import QPrintPreviewDialog
from PySide6.QtWidgets import QApplication, QMessageBox

from gridapp.ui import printing
from gridapp.ui.pages.baodao_page import BaodaoPage

FULL_ID = re.compile(r"\d{17}[\dX]")


def _when_modal(kind, act, seen):
    """Answer the next modal of ``kind`` as a user does, however deep it opens."""
    def poll():
        w = QApplication.activeModalWidget()
        if isinstance(w, kind):
            seen.append(w)
            act(w)
        else:
            QTimer.singleShot(50, poll)
    QTimer.singleShot(50, poll)


def _print_form(window, tmp_path, entry: str, answer_warning: str | None) -> str | None:
    """Choose ``entry`` of 打印登记表 for the first member; the preview's pages painted into a real PDF."""
    page = window.go(BaodaoPage)
    page.members.table.selectRow(0)
    seen: list = []
    pdf = tmp_path / "form.pdf"

    def on_preview(dialog: QPrintPreviewDialog):
        printer = printing.make_printer(pdf, landscape=False)
        dialog.paintRequested.emit(printer)  # what the preview paints, into a file
        del printer
        dialog.reject()

    def on_warning(box: QMessageBox):
        seen.append(box.text())
        button = next(b for b in box.buttons() if b.text() == answer_warning)
        button.click()
        _when_modal(QPrintPreviewDialog, on_preview, seen)

    if answer_warning:
        _when_modal(QMessageBox, on_warning, seen)
    else:
        _when_modal(QPrintPreviewDialog, on_preview, seen)
    action = next(a for a in page.form_button.menu().actions() if a.text() == entry)
    action.trigger()
    return "".join(p.extract_text() for p in PdfReader(pdf).pages) if pdf.exists() else None


def test_the_registration_form_masks_unless_the_full_entry_is_chosen(window, tmp_path):
    masked = _print_form(window, tmp_path, "打印预览（身份证号码脱敏）…", None)
    assert masked and "**********" in masked and not FULL_ID.search(masked)
    (tmp_path / "form.pdf").unlink()
    assert _print_form(window, tmp_path, "打印预览（完整身份证号码，交本人核对）…", "取消") is None
    full = _print_form(window, tmp_path, "打印预览（完整身份证号码，交本人核对）…", "继续")
    assert full and FULL_ID.search(full)

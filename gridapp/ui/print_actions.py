"""Print preview, printing and “save as PDF” for rosters, notice boards and other titled tables, from any page."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QToolButton, QWidget

from gridapp.core.store import Store
from gridapp.io import reports
from gridapp.ui import operations, printing
from gridapp.ui.icons import icon


def preview_roster(parent: QWidget, store: Store, org_code: str) -> None:
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    content = reports.roster(store, org_code)
    dialog = QPrintPreviewDialog(printing.make_printer(landscape=True), parent)
    dialog.setWindowTitle(f"打印预览 — {content.title}")
    dialog.paintRequested.connect(lambda printer: printing.print_roster(content, printer))
    dialog.resize(1100, 800)
    dialog.exec()


def preview_boards(parent: QWidget, store: Store, org_code: str) -> None:
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    boards = reports.noticeboards(store, org_code)
    dialog = QPrintPreviewDialog(printing.make_printer(landscape=False), parent)
    dialog.setWindowTitle("打印预览 — 网格公示牌")
    dialog.paintRequested.connect(lambda printer: printing.print_boards(boards, printer))
    dialog.resize(900, 900)
    dialog.exec()


def _ask_pdf(parent: QWidget, name: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "另存为 PDF", f"{name}.pdf", "PDF 文件 (*.pdf)")
    return Path(path) if path else None


def roster_pdf(parent: QWidget, store: Store, org_code: str, path: Path | None = None) -> operations.Operation | None:
    path = path or _ask_pdf(parent, "网格员花名册")
    if path is None:
        return None

    def work(progress, cancel):
        content = reports.roster(store, org_code, progress=progress, cancel=cancel)
        return printing.roster_pdf(content, path, progress, cancel)

    return operations.run(parent, "正在生成花名册 PDF", work,
                          lambda pages: QMessageBox.information(parent, "已生成", f"花名册（{pages} 页）已保存到：\n{path}"))


def boards_pdf(parent: QWidget, store: Store, org_code: str, path: Path | None = None) -> operations.Operation | None:
    path = path or _ask_pdf(parent, "网格公示牌")
    if path is None:
        return None

    def work(progress, cancel):
        return printing.boards_pdf(reports.noticeboards(store, org_code), path, progress, cancel)

    return operations.run(parent, "正在生成公示牌 PDF", work,
                          lambda pages: QMessageBox.information(parent, "已生成", f"公示牌（{pages} 页）已保存到：\n{path}"))


def preview_table(parent: QWidget, content: reports.Roster) -> None:
    """Print preview of any titled table (rosters, firm lists, rating results), A4 landscape."""
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    dialog = QPrintPreviewDialog(printing.make_printer(landscape=True), parent)
    dialog.setWindowTitle(f"打印预览 — {content.title}")
    dialog.paintRequested.connect(lambda printer: printing.print_roster(content, printer))
    dialog.resize(1100, 800)
    dialog.exec()


def table_pdf(parent: QWidget, name: str, make, path: Path | None = None) -> operations.Operation | None:
    """Build a titled table with ``make(progress, cancel)`` and save it as PDF, off the GUI thread."""
    path = path or _ask_pdf(parent, name)
    if path is None:
        return None

    def work(progress, cancel):
        return printing.roster_pdf(make(), path, progress, cancel)

    return operations.run(parent, f"正在生成{name} PDF", work,
                          lambda pages: QMessageBox.information(parent, "已生成", f"{name}（{pages} 页）已保存到：\n{path}"))


def table_button(parent: QWidget, name: str, make) -> QToolButton:
    """A 打印 button with preview and save-as-PDF for the table ``make()`` builds."""
    from gridapp.ui.errors import show_error

    def preview():
        try:
            preview_table(parent, make())
        except Exception as exc:
            show_error(parent, exc, "无法打印")

    button = QToolButton(parent)
    button.setText(f"打印{name}")
    button.setIcon(icon("print"))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    menu.addAction("打印预览…", preview)
    menu.addAction("另存为 PDF…", lambda: table_pdf(parent, name, make))
    button.setMenu(menu)
    return button


def print_button(parent: QWidget, store: Store, org_code) -> QToolButton:
    """A 打印 button whose menu prints for ``org_code()`` (the unit the page has selected)."""
    from gridapp.ui.errors import show_error

    def guarded(fn):
        def run():
            code = org_code()
            if not code:
                return
            try:
                fn(parent, store, code)
            except Exception as exc:
                show_error(parent, exc, "无法打印")
        return run

    button = QToolButton(parent)
    button.setText("打印")
    button.setIcon(icon("print"))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    menu.addAction("网格员花名册 — 打印预览…", guarded(preview_roster))
    menu.addAction("网格员花名册 — 另存为 PDF…", guarded(roster_pdf))
    menu.addSeparator()
    menu.addAction("网格公示牌 — 打印预览…", guarded(preview_boards))
    menu.addAction("网格公示牌 — 另存为 PDF…", guarded(boards_pdf))
    button.setMenu(menu)
    return button

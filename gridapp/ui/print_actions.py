"""Print preview, printing and “save as PDF” for rosters, notice boards and other titled tables, from any page."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QFileDialog, QMenu, QMessageBox, QToolButton, QWidget

from gridapp.core.store import Store
from gridapp.io import reports
from gridapp.ui import operations, printing
from gridapp.ui.icons import icon


def preview(parent: QWidget, title: str, paint: Callable[[QPrinter], object], *, landscape: bool,
            size: tuple[int, int] = (1100, 800)) -> int:
    """Show a print preview that paints with ``paint(printer)``; the answer of its dialog.

    The printer belongs to the dialog's Python side for as long as the dialog lives: Qt paints into
    it on every page turn, so a printer without an owner crashes the program.
    """
    from PySide6.QtPrintSupport import QPrintPreviewDialog

    printer = printing.make_printer(landscape=landscape)
    dialog = QPrintPreviewDialog(printer, parent)
    dialog.printer_keepalive = printer
    dialog.setWindowTitle(f"打印预览 — {title}")
    dialog.paintRequested.connect(paint)
    screen = (parent.screen() if parent is not None else dialog.screen()).availableGeometry()
    dialog.resize(min(size[0], screen.width() - 40), min(size[1], screen.height() - 60))
    try:
        return dialog.exec()
    finally:
        dialog.paintRequested.disconnect()
        dialog.deleteLater()


PREVIEW_PAGES = 40  # above this a preview is slow to build (Qt paints every page first): PDF is offered first


FULL_IDS_WARNING = ("身份证号码属于个人信息。平时打印的号码已脱敏（如 3702**********1234），张贴、上报已经足够。"
                    "只有确需完整号码（如交本人核对、交有权使用的部门）时才打印完整号码，"
                    "打印件和 PDF 文件请妥善保管，用完及时销毁或删除。")


def confirm_full_ids(parent: QWidget, what: str) -> bool:
    """Asked before anything is printed with full ID numbers: what that means, and whether to go on."""
    box = QMessageBox(QMessageBox.Icon.Warning, "打印完整身份证号码", f"{what}将显示完整的身份证号码。", parent=parent)
    box.setInformativeText(FULL_IDS_WARNING)
    go = box.addButton("继续", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(go)  # the user chose the full-number entry a moment ago
    box.setProperty("gridapp_default", True)  # the journey harness goes on, so it reaches the printout
    box.exec()
    return box.clickedButton() is go


def preview_roster(parent: QWidget, store: Store, org_code: str, *, mask: bool = True) -> operations.Operation | None:
    """Gather the roster off the GUI thread, say its scope, then preview it (or save it as PDF).
    ID numbers are masked unless ``mask`` is False, which is asked for (and warned about) first."""
    if not mask and not confirm_full_ids(parent, "网格员花名册"):
        return None

    def work(progress, cancel):
        content = reports.roster(store, org_code, mask=mask, progress=progress, cancel=cancel)
        return content, printing.roster_pages(content)

    def show(result) -> None:
        content, pages = result
        choice = confirm_scope(parent, store, org_code, f"{content.count} 名网格员", pages)
        if choice == "preview":
            preview(parent, content.title, lambda printer: printing.print_roster(content, printer), landscape=True)
        elif choice == "pdf":
            roster_pdf(parent, store, org_code, content=content)

    return operations.run(parent, "正在准备花名册", work, show)


def preview_full_roster(parent: QWidget, store: Store, org_code: str) -> operations.Operation | None:
    return preview_roster(parent, store, org_code, mask=False)


def preview_boards(parent: QWidget, store: Store, org_code: str) -> operations.Operation:
    """Gather the notice boards off the GUI thread, say how many, then preview them (or save as PDF)."""
    def show(boards) -> None:
        choice = confirm_scope(parent, store, org_code, f"{len(boards)} 个网格的公示牌", len(boards))
        if choice == "preview":
            preview(parent, "网格公示牌", lambda printer: printing.print_boards(boards, printer), landscape=False,
                    size=(900, 900))
        elif choice == "pdf":
            boards_pdf(parent, store, org_code, boards=boards)

    return operations.run(parent, "正在准备公示牌", lambda _p, _c: reports.noticeboards(store, org_code), show)


def confirm_scope(parent: QWidget, store: Store, org_code: str, what: str, pages: int) -> str | None:
    """Before printing more than one grid, say what will be printed (“将打印 … 共 N 页”) and ask how:
    "preview", "pdf" (offered first when a preview would be slow), or None (cancelled)."""
    from gridapp.core.services import orgs

    unit = orgs.get(store, org_code)
    if unit.level in ("grid", "microgrid"):
        return "preview"
    text = f"将打印 {unit.name} 全部 {what}，共 {pages} 页。"
    box = QMessageBox(QMessageBox.Icon.Question, "确认打印范围", text, parent=parent)
    if pages > PREVIEW_PAGES:
        box.setInformativeText("页数较多，预览需要较长时间。建议先另存为 PDF，再用 PDF 阅读器查看和打印。")
        pdf = box.addButton("另存为 PDF…", QMessageBox.ButtonRole.AcceptRole)
        go = box.addButton("仍要预览", QMessageBox.ButtonRole.ActionRole)
        box.setDefaultButton(pdf)
    else:
        pdf = None
        go = box.addButton("预览", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(go)
    box.addButton("取消", QMessageBox.ButtonRole.RejectRole)
    box.setProperty("gridapp_default", True)  # the journey harness takes the default answer here
    box.exec()
    clicked = box.clickedButton()
    return "preview" if clicked is go else "pdf" if clicked is pdf and pdf is not None else None


def _ask_pdf(parent: QWidget, name: str) -> Path | None:
    path, _ = QFileDialog.getSaveFileName(parent, "另存为 PDF", f"{name}.pdf", "PDF 文件 (*.pdf)")
    return Path(path) if path else None


def _save_pdf(parent: QWidget, name: str, paint, path: Path | None) -> operations.Operation | None:
    """Ask where (unless ``path`` is given), then run ``paint(path, progress, cancel) -> pages`` off the GUI thread."""
    path = path or _ask_pdf(parent, name)
    if path is None:
        return None
    return operations.run(parent, f"正在生成{name} PDF", lambda p, c: paint(path, p, c),
                          lambda pages: QMessageBox.information(parent, "已生成", f"{name}（{pages} 页）已保存到：\n{path}"))


def roster_pdf(parent: QWidget, store: Store, org_code: str, path: Path | None = None, *,
               content: reports.Roster | None = None) -> operations.Operation | None:
    """The roster of ``org_code`` as PDF; ``content`` when it was gathered already (for the scope question)."""
    return _save_pdf(parent, "网格员花名册", lambda path, p, c: printing.roster_pdf(
        content or reports.roster(store, org_code, progress=p, cancel=c), path, p, c), path)


def boards_pdf(parent: QWidget, store: Store, org_code: str, path: Path | None = None, *,
               boards: list[reports.NoticeBoard] | None = None) -> operations.Operation | None:
    return _save_pdf(parent, "网格公示牌", lambda path, p, c: printing.boards_pdf(
        boards if boards is not None else reports.noticeboards(store, org_code), path, p, c), path)


def preview_table(parent: QWidget, content: reports.Roster) -> None:
    """Print preview of any titled table (rosters, firm lists, rating results), A4 landscape."""
    preview(parent, content.title, lambda printer: printing.print_roster(content, printer), landscape=True)


def table_pdf(parent: QWidget, name: str, make, path: Path | None = None) -> operations.Operation | None:
    """Build a titled table with ``make()`` and save it as PDF, off the GUI thread."""
    return _save_pdf(parent, name, lambda path, p, c: printing.roster_pdf(make(), path, p, c), path)


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


def _guarded(parent: QWidget, store: Store, org_code: Callable[[], str | None], fn) -> Callable[[], None]:
    from gridapp.ui.errors import show_error

    def run():
        code = org_code()
        if not code:
            return
        try:
            fn(parent, store, code)
        except Exception as exc:
            show_error(parent, exc, "无法打印")
    return run


def menu_button(parent: QWidget, text: str, entries: list[tuple[str, Callable[[], None]] | None]) -> QToolButton:
    button = QToolButton(parent)
    button.setText(text)
    button.setIcon(icon("print"))
    button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
    menu = QMenu(button)
    for entry in entries:
        if entry is None:
            menu.addSeparator()
        else:
            menu.addAction(*entry)
    button.setMenu(menu)
    return button


def print_button(parent: QWidget, store: Store, org_code: Callable[[], str | None]) -> QToolButton:
    """A 打印 button whose menu prints for ``org_code()`` (the unit the page has selected)."""
    return menu_button(parent, "打印", [
        ("网格员花名册 — 打印预览…", _guarded(parent, store, org_code, preview_roster)),
        ("网格员花名册 — 另存为 PDF…", _guarded(parent, store, org_code, roster_pdf)),
        ("网格员花名册（完整身份证号码）— 打印预览…", _guarded(parent, store, org_code, preview_full_roster)),
        None,
        ("网格公示牌 — 打印预览…", _guarded(parent, store, org_code, preview_boards)),
        ("网格公示牌 — 另存为 PDF…", _guarded(parent, store, org_code, boards_pdf)),
    ])


def unit_print_buttons(parent: QWidget, store: Store,
                       org_code: Callable[[], str | None]) -> tuple[QToolButton, QToolButton]:
    """打印本网格花名册 and 打印本网格公示牌, for a unit's details panel (``set_unit_print_level`` renames them)."""
    roster = menu_button(parent, "打印本网格花名册", [
        ("打印预览…", _guarded(parent, store, org_code, preview_roster)),
        ("另存为 PDF…", _guarded(parent, store, org_code, roster_pdf)),
        ("完整身份证号码 — 打印预览…", _guarded(parent, store, org_code, preview_full_roster)),
    ])
    boards = menu_button(parent, "打印本网格公示牌", [
        ("打印预览…", _guarded(parent, store, org_code, preview_boards)),
        ("另存为 PDF…", _guarded(parent, store, org_code, boards_pdf)),
    ])
    return roster, boards


def set_unit_print_level(buttons: tuple[QToolButton, QToolButton], level_name: str) -> None:
    """“打印本社区花名册” when a community is selected, and so on."""
    roster, boards = buttons
    roster.setText(f"打印本{level_name}花名册")
    boards.setText(f"打印本{level_name}公示牌")

"""Writing .xlsx: list exports, the 操作记录, import templates and import error reports.

Exports stream rows with openpyxl's write-only mode, so 100,000 rows never sit in memory as cells.
ID numbers and phone numbers are written as text, so Excel does not turn them into numbers.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import gc
import io
import logging
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, NamedStyle, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gridapp.core import codes, lists, oplog
from gridapp.core.errors import Cancelled, ValidationError
from gridapp.core.files import atomic_output, check_target
from gridapp.core.store import Store
from gridapp.io.importer import OUTCOME_NAMES, ImportReport
from gridapp.io.spec import ImportSpec

Progress = Callable[[int, int, str], None]

TITLE_FONT = Font(name="宋体", size=14, bold=True)
HEADER_FONT = Font(name="宋体", size=11, bold=True)
BODY_FONT = Font(name="宋体", size=11)
HEADER_FILL = PatternFill("solid", fgColor="F2DCDB")
THIN = Side(style="thin", color="999999")
WRAP = Alignment(wrap_text=True, vertical="top")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
_TEXT_KEYS = ("phone", "id_number", "credit_code", "code")


@contextlib.contextmanager
def _streaming_workbook() -> Iterator[Workbook]:
    """A write-only workbook, its rows streamed to temporary files; if the export fails or is cancelled,
    they are closed and removed (they hold the rows: personal data), quietly rather than by the garbage
    collector printing "Exception ignored" over the sentence the user reads."""
    wb = Workbook(write_only=True)
    try:
        yield wb
    except BaseException:
        for ws in wb.worksheets:
            with contextlib.suppress(Exception):
                if ws._rows is not None:
                    ws._rows.close()
            writer = ws._writer
            if writer is not None:
                with contextlib.suppress(Exception):
                    writer.close()
                with contextlib.suppress(Exception):
                    writer.cleanup()
        raise


def _log_unraisable(unraisable) -> None:
    logging.getLogger("gridapp").info("after a failed save: %s", unraisable.exc_value)


def _save(wb: Workbook, path: Path, inputs: tuple[Path | str | None, ...] = ()) -> Path:
    """Write next to the target and move into place: a failed or cancelled export leaves no half file.

    The zip is made in memory first (a few MB even for 100,000 rows): a zip writer that fails on a full
    disk cannot be closed cleanly, and its finaliser would print a traceback under the sentence."""
    check_target(path, inputs=inputs)
    buffer = io.BytesIO()
    failure = None
    hook = sys.unraisablehook
    try:
        try:
            wb.save(buffer)  # openpyxl stages each sheet in the system's temporary folder
        except OSError as exc:
            # The half-written staging files' generators are finalised when this exception goes; what they
            # raise then is logged, not printed under the sentence.
            sys.unraisablehook = _log_unraisable
            full = exc.errno in (errno.ENOSPC, errno.EFBIG)
            failure = (f"未能生成 {Path(path).name}：系统临时文件夹 {tempfile.gettempdir()} 所在的磁盘"
                       + ("空间不足" if full else f"无法写入（{exc.strerror or exc}）")
                       + "，请清理该磁盘（通常是 C 盘）后再试")
        gc.collect()
    finally:
        sys.unraisablehook = hook
    if failure:
        raise ValidationError(failure)
    with atomic_output(path, inputs=inputs) as tmp, open(tmp, "wb") as f:
        f.write(buffer.getbuffer())
    return Path(path).expanduser().resolve()


def _cell(ws, value, *, font=BODY_FONT, fill=None, text=False, border=True) -> WriteOnlyCell:
    c = WriteOnlyCell(ws, value=value)
    c.font = font
    if fill is not None:
        c.fill = fill
    if border:
        c.border = BORDER
    if text:
        c.number_format = "@"
    return c


def export_list(store: Store, spec: lists.ListSpec, query: lists.Query, path: Path | str, *,
                title: str | None = None, mask_ids: bool = True, progress: Progress | None = None,
                cancel: threading.Event | None = None) -> int:
    """Export a list with its current search, filters and order; returns the number of rows.

    ID numbers are masked (3702**********1234) unless ``mask_ids`` is False: the user asked for them in full.
    """
    check_target(path)  # refused before any work, not after it
    with _streaming_workbook() as wb:
        ws = wb.create_sheet(spec.title[:31])
        ws.freeze_panes = "A3"
        for i, col in enumerate(spec.columns, 1):
            ws.column_dimensions[get_column_letter(i)].width = max(6, col.width / 7)
        with store.engine.connect() as conn:
            rowids = lists.query_rowids(conn, spec, query)
            total = len(rowids)
            heading = title or f"{store.site.name if store.site else ''}{spec.title}"
            ws.append([_cell(ws, heading, font=TITLE_FONT, border=False)])
            ws.append([_cell(ws, c.title, font=HEADER_FONT, fill=HEADER_FILL) for c in spec.columns])
            text_cols = [c.kind == "id_number" or any(k in c.key for k in _TEXT_KEYS) for c in spec.columns]
            for start in range(0, total, 1000):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                chunk = rowids[start : start + 1000]
                values = lists.fetch_rows(conn, spec, chunk)
                for rid in chunk:
                    row = values[rid]
                    out = []
                    for col, raw, as_text in zip(spec.columns, row, text_cols, strict=True):
                        if col.kind in ("int", "float") and raw is not None:
                            out.append(_cell(ws, raw))
                        else:
                            shown = col.display(raw, reveal=not mask_ids)
                            out.append(_cell(ws, shown, text=as_text))
                    ws.append(out)
                if progress:
                    progress(min(start + 1000, total), total, f"正在导出 {min(start + 1000, total):,} / {total:,} 行")
            ws.append([])
            ws.append([_cell(ws, f"共 {total} 条，导出时间 {dt.datetime.now():%Y-%m-%d %H:%M}", border=False)])
        _save(wb, Path(path))
    return total


EXCEL_MAX_ROWS = 1_048_576
_OPLOG_COLUMNS = (("时间", 20), ("操作人", 14), ("操作", 7), ("类别", 12), ("对象", 36), ("变更内容", 90))


def export_oplog(store: Store, query: oplog.LogQuery, path: Path | str, *, title: str | None = None,
                 progress: Progress | None = None, cancel: threading.Event | None = None) -> int:
    """The 操作记录 a query shows, newest first, one row per entry with each change on its own line; returns
    the number of entries (a sheet holds about a million: past that the sheet says it stopped)."""
    check_target(path)  # refused before any work, not after it
    with _streaming_workbook() as wb:
        # One named style for the body: styling each cell by its font, border and alignment costs 3 times as long.
        wb.add_named_style(NamedStyle("操作记录", font=BODY_FONT, border=BORDER, alignment=WRAP))
        ws = wb.create_sheet("操作记录")
        ws.freeze_panes = "A3"
        for i, (_t, width) in enumerate(_OPLOG_COLUMNS, 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        ws.append([_cell(ws, title or f"{store.site.name if store.site else ''}操作记录", font=TITLE_FONT, border=False)])
        ws.append([_cell(ws, t, font=HEADER_FONT, fill=HEADER_FILL) for t, _w in _OPLOG_COLUMNS])
        room = EXCEL_MAX_ROWS - 4
        n = 0
        for e in oplog.entries(store, query, progress=progress, cancel=cancel):
            if n == room:
                ws.append([_cell(ws, f"已达到 Excel 的行数上限，仅导出最新的 {n:,} 条；请按日期分段导出其余记录", border=False)])
                break
            cells = [WriteOnlyCell(ws, value=v) for v in (e.when, e.actor, e.op_name, e.kind, e.name, e.details)]
            for c in cells:
                c.style = "操作记录"  # wrapped at the top: a long change list is several lines, the rest stays level
            ws.append(cells)
            n += 1
        ws.append([])
        ws.append([_cell(ws, f"共 {n} 条，导出时间 {dt.datetime.now():%Y-%m-%d %H:%M}", border=False)])
        _save(wb, Path(path))
    return n


def write_template(spec: ImportSpec, path: Path | str) -> Path:
    """An import template: the header, an example row, drop-downs for coded columns, and instructions."""
    wb = Workbook()
    ws = wb.active
    ws.title = spec.title[:31]
    ws.append([f"{spec.title}（导入模板，请从第3行起填写，示例行可删除）"])
    ws["A1"].font = TITLE_FONT
    ws.append([("*" if f.required else "") + f.title for f in spec.fields])
    ws.append([f.example for f in spec.fields])
    for i, f in enumerate(spec.fields, 1):
        letter = get_column_letter(i)
        head = ws[f"{letter}2"]
        head.font, head.fill, head.border = HEADER_FONT, HEADER_FILL, BORDER
        head.alignment = Alignment(horizontal="center")
        ws.column_dimensions[letter].width = max(10, len(f.example) * 1.3 + 2, len(f.title) * 2.2)
        ws[f"{letter}3"].font = Font(name="宋体", size=11, color="808080")
        if any(k in f.key for k in _TEXT_KEYS):
            for r in range(3, 1003):
                ws[f"{letter}{r}"].number_format = "@"
        table = _code_table_of(f)
        if table is not None:
            names = ",".join(n for _c, n in table.items)
            if len(names) < 250:
                dv = DataValidation(type="list", formula1=f'"{names}"', allow_blank=True)
                dv.error, dv.errorTitle = f"请从列表中选择{f.title}", "输入有误"
                ws.add_data_validation(dv)
                dv.add(f"{letter}3:{letter}1002")
    ws.freeze_panes = "A3"
    help_ws = wb.create_sheet("填写说明")
    help_ws.append(["列名", "是否必填", "填写说明", "可填的值"])
    for c in help_ws[1]:
        c.font, c.fill = HEADER_FONT, HEADER_FILL
    for f in spec.fields:
        table = _code_table_of(f)
        allowed = "、".join(n for _c, n in table.items) if table else ""
        help_ws.append([f.title, "必填" if f.required else "", f.note, allowed])
    for letter, width in zip("ABCD", (14, 10, 50, 60), strict=True):
        help_ws.column_dimensions[letter].width = width
    return _save(wb, Path(path))


def _code_table_of(f) -> codes.CodeTable | None:
    return getattr(f.parse, "code_table", None)


def _as_shown(v: object) -> object:
    """Large numbers (a mangled ID number) as Excel showed them, not in scientific notation."""
    if isinstance(v, float) and v.is_integer() and abs(v) >= 1e11:
        return f"{v:.0f}"
    return v


def write_error_report(report: ImportReport, path: Path | str) -> Path:
    """Rejected rows with the original row number, the column and the reason, then the row as it was;
    rows that went in with a note on a sheet of their own."""
    wb = Workbook()
    ws = wb.active
    ws.title = "未导入的行"
    ws.append([f"{report.title}导入错误报告：{Path(report.file).name}（工作表“{report.sheet}”），"
               f"{report.summary()}；生成于 {dt.datetime.now():%Y-%m-%d %H:%M}"])
    ws["A1"].font = TITLE_FONT
    ws.append(["原表行号", "出错的列", "原因", *report.columns])
    for c in ws[2]:
        c.font, c.fill, c.border = HEADER_FONT, HEADER_FILL, BORDER
    for r in report.rejected:
        for column, reason in r.problems:
            values = [_as_shown(r.values[i] if i < len(r.values) else None) for i in report.column_indexes]
            ws.append([r.number, column, reason, *values])
    for letter, width in zip("ABC", (10, 14, 60), strict=True):
        ws.column_dimensions[letter].width = width
    for i in range(len(report.columns)):
        ws.column_dimensions[get_column_letter(i + 4)].width = 14
    ws.freeze_panes = "A3"
    if report.noted:
        notes = wb.create_sheet("导入提示")
        notes.append(["原表行号", "名称", "涉及的列", "提示（该行已导入）"])
        for c in notes[1]:
            c.font, c.fill, c.border = HEADER_FONT, HEADER_FILL, BORDER
        for r in report.noted:
            for column, reason in r.notes:
                notes.append([r.number, r.label, column, reason])
        for letter, width in zip("ABCD", (10, 30, 14, 70), strict=True):
            notes.column_dimensions[letter].width = width
    summary = wb.create_sheet("汇总")
    summary.append(["结果", "行数"])
    for key, n in report.counts().items():
        summary.append([OUTCOME_NAMES[key], n])
    return _save(wb, Path(path), inputs=(report.file,))


def write_letters(letters, path: Path | str) -> Path:
    """The feedback letters' tables as one sheet (a 报到单位 column first), for units that want Excel."""
    with _streaming_workbook() as wb:
        ws = wb.create_sheet("反馈")
        ws.freeze_panes = "A3"
        title = letters[0].title if letters else "在职党员报到服务情况反馈"
        ws.append([_cell(ws, title, font=TITLE_FONT, border=False)])
        columns = ("报到单位", *(letters[0].table.columns if letters else ()))
        ws.append([_cell(ws, c, font=HEADER_FONT, fill=HEADER_FILL) for c in columns])
        for i, width in enumerate((30, 6, 10, 12, 10, 12, 10, 12, 14, 8, 10), 1):
            ws.column_dimensions[get_column_letter(i)].width = width
        for letter in letters:
            for row in letter.table.rows:
                values = [letter.unit_name, int(row[0]), *row[1:6], int(row[6]), float(row[7]), float(row[8]), row[9]]
                ws.append([_cell(ws, v) for v in values])
        return _save(wb, Path(path))

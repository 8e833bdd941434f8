"""Writing .xlsx: list exports, the 操作记录, import templates and import error reports.

Lists, the 操作记录 and feedback sheets stream their rows with XlsxWriter in constant-memory mode (each row goes to a
private scratch folder as it is written; a styled cell costs a format reference, not a style object), so 100,000
rows never sit in memory as cells; a list's body rows skip XlsxWriter's per-cell calls (see xlsx_body). Templates and error reports, small and full of drop-downs and notes, use openpyxl.
Every value is written as what it is — text as text, never read as a formula or a number — so ID numbers and phone
numbers stay text and a name beginning with “=” stays a name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import gc
import io
import logging
import shutil
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from gridapp.core import audit, codes, lists, oplog
from gridapp.core.errors import Cancelled, ValidationError
from gridapp.core.files import atomic_output, check_target
from gridapp.core.store import Store
from gridapp.io import xlsx_body
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
EXPORT_CHUNK = 1000  # list rows read, made and deflated at a time


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


class _Rows:
    """One sheet of a streaming XlsxWriter workbook, written row by row in the product's styles."""

    def __init__(self, wb, name: str):
        self.ws = wb.add_worksheet(name)
        self.row = 0
        self.spliced: tuple[int, int, Iterator[str]] | None = None
        self.last: list = []  # the formats of the row XlsxWriter holds until the next one
        base = {"font_name": "宋体", "font_size": 11, "valign": "top"}
        boxed = {**base, "border": 1, "border_color": "#999999"}
        self.title_format = wb.add_format({**base, "font_size": 14, "bold": True, "valign": "vcenter"})
        self.plain = wb.add_format(base)
        self.header_format = wb.add_format({**boxed, "bold": True, "bg_color": "#F2DCDB"})
        self.body = wb.add_format(boxed)
        self.text = wb.add_format({**boxed, "num_format": "@"})
        self.wrapped = wb.add_format({**boxed, "text_wrap": True})
        self.date = wb.add_format({**boxed, "num_format": "yyyy-mm-dd"})
        self.stamp = wb.add_format({**boxed, "num_format": "yyyy-mm-dd hh:mm"})

    def widths(self, widths) -> None:
        for i, w in enumerate(widths):
            self.ws.set_column(i, i, w)

    def line(self, text: str, *, title: bool = False) -> None:
        self.last = [self.title_format if title else self.plain]
        self.ws.write_string(self.row, 0, text, self.last[0])
        self.row += 1

    def header(self, titles) -> None:
        for j, t in enumerate(titles):
            self.ws.write_string(self.row, j, t, self.header_format)
        self.last = [self.header_format]
        self.row += 1

    def values(self, values, formats) -> None:
        """One row; ``formats`` gives each column's format (text columns keep “@” so Excel leaves them text)."""
        ws, r = self.ws, self.row
        for j, (v, fmt) in enumerate(zip(values, formats, strict=True)):
            if v is None or v == "":
                ws.write_blank(r, j, None, fmt)
            elif isinstance(v, bool):
                ws.write_string(r, j, "是" if v else "否", fmt)
            elif isinstance(v, int | float):
                ws.write_number(r, j, v, fmt)
            elif isinstance(v, dt.datetime):
                ws.write_datetime(r, j, v, self.stamp)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, j, v, self.date)
            else:
                ws.write_string(r, j, str(v), fmt)
        self.last = list(formats)
        self.row += 1

    def skip(self) -> None:
        self.row += 1

    def stream_rows(self, n: int, formats, chunks: Callable[[xlsx_body.Body, int], Iterator[str]], *,
                    dates: bool = False) -> None:
        """``n`` rows in ``formats`` made as markup when the workbook is saved: ``chunks(body, first)`` gives
        them, a chunk at a time, from sheet row ``first`` (1-based); without XlsxWriter's per-cell calls.
        ``dates``: the rows may hold dates and times (their formats then join the workbook's styles)."""
        if n:
            # Style indexes are given in order of first use: the row XlsxWriter still holds comes first, so
            # styles.xml is the one a row-by-row sheet gets.
            used = [*self.last, *formats, *((self.date, self.stamp) if dates else ())]
            index = {id(f): f._get_xf_index() for f in used}
            maker = xlsx_body.Body([index[id(f)] for f in formats], date_style=index.get(id(self.date)),
                                   stamp_style=index.get(id(self.stamp)))
            self.spliced = (self.row, n * len(formats), chunks(maker, self.row + 1))
            self.last = list(formats)
        self.row += n


@contextlib.contextmanager
def _stream(path: Path | str, *, inputs: tuple[Path | str | None, ...] = ()) -> Iterator[Callable[[str], _Rows]]:
    """A streaming workbook saved onto ``path`` when the block ends normally. Its rows are staged in a private
    scratch folder of the system's temporary folder, removed whatever happens (they hold personal data); rows
    laid out by ``stream_rows`` are made and deflated into the zip as it is saved. The zip is made in memory (a few MB for 100,000 rows) and then written beside the target and moved into place, so a
    failed or cancelled export leaves no half file and a full disk is a sentence, not a zip writer's traceback."""
    import xlsxwriter

    check_target(path, inputs=inputs)
    try:
        scratch = Path(tempfile.mkdtemp(prefix="gridapp-export-"))
    except OSError as exc:
        raise ValidationError(_scratch_failure(path, exc)) from None
    buffer = io.BytesIO()
    try:
        wb = xlsxwriter.Workbook(buffer, {"constant_memory": True, "tmpdir": str(scratch),
                                          "strings_to_numbers": False, "strings_to_formulas": False,
                                          "strings_to_urls": False})
        sheets: list[_Rows] = []

        def sheet(name: str) -> _Rows:
            sheets.append(_Rows(wb, name))
            return sheets[-1]

        try:
            yield sheet
            wb.close()
            bodies = {f"xl/worksheets/sheet{i}.xml": s.spliced for i, s in enumerate(sheets, 1) if s.spliced}
            if bodies:
                buffer = xlsx_body.splice(buffer, bodies)
        except BaseException:
            for ws in wb.worksheets():
                with contextlib.suppress(Exception):
                    ws._opt_close()
            raise
    except OSError as exc:  # staging the rows in the scratch folder failed
        raise ValidationError(_scratch_failure(path, exc)) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    with atomic_output(path, inputs=inputs) as tmp, open(tmp, "wb") as f:
        f.write(buffer.getbuffer())


def _scratch_failure(path: Path | str, exc: OSError) -> str:
    full = exc.errno in (errno.ENOSPC, errno.EFBIG)
    return (f"未能生成 {Path(path).name}：系统临时文件夹 {tempfile.gettempdir()} 所在的磁盘"
            + ("空间不足" if full else f"无法写入（{exc.strerror or exc}）") + "，请清理该磁盘（通常是 C 盘）后再试")


def _export_rule(_store: Store, spec: lists.ListSpec, _query, path, *, mask_ids: bool = True, **_kw):
    full = not mask_ids and any(c.kind == "id_number" for c in spec.columns)
    return ("export_ids", "export_ids", f"导出{spec.title}（含完整身份证号码）到 {Path(path).name}") if full else \
        ("export", "export", f"导出{spec.title}到 {Path(path).name}")


@audit.guard(_export_rule, lambda n: f"，共 {n} 条")
def export_list(store: Store, spec: lists.ListSpec, query: lists.Query, path: Path | str, *,
                title: str | None = None, mask_ids: bool = True, progress: Progress | None = None,
                cancel: threading.Event | None = None) -> int:
    """Export a list with its current search, filters and order; returns the number of rows.

    ID numbers are masked (3702**********1234) unless ``mask_ids`` is False: the user asked for them in full.
    """
    check_target(path)  # refused before any work, not after it
    with store.engine.connect() as conn, _stream(path) as sheet:
        out = sheet(spec.title[:31])
        out.ws.freeze_panes(2, 0)
        out.widths(max(6, col.width / 7) for col in spec.columns)
        rowids = lists.query_rowids(conn, spec, query)
        total = len(rowids)
        out.line(title or f"{store.site.name if store.site else ''}{spec.title}", title=True)
        out.header([c.title for c in spec.columns])
        formats = [out.text if c.kind == "id_number" or any(k in c.key for k in _TEXT_KEYS) else out.body
                   for c in spec.columns]
        numeric = [c.kind in ("int", "float") for c in spec.columns]
        shown = [c.display for c in spec.columns]
        reveal = not mask_ids

        def chunks(body: xlsx_body.Body, first: int) -> Iterator[str]:
            step = EXPORT_CHUNK
            for start in range(0, total, step):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                chunk = rowids[start : start + step]
                values = lists.fetch_rows(conn, spec, chunk)
                yield body.rows(([raw if is_number and raw is not None else show(raw, reveal=reveal)
                                  for raw, is_number, show in zip(values[rid], numeric, shown, strict=True)]
                                 for rid in chunk), first + start)
                if progress:
                    progress(min(start + step, total), total, f"正在导出 {min(start + step, total):,} / {total:,} 行")

        out.stream_rows(total, formats, chunks)
        out.skip()
        out.line(f"共 {total} 条，导出时间 {dt.datetime.now():%Y-%m-%d %H:%M}")
    return total


EXCEL_MAX_ROWS = 1_048_576
_OPLOG_COLUMNS = (("时间", 20), ("操作人", 14), ("操作", 7), ("类别", 12), ("对象", 36), ("变更内容", 90))


@audit.guard(lambda _s, _q, path, **_k: ("export", "export", f"导出操作记录到 {Path(path).name}"),
             lambda n: f"，共 {n} 条")
def export_oplog(store: Store, query: oplog.LogQuery, path: Path | str, *, title: str | None = None,
                 progress: Progress | None = None, cancel: threading.Event | None = None) -> int:
    """The 操作记录 a query shows, newest first, one row per entry with each change on its own line; returns
    the number of entries (a sheet holds about a million: past that the sheet says it stopped)."""
    check_target(path)  # refused before any work, not after it
    with _stream(path) as sheet:
        out = sheet("操作记录")
        out.ws.freeze_panes(2, 0)
        out.widths(w for _t, w in _OPLOG_COLUMNS)
        out.line(title or f"{store.site.name if store.site else ''}操作记录", title=True)
        out.header([t for t, _w in _OPLOG_COLUMNS])
        # wrapped at the top: a long change list is several lines, the rest stays level
        formats = [out.wrapped] * len(_OPLOG_COLUMNS)
        room = EXCEL_MAX_ROWS - 4
        n = 0
        for e in oplog.entries(store, query, progress=progress, cancel=cancel):
            if n == room:
                out.line(f"已达到 Excel 的行数上限，仅导出最新的 {n:,} 条；请按日期分段导出其余记录")
                break
            out.values((e.when, e.actor, e.op_name, e.kind, e.name, e.details), formats)
            n += 1
        out.skip()
        out.line(f"共 {n} 条，导出时间 {dt.datetime.now():%Y-%m-%d %H:%M}")
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
    with _stream(path) as sheet:
        out = sheet("反馈")
        out.ws.freeze_panes(2, 0)
        out.line(letters[0].title if letters else "在职党员报到服务情况反馈", title=True)
        columns = ("报到单位", *(letters[0].table.columns if letters else ()))
        out.header(columns)
        out.widths((30, 6, 10, 12, 10, 12, 10, 12, 14, 8, 10)[: max(len(columns), 1)])
        for letter in letters:
            for row in letter.table.rows:
                values = [letter.unit_name, int(row[0]), *row[1:6], int(row[6]), float(row[7]), float(row[8]), row[9]]
                out.values(values, [out.body] * len(values))
    return Path(path).expanduser().resolve()

"""Painting printouts with Qt: rosters and notice boards, to a printer, a preview or a PDF.

No bold anywhere: the shipped font has no bold face, and Qt's synthetic bold draws every glyph
twice, which doubles the text people copy out of the PDF.

Content comes from ``gridapp.io.reports``; this module only lays it out. Layout uses a fixed
96-dpi reference device, so pages look the same on screen previews, printers and PDFs, and the
shipped CJK font is embedded in PDFs as real text.
"""

from __future__ import annotations

import html
import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QFont,
    QImage,
    QPageLayout,
    QPageSize,
    QPainter,
    QTextDocument,
)
from PySide6.QtPrintSupport import QPrinter

from gridapp.core.errors import Cancelled
from gridapp.io.reports import Letter, NoticeBoard, RegistrationForm, Roster, Table
from gridapp.ui import theme

Progress = Callable[[int, int, str], None]
REF_DPI = 96  # layout units: 96 per inch
_MM = REF_DPI / 25.4
_HEADER_H = _FOOTER_H = 8 * _MM  # running title above, page number below


def _reference_device() -> QImage:
    img = QImage(1, 1, QImage.Format.Format_RGB32)
    dpm = round(REF_DPI / 0.0254)
    img.setDotsPerMeterX(dpm)
    img.setDotsPerMeterY(dpm)
    return img


_REF: QImage | None = None


def _document(html_text: str, width: float) -> QTextDocument:
    global _REF
    if _REF is None:
        _REF = _reference_device()
    theme.load_fonts()
    doc = QTextDocument()
    doc.documentLayout().setPaintDevice(_REF)
    font = QFont(theme.SHIPPED_FAMILY)
    font.setPointSizeF(10)
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setTextWidth(width)
    doc.setHtml(html_text)
    return doc


def make_printer(path: Path | None = None, *, landscape: bool) -> QPrinter:
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    layout = QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                         QPageLayout.Orientation.Landscape if landscape else QPageLayout.Orientation.Portrait,
                         QMarginsF(15, 15, 15, 15), QPageLayout.Unit.Millimeter)
    printer.setPageLayout(layout)
    if path is not None:
        printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        printer.setOutputFileName(str(path))
        printer.setFontEmbeddingEnabled(True)
        printer.setCreator("gridapp")
    return printer


def _page_box(printer: QPrinter) -> QRectF:
    """The printable area in layout units (96 per inch), origin at the printable corner."""
    rect = printer.pageLayout().paintRect(QPageLayout.Unit.Millimeter)
    return QRectF(0, 0, rect.width() * _MM, rect.height() * _MM)


def _esc(text: object) -> str:
    return html.escape(str(text or ""))


def table_html(t: Table, font_pt: int = 9) -> str:
    total = sum(t.widths)
    head = "".join(f'<th width="{w * 100 / total:.1f}%">{_esc(c)}</th>' for c, w in zip(t.columns, t.widths, strict=True))
    body = "".join("<tr>" + "".join(f"<td>{_esc(v)}</td>" for v in row) + "</tr>" for row in t.rows)
    return (f'<table width="100%" border="1" cellspacing="0" cellpadding="3" style="font-size:{font_pt}pt">'
            f'<thead><tr style="background-color:#e8e8e8">{head}</tr></thead><tbody>{body}</tbody></table>')


# -- 双报到 feedback letters ------------------------------------------------------------------------------

def letter_html(letter: Letter) -> str:
    d = letter.issued_on
    return f"""
    <h1 style="font-size:18pt; font-weight:normal" align="center">{_esc(letter.title)}</h1>
    <p style="font-size:12pt">{_esc(letter.addressee)}：</p>
    <p style="font-size:12pt; text-indent:24pt">{_esc(letter.body)}</p>
    {table_html(letter.table, 10)}
    <p style="font-size:9pt">注：{_esc(letter.note)}</p>
    <br/><br/>
    <table width="100%" style="font-size:12pt"><tr><td width="55%"></td>
      <td align="center">{_esc(letter.issuer)}（盖章）<br/><br/>负责人（签字）：<br/><br/>{d.year}年{d.month}月{d.day}日</td>
    </tr></table>
    """


def print_letters(letters: list[Letter], printer: QPrinter, progress: Progress | None = None,
                  cancel: threading.Event | None = None) -> int:
    docs = [(letter_html(x), f"{x.title}（{x.unit_name}，续）") for x in letters]
    return _paint_paged(printer, docs, progress, cancel)


def letters_pdf(letters: list[Letter], path: Path | str, progress: Progress | None = None,
                cancel: threading.Event | None = None) -> int:
    return _to_pdf(path, False, lambda p: print_letters(letters, p, progress, cancel))


# -- 在职党员到社区报到登记表 ----------------------------------------------------------------------------

def form_html(f: RegistrationForm) -> str:
    cells = "".join(
        f'<tr><td width="16%" align="center">{_esc(a)}</td><td width="34%">{_esc(b)}</td>'
        f'<td width="16%" align="center">{_esc(c)}</td><td width="34%">{_esc(d)}</td></tr>' for a, b, c, d in f.rows)
    tall = 'style="height:90px"'
    return f"""
    <h1 style="font-size:20pt; font-weight:normal" align="center">在职党员到社区报到登记表</h1>
    <p style="font-size:11pt" align="right">报到社区：{_esc(f.community)}</p>
    <table width="100%" border="1" cellspacing="0" cellpadding="8" style="font-size:12pt">{cells}
      <tr><td align="center">认领服务岗位</td><td colspan="3">{_esc(f.service_post)}</td></tr>
      <tr><td align="center" {tall}>个人特长及<br/>服务意愿</td><td colspan="3"></td></tr>
      <tr><td align="center" {tall}>社区党组织<br/>意见</td><td colspan="3"><br/><br/><br/>
        {"&emsp;" * 16}（盖章）&emsp;&emsp;&emsp;年&emsp;&emsp;月&emsp;&emsp;日</td></tr>
      <tr><td align="center" {tall}>所在单位<br/>党组织意见</td><td colspan="3"><br/><br/><br/>
        {"&emsp;" * 16}（盖章）&emsp;&emsp;&emsp;年&emsp;&emsp;月&emsp;&emsp;日</td></tr>
    </table>
    <p style="font-size:10pt">本表一式两份，社区党组织和党员所在单位党组织各存一份。</p>
    """


def print_forms(forms: list[RegistrationForm], printer: QPrinter, progress: Progress | None = None,
                cancel: threading.Event | None = None) -> int:
    return _paint_paged(printer, [(form_html(f), "在职党员到社区报到登记表（续）") for f in forms], progress, cancel)


def forms_pdf(forms: list[RegistrationForm], path: Path | str, progress: Progress | None = None,
              cancel: threading.Event | None = None) -> int:
    return _to_pdf(path, False, lambda p: print_forms(forms, p, progress, cancel))


# -- 网格员花名册 ------------------------------------------------------------------------------------------

def roster_html(r: Roster) -> str:
    d = r.issued_on
    return f"""
    <h1 style="font-size:20pt; font-weight:normal" align="center">{_esc(r.title)}</h1>
    <table width="100%" style="font-size:10pt"><tr>
      <td>填报单位（盖章）：{_esc(r.issuer)}</td>
      <td align="center">填报日期：{d.year}年{d.month}月{d.day}日</td>
      <td align="right">{f"共 {r.count} {_esc(r.counted)}" if r.counted else ""}</td></tr></table>
    {f'<p style="font-size:11pt">{_esc(r.summary)}</p>' if r.summary else ''}
    {table_html(r.table)}
    {f'<p style="font-size:9pt">说明：{_esc(r.note)}</p>' if r.note else ''}
    <br/><table width="100%" style="font-size:11pt"><tr>
      <td>填表人（签字）：</td><td>审核人（签字）：</td><td>负责人（签字）：</td><td align="right">（单位盖章）</td>
    </tr></table>
    """


def _paint_paged(printer: QPrinter, docs: list[tuple[str, str]], progress: Progress | None,
                 cancel: threading.Event | None) -> int:
    """Paint documents (html, running title) one after another, each numbered “第 n 页 共 m 页” on its own,
    with the running title on its continuation pages; returns the total page count."""
    box = _page_box(printer)
    header_h, footer_h = _HEADER_H, _FOOTER_H
    body = QRectF(0, header_h, box.width(), box.height() - header_h - footer_h)
    laid_out = []
    for doc_html, title in docs:
        doc = _document(doc_html, box.width())
        doc.setPageSize(QSizeF(box.width(), body.height()))
        laid_out.append((doc, title, doc.pageCount()))
    total = sum(n for _d, _t, n in laid_out)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("无法开始打印（打印机不可用，或输出文件无法写入）")
    done = 0
    try:
        scale = printer.resolution() / REF_DPI
        painter.scale(scale, scale)
        small = QFont(theme.SHIPPED_FAMILY)
        small.setPixelSize(round(8 * REF_DPI / 72))  # 8 pt in layout units (the painter is scaled)
        for doc, running_title, pages in laid_out:
            for i in range(pages):
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                if done:
                    printer.newPage()
                painter.save()
                painter.translate(0, header_h - i * body.height())
                clip = QRectF(0, i * body.height(), box.width(), body.height())
                painter.setClipRect(clip)
                doc.drawContents(painter, clip)
                painter.restore()
                painter.setFont(small)
                if i:
                    painter.drawText(QRectF(0, 0, box.width(), header_h - 2 * _MM),
                                     Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignBottom, running_title)
                painter.drawText(QRectF(0, box.height() - footer_h + 2 * _MM, box.width(), footer_h - 2 * _MM),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                                 f"第 {i + 1} 页 共 {pages} 页")
                done += 1
                if progress:
                    progress(done, total, f"正在排版第 {done} / {total} 页")
    finally:
        painter.end()
    return total


def print_roster(r: Roster, printer: QPrinter, progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> int:
    return _paint_paged(printer, [(roster_html(r), f"{r.title}（续）")], progress, cancel)


def roster_pages(r: Roster) -> int:
    """How many A4 landscape pages ``print_roster`` will paint (laid out, not painted)."""
    box = _page_box(make_printer(landscape=True))
    doc = _document(roster_html(r), box.width())
    doc.setPageSize(QSizeF(box.width(), box.height() - _HEADER_H - _FOOTER_H))
    return doc.pageCount()


def roster_pdf(r: Roster, path: Path | str, progress: Progress | None = None,
               cancel: threading.Event | None = None) -> int:
    return _to_pdf(path, True, lambda p: print_roster(r, p, progress, cancel))


# -- 网格公示牌 --------------------------------------------------------------------------------------------

def _photo_image(data: bytes | None) -> QImage | None:
    if not data:
        return None
    img = QImage()
    return img if img.loadFromData(data) and not img.isNull() else None


def _placeholder() -> QImage:
    """A grey “照片” card for a worker without a photo."""
    img = QImage(240, 320, QImage.Format.Format_RGB32)
    img.fill(0xEEEEEE)
    p = QPainter(img)
    font = QFont(theme.SHIPPED_FAMILY)
    font.setPixelSize(40)
    p.setFont(font)
    p.setPen(Qt.GlobalColor.gray)
    p.drawRect(0, 0, 239, 319)
    p.drawText(img.rect(), Qt.AlignmentFlag.AlignCenter, "照片")
    p.end()
    return img


def board_html(b: NoticeBoard) -> tuple[str, dict[str, QImage]]:
    images: dict[str, QImage] = {"placeholder": _placeholder()}
    cells = []
    for i, m in enumerate(b.members):
        img = _photo_image(m.photo)
        name = "placeholder"
        if img is not None:
            name = f"photo{i}"
            images[name] = img.scaled(240, 320, Qt.AspectRatioMode.KeepAspectRatioByExpanding,
                                      Qt.TransformationMode.SmoothTransformation).copy(0, 0, 240, 320)
        cells.append(f'<td align="center" valign="top" width="33%"><img src="{name}" width="120" height="160"/>'
                     f'<p style="font-size:15pt">{_esc(m.name)}</p>'
                     f'<p style="font-size:12pt">{_esc(m.role)}<br/>{_esc(m.phone)}</p></td>')
    rows = "".join("<tr>" + "".join(cells[i : i + 3]) + "</tr>" for i in range(0, len(cells), 3))
    if not cells:
        rows = '<tr><td align="center">（暂无在岗网格员）</td></tr>'
    facts = f"网格编码：{_esc(b.code)}"
    if b.grid_type:
        facts += f"&nbsp;&nbsp;&nbsp;&nbsp;网格类型：{_esc(b.grid_type)}"
    if b.households is not None:
        facts += f"&nbsp;&nbsp;&nbsp;&nbsp;户数：{b.households}"
    if b.population is not None:
        facts += f"&nbsp;&nbsp;&nbsp;&nbsp;人口：{b.population}"
    text = f"""
    <style> h1 {{ font-size: 30pt; font-weight: normal; text-align: center; color: #b71c1c; margin: 0; }} </style>
    <h1>{_esc(b.title)}公示牌</h1>
    <p style="font-size:13pt" align="center">{facts}</p>
    <hr/>
    <p style="font-size:14pt">四至范围：{_esc(b.boundary) or "（未填写）"}</p>
    {f'<p style="font-size:14pt">所属单位：{_esc(b.special_unit)}</p>' if b.special_unit else ""}
    <p style="font-size:14pt">网格党组织：{_esc(b.party_org) or "（未填写）"}</p>
    <p style="font-size:16pt; color:#b71c1c">网格服务团队</p>
    <table width="100%" cellspacing="10">{rows}</table>
    <hr/>
    <p style="font-size:18pt" align="center">监督电话：{_esc(b.supervision_phone) or "（未填写）"}</p>
    <p style="font-size:12pt" align="right">{_esc(b.issuer)}</p>
    """
    return text, images


def print_boards(boards: list[NoticeBoard], printer: QPrinter, progress: Progress | None = None,
                 cancel: threading.Event | None = None) -> int:
    """One A4 portrait page per grid; a board too long for a page is scaled down to fit."""
    box = _page_box(printer)
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("无法开始打印（打印机不可用，或输出文件无法写入）")
    try:
        scale = printer.resolution() / REF_DPI
        for i, b in enumerate(boards):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            if i:
                printer.newPage()
            text, images = board_html(b)
            doc = _document("", box.width())
            for name, img in images.items():
                doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(name), img)
            doc.setHtml(text)
            fit = min(1.0, box.height() / max(doc.size().height(), 1))
            painter.save()
            painter.scale(scale * fit, scale * fit)
            doc.drawContents(painter, QRectF(0, 0, box.width(), box.height() / fit))
            painter.restore()
            if progress:
                progress(i + 1, len(boards), f"正在排版第 {i + 1} / {len(boards)} 张公示牌")
    finally:
        painter.end()
    return len(boards)


def boards_pdf(boards: list[NoticeBoard], path: Path | str, progress: Progress | None = None,
               cancel: threading.Event | None = None) -> int:
    return _to_pdf(path, False, lambda p: print_boards(boards, p, progress, cancel))


def _to_pdf(path: Path | str, landscape: bool, paint: Callable[[QPrinter], int]) -> int:
    """Paint into a temporary file and move it into place: a cancelled job leaves no half PDF."""
    from gridapp.core.files import atomic_output

    with atomic_output(path) as tmp:
        printer = make_printer(tmp, landscape=landscape)
        pages = paint(printer)
        del printer  # flush the PDF to disk
        _check_complete(tmp, Path(path))
    return pages


def _check_complete(pdf: Path, target: Path) -> None:
    """Qt reports no write error: a PDF cut short (a full disk, a stick pulled out) lacks its closing %%EOF."""
    from gridapp.core.errors import ValidationError

    with open(pdf, "rb") as f:
        f.seek(0, 2)
        size = f.tell()
        f.seek(max(0, size - 1024))
        tail = f.read()
    if b"%%EOF" not in tail:
        raise ValidationError(f"磁盘空间不足或 U 盘已拔出：PDF 文件 {target.name} 没有写完整，未保存")

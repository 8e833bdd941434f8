"""Real PDFs, read back as text: every roster page carries the header row and its page number."""

import re

import pytest
from pypdf import PdfReader

from gridapp.core.services import grids, workers
from gridapp.io import reports
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from gridapp.ui import printing
from tests.conftest import SAMPLES


@pytest.fixture
def staffed(gridded):
    run_import(gridded, handler("workers"), SAMPLES / "网格员花名册-示例.xlsx", commit=True)
    return gridded


def test_roster_pdf_pages(qapp, demo_db, tmp_path):
    from gridapp.core.store import Store

    with Store(demo_db) as store:
        r = reports.roster(store, "370203012")
    path = tmp_path / "roster.pdf"
    pages = printing.roster_pdf(r, path)
    reader = PdfReader(path)
    assert len(reader.pages) == pages >= 2
    texts = [p.extract_text() for p in reader.pages]
    assert r.title in texts[0] and "填报单位" in texts[0]
    for i, t in enumerate(texts, 1):
        assert "身份证号码" in t and "网格职务" in t, f"page {i} lacks the header row"
        assert re.search(rf"第\s*{i}\s*页\s*共\s*{pages}\s*页", t), f"page {i} lacks its number"
    everything = "".join(texts)
    for row in r.table.rows:
        assert row[1] in everything and row[4] in everything  # names and masked ID numbers
    assert not re.search(r"\d{17}[\dX]", everything)  # no whole ID number anywhere
    assert "审核人" in texts[-1]
    box = reader.pages[0].mediabox
    assert box.width > box.height  # A4 landscape


def test_pdf_embeds_the_cjk_font(qapp, staffed, tmp_path):
    path = tmp_path / "r.pdf"
    printing.roster_pdf(reports.roster(staffed, "370203012002"), path)
    fonts = set()
    for page in PdfReader(path).pages:
        for f in page["/Resources"]["/Font"].values():
            font = f.get_object()
            fonts.add(str(font["/BaseFont"]))
            descendant = font["/DescendantFonts"][0].get_object()
            assert "/FontFile2" in descendant["/FontDescriptor"].get_object()  # embedded TrueType
    assert any("WenQuanYi" in f for f in fonts)


def test_noticeboards_one_page_per_grid(qapp, staffed, tmp_path):
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QColor, QImage

    worker = workers.find_by_id_number(staffed, "370203196908160508")
    img = QImage(60, 80, QImage.Format.Format_RGB32)
    img.fill(QColor("#3366aa"))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    workers.set_photo(staffed, worker.id, bytes(data.data()))
    grids.update(staffed, worker.current[0].grid_id, supervision_phone="0532-12345678")
    boards = reports.noticeboards(staffed, "370203012002")
    path = tmp_path / "boards.pdf"
    assert printing.boards_pdf(boards, path) == 4
    reader = PdfReader(path)
    assert len(reader.pages) == 4
    texts = [p.extract_text() for p in reader.pages]
    for board, text in zip(boards, texts, strict=True):
        assert f"{board.title}公示牌" in text
        assert "监督电话" in text and board.code in text
        for m in board.members:
            assert m.name in text and m.phone in text
    assert "0532-12345678" in texts[1]
    page = reader.pages[1]
    assert page.images, "the worker's photo is on the board"
    box = page.mediabox
    assert box.height > box.width  # A4 portrait


def test_cancelled_print_leaves_no_file(qapp, staffed, tmp_path):
    import threading

    from gridapp.core.errors import Cancelled

    cancel = threading.Event()
    cancel.set()
    path = tmp_path / "x.pdf"
    with pytest.raises(Cancelled):
        printing.roster_pdf(reports.roster(staffed, "370203012002"), path, cancel=cancel)
    assert not path.exists() and not list(tmp_path.glob("*.part"))


def test_a_pdf_cut_short_is_not_saved(qapp, demo_db, tmp_path):
    from gridapp.core.errors import ValidationError
    from gridapp.core.store import Store

    with Store(demo_db) as store:
        r = reports.roster(store, "370203012")
    whole = tmp_path / "whole.pdf"
    printing.roster_pdf(r, whole)
    printing._check_complete(whole, whole)  # a whole PDF passes
    cut = tmp_path / "cut.pdf"
    cut.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])  # what a full disk leaves
    with pytest.raises(ValidationError, match="没有写完整"):
        printing._check_complete(cut, tmp_path / "花名册.pdf")

"""A list's body rows written as markup read back as the row-by-row XlsxWriter sheet did, cell for cell."""

import datetime as dt
import re
import threading
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from gridapp.core import list_specs, lists
from gridapp.core.errors import Cancelled
from gridapp.core.store import Store
from gridapp.io import xlsx_out
from gridapp.io.xlsx_out import _stream, export_list

HOSTILE = [
    ["张三", "", None, 0, "=SUM(A1:A2)", "+86 138 0000 0000", "0012"],
    ["a & b <c> \"d\"", " leading", "trailing ", "\u3000全角空格", "tab\tinside", "line\nbreak", "\x01\x1f ctrl"],
    ["_x0041_ literal", "_X00aF_", "\ufffe\uffff", "😀 emoji", True, False, 3.5],
    [12345678901234567890, -0.1, 1e-300, 7, "x" * 40_000, "中" * 33_000, "a" * 32_766 + "😀😀"],
    [b"bytes", "{0} {1}", "%s", dt.date(2024, 4, 20), dt.datetime(2025, 1, 2, 3, 4, 5), dt.date(1900, 2, 28), ""],
    ["\x00nul", "x\x0b", "\r", "end\n", "", "", ""],
    ["李四", "", "13800000000", "青光社区（实翠山街道）", "第五网格", "2024-04-20", "已报到"],
    ["a", "b ", "c", "\u3000d", "e", "", "f"],
    ["a\x00b", "c", "", "", "", "", ""],
    ["时长", None, 42, 2.5, -7, 1e20, 0.1 + 0.2],
]


def _sheet(path, writer) -> dict[str, bytes]:
    with _stream(path) as sheet:
        out = sheet("名单")
        out.ws.freeze_panes(2, 0)
        out.widths([10] * 7)
        out.line("标题", title=True)
        out.header([f"列{j}" for j in range(7)])
        formats = [out.text if j in (1, 6) else out.body for j in range(7)]
        writer(out, formats)
        out.skip()
        out.line(f"共 {len(HOSTILE)} 条")
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist() if n != "docProps/core.xml"}  # core.xml holds the time


def test_streamed_rows_are_the_markup_xlsxwriter_writes_cell_by_cell(tmp_path):
    """Text that XML or Excel escape, edge spaces, over-long text, numbers, 是/否, dates and blanks: the same
    bytes in every part, styles.xml included, as XlsxWriter's own write_* calls give."""

    def cell_by_cell(out, formats):
        for row in HOSTILE:
            out.values(row, formats)

    def streamed(out, formats):
        out.stream_rows(len(HOSTILE), formats, lambda body, first: iter(
            [body.rows(HOSTILE[:2], first), body.rows(HOSTILE[2:], first + 2)]), dates=True)

    old = _sheet(tmp_path / "old.xlsx", cell_by_cell)
    new = _sheet(tmp_path / "new.xlsx", streamed)
    assert old.keys() == new.keys()
    for name in old:
        assert new[name] == old[name], name
    assert b'xml:space="preserve"> leading' in new["xl/worksheets/sheet1.xml"]
    rows = CalamineWorkbook.from_path(str(tmp_path / "new.xlsx")).get_sheet_by_index(0).to_python()
    assert rows[3] == ["a & b <c> \"d\"", " leading", "trailing ", "\u3000全角空格", "tab\tinside", "line\nbreak",
                       "\x01\x1f ctrl"]
    assert rows[4][:2] == ["_x0041_ literal", "_X00aF_"] and rows[4][4:] == ["是", "否", 3.5]
    assert len(rows[5][4]) == 32_767 and rows[5][6] == "a" * 32_766
    assert rows[7][:4] == ["\x00nul", "x\x0b", "\r", "end\n"] and rows[-1][0] == f"共 {len(HOSTILE)} 条"
    ws = openpyxl.load_workbook(tmp_path / "new.xlsx").active
    assert ws["D7"].value == dt.datetime(2024, 4, 20) and ws["D7"].number_format == "yyyy-mm-dd"
    assert ws["E7"].value == dt.datetime(2025, 1, 2, 3, 4, 5) and ws["E7"].number_format == "yyyy-mm-dd hh:mm"
    assert ws["B3"].number_format == "@" and ws["B3"].border.left.style == "thin"


def test_a_streamed_body_with_no_rows_is_the_sheet_without_them(tmp_path):
    old = _sheet(tmp_path / "old.xlsx", lambda out, formats: None)
    new = _sheet(tmp_path / "new.xlsx", lambda out, formats: out.stream_rows(0, formats, lambda b, f: iter(())))
    assert new == old


@pytest.fixture
def members(demo_db):
    with Store(demo_db) as store:
        yield store


def test_an_exported_list_reads_back_styled_and_typed_in_openpyxl_and_calamine(members, tmp_path):
    """What a user of the row-by-row export got: each body cell bordered thin #999999 in 宋体 11, top-aligned;
    ID numbers and phones as text in "@", masked; dates and codes as the list shows them; blanks bordered."""
    spec = list_specs.MEMBERS
    with members.engine.begin() as conn:  # a blank and a name that XML escapes, as the data may hold
        conn.exec_driver_sql("UPDATE member_registration SET position = NULL WHERE rowid % 7 = 0")
        conn.exec_driver_sql("UPDATE person SET name = ' 王&<五> ' WHERE rowid % 11 = 0")
    path = tmp_path / "members.xlsx"
    n = export_list(members, spec, lists.Query(), path, title="在职党员名单")
    with members.engine.connect() as conn:
        rowids = lists.query_rowids(conn, spec, lists.Query())
        raw = lists.fetch_rows(conn, spec, rowids)
    assert n == len(rowids) > 50
    expected = [[c.display(v) for c, v in zip(spec.columns, raw[r], strict=True)] for r in rowids]

    ws = openpyxl.load_workbook(path).active
    assert ws.freeze_panes == "A3" and ws.max_row == n + 4 and ws.max_column == len(spec.columns)
    assert ws["A1"].value == "在职党员名单" and ws["A1"].font.b and ws["A1"].font.sz == 14
    assert ws["A2"].fill.fgColor.rgb == "FFF2DCDB" and ws["A2"].font.b
    id_col, phone_col = spec.index_of("id_number"), spec.index_of("phone")
    blanks = 0
    for i, row in enumerate(ws.iter_rows(min_row=3, max_row=n + 2)):
        got = [c.value for c in row]
        assert got == [v or None for v in expected[i]], i + 3
        for j, c in enumerate(row):
            assert c.font.name == "宋体" and c.font.sz == 11 and not c.font.b
            assert c.alignment.vertical == "top"
            for side in (c.border.left, c.border.right, c.border.top, c.border.bottom):
                assert side.style == "thin" and side.color.rgb == "FF999999"
            assert c.number_format == ("@" if j in (id_col, phone_col) else "General")
            assert c.data_type == ("n" if c.value is None else "s")
            blanks += c.value is None
        assert re.fullmatch(r"\d{4}\*{10}\d{3}[\dX]", got[id_col])
    assert blanks and " 王&<五> " in [r[0] for r in expected]
    assert ws.cell(n + 3, 1).value is None
    assert re.fullmatch(rf"共 {n} 条，导出时间 \d{{4}}-\d\d-\d\d \d\d:\d\d", ws.cell(n + 4, 1).value)

    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    assert rows[0][0] == "在职党员名单" and rows[1][0] == "姓名"
    assert [list(r) for r in rows[2 : n + 2]] == expected
    assert rows[n + 3][0].startswith(f"共 {n} 条")

    full = tmp_path / "full.xlsx"
    export_list(members, spec, lists.Query(), full, mask_ids=False)
    assert openpyxl.load_workbook(full).active.cell(3, id_col + 1).value == raw[rowids[0]][id_col]


def test_an_export_cancelled_halfway_leaves_no_file(members, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_out, "EXPORT_CHUNK", 50)
    cancel = threading.Event()
    seen = []

    def progress(done, total, _text):
        seen.append(done)
        cancel.set()  # after the first chunk of rows went into the zip

    (tmp_path / "out").mkdir()
    with pytest.raises(Cancelled):
        export_list(members, list_specs.MEMBERS, lists.Query(), tmp_path / "out" / "m.xlsx",
                    progress=progress, cancel=cancel)
    assert seen == [50] and list((tmp_path / "out").iterdir()) == []

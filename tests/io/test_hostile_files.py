"""Files that are hostile, broken or no workbook at all: each refused with a sentence naming the file and the
place and the limit, or read as the layouts it really holds; what the reader reads equals what openpyxl reads."""

import datetime as dt
import io
import zipfile

import openpyxl
import pytest

from gridapp.core.errors import ValidationError
from gridapp.io import limits, xlsx_reader
from gridapp.io.cells import clean_cell
from gridapp.io.importer import run_import
from gridapp.io.kinds import WORKERS, handler
from gridapp.io.sheet import read_sheet
from tests.conftest import SAMPLES
from tests.fuzz import sheets as S
from tests.io.test_layouts import IDS

HEADERS = WORKERS.headers() + list(WORKERS.ignored)
ROWS = [["姓名", "身份证号码", "所属网格", "人员类别"],
        ["张伟", IDS[0], "云溪社区第一网格", "专职"],
        ["李娜", IDS[1], "云溪社区第二网格", "兼职"]]


def _message(path, headers=HEADERS):
    with pytest.raises(ValidationError) as caught:
        read_sheet(path, headers)
    return caught.value.message


def test_a_cell_far_away_is_refused_naming_the_cell_and_the_limit(tmp_path):
    assert _message(S.far_cell(tmp_path / "far.xlsx", ROWS)) == (
        "文件 far.xlsx 无法导入：工作表“Sheet1”单元格 XFD1048576 超出可读取的范围（最多 300,000 行、500 列），"
        "请删除表格中远离数据的多余内容后再导入")
    assert "单元格 A300001 超出" in _message(S.far_cell(tmp_path / "row.xlsx", ROWS, "A300001"))


def test_a_cell_far_away_but_within_the_limits_is_read(tmp_path):
    sheet = read_sheet(S.far_cell(tmp_path / "far.xlsx", ROWS, "SF299999", value="备注"), HEADERS)
    assert [r.number for r in sheet.rows] == [2, 3, 299999]
    assert sheet.rows[-1].values[-1] == "备注" and len(sheet.rows[0].values) == 500


def test_merged_ranges_to_the_far_corner_are_clipped_to_the_data(gridded, tmp_path):
    rows = [["姓名", "身份证号码", "所属网格", "人员类别"],
            ["张伟", IDS[0], "云溪社区第一网格", "专职"],
            ["李娜", IDS[1], None, None],
            ["王强", IDS[2], None, None]]
    path = S.huge_merge(tmp_path / "merge.xlsx", rows, ["C2:D1048576", "H3:XFD1048576"])
    sheet = read_sheet(path, HEADERS)
    assert [r.values for r in sheet.rows] == [
        ("张伟", IDS[0], "云溪社区第一网格", "云溪社区第一网格"),
        ("李娜", IDS[1], "云溪社区第一网格", "云溪社区第一网格"),
        ("王强", IDS[2], "云溪社区第一网格", "云溪社区第一网格"),
    ]
    # 人员类别 reads its merged neighbour's text, as it did in the old reader: a row problem, not a crash.
    report = run_import(gridded, handler("workers"), path, commit=False)
    assert [(r.number, r.problems[0][0]) for r in report.rows] == [(2, "人员类别"), (3, "人员类别"), (4, "人员类别")]


def test_overlapping_ranges_to_the_far_corner_are_clipped_too(tmp_path):
    path = S.huge_merge(tmp_path / "merges.xlsx", ROWS, [f"A{i}:XFD{1_048_576 - i}" for i in range(4, 3000)])
    assert [r.number for r in read_sheet(path, HEADERS).rows] == [2, 3]


def test_merged_cells_covering_more_than_the_limit_are_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(limits, "MAX_MERGED_CELLS", 10)
    rows = [["姓名", "身份证号码", "所属网格", "人员类别"]] + [[f"人{i}", None, None, None] for i in range(5)]
    assert _message(S.huge_merge(tmp_path / "m.xlsx", rows, ["B2:D6"])) == (
        "文件 m.xlsx 工作表“Sheet1”的合并单元格共覆盖超过 10 个单元格，请取消多余的合并后再导入")


def test_a_string_longer_than_a_cell_may_hold_is_refused(tmp_path):
    assert _message(S.long_shared_string(tmp_path / "s.xlsx", ROWS, 40_000)) == (
        "文件 s.xlsx 工作表“Sheet1”单元格 A4 的文字超过 32,767 个字符（Excel 单元格的上限），请删减后再导入")
    assert _message(S.long_inline_string(tmp_path / "i.xlsx", ROWS, 40_000)) == (
        "文件 i.xlsx 工作表“Sheet1”单元格 B4 的文字超过 32,767 个字符（Excel 单元格的上限），请删减后再导入")
    # Too long to parse at all: stopped in the stream, before the XML parser builds the text.
    assert _message(S.long_inline_string(tmp_path / "x.xlsx", ROWS, 1_000_000, noise=True)) == (
        "文件 x.xlsx 无法导入：xl/worksheets/sheet1.xml 中有一段文字超过 32,767 个字符（Excel 单元格的上限）")


def test_a_zip_that_inflates_out_of_proportion_is_refused_before_reading(tmp_path, monkeypatch):
    message = _message(S.inflating_member(tmp_path / "bomb.xlsx", ROWS, 64 << 20))
    assert message.startswith("文件 bomb.xlsx 无法导入：其中的 xl/media/pad.bin 压缩比为 ")
    assert "（上限 200:1）" in message and "压缩炸弹" in message
    monkeypatch.setattr(limits, "MAX_MEMBER_BYTES", 1 << 20)
    assert _message(S.inflating_member(tmp_path / "big.xlsx", ROWS, 2 << 20)) == (
        "文件 big.xlsx 无法导入：其中的 xl/media/pad.bin 解压后有 2 MB，超过上限 1 MB，可能是恶意构造的文件")
    monkeypatch.setattr(limits, "MAX_TOTAL_BYTES", 1 << 10)
    assert _message(S.write_xlsx(tmp_path / "total.xlsx", ROWS)).startswith("文件 total.xlsx 无法导入：解压后共 ")


def test_declared_sizes_are_not_trusted_alone(tmp_path):
    """A member larger than its headers say: the zip reader stops at the declared size and the checksum
    fails; and the stream itself stops at its limit whatever the headers say."""
    assert _message(S.lying_sizes(tmp_path / "lie.xlsx", ROWS)).startswith(
        "lie.xlsx 不是有效的 Excel（.xlsx）文件，或文件已损坏（压缩的数据已损坏")
    stream = xlsx_reader._Bounded(io.BytesIO(b"<a>" * 100_000), 1000, "xl/worksheets/sheet1.xml", [1 << 30])
    with pytest.raises(xlsx_reader._Refused, match="解压后超过"):
        while stream.read(100):
            pass
    budget = [1500]  # what all members together may inflate to, shared between their streams
    first = xlsx_reader._Bounded(io.BytesIO(b"<a>" * 400), 10_000, "a.xml", budget)
    second = xlsx_reader._Bounded(io.BytesIO(b"<a>" * 400), 10_000, "b.xml", budget)
    assert first.read(2000) and budget == [300]
    with pytest.raises(xlsx_reader._Refused, match="解压后共超过"):
        second.read(2000)


def test_a_dtd_is_refused_even_across_two_chunks():
    data = b"x" * (64 * 1024 - 4) + b"<!DOCTYPE a>"
    stream = xlsx_reader._Bounded(io.BytesIO(data), 1 << 20, "xl/worksheets/sheet1.xml", [1 << 30])
    with pytest.raises(xlsx_reader._Refused, match="含有 DTD 声明"):
        while stream.read(64 * 1024):
            pass


def test_too_many_zip_entries_are_refused_before_the_directory_is_read(tmp_path):
    parts = S.package_parts([("Sheet1", S.sheet_xml(""))], None)
    parts.update({f"xl/junk/{i}.bin": b"" for i in range(10_001)})
    assert _message(S.write_parts(tmp_path / "many.xlsx", parts, compression=zipfile.ZIP_STORED)) == (
        "文件 many.xlsx 无法导入：其中有 10,007 个部件，远多于任何 Excel 文件，可能是恶意构造的文件")


def test_junk_xml_and_xml_bombs_are_a_damaged_file(tmp_path):
    assert _message(S.junk_sheet_xml(tmp_path / "j.xlsx", b"<worksheet><sheetData><row><c>")).startswith(
        "j.xlsx 不是有效的 Excel（.xlsx）文件，或文件已损坏（xl/worksheets/sheet1.xml 不是完好的 XML：")
    assert _message(S.billion_laughs(tmp_path / "b.xlsx")) == (
        "文件 b.xlsx 无法导入：xl/worksheets/sheet1.xml 含有 DTD 声明，不是 Excel 保存的文件")
    bad = S.write_xlsx(tmp_path / "r.xlsx", ROWS, extra_cells='<row r="9"><c r="A9" t="s"><v>999</v></c></row>')
    assert _message(bad) == "r.xlsx 不是有效的 Excel（.xlsx）文件，或文件已损坏（工作表“Sheet1”单元格 A9 指向不存在的共享字符串 999）"


@pytest.mark.parametrize(("make", "expected"), [
    (lambda p: S.encrypted_xlsx(p / "名单.xlsx"), "文件 名单.xlsx 设有打开密码，请在 Excel 中取消密码后再导入"),
    (lambda p: S.word_document(p / "w.xlsx"), "w.xlsx 不是表格文件，而是 Word 文档（.doc），请选择 .xlsx、.xls、.et、.ods、.xlsb 或 .csv 文件"),
    (lambda p: S.word_document(p / "old.xls"), "old.xls 不是表格文件，而是 Word 文档（.doc），请选择 .xlsx、.xls、.et、.ods、.xlsb 或 .csv 文件"),
    (lambda p: S.word_document(p / "w.et"), "w.et 不是表格文件，而是 Word 文档（.doc），请选择 .xlsx、.xls、.et、.ods、.xlsb 或 .csv 文件"),
    (lambda p: S.write_parts(p / "o.ods", {"mimetype": b"x"}), "文件 o.ods 已损坏或不是有效的 .ods 文件：缺少 content.xml"),
    (lambda p: S.pdf(p / "p.xlsx"), "p.xlsx 是 PDF 文件，不是表格，无法导入；请选择 .xlsx、.xls、.et、.ods、.xlsb 或 .csv 文件"),
    (lambda p: S.random_bytes(p / "r.xlsx"), "r.xlsx 不是有效的 Excel（.xlsx）文件，或文件已损坏（文件开头不是 .xlsx 格式）"),
    (lambda p: S.random_bytes(p / "r.docx"), "不支持的文件类型：r.docx（请选择 .xlsx、.xls、.et、.ods、.xlsb 或 .csv 文件）"),
    (lambda p: (p / "e.xlsx").write_bytes(b"") or p / "e.xlsx", "文件 e.xlsx 是空文件（0 字节），没有可导入的内容"),
])
def test_files_that_are_no_workbook_say_what_they_are(tmp_path, make, expected):
    assert _message(make(tmp_path)) == expected


def test_a_folder_or_a_missing_file_is_named(tmp_path):
    folder = tmp_path / "表格"
    folder.mkdir()
    assert _message(folder) == f"{folder} 是文件夹，不是表格文件，请选择其中的 .xlsx、.xls、.et、.ods、.xlsb 或 .csv 文件"
    assert _message(tmp_path / "无.xlsx") == f"文件不存在：{tmp_path / '无.xlsx'}"


def test_an_error_value_is_a_row_problem_naming_the_cell(gridded, tmp_path):
    rows = [["姓名", "身份证号码", "所属网格", "人员类别", "附注"],
            ["张伟", S.Error("#REF!"), "云溪社区第一网格", "专职", None],
            ["李娜", IDS[1], "云溪社区第一网格", "专职", S.Error("#N/A")],  # a column not read
            [None, S.Error("#DIV/0!"), None, None, None]]
    report = run_import(gridded, handler("workers"), S.write_xlsx(tmp_path / "e.xlsx", rows), commit=True)
    problems = {r.number: (r.outcome, r.problems) for r in report.rows}
    assert problems[2] == ("rejected", [("身份证号码", "第 2 行“身份证号码”列是错误值 #REF!（公式出错），请在 Excel 中更正后再导入")])
    assert problems[3] == ("new", [])
    assert problems[4][0] == "rejected"  # nothing but an error, in a column that is read: a row, not skipped
    assert ("身份证号码", "第 4 行“身份证号码”列是错误值 #DIV/0!（公式出错），请在 Excel 中更正后再导入") in problems[4][1]


# --- the same values as openpyxl reads --------------------------------------------------------------------

def _openpyxl_rows(path):
    out = []
    for ws in openpyxl.load_workbook(path, data_only=True).worksheets:
        cells = {}
        for row in ws.iter_rows():
            for c in row:
                if c.value is not None and type(c).__name__ != "MergedCell":
                    cells[(c.row, c.column)] = clean_cell(c.value) if isinstance(c.value, str) else c.value
        out.append((ws.title, cells))
    return out


def _our_rows(path):
    out = []
    for raw in xlsx_reader.read_sheets(path):
        merged = {(r, c) for t, left, b, right in raw.merges for r in range(t, b + 1) for c in range(left, right + 1)
                  if (r, c) != (t, left)}
        cells = {(r, c): v for r, values in raw.rows.items() for c, v in enumerate(values, start=1)
                 if v is not None and (r, c) not in merged}
        out.append((raw.name, cells))
    return out


@pytest.mark.parametrize("name", ["网格员花名册-示例.xlsx", "网格划分-示例.xlsx", "物业企业-示例.xlsx"])
def test_the_samples_read_as_openpyxl_reads_them(name):
    assert _our_rows(SAMPLES / name) == _openpyxl_rows(SAMPLES / name)


def test_every_kind_of_value_reads_as_openpyxl_reads_it(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "类型"
    ws.append(["文字", 1, 2.5, -3e20, True, False, dt.datetime(2021, 3, 15, 8, 30), dt.date(2020, 1, 1),
               dt.time(9, 15), "第一行_x000D_\n第二行", "\u200b零宽", "", 0])
    ws["A3"] = dt.datetime(1900, 1, 1)
    ws["B3"].value, ws["B3"].number_format = 44562, "yyyy年m月d日"
    ws["C3"].value, ws["C3"].number_format = 1.5, "[h]:mm:ss"
    ws["D3"].value, ws["D3"].number_format = 0.25, "0.00%"
    second = wb.create_sheet("第二页")
    second.append(["甲", None, "乙"])
    second.merge_cells("A1:B2")
    wb.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    path = tmp_path / "types.xlsx"
    wb.save(path)
    assert _our_rows(path) == _openpyxl_rows(path)


@pytest.mark.parametrize("renamed", ["xl\\sharedStrings.xml", "xl/SharedStrings.xml", "XL/SHAREDSTRINGS.XML"])
def test_parts_named_as_other_writers_name_them_are_found(tmp_path, renamed):
    """OOXML part names are case-insensitive, and some Windows tools store backslashes: the shared strings
    are found however the zip spells their name, so the sheet reads the same."""
    plain = S.write_xlsx(tmp_path / "plain.xlsx", ROWS)  # its text in xl/sharedStrings.xml, as Excel stores it
    assert "xl/sharedStrings.xml" in zipfile.ZipFile(plain).namelist()
    odd = tmp_path / "odd.xlsx"
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(odd, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            name = renamed if info.filename == "xl/sharedStrings.xml" else info.filename
            dst.writestr(name, src.read(info.filename))
    assert [r.values for r in read_sheet(odd, HEADERS).rows] == [r.values for r in read_sheet(plain, HEADERS).rows]

"""The same sheet saved as .xlsx, .xls, WPS .et, .ods and .xlsb imports alike: the same rows accepted, the same
rejected row numbers and reasons, the same preview values; the layouts of tests/io/test_layouts.py read the same in
.xls and .ods; and every broken or hostile file of these formats is a sentence naming it, quickly. The files are
written by tests/data/other_formats.py (no file is kept in the project; a real WPS-written .et was not at hand)."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from gridapp.core.errors import ValidationError
from gridapp.io import calamine_reader, limits
from gridapp.io.importer import run_import
from gridapp.io.kinds import HANDLERS, bound
from gridapp.io.sheet import read_sheet
from gridapp.io.source import source_kind
from tests.data import other_formats as F
from tests.hostile import builders as B
from tests.io import test_layouts

FORMATS = (".xls", ".et", ".ods", ".fods", ".xlsb")
KIND_OF = {".xls": "xls", ".et": "xls", ".ods": "ods", ".fods": "fods", ".xlsb": "xlsb"}
ROOT = Path(__file__).resolve().parents[2]
CJK = re.compile(r"[\u4e00-\u9fff]")


def _typed(example: str) -> object:
    """An example as a spreadsheet would hold it typed in: digits as a number (an 18-digit one as the double
    Excel keeps), a date as a date, text as text."""
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", example):
        return dt.datetime.fromisoformat(example)
    if re.fullmatch(r"[1-9]\d{0,17}", example):
        return int(example) if len(example) <= 15 else float(example)
    if re.fullmatch(r"\d+\.\d+", example):
        return float(example)
    return example


def _sample(kind: str, store, path: Path) -> Path:
    """A sheet of the kind: a title, its header, the examples as text, as typed cells, a row missing its first
    required value, a blank row, a totals row; in a second sheet, a decoy."""
    spec = bound(kind, store).spec
    titles = [f.headers[0] for f in spec.fields]
    examples = [f.example or "" for f in spec.fields]
    first = next(i for i, f in enumerate(spec.fields) if f.required)
    missing = list(examples)
    missing[first] = None
    rows = [["2026年度台账"], titles, examples, [_typed(e) if e else None for e in examples], missing,
            [None] * len(titles), ["合计", "3"]]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = spec.title[:31]
    for row in rows:
        ws.append(row)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(2, len(titles)))
    wb.create_sheet("说明").append(["说明", "本表为测试"])
    wb.save(path)
    return path


def _outcome(store, kind: str, path: Path) -> list[tuple]:
    report = run_import(store, HANDLERS[kind], path, commit=False)
    return [(r.number, r.outcome, tuple(r.problems), tuple(r.notes), r.values) for r in report.rows]


@pytest.mark.parametrize("kind", sorted(HANDLERS))
def test_every_kind_imports_the_same_sheet_alike_in_every_format(gridded, tmp_path, kind):
    xlsx = _sample(kind, gridded, tmp_path / f"{kind}.xlsx")
    expected = _outcome(gridded, kind, xlsx)
    assert expected and {n for n, *_ in expected} <= {3, 4, 5}
    for suffix in FORMATS:
        other = F.save_as(xlsx, tmp_path / f"{kind}{suffix}")
        assert source_kind(other) == KIND_OF[suffix]
        assert _outcome(gridded, kind, other) == expected, suffix


def test_an_18_digit_id_stored_as_a_number_is_told_in_every_format(gridded, tmp_path):
    rows = [["姓名", "身份证号码", "所属网格", "人员类别"], ["甲", float(test_layouts.IDS[0]), "云溪社区第一网格", "专职"]]
    for suffix in (".xlsx", *FORMATS):
        path = tmp_path / f"id{suffix}"
        if suffix == ".xlsx":
            test_layouts._book(tmp_path, rows, name=path.name)
        else:
            F.WRITERS[suffix](path, [("Sheet1", rows, [])])
        report = run_import(gridded, HANDLERS["workers"], path, commit=False)
        assert [(r.number, r.problems[0][0]) for r in report.rejected] == [(2, "身份证号码")], suffix
        assert "后几位已丢失" in report.rejected[0].problems[0][1]


def test_values_read_as_the_xlsx_reader_reads_them(tmp_path):
    rows = [["文字", "整数", "小数", "日期", "是否", "长号"], ["王　丽\u200b", 300, 2.5, dt.datetime(2021, 3, 15), True,
                                                        3.7020319900101126e17]]
    sheets = [("名单", rows, ["A1:B1"]), ("第二页", [["a"]], [])]
    for suffix in FORMATS:
        path = F.WRITERS[suffix](tmp_path / f"v{suffix}", sheets)
        raws = list(calamine_reader.read_sheets(path, None, source_kind(path)))
        assert [r.name for r in raws] == ["名单", "第二页"], suffix
        first = raws[0]
        assert first.rows[2] == ["王　丽", 300, 2.5, dt.datetime(2021, 3, 15), True, 3.7020319900101126e17], suffix
        assert type(first.rows[2][1]) is int and first.merges == [(1, 1, 1, 2)], suffix
        assert (first.height, first.width) == (2, 6)
        only = list(calamine_reader.read_sheets(path, "第二页", source_kind(path)))
        assert [r.rows for r in only] == [{1: ["a"]}]


# --- the layouts of test_layouts.py, in .xls and .ods ----------------------------------------------------------------

LAYOUT_TESTS = ["test_two_row_header_merged_groups_and_merged_grid_cells",
                "test_columns_in_any_order_with_synonyms_and_odd_values",
                "test_excel_number_id_and_unknown_grid_are_reported_not_invented",
                "test_org_option_gives_the_community", "test_second_import_updates_and_transfers",
                "test_one_title_row_right_above_the_header_is_the_title_not_a_header_row"]


@pytest.mark.parametrize("suffix", [".xls", ".ods", ".fods", ".xlsb"])
@pytest.mark.parametrize("name", LAYOUT_TESTS)
def test_the_layouts_read_alike(gridded, tmp_path, monkeypatch, suffix, name):
    """Title rows, a two-row header with merged groups, vertically merged grid cells, footers: as in .xlsx."""
    book = test_layouts._book

    def other(tmp, rows, merges=(), name="w.xlsx", number_cells=()):
        xlsx = book(tmp, rows, merges, name=name, number_cells=number_cells)
        return F.save_as(xlsx, xlsx.with_suffix(suffix))

    monkeypatch.setattr(test_layouts, "_book", other)
    getattr(test_layouts, name)(gridded, tmp_path)


# --- content decides, not the name ------------------------------------------------------------------------------------


def test_an_xls_or_et_that_is_really_an_xlsx_or_text_reads_as_what_it_is(gridded, tmp_path):
    rows = [["姓名", "身份证号码", "所属网格", "人员类别"], ["丙", test_layouts.IDS[5], "云溪社区第一网格", "兼职"]]
    xlsx = test_layouts._book(tmp_path, rows)
    expected = _outcome(gridded, "workers", xlsx)
    for name in ("really-xlsx.xls", "really-xlsx.et"):
        (tmp_path / name).write_bytes(xlsx.read_bytes())
        assert source_kind(tmp_path / name) == "xlsx"
        assert _outcome(gridded, "workers", tmp_path / name) == expected
    text = "\r\n".join("\t".join(str(v) for v in row) for row in rows) + "\r\n"
    for name, data in (("tabs.xls", text.encode("gbk")), ("utf16.xls", b"\xff\xfe" + text.encode("utf-16-le")),
                       ("comma.et", text.replace("\t", ",").encode("utf-8"))):
        (tmp_path / name).write_bytes(data)
        assert source_kind(tmp_path / name) == "csv"
        got = _outcome(gridded, "workers", tmp_path / name)
        assert [(n, o, p) for n, o, p, *_ in got] == [(n, o, p) for n, o, p, *_ in expected], name
    xls = F.write_xls(tmp_path / "real.xls", [("Sheet1", rows, [])])
    (tmp_path / "real.et").write_bytes(xls.read_bytes())
    (tmp_path / "real.xlsx").write_bytes(xls.read_bytes())
    for name in ("real.et", "real.xlsx"):
        assert source_kind(tmp_path / name) == "xls"
        assert _outcome(gridded, "workers", tmp_path / name) == expected
    for writer, names, kind in ((F.write_xlsb, ("b.xlsx", "b.xls"), "xlsb"), (F.write_ods, ("o.xlsx", "o.et"), "ods")):
        data = writer(tmp_path / f"real.{kind}", [("Sheet1", rows, [])]).read_bytes()
        for name in names:
            (tmp_path / name).write_bytes(data)
            assert source_kind(tmp_path / name) == kind
            assert _outcome(gridded, "workers", tmp_path / name) == expected, name


def _message(path: Path) -> str:
    with pytest.raises(ValidationError) as info:
        read_sheet(path, ["姓名", "身份证号码"])
    return info.value.message


ROWS = [["姓名", "身份证号码"], ["张伟", "370203199001011233"]]


_XML2003 = ('<?xml version="1.0"?><?mso-application progid="Excel.Sheet"?><Workbook '
            'xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">'
            '<Worksheet ss:Name="名单"><Table>{rows}</Table></Worksheet></Workbook>')

HOSTILE = {
    "xls-truncated": (lambda p: B.truncated(F.write_xls(p.with_name("w.xls"), [("S", ROWS, [])]), p.with_suffix(".xls")),
                      "已损坏"),
    "xls-junk-after-magic": (lambda p: B.junk_after_ole_magic(p.with_suffix(".xls")), "已损坏"),
    "xls-encrypted": (lambda p: B.encrypted_xls(p.with_suffix(".xls")), "设有打开密码"),
    "xls-inverted-dimensions": (lambda p: _inverted_dimensions(p.with_suffix(".xls")), "范围记录"),
    "xls-far-cell": (lambda p: B.xls_far_cell(p.with_suffix(".xls"), ROWS), "超过 .xls 格式可读取的上限"),
    "et-far-cell": (lambda p: B.xls_far_cell(p.with_suffix(".et"), ROWS), "超过 .et 格式可读取的上限"),
    "xls-html-no-header": (lambda p: _write(p.with_suffix(".xls"), "<html><body><table><tr><td>姓名</td></tr></table>"
                                                                   "</body></html>".encode()), "找不到表头"),
    "xls-html-no-table": (lambda p: _write(p.with_suffix(".xls"), b"<html><body><p>404 Not Found</p></body></html>"),
                          "没有表格"),
    "xls-html-rowspan-bomb": (lambda p: _write(p.with_suffix(".xls"), ("<table>" + "<tr>" + '<td rowspan="300000">x</td>' * 20
                                                                       + "</tr></table>").encode()), "合并"),
    "xls-xml-2003-empty": (lambda p: _write(p.with_suffix(".xls"), b'<?xml version="1.0"?><Workbook xmlns="urn:schemas-'
                                                                   b'microsoft-com:office:spreadsheet"></Workbook>'),
                           "Excel 2003 XML"),
    "xls-xml-2003-far-row": (lambda p: _write(p.with_suffix(".xls"), _XML2003.format(
        rows='<Row ss:Index="1048576"><Cell><Data ss:Type="String">x</Data></Cell></Row>').encode()), "超出可读取的范围"),
    "xls-xml-2003-dtd": (lambda p: _write(p.with_suffix(".xls"), b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]>'
                                                                 b'<Workbook xmlns="urn:schemas-microsoft-com:office:'
                                                                 b'spreadsheet"></Workbook>'), "DTD"),
    "xls-xml-2003-truncated": (lambda p: _write(p.with_suffix(".xls"), _XML2003.format(rows="<Row><Cell>").encode()[:-40]),
                               "已损坏"),
    "ods-rows-repeated-bomb": (lambda p: B.ods_rows_repeated_bomb(p.with_suffix(".ods"), ROWS), None),
    "ods-far-cell": (lambda p: B.ods_far_cell(p.with_suffix(".ods"), ROWS), "超出可读取的范围"),
    "ods-repeated-values": (lambda p: B.ods_repeated_values(p.with_suffix(".ods"), ROWS), "超过 .ods 格式可读取的上限"),
    "ods-zip-bomb": (lambda p: B.ods_zip_bomb(p.with_suffix(".ods"), ROWS), "压缩炸弹"),
    "ods-encrypted": (lambda p: F.write_ods(p.with_suffix(".ods"), [], content="\x00encrypted", extra={
        "META-INF/manifest.xml": b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0">'
                                 b'<manifest:file-entry manifest:full-path="content.xml"><manifest:encryption-data/>'
                                 b"</manifest:file-entry></manifest:manifest>"}), "设有打开密码"),
    "fods-dtd": (lambda p: _write(p.with_suffix(".fods"), b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "a">]>'
                                                          b"<office:document office:mimetype=\"application/vnd.oasis."
                                                          b'opendocument.spreadsheet"/>'), "DTD"),
    "fods-truncated": (lambda p: B.truncated(F.write_fods(p.with_name("w.fods"), [("S", ROWS, [])]),
                                             p.with_suffix(".fods")), "已损坏"),
    "ods-no-content": (lambda p: F.write_ods(p.with_suffix(".ods"), [], content="<x>"), "不是完好的 XML"),
    "xlsb-huge-dimension": (lambda p: B.xlsb_far(p.with_suffix(".xlsb"), ROWS, dimension=True), None),
    "xlsb-inverted-dimension": (lambda p: F.write_xlsb(p.with_suffix(".xlsb"), [("Sheet1", ROWS, [])],
                                                       dimension=(1000, 0, 50, 0)), None),
    "xlsb-far-cell": (lambda p: B.xlsb_far(p.with_suffix(".xlsb"), ROWS, dimension=False), "超出可读取的范围"),
    "xlsb-truncated": (lambda p: B.truncated(F.write_xlsb(p.with_name("w.xlsb"), [("S", ROWS, [])]),
                                            p.with_suffix(".xlsb")), "已损坏"),
    "xlsb-sheet-missing": (lambda p: B.xlsb_sheet_missing(p.with_suffix(".xlsb"), ROWS), None),
}


def _inverted_dimensions(path: Path) -> Path:
    """An .xls whose DIMENSIONS record has its first row past its last (calamine would reserve ~600 GB for it)."""
    F.write_xls(path, [("Sheet1", ROWS, [])])
    data = bytearray(path.read_bytes())
    at = data.find(b"\x00\x02\x0e\x00")  # DIMENSIONS, 14 bytes
    data[at + 4:at + 8] = (25344).to_bytes(4, "little")
    path.write_bytes(bytes(data))
    return path


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


# Read only in a child process: were the reader's own check to regress, calamine would abort the process.
CHILD_ONLY = {"xls-inverted-dimensions"}


@pytest.mark.parametrize("case", sorted(set(HOSTILE) - CHILD_ONLY))
def test_hostile_files_of_the_other_formats_get_a_sentence_naming_them(tmp_path, case):
    make, words = HOSTILE[case]
    path = make(tmp_path / case)
    started = time.process_time()  # CPU time: a shared machine's load does not count against the file
    try:
        sheet = read_sheet(path, ["姓名", "身份证号码"])
    except ValidationError as exc:
        assert path.name in exc.message and CJK.search(exc.message), exc.message
        assert words is None or words in exc.message, exc.message
    else:
        assert words is None, f"{case} read: {sheet.rows}"  # a correct read of the two real rows
        assert [r.values[:2] for r in sheet.rows] == [("张伟", "370203199001011233")]
    assert time.process_time() - started < 5


_CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from pathlib import Path
from gridapp.core.errors import ValidationError
from gridapp.io.sheet import read_sheet
out = []
for p in sys.argv[1:]:
    started = time.process_time()
    try:
        read_sheet(Path(p), ["姓名", "身份证号码"])
        message = None
    except ValidationError as exc:
        message = exc.message
    out.append([Path(p).name, message, time.process_time() - started])

from tests.data.other_formats import peak_mb
print(json.dumps({"results": out, "rss_mb": peak_mb()}))
"""


def test_the_worst_stay_within_memory_in_a_child_process(tmp_path):
    worst = [*CHILD_ONLY, "xls-far-cell", "ods-rows-repeated-bomb", "ods-repeated-values", "ods-zip-bomb", "xlsb-huge-dimension",
             "xlsb-far-cell"]
    paths = [str(HOSTILE[c][0](tmp_path / c)) for c in worst]
    done = subprocess.run([sys.executable, "-c", _CHILD, *paths], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    data = json.loads(done.stdout)
    assert data["rss_mb"] < 300, data
    for name, message, seconds in data["results"]:
        assert seconds < 5, (name, seconds)
        words = HOSTILE[name.rsplit(".", 1)[0]][1]
        assert message is None if words is None else (name in message and words in message), (name, message)


def test_the_dense_limit_is_what_calamine_can_lay_out():
    assert limits.MAX_DENSE_CELLS * 60 < 300 << 20


def test_the_cli_imports_an_xls_in_a_dry_run(tmp_path, capsys):
    from tests.cli.test_import_export import _street, run
    from tests.conftest import SAMPLES

    db = _street(tmp_path, capsys)
    run(capsys, "import", "--db", db, "--kind", "grids", SAMPLES / "网格划分-示例.xlsx")
    roster = F.save_as(SAMPLES / "网格员花名册-示例.xlsx", tmp_path / "花名册.xls")
    code, out, err = run(capsys, "import", "--kind", "workers", roster, "--dry-run", "--db", db, "--json")
    data = json.loads(out)
    expected = run(capsys, "import", "--kind", "workers", SAMPLES / "网格员花名册-示例.xlsx", "--dry-run", "--db", db,
                   "--json")
    assert code == expected[0] == 3 and data["counts"] == json.loads(expected[1])["counts"]
    assert [r["row"] for r in data["rejected"]] == [r["row"] for r in json.loads(expected[1])["rejected"]]
    code, out, err = run(capsys, "import", "--kind", "workers", tmp_path / "无.xls", "--db", db)
    assert code == 1 and "无.xls" in err


def test_error_values_are_rejected_as_in_an_xlsx(gridded, tmp_path):
    """#REF! and #N/A in any format: the row is rejected naming the error, as the .xlsx reader marks it."""
    from tests.fuzz import sheets as S

    rows = [["姓名", "身份证号码", "所属网格", "人员类别"], [S.Error("#REF!"), test_layouts.IDS[0], "云溪社区第一网格", "专职"],
            ["乙", S.Error("#N/A"), "云溪社区第一网格", "兼职"], ["丙", test_layouts.IDS[5], "云溪社区第一网格", "兼职"]]
    expected = _outcome(gridded, "workers", S.write_xlsx(tmp_path / "e.xlsx", rows))
    assert [(n, o) for n, o, *_ in expected] == [(2, "rejected"), (3, "rejected"), (4, "new")]
    for suffix in (".xls", ".ods", ".xlsb"):
        path = F.WRITERS[suffix](tmp_path / f"e{suffix}", [("Sheet1", rows, [])])
        assert _outcome(gridded, "workers", path) == expected, suffix


_MUTANTS = r"""
import json, random, resource, sys, tempfile
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))
from pathlib import Path
from gridapp.core.errors import ValidationError
from gridapp.io.sheet import read_sheet
from tests.data import other_formats as F
from tests.hostile import builders as B
rows = [["网格划分"], ["社区", "网格名称", "网格编码", "户数"], ["云溪社区", "第一网格", "370203012002001", 300],
        ["云溪社区", "第二网格", 370203012002002.0, 12.5]]
folder = Path(tempfile.mkdtemp())
suffix, count, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
if suffix == ".xlsx":
    base = B.write_sheet(folder / "base.xlsx", rows[1], rows[2:], title=rows[0][0]).read_bytes()
elif suffix in ("html", "xml2003"):
    cells = "".join("<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows)
    xml = "".join("<Row>" + "".join(f'<Cell><Data ss:Type="String">{v}</Data></Cell>' for v in row) + "</Row>"
                  for row in rows)
    base = (f'<html><head><meta charset="utf-8"></head><body><table>{cells}</table></body></html>' if suffix == "html"
            else '<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:'
                 f'schemas-microsoft-com:office:spreadsheet"><Worksheet ss:Name="名单"><Table>{xml}</Table></Worksheet>'
                 "</Workbook>").encode()
    suffix = ".xls"
else:
    base = F.WRITERS[suffix](folder / f"base{suffix}", [("Sheet1", rows, ["A1:D1"]), ("第二页", rows, [])]).read_bytes()
rnd = random.Random(seed)
bad = []
for i in range(count):
    data = bytearray(base)
    how = rnd.choice(["flip", "cut", "zero", "repeat"])
    at = rnd.randrange(len(data))
    if how == "flip":
        for _ in range(rnd.randint(1, 20)):
            data[rnd.randrange(len(data))] = rnd.randrange(256)
    elif how == "cut":
        data = data[:at]
    elif how == "zero":
        data[at:at + 64] = bytes(len(data[at:at + 64]))
    else:
        data[at:at] = data[at:at + rnd.randint(1, 200)]
    path = folder / f"变异{i}{suffix}"
    path.write_bytes(bytes(data))
    try:
        read_sheet(path, ["社区", "网格名称", "网格编码", "户数"])
    except ValidationError as exc:
        if path.name not in exc.message:
            bad.append([i, how, exc.message])
    except BaseException as exc:
        bad.append([i, how, f"{type(exc).__name__}: {exc}"[:200]])
    path.unlink()

from tests.data.other_formats import peak_mb
print(json.dumps({"bad": bad, "rss_mb": peak_mb()}))
"""


@pytest.mark.parametrize("suffix", [".xlsx", ".xls", ".ods", ".xlsb", "html", "xml2003"])
def test_damaged_files_of_every_format_are_a_sentence_never_a_crash(suffix):
    """Bytes flipped, cut, zeroed or repeated anywhere in a small workbook (seeded): each read is a correct read or
    a sentence naming the file; nothing is printed (a Rust panic's message included) and memory stays bounded. Run in
    a child, since a reader that asks for hundreds of gigabytes is killed, not told."""
    done = subprocess.run([sys.executable, "-c", _MUTANTS, suffix, "250", "7"], capture_output=True, text=True,
                          cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    data = json.loads(done.stdout)
    assert data["bad"] == [] and data["rss_mb"] < 300, data
    assert "panicked" not in done.stderr and "Traceback" not in done.stderr, done.stderr[-2000:]


def test_a_rust_panic_is_kept_off_stderr(tmp_path, capfd):
    import python_calamine

    bad = B.xlsb_sheet_missing(tmp_path / "p.xlsb", ROWS)  # the reader refuses it first; calamine itself panics
    with pytest.raises(BaseException) as info, calamine_reader._panics_off_stderr():
        python_calamine.CalamineWorkbook.from_path(str(bad))
    assert type(info.value).__name__ == "PanicException"
    assert capfd.readouterr().err == ""
    with calamine_reader._panics_off_stderr():
        print("kept", file=sys.stderr)
    assert capfd.readouterr().err == "kept\n"


@pytest.mark.parametrize("shape", B.WORKBOOK_PARTS)
def test_workbooks_with_pivot_tables_chart_dialog_macro_sheets_links_or_hidden_sheets(tmp_path, shape):
    """The parts the issue's corpus holds: the data sheet is read as it is, and a workbook with no worksheet at all
    (a chart sheet alone) is a sentence naming the file."""
    path = B.workbook_with(tmp_path / f"{shape}.xlsx", ROWS[0], ROWS[1:], shape)
    if shape == "chartsheet-only":
        assert path.name in _message(path)
        return
    sheet = read_sheet(path, ["姓名", "身份证号码"])
    assert sheet.name == "Sheet1" and [r.values for r in sheet.rows] == [tuple(ROWS[1])]


def test_a_web_page_saved_as_xls_imports_its_table(gridded, tmp_path):
    """An “Excel” export of a web system: an HTML table in GBK named .xls, a title row spanning the columns, a merged
    grid cell, &nbsp; padding, an ID number as text: read as the same sheet saved as .xlsx is."""
    ids = test_layouts.IDS
    rows = [["云溪社区网格员信息表", None, None, None], ["姓名", "身份证号码", "所属网格", "人员类别"],
            ["张伟", ids[0], "第一网格", "专职"], ["李娜", ids[1], None, "兼职"], ["合计", "2人", None, None]]
    expected = _outcome(gridded, "workers", test_layouts._book(tmp_path, rows, ["A1:D1", "C3:C4"]))
    page = ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=gb2312"></head><body>'
            '<table border="1"><tr><th colspan="4">云溪社区网格员信息表</th></tr>'
            "<tr><th>姓名</th><th>身份证号码</th><th>所属网格</th><th>人员类别</th></tr>"
            f'<tr><td>&nbsp;张伟 </td><td style="mso-number-format:\'\\@\'">{ids[0]}</td><td rowspan="2">第一<br>网格</td>'
            f"<td>专职</td></tr><tr><td>李娜</td><td>{ids[1]}</td><td>兼职</td></tr>"
            "<tr><td>合计</td><td>2人</td><td></td><td></td></tr></table></body></html>")
    path = tmp_path / "导出.xls"
    path.write_bytes(page.encode("gbk"))
    assert source_kind(path) == "html"
    got = _outcome(gridded, "workers", path)
    assert [(n, o) for n, o, *_ in expected] == [(3, "new"), (4, "new")], expected
    assert [(n, o, p) for n, o, p, *_ in got] == [(n, o, p) for n, o, p, *_ in expected]


def test_calamine_reads_the_xlsx_samples_as_our_reader_does():
    """An oracle for the value conversion (and for the performance issue, should .xlsx ever move to calamine):
    calamine's cells of each sample .xlsx, converted as the other formats' are, equal our reader's."""
    import python_calamine

    from gridapp.io import xlsx_reader
    from tests.conftest import SAMPLES

    for path in sorted(SAMPLES.glob("*.xlsx")):
        book = python_calamine.CalamineWorkbook.from_path(str(path))
        for own in xlsx_reader.read_sheets(path):
            ws = book.get_sheet_by_name(own.name)
            top, left = ws.start[0] + 1, ws.start[1] + 1
            texts: dict[str, str] = {}
            rows = {r: row for r, values in enumerate(ws.iter_rows(), start=top)
                    if (row := calamine_reader._row(values, left, path, own.name, r, texts))}
            assert rows == own.rows, path.name


def test_an_excel_2003_xml_file_saved_as_xls_imports_like_the_xlsx(gridded, tmp_path):
    """XML 表格 2003 under an .xls name: indexes that skip, merged cells across and down, numbers, dates, an error."""
    ids = test_layouts.IDS
    rows = [["云溪社区网格员信息表", None, None, None, None], ["姓名", "身份证号码", "所属网格", "人员类别", "任职时间"],
            ["张伟", ids[0], "第一网格", "专职", dt.datetime(2021, 3, 15)], ["李娜", ids[1], None, "兼职", None],
            [None] * 5, ["王强", float(ids[2]), "第二网格", "专职", None]]
    expected = _outcome(gridded, "workers", test_layouts._book(tmp_path, rows, ["A1:E1", "C3:C4"]))
    cells = ('<Row><Cell ss:MergeAcross="4"><Data ss:Type="String">云溪社区网格员信息表</Data></Cell></Row>'
             "<Row>" + "".join(f'<Cell><Data ss:Type="String">{h}</Data></Cell>' for h in rows[1]) + "</Row>"
             f'<Row><Cell><Data ss:Type="String">张伟</Data></Cell><Cell><Data ss:Type="String">{ids[0]}</Data></Cell>'
             '<Cell ss:MergeDown="1"><Data ss:Type="String">第一网格</Data></Cell><Cell><Data ss:Type="String">专职</Data>'
             '</Cell><Cell><Data ss:Type="DateTime">2021-03-15T00:00:00.000</Data></Cell></Row>'
             f'<Row><Cell><Data ss:Type="String">李娜</Data></Cell><Cell><Data ss:Type="String">{ids[1]}</Data></Cell>'
             '<Cell ss:Index="4"><Data ss:Type="String">兼职</Data></Cell></Row>'
             f'<Row ss:Index="6"><Cell><Data ss:Type="String">王强</Data></Cell><Cell><Data ss:Type="Number">{float(ids[2])!r}'
             '</Data></Cell><Cell><Data ss:Type="String">第二网格</Data></Cell><Cell><Data ss:Type="String">专职</Data>'
             "</Cell></Row>")
    path = tmp_path / "导出.xls"
    path.write_text(_XML2003.format(rows=cells), encoding="utf-8")
    assert source_kind(path) == "xml2003"
    got = _outcome(gridded, "workers", path)
    assert [(n, o) for n, o, *_ in expected] == [(3, "new"), (4, "new"), (6, "rejected")], expected
    assert got == expected

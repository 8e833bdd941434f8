"""Values as real sheets hold them, in .xlsx files the tests write, through the importer into a real store:
loose spellings of coded choices, invisible characters, formulas saved without their results."""

import re
import zipfile

import openpyxl

from gridapp.core.services import workers
from gridapp.core.validation import id_check_digit
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler


def _id(birth: str, seq: str) -> str:
    """A valid ID number born on ``birth``; an odd last ``seq`` digit is a man."""
    body = "370203" + birth + seq
    return body + id_check_digit(body)


MAN, WOMAN, MAN2, WOMAN2, MAN3 = (_id("19900101", "123"), _id("19850315", "204"), _id("19771212", "001"),
                                  _id("19920808", "004"), _id("19881111", "003"))


def _book(path, rows, *, results=None):
    """Write ``rows`` to a sheet; ``results`` (cell → text) stores a calculated text result for formula cells,
    as Excel would, where openpyxl stores none."""
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(list(row))
    wb.save(path)
    if results:
        _store_results(path, results)
    return path


def _store_results(path, results):
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i) for i in z.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    for ref, text in results.items():
        xml, n = re.subn(rf'<c r="{ref}"([^>]*)>(<f>.*?</f>)<v\s*/>', rf'<c r="{ref}"\1 t="str">\2<v>{text}</v>', xml)
        assert n == 1, ref
    parts["xl/worksheets/sheet1.xml"] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


HEADER = ["姓名", "性别", "身份证号码", "民族", "政治面貌", "文化程度", "所属网格", "人员类别"]


def test_coded_cells_in_their_common_spellings(gridded, tmp_path):
    path = _book(tmp_path / "loose.xlsx", [
        HEADER,
        ["张伟", "男性", MAN, "汉", "中共党员（预备）", "大专", "云溪社区第一网格", "网格员（专职）"],
        ["李娜", "女性", WOMAN, "回", "预备党员", "本科", "云溪社区第二网格", "专职人员"],
        ["王强", "男", MAN2, "蒙古族", "团员", "研究生", "云溪社区第三网格", "兼职"],
        ["赵敏", "女", WOMAN2, "维族", "党员", "本科学历", "云溪社区第四网格", "网格长（专职）"],
        ["钱进", "男", MAN3, "汉族", "中共党员", "研究生（硕士）", "松柏社区第一网格", "兼职（楼栋长）"],
    ])
    report = run_import(gridded, handler("workers"), path, commit=True)
    assert report.counts() == {"new": 5, "updated": 0, "unchanged": 0, "rejected": 0}, report.rejected
    got = {}
    for number in (MAN, WOMAN, MAN2, WOMAN2, MAN3):
        w = workers.find_by_id_number(gridded, number)
        got[w.name] = (w.gender, w.ethnicity, w.political_status, w.education, w.worker_type, w.current[0].role)
    assert got == {
        "张伟": ("1", "01", "02", "30", "fulltime", "fulltime"),
        "李娜": ("2", "03", "02", "20", "fulltime", "fulltime"),
        "王强": ("1", "02", "03", "10", "parttime", "parttime"),
        "赵敏": ("2", "05", "01", "20", "fulltime", "leader"),
        "钱进": ("1", "01", "01", "14", "parttime", "building"),
    }


def test_a_value_that_fits_no_choice_or_several_names_the_column_and_the_choices(gridded, tmp_path):
    path = _book(tmp_path / "bad.xlsx", [
        HEADER,
        ["张伟", "男", MAN, "汉族", "党员", "本科", "云溪社区第一网格", "临时工"],
        ["李娜", "女", WOMAN, "哈族", "党员", "本科", "云溪社区第一网格", "专职"],
        ["王强", "男", MAN2, "汉族", "非党员", "本科", "云溪社区第一网格", "兼职"],
        ["赵敏", "女", WOMAN2, "汉族", "群众", "本科", "云溪社区第一网格", "专职兼职"],
    ])
    report = run_import(gridded, handler("workers"), path, commit=True)
    problems = {r.number: r.problems for r in report.rows}
    categories = "专职网格员、兼职网格员、网格长、网格指导员、楼栋长"
    assert problems[2] == [("人员类别", f"人员类别“临时工”不是有效值，可选：{categories}")]
    ((column, reason),) = problems[3]
    assert column == "民族" and reason.startswith("民族“哈族”可能是哈尼族、哈萨克族，请只填其中一项；可选：汉族、蒙古族")
    ((column, reason),) = problems[4]
    assert column == "政治面貌" and reason.startswith("政治面貌“非党员”不是有效值，可选：中共党员、中共预备党员、共青团员")
    assert problems[5] == [("人员类别", f"人员类别“专职兼职”可能是专职网格员、兼职网格员，请只填其中一项；可选：{categories}")]
    assert report.counts()["rejected"] == 4


def test_invisible_characters_are_gone_before_any_check(gridded, tmp_path):
    path = _book(tmp_path / "pasted.xlsx", [
        ["\ufeff姓名", "身份证\u200b号码", "所属网格", "人员类别", "联系电话", "政治面貌", "备注"],
        ["李\u00a0娜\u200d", "\u200e" + WOMAN + "\u200b", "云溪社区\u2060第一网格", "专职\u00ad", "138\u00a01234\u00a05678",
         "党\u200c员", "第一行_x000D_\n第二行"],
        ["王强", "\ufeff" + MAN, "云溪社区第二网格_x200B_", "兼职", "\u202f13800002222", "群众", None],
        # Control characters and direction overrides are not invisible padding: refused, not dropped.
        ["赵\x7f敏", MAN2, "云溪社区第二网格", "兼职", None, "群众", None],
        ["\u202e敏赵", MAN3, "云溪社区第二网格", "兼职", None, "群众", None],
    ])
    report = run_import(gridded, handler("workers"), path, commit=True)
    assert report.counts()["new"] == 2, report.rejected
    li = workers.find_by_id_number(gridded, WOMAN)
    assert (li.name, li.phone, li.political_status, li.worker_type) == ("李娜", "13812345678", "01", "fulltime")
    assert li.current[0].grid_name == "第一网格" and li.notes == "第一行 第二行"
    wang = workers.find_by_id_number(gridded, MAN)
    assert (wang.name, wang.phone, wang.worker_type, wang.current[0].grid_name) == (
        "王强", "13800002222", "parttime", "第二网格")
    assert [r.problems for r in report.rejected] == [
        [("姓名", "姓名含有控制字符（U+007F），请删除后重新填写")],
        [("姓名", "姓名含有改变文字显示方向的隐藏字符（U+202E），请删除后重新填写")]]
    assert workers.find_by_id_number(gridded, MAN2) is None and workers.find_by_id_number(gridded, MAN3) is None


def _formula_message(row, column):
    return f"第 {row} 行“{column}”列是公式，但文件中没有保存计算结果，请在 Excel 中打开并保存后再导入"


def test_a_formula_without_its_result_is_reported_on_its_row(gridded, tmp_path):
    path = _book(tmp_path / "formulas.xlsx", [
        ["序号", "姓名", "身份证号码", "所属网格", "人员类别", "联系电话", "备注"],
        [1, "张伟", MAN, "云溪社区第一网格", "专职", '="138"&"00001111"', None],
        ["=ROW()-1", "李娜", WOMAN, "云溪社区第一网格", "专职", "13800002222", None],  # 序号 is not read
        ["=ROW()-1", "=B3", "=C3", "云溪社区第二网格", "兼职", None, None],
        ["=ROW()-1"], ["=ROW()-1"], ["=ROW()-1"],  # numbering run on below the data: no rows
        [7, '="王"&"强"', MAN2, "云溪社区第三网格", "兼职", None, '=IF(1,"","有")'],  # results stored: read as such
    ], results={"B8": "王强", "G8": ""})
    report = run_import(gridded, handler("workers"), path, commit=True)
    outcomes = {r.number: (r.outcome, r.problems) for r in report.rows}
    assert outcomes == {
        2: ("rejected", [("联系电话", _formula_message(2, "联系电话"))]),
        3: ("new", []),
        4: ("rejected", [("姓名", _formula_message(4, "姓名")), ("身份证号码", _formula_message(4, "身份证号码"))]),
        8: ("new", []),
    }
    wang = workers.find_by_id_number(gridded, MAN2)
    assert wang.name == "王强" and wang.notes is None


def test_a_sheet_of_formulas_without_results_is_not_read_as_empty(gridded, tmp_path):
    """A whole row of formulas (a sheet filled from another one and saved by a program that does not
    calculate) would look blank: it is reported, not skipped."""
    path = _book(tmp_path / "linked.xlsx", [
        ["姓名", "身份证号码", "所属网格", "人员类别"],
        ["=Sheet2!A1", "=Sheet2!B1", "=Sheet2!C1", "=Sheet2!D1"],
    ])
    report = run_import(gridded, handler("workers"), path, commit=True)
    (row,) = report.rows
    assert row.number == 2 and row.outcome == "rejected"
    assert [c for c, _ in row.problems] == ["姓名", "身份证号码", "所属网格", "人员类别"]
    assert all(reason == _formula_message(2, c) for c, reason in row.problems)


def test_a_sheet_with_every_result_stored_is_read_once(gridded, tmp_path, monkeypatch):
    """Formulas saved by Excel carry their results, an empty text included: the sheet is read once."""
    from gridapp.io.xlsx_reader import Workbook

    reads = []
    original = Workbook.read_sheet

    def counted(self, name, part):
        reads.append(name)
        return original(self, name, part)

    monkeypatch.setattr(Workbook, "read_sheet", counted)
    path = _book(tmp_path / "excel.xlsx", [
        ["序号", "姓名", "身份证号码", "所属网格", "人员类别", "备注"],
        ["=ROW()-1", "张伟", MAN, "云溪社区第一网格", "专职", '=IF(1,"","有")'],
    ], results={"A2": "1", "F2": ""})
    report = run_import(gridded, handler("workers"), path, commit=True)
    assert report.counts()["new"] == 1 and workers.find_by_id_number(gridded, MAN).notes is None
    assert reads == ["Sheet"]

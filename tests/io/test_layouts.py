"""Sheets in the other shapes people bring, written by the tests themselves."""

import datetime as dt

import openpyxl
import pytest

from gridapp.core.errors import ValidationError
from gridapp.core.services import workers
from gridapp.core.validation import id_check_digit
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler

# Valid, distinct ID numbers: the check digit computed per GB 11643 (the 17th digit: odd male, even female).
# IDS[1] ends in X.
IDS = [b + id_check_digit(b) for b in ("37020319900101123", "37020319850315204", "37020319771212001",
                                       "37020319920808004", "37020319881111003", "37020319660505002")]
OLD_15 = "370203660505002"  # the same person as IDS[5], as an old 15-digit number


def _book(tmp_path, rows, merges=(), name="w.xlsx", number_cells=()):
    wb = openpyxl.Workbook()
    ws = wb.active
    for row in rows:
        ws.append(list(row))
    for rng in merges:
        ws.merge_cells(rng)
    for ref, value in number_cells:
        ws[ref] = value
    path = tmp_path / name
    wb.save(path)
    return path


def test_two_row_header_merged_groups_and_merged_grid_cells(gridded, tmp_path):
    rows = [
        ["云溪社区网格员信息表", None, None, None, None, None, None],
        ["填报单位：云溪社区", None, None, None, None, None, None],
        ["序号", "基本信息", None, None, "联系方式", "网格信息", None],
        [None, "姓名", "性别", "公民身份号码", "手机号", "网格名称", "人员类型"],
        [1, "张伟", "男", IDS[0], "138 1234 5678", "第一网格", "专职"],
        [2, "李娜", "女", IDS[1].lower(), "13912345678，0532-88886666", None, "兼职"],
        [None, None, None, None, None, None, None],
        [3, "王强", "男", IDS[2], "13712345678", "第二网格", "网格长"],
        ["合计", "3人", None, None, None, None, None],
        ["填表人：赵敏", None, None, "审核人：钱进", None, None, None],
    ]
    merges = ["A1:G1", "A2:G2", "A3:A4", "B3:D3", "F3:G3", "F5:F6"]
    report = run_import(gridded, handler("workers"), _book(tmp_path, rows, merges), commit=True)
    assert report.counts() == {"new": 3, "updated": 0, "unchanged": 0, "rejected": 0}, report.rejected
    li = workers.find_by_id_number(gridded, IDS[1])
    assert li.id_number.endswith("X")
    assert (li.phone, li.phone2) == ("13912345678", "0532-88886666")
    assert li.current[0].grid_name == "第一网格"  # the merged cell above it
    wang = workers.find_by_id_number(gridded, IDS[2])
    assert wang.current[0].role == "leader"


def test_columns_in_any_order_with_synonyms_and_odd_values(gridded, tmp_path):
    rows = [
        ["联系电话", "人员类别", "所属网格", "身份证号", "姓名", "任职时间", "民族", "学历"],
        ["１３８００００１１１１", "兼职网格员", "云溪社区第三网格", OLD_15, "周　芳", "2020年", "回", "大专"],
        ["13800002222", "专职网格员", "松柏社区第一网格", IDS[3], "吴敏", "2021年3月", "汉族", "本科"],
    ]
    report = run_import(gridded, handler("workers"), _book(tmp_path, rows), commit=True)
    assert report.counts()["new"] == 2, report.rejected
    zhou = workers.find_by_id_number(gridded, IDS[5])  # upgraded from 15 digits
    assert zhou.name == "周芳" and zhou.phone == "13800001111" and zhou.ethnicity == "03"
    assert zhou.hired_on == dt.date(2020, 1, 1) and zhou.education == "30"
    wu = workers.find_by_id_number(gridded, IDS[3])
    assert wu.current[0].community_name == "松柏社区" and wu.hired_on == dt.date(2021, 3, 1)


def test_excel_number_id_and_unknown_grid_are_reported_not_invented(gridded, tmp_path):
    rows = [
        ["姓名", "身份证号码", "所属网格", "人员类别", "联系电话"],
        ["甲", None, "云溪社区第一网格", "专职", "13800001111"],
        ["乙", IDS[4], "云溪社区第九网格", "专职", "13800002222"],
        ["丙", IDS[5], "第一网格", "兼职", "13800003333"],
        ["丁", IDS[2], "云溪社区第一网格", "保安", "13800004444"],
    ]
    path = _book(tmp_path, rows, number_cells=[("B2", int(IDS[0]))])
    report = run_import(gridded, handler("workers"), path, commit=True)
    reasons = {r.number: r.problems[0] for r in report.rejected}
    assert "后几位已丢失" in reasons[2][1]
    assert reasons[3] == ("所属网格", "云溪社区没有名为“第九网格”的网格（请先建立该网格，或核对名称）")
    assert "多个社区都有" in reasons[4][1]  # no title naming a community
    assert reasons[5] == ("人员类别", "人员类别“保安”不是有效值，可选：专职网格员、兼职网格员、网格长、网格指导员、楼栋长")
    from gridapp.core.services import orgs

    assert [u.name for u in orgs.tree(gridded) if u.name == "第九网格"] == []


def test_org_option_gives_the_community(gridded, tmp_path):
    rows = [["姓名", "身份证号码", "所属网格", "人员类别"], ["丙", IDS[5], "第一网格", "兼职"]]
    report = run_import(gridded, handler("workers"), _book(tmp_path, rows), commit=True,
                        options={"org": "370203012003"})
    assert report.counts()["new"] == 1
    assert workers.find_by_id_number(gridded, IDS[5]).current[0].grid_id
    assert workers.find_by_id_number(gridded, IDS[5]).current[0].community_name == "松柏社区"


def test_second_import_updates_and_transfers(gridded, tmp_path):
    first = [["姓名", "身份证号码", "所属网格", "人员类别", "联系电话"],
             ["张伟", IDS[0], "云溪社区第一网格", "专职", "13800001111"]]
    run_import(gridded, handler("workers"), _book(tmp_path, first, name="a.xlsx"), commit=True)
    second = [["姓名", "身份证号码", "所属网格", "人员类别", "联系电话"],
              ["张伟", IDS[0], "云溪社区第二网格", "专职", "13900009999"]]
    report = run_import(gridded, handler("workers"), _book(tmp_path, second, name="b.xlsx"), commit=True)
    assert report.counts()["updated"] == 1
    w = workers.find_by_id_number(gridded, IDS[0])
    assert w.phone == "13900009999"
    assert [a.grid_name for a in w.current] == ["第二网格"]
    ended = [a for a in w.assignments if a.end_date is not None]
    assert ended and ended[0].grid_name == "第一网格"  # the history stays


def test_missing_required_column_and_bad_files(gridded, tmp_path):
    rows = [["姓名", "所属网格", "人员类别"], ["张伟", "第一网格", "专职"]]
    with pytest.raises(ValidationError, match="缺少必填列：身份证号码"):
        run_import(gridded, handler("workers"), _book(tmp_path, rows), commit=True)
    junk = tmp_path / "junk.xlsx"
    junk.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValidationError, match="不是有效的 Excel"):
        run_import(gridded, handler("workers"), junk, commit=True)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ValidationError, match=r"old\.xls 不是有效的 \.xls 文件"):
        run_import(gridded, handler("workers"), old, commit=True)
    nohead = _book(tmp_path, [["a", "b"], [1, 2]], name="nohead.xlsx")
    with pytest.raises(ValidationError, match="找不到表头"):
        run_import(gridded, handler("workers"), nohead, commit=True)


def test_one_title_row_right_above_the_header_is_the_title_not_a_header_row(gridded, tmp_path):
    """A title in A1 (merged or not) directly above a one-row header names the community the grids are in."""
    rows = [["云溪社区网格员花名册", None, None, None], ["姓名", "身份证号码", "所属网格", "人员类别"],
            ["丙", IDS[5], "第一网格", "兼职"]]
    for merges, name in (((), "plain.xlsx"), (("A1:D1",), "merged.xlsx")):
        report = run_import(gridded, handler("workers"), _book(tmp_path, rows, merges, name=name), commit=False)
        assert report.counts()["new"] == 1, (name, report.rejected)

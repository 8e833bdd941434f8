"""A .csv goes through the same pipeline as the same sheet in .xlsx: same rows, same row numbers, same reasons,
in every encoding and separator Excel and WPS save."""

import csv
import datetime as dt
import io

import openpyxl
import pytest

from gridapp.core.errors import ValidationError
from gridapp.io.csv_reader import decode, separator
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from gridapp.io.sheet import read_sheet
from tests.conftest import SAMPLES


def _excel_text(value: object) -> str:
    """A cell as Excel writes it into a CSV."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return f"{value:%Y/%m/%d}" if not (value.hour or value.minute) else f"{value:%Y/%m/%d %H:%M}"
    if isinstance(value, float):
        return f"{value:.5E}" if abs(value) >= 1e15 else f"{value:g}"
    return str(value)


def _to_csv(xlsx, path, *, encoding="utf-8-sig", delimiter=","):
    ws = openpyxl.load_workbook(xlsx).active
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    for row in ws.iter_rows(values_only=True):
        writer.writerow([_excel_text(v) for v in row])
    path.write_bytes(out.getvalue().encode(encoding))
    return path


def _outcome(report):
    # An ID number Excel stored as a number reaches the CSV as 3.70203E+17, which the check names as such.
    return report.counts(), [(r.number, r.outcome, r.label, [(c, m.replace("（科学计数法）", "")) for c, m in r.problems])
                             for r in report.rows]


@pytest.mark.parametrize(("encoding", "delimiter"), [
    ("utf-8-sig", ","), ("utf-8", ","), ("gbk", ","), ("gb18030", ";"), ("utf-16", "\t"), ("utf-8", "\t"),
])
def test_the_worker_sample_as_csv_imports_like_the_xlsx(gridded, tmp_path, encoding, delimiter):
    xlsx = SAMPLES / "网格员花名册-示例.xlsx"
    path = _to_csv(xlsx, tmp_path / "花名册.csv", encoding=encoding, delimiter=delimiter)
    from_csv = run_import(gridded, handler("workers"), path, commit=False)
    from_xlsx = run_import(gridded, handler("workers"), xlsx, commit=False)
    assert _outcome(from_csv) == _outcome(from_xlsx)
    assert from_csv.sheet == "花名册" and from_csv.counts()["rejected"] == 7


@pytest.mark.parametrize("name", ["网格划分-示例.xlsx", "物业企业-示例.xlsx"])
def test_other_samples_as_csv_import_like_the_xlsx(street_store, gridded, tmp_path, name):
    kind = {"网格划分-示例.xlsx": "grids", "物业企业-示例.xlsx": "firms"}[name]
    store = street_store if kind == "grids" else gridded
    path = _to_csv(SAMPLES / name, tmp_path / (name[:-5] + ".csv"), encoding="gbk")
    assert _outcome(run_import(store, handler(kind), path, commit=False)) == \
        _outcome(run_import(store, handler(kind), SAMPLES / name, commit=False))


def test_a_real_csv_import_writes_and_counts_rows_as_excel_numbers_them(gridded, tmp_path):
    from gridapp.core.services import workers
    from gridapp.core.validation import id_check_digit

    man = "37020319900101123" + id_check_digit("37020319900101123")
    text = ("云溪社区网格员花名册,,,\r\n"
            "姓名,身份证号码,所属网格,人员类别\r\n"
            f"\"张\u200b伟\",{man},第一网格,专职\r\n"
            ",,,\r\n"
            "李娜,12345,第一网格,专职\r\n"
            "合计,2人,,\r\n")
    path = tmp_path / "roster.csv"
    path.write_bytes(text.encode("utf-8"))
    report = run_import(gridded, handler("workers"), path, commit=True)
    assert report.counts() == {"new": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert [r.number for r in report.rejected] == [5]
    assert workers.find_by_id_number(gridded, man).current[0].community_name == "云溪社区"  # from the title row


def test_encodings_and_separators_are_told_apart():
    assert decode("姓名,身份证号码\r\n".encode("gbk"), "a.csv") == "姓名,身份证号码\r\n"
    assert decode("\ufeff姓名".encode(), "a.csv") == "姓名"
    assert decode("姓名\t网格".encode("utf-16"), "a.csv") == "姓名\t网格"
    assert decode("䶮𠀀".encode("gb18030"), "a.csv") == "䶮𠀀"  # outside GBK, inside GB18030
    assert separator("标题\n姓名;身份证号码;网格\n张伟;1;2\n") == ";"
    assert separator("姓名\t身份证号码\t备注\n张伟\t1\t甲,乙\n") == "\t"
    assert separator("姓名,身份证号码,备注\n张伟,1,\"甲;乙\"\n") == ","


def test_bad_csv_files_get_a_sentence(tmp_path):
    headers = ["姓名", "身份证号码"]
    binary = tmp_path / "b.csv"
    binary.write_bytes(b"\x81\x30\xff\xfe\xfd" * 10)
    with pytest.raises(ValidationError, match=r"无法识别 b\.csv 的文字编码"):
        read_sheet(binary, headers)
    long = tmp_path / "long.csv"
    long.write_text("姓名,身份证号码\n" + "张" * 40_000 + ",1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"long.csv 第 2 行第 1 列（A 列）的文字超过 32,767 个字符"):
        read_sheet(long, headers)
    quote = tmp_path / "quote.csv"
    quote.write_text("姓名,身份证号码\n\"张伟" + "x" * 200_000 + "\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="引号没有配对"):
        read_sheet(quote, headers)
    empty = tmp_path / "e.csv"
    empty.write_bytes(b"")
    with pytest.raises(ValidationError, match=r"e\.csv 是空文件"):
        read_sheet(empty, headers)
    nohead = tmp_path / "n.csv"
    nohead.write_text("a,b\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError, match=r"n\.csv 中找不到表头"):
        read_sheet(nohead, headers)

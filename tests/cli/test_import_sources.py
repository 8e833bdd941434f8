"""`gridapp import` of a .csv, and of files that are hostile or no workbook: a sentence and exit 1, JSON under --json."""

import json

from tests.cli.test_import_export import _street, run
from tests.conftest import SAMPLES
from tests.fuzz import sheets as S


def test_a_gbk_csv_imports_like_the_xlsx(tmp_path, capsys):
    db = _street(tmp_path, capsys)
    run(capsys, "import", "--db", db, "--kind", "grids", SAMPLES / "网格划分-示例.xlsx")
    path = tmp_path / "grids.csv"
    path.write_bytes("社区,网格名称,网格编码,户数\r\n云溪社区,第九网格,370203012002009,300\r\n"
                     "云溪社区,第十网格,3702,abc\r\n合计,,,300\r\n".encode("gbk"))
    code, out, _ = run(capsys, "import", "--db", db, "--kind", "grids", path, "--json")
    data = json.loads(out)
    assert code == 3 and data["counts"]["new"] == 1
    assert [r["row"] for r in data["rejected"]] == [3]


def test_hostile_and_foreign_files_are_a_sentence_and_exit_1(tmp_path, capsys):
    db = _street(tmp_path, capsys)
    rows = [["姓名", "身份证号码", "所属网格", "人员类别"], ["张伟", "1", "第一网格", "专职"]]
    folder = tmp_path / "表格"
    folder.mkdir()
    cases = {
        S.far_cell(tmp_path / "far.xlsx", rows): "单元格 XFD1048576 超出可读取的范围",
        S.encrypted_xlsx(tmp_path / "enc.xlsx"): "文件 enc.xlsx 设有打开密码，请在 Excel 中取消密码后再导入",
        S.inflating_member(tmp_path / "bomb.xlsx", rows, 32 << 20): "压缩炸弹",
        folder: "是文件夹",
    }
    for path, words in cases.items():
        code, out, err = run(capsys, "import", "--db", db, "--kind", "workers", path)
        assert code == 1 and err.startswith("错误：") and words in err, err
        code, out, err = run(capsys, "import", "--db", db, "--kind", "workers", path, "--json")
        assert code == 1 and words in json.dumps(json.loads(out or err), ensure_ascii=False)

"""gridapp import|export|print for 红色物业: firms, compounds, contracts and ratings."""

import json

import openpyxl
from pypdf import PdfReader

from tests.cli.test_import_export import run
from tests.conftest import SAMPLES


def test_sample_firms_import_with_notes_in_json(tmp_path, capsys):
    db = tmp_path / "s.sqlite"
    run(capsys, "init", "--db", db, "--level", "street", "--code", "370203012", "--name", "海泉路街道")
    run(capsys, "import", "--db", db, "--kind", "grids", SAMPLES / "网格划分-示例.xlsx")
    code, out, _ = run(capsys, "import", "--db", db, "--kind", "firms", SAMPLES / "物业企业-示例.xlsx", "--json")
    data = json.loads(out)
    assert code == 0 and data["counts"]["new"] == 5
    assert sum(len(n["notes"]) for n in data["notes"]) == 7  # no compound registered yet: each name reported
    code, out, _ = run(capsys, "import", "--db", db, "--kind", "firms", SAMPLES / "物业企业-示例.xlsx")
    assert code == 0 and "无变化 5 行" in out and "提示：小区“和美小区”未登记" in out


def test_export_and_print_ratings_and_firms(demo_db, tmp_path, capsys):
    out_xlsx = tmp_path / "ratings.xlsx"
    code, out, _ = run(capsys, "export", "--db", demo_db, "--kind", "ratings", "--year", "2025", "--out", out_xlsx,
                       "--json")
    assert code == 0 and json.loads(out)["rows"] >= 5
    ws = openpyxl.load_workbook(out_xlsx).active
    header = [c.value for c in ws[2]]
    assert header[:4] == ["名次", "企业名称", "统一社会信用代码", "年度"] and "党组织建设" in header and "星级" in header
    code, out, _ = run(capsys, "import", "--db", demo_db, "--kind", "ratings", out_xlsx, "--json")
    counts = json.loads(out)["counts"]
    assert code == 0 and counts["unchanged"] >= 5 and counts["new"] == counts["updated"] == counts["rejected"] == 0
    for kind in ("firms", "compounds", "contracts", "appointments"):
        code, out, _ = run(capsys, "export", "--db", demo_db, "--kind", kind, "--out", tmp_path / f"{kind}.xlsx",
                           "--org", "370203012", "--json")
        assert code == 0 and json.loads(out)["rows"] > 0, kind
    pdf = tmp_path / "ratings.pdf"
    code, out, _ = run(capsys, "print", "ratings", "--db", demo_db, "--year", "2025", "--org", "370203012",
                       "--out", pdf, "--json")
    assert code == 0 and json.loads(out)["count"] >= 5
    assert "评星定级结果" in PdfReader(pdf).pages[0].extract_text().replace(" ", "")
    pdf = tmp_path / "firms.pdf"
    code, out, _ = run(capsys, "print", "firms", "--db", demo_db, "--out", pdf)
    assert code == 0 and "物业服务企业名册" in out
    assert "统一社会信用代码" in PdfReader(pdf).pages[0].extract_text().replace(" ", "")


def test_template_for_ratings_lists_the_years_indicators(demo_db, tmp_path, capsys):
    path = tmp_path / "t.xlsx"
    code, _out, _ = run(capsys, "template", "--db", demo_db, "--kind", "ratings", "--year", "2025", "--out", path)
    assert code == 0
    cells = {str(c.value).lstrip("*") for row in openpyxl.load_workbook(path).active.iter_rows() for c in row}
    assert {"企业名称", "党组织建设", "服务质量", "居民满意度", "投诉处理", "参与社区治理"} <= cells

import json

import openpyxl

from gridapp.cli import main
from tests.conftest import SAMPLES


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _street(tmp_path, capsys):
    db = tmp_path / "s.sqlite"
    assert run(capsys, "init", "--db", db, "--level", "street", "--code", "370203012", "--name", "海泉路街道")[0] == 0
    return db


def test_import_exit_codes_report_and_json(tmp_path, capsys):
    db = _street(tmp_path, capsys)
    code, out, _ = run(capsys, "import", "--db", db, "--kind", "grids", SAMPLES / "网格划分-示例.xlsx", "--json")
    assert code == 0 and json.loads(out)["counts"] == {"new": 12, "updated": 0, "unchanged": 0, "rejected": 0}
    report = tmp_path / "errors.xlsx"
    code, out, _ = run(capsys, "import", "--db", db, "--kind", "workers", SAMPLES / "网格员花名册-示例.xlsx",
                       "--report", report)
    assert code == 3
    assert "新增 22 行" in out and "未导入 7 行" in out and "第 6 行 雷兰" in out
    assert openpyxl.load_workbook(report)["未导入的行"].max_row == 9


def test_dry_run_writes_nothing(tmp_path, capsys):
    db = _street(tmp_path, capsys)
    code, out, _ = run(capsys, "import", "--db", db, "--kind", "grids", SAMPLES / "网格划分-示例.xlsx", "--dry-run",
                       "--json")
    data = json.loads(out)
    assert code == 0 and data["counts"]["new"] == 12 and not data["committed"]
    code, out, _ = run(capsys, "check", "--db", db, "--json")
    assert json.loads(out)["counts"]["grids"] == 0


def test_export_by_org_and_template(tmp_path, capsys):
    db = _street(tmp_path, capsys)
    run(capsys, "import", "--db", db, "--kind", "grids", SAMPLES / "网格划分-示例.xlsx")
    run(capsys, "import", "--db", db, "--kind", "workers", SAMPLES / "网格员花名册-示例.xlsx")
    out_file = tmp_path / "w.xlsx"
    code, out, _ = run(capsys, "export", "--db", db, "--kind", "workers", "--out", out_file, "--org", "370203012002001",
                       "--json")
    assert code == 0
    n = json.loads(out)["rows"]
    ws = openpyxl.load_workbook(out_file).active
    assert ws["A1"].value == "第一网格网格员"
    col = [c.value for c in ws[2]].index("所属网格") + 1
    grids = {ws.cell(r, col).value for r in range(3, 3 + n)}
    assert grids == {"第一网格"}
    code, out, _ = run(capsys, "export", "--db", db, "--kind", "grids", "--out", tmp_path / "g.xlsx", "--org",
                       "370203012003")
    assert code == 0 and "4 条" in out  # 松柏社区 has four grids in the sample
    code, _, _ = run(capsys, "template", "--kind", "workers", "--out", tmp_path / "t.xlsx")
    assert code == 0 and (tmp_path / "t.xlsx").exists()


def test_import_of_a_missing_file_fails_cleanly(tmp_path, capsys):
    db = _street(tmp_path, capsys)
    code, _, err = run(capsys, "import", "--db", db, "--kind", "workers", tmp_path / "nope.xlsx")
    assert code == 1 and "文件不存在" in err


def test_print_roster_and_noticeboards(tmp_path, capsys, qapp):
    from pypdf import PdfReader

    db = _street(tmp_path, capsys)
    run(capsys, "import", "--db", db, "--kind", "grids", SAMPLES / "网格划分-示例.xlsx")
    run(capsys, "import", "--db", db, "--kind", "workers", SAMPLES / "网格员花名册-示例.xlsx")
    code, out, _ = run(capsys, "print", "roster", "--db", db, "--org", "370203012002", "--out", tmp_path / "r.pdf",
                       "--date", "2026-10-08", "--json")
    data = json.loads(out)
    assert code == 0 and data["count"] == 22 and data["pages"] >= 1
    assert "2026年10月8日" in PdfReader(tmp_path / "r.pdf").pages[0].extract_text()
    code, out, _ = run(capsys, "print", "noticeboard", "--db", db, "--org", "370203012001", "--out",
                       tmp_path / "b.pdf")
    assert code == 0 and "4 个网格" in out
    code, _, err = run(capsys, "print", "roster", "--db", db, "--org", "370203099", "--out", tmp_path / "x.pdf")
    assert code == 1 and "找不到编码" in err


def test_baodao_commands(tmp_path, capsys, qapp):
    db = tmp_path / "demo.sqlite"
    assert run(capsys, "demo", "--db", db, "--year", "2026")[0] == 0
    code, out, _ = run(capsys, "export", "--db", db, "--kind", "members", "--out", tmp_path / "m.xlsx", "--json")
    assert code == 0 and json.loads(out)["rows"] == 300
    code, out, _ = run(capsys, "import", "--db", db, "--kind", "members", tmp_path / "m.xlsx", "--json")
    assert code == 0 and json.loads(out)["counts"]["unchanged"] == 300
    import sqlite3

    unit_code = sqlite3.connect(db).execute("SELECT credit_code FROM unit ORDER BY name LIMIT 1").fetchone()[0]
    code, out, _ = run(capsys, "print", "feedback", "--db", db, "--unit", unit_code, "--year", "2026",
                       "--out", tmp_path / "fb.pdf", "--json")
    data = json.loads(out)
    assert code == 0 and data["units"] == 1 and data["pages"] >= 1
    code, out, _ = run(capsys, "print", "feedback", "--db", db, "--year", "2026", "--out", tmp_path / "all.xlsx")
    assert code == 0 and "12 个单位" in out
    code, _, err = run(capsys, "print", "feedback", "--db", db, "--unit", "91370203MA3C123450", "--out",
                       tmp_path / "x.pdf")
    assert code == 1 and ("找不到" in err or "校验位" in err)


def test_print_registration_form(tmp_path, capsys, qapp):
    import sqlite3

    from pypdf import PdfReader

    db = tmp_path / "demo.sqlite"
    run(capsys, "demo", "--db", db)
    name, number, unit = sqlite3.connect(db).execute(
        "SELECT p.name, p.id_number, u.name FROM member_registration m JOIN person p ON p.id = m.person_id "
        "JOIN unit u ON u.id = m.unit_id LIMIT 1").fetchone()
    code, _, _ = run(capsys, "print", "registration", "--db", db, "--id-number", number, "--out", tmp_path / "f.pdf")
    assert code == 0
    text = "".join(PdfReader(tmp_path / "f.pdf").pages[0].extract_text().split())
    assert "在职党员到社区报到登记表" in text and name in text and unit in text
    assert number not in text and number[-4:] in text  # masked

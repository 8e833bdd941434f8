"""`gridapp regions` and the region checks at the door: init, import notes."""

import json

import openpyxl

from gridapp.cli import main
from gridapp.core import regions
from gridapp.core.validation import id_check_digit


def _run(capsys, *argv):
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err


def test_show_names_the_edition_and_a_codes_history(capsys):
    code, out, _ = _run(capsys, "regions", "show", "370205", "434889")
    assert code == 0
    assert f"{regions.table().edition} 年版" in out and "随程序提供" in out
    assert "370205 山东省青岛市四方区（已撤销）" in out and "四方区：1983–2012" in out
    assert "434889：不在代码表中" in out
    code, out, _ = _run(capsys, "regions", "show", "--json", "441900003")
    data = json.loads(out)
    assert data["lookup"][0]["current"] and data["lookup"][0]["place"] == "广东省东莞市"


def test_update_dry_run_then_saved(tmp_path, capsys):
    t = regions.table()
    year = t.edition + 1
    listed = [(c, t.current(c).name) for c in sorted(t.regions) if t.current(c) and not c.startswith("83")]
    source = tmp_path / "codes.txt"
    source.write_text("行政区划代码 单位名称\n" + "\n".join(f"{c} {n}" for c, n in [*listed, ("370299", "新设区")]),
                      encoding="gbk")
    code, out, _ = _run(capsys, "regions", "update", str(source), "--year", str(year), "--dry-run")
    assert code == 0 and "新增 1 个" in out and "试运行" in out and "新增 370299 新设区" in out
    assert regions.table().edition == t.edition
    code, out, _ = _run(capsys, "regions", "update", str(source), "--year", str(year), "--json")
    assert json.loads(out)["saved"] and regions.table().edition == year
    db = tmp_path / "new.sqlite"
    assert _run(capsys, "--db", str(db), "init", "--level", "street", "--code", "370299001", "--name", "新街道")[0] == 0


def test_update_refuses_a_file_that_is_not_a_list(tmp_path, capsys):
    source = tmp_path / "2030.txt"
    source.write_text("110000 北京市\n", encoding="utf-8")
    code, _, err = _run(capsys, "regions", "update", str(source))
    assert code == 1 and "不是完整的全国行政区划代码" in err
    assert regions.table().path == regions.shipped_path()


def test_init_refuses_an_abolished_county_and_leaves_no_file(tmp_path, capsys):
    db = tmp_path / "x.sqlite"
    code, _, err = _run(capsys, "--db", str(db), "init", "--level", "street", "--code", "110103001", "--name", "崇文")
    assert code == 1 and "已撤销" in err and "北京市崇文区" in err
    assert not db.exists()


def test_an_imported_worker_with_a_made_up_county_goes_in_with_a_note(tmp_path, capsys, demo_db):
    first = "434889" + "19800101" + "123"
    sheet = tmp_path / "w.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "所属网格编码", "人员类别"])
    ws.append(["新人", first + id_check_digit(first), _a_grid_code(demo_db), "专职网格员"])
    wb.save(sheet)
    code, out, _ = _run(capsys, "--db", str(demo_db), "import", "--kind", "workers", str(sheet), "--json")
    data = json.loads(out)
    assert code == 0, data
    notes = [n for r in data["notes"] for n in r["notes"]]
    assert any("434889" in n["reason"] and "核对" in n["reason"] for n in notes), data


def _a_grid_code(db):
    import sqlite3

    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT code FROM org_unit WHERE level = 'grid' AND retired_on IS NULL LIMIT 1").fetchone()[0]

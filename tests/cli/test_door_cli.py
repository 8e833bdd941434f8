"""Validation at the door on the command line: arguments refused before any file is touched, names
within their columns, and every export that has an import kind reading back without a rejected row."""

from __future__ import annotations

import json
import sqlite3

import pytest

from gridapp.cli import main


def run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def usage_error(capsys, *argv) -> str:
    with pytest.raises(SystemExit) as exit_:
        main([str(a) for a in argv])
    assert exit_.value.code == 2
    return capsys.readouterr().err


def dump(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


@pytest.fixture
def street(tmp_path, capsys):
    db = tmp_path / "s.sqlite"
    assert run(capsys, "init", "--db", db, "--level", "street", "--code", "370203012", "--name", "海泉路街道")[0] == 0
    return db


@pytest.mark.parametrize("value", ["100000000000000000000", "1e20", "2026.5", "1948", "2101", "-2026", "二〇二六"])
def test_year_arguments_are_refused_in_chinese(tmp_path, capsys, value):
    out = tmp_path / "x.xlsx"
    for argv in (("import", tmp_path / "in.xlsx", "--kind", "ratings"), ("export", "--kind", "ratings", "--out", out),
                 ("print", "ratings", "--out", tmp_path / "x.pdf"), ("template", "--kind", "ratings", "--out", out)):
        err = usage_error(capsys, *argv, "--db", tmp_path / "none.sqlite", "--year", value)
        assert "年度应为 1949–2100 之间的四位整数" in err and "Traceback" not in err, argv
    assert not out.exists() and not (tmp_path / "none.sqlite").exists()


@pytest.mark.parametrize("value", ["1999", "2101", "100000000000000000000"])
def test_demo_year_outside_2000_2100_is_refused(tmp_path, capsys, value):
    err = usage_error(capsys, "demo", "--db", tmp_path / "d.sqlite", "--year", value)
    assert "年度应为 2000–2100 之间的四位整数" in err
    assert not (tmp_path / "d.sqlite").exists()


def test_import_org_unknown_or_not_a_community_is_refused_before_the_sheet(street, tmp_path, capsys):
    before = dump(street)
    missing_sheet = tmp_path / "not-there.xlsx"
    code, _out, err = run(capsys, "import", "--db", street, "--kind", "workers", missing_sheet, "--org", "370203012999")
    assert code == 1 and "找不到编码为 370203012999 的组织单位" in err
    code, _out, err = run(capsys, "import", "--db", street, "--kind", "workers", missing_sheet, "--org", "370203012")
    assert code == 1 and "--org 370203012 是街道“海泉路街道”" in err
    code, out, _err = run(capsys, "import", "--db", street, "--kind", "workers", missing_sheet, "--org", "abc", "--json")
    assert code == 1 and "组织编码只能由数字组成" in json.loads(out)["error"]
    assert dump(street) == before


@pytest.mark.parametrize(("name", "words"), [
    ("街" * 101, "名称过长：最多 100 个字，现有 101 个"),
    ("海泉路\u202e街道", "U+202E"),
    ("\u200b\u200b", "只由不可见字符组成"),
])
def test_init_names_are_checked_before_a_file_is_made(tmp_path, capsys, name, words):
    db = tmp_path / "s.sqlite"
    code, _out, err = run(capsys, "init", "--db", db, "--level", "street", "--code", "370203012", "--name", name)
    assert code == 1 and words in err
    assert not db.exists()


def test_sync_export_to_the_sites_own_code_says_so(street, tmp_path, capsys):
    code, _out, err = run(capsys, "sync", "export", "--db", street, "--to", "370203012", "--out", tmp_path / "p.zip")
    assert code == 1 and "是本站点（海泉路街道）自己的编码" in err
    assert not (tmp_path / "p.zip").exists()


# Every export kind that has an import kind; ratings by the year the demo rated.
ROUND_TRIP = ("grids", "workers", "units", "members", "activities", "participations", "firms", "compounds",
              "contracts", "ratings")


def test_every_export_imports_back_unchanged(demo_db, tmp_path, capsys):
    for kind in ROUND_TRIP:
        out = tmp_path / f"{kind}.xlsx"
        code, text, err = run(capsys, "export", "--db", demo_db, "--kind", kind, "--out", out, "--year", "2025", "--json")
        assert code == 0, err
        rows = json.loads(text)["rows"]
        assert rows > 0, kind
        code, text, err = run(capsys, "import", "--db", demo_db, "--kind", kind, out, "--year", "2025", "--json")
        data = json.loads(text)
        assert code == 0 and data["counts"]["rejected"] == 0, (kind, data["rejected"][:3])
        assert data["counts"]["new"] == 0 and data["counts"]["unchanged"] + data["counts"]["updated"] == rows, kind


def test_departed_workers_and_a_sheet_of_grid_codes_only_import_back(demo_db, tmp_path, capsys):
    import openpyxl

    out = tmp_path / "workers.xlsx"
    assert run(capsys, "export", "--db", demo_db, "--kind", "workers", "--out", out)[0] == 0
    wb = openpyxl.load_workbook(out)
    ws = wb.active
    headers = [c.value for c in ws[2]]
    status = headers.index("状态")
    assert any(r[status] == "离岗" and r[headers.index("所属网格")] is None for r in ws.iter_rows(3, values_only=True)
               if r[0] and r[status])
    for title in ("所属网格", "所属社区"):  # only 网格编码 says where each worker is
        ws.delete_cols(headers.index(title) + 1)
        headers.remove(title)
    codes_only = tmp_path / "codes-only.xlsx"
    wb.save(codes_only)
    before = dump(demo_db)
    code, text, _err = run(capsys, "import", "--db", demo_db, "--kind", "workers", codes_only, "--json")
    data = json.loads(text)
    assert code == 0 and data["counts"]["rejected"] == 0 and data["counts"]["new"] == 0, data["rejected"][:3]
    assert dump(demo_db) == before  # every row unchanged: nothing written


def test_a_city_without_counties_inits_and_imports_its_grids(tmp_path, capsys):
    """中山 (442000) publishes street codes such as 442000001: init, a grids sheet naming its communities."""
    import openpyxl

    from gridapp.cli import main

    db = tmp_path / "zs.sqlite"
    assert main(["init", "--db", str(db), "--level", "street", "--code", "442000001", "--name", "石岐街道"]) == 0
    capsys.readouterr()
    sheet = tmp_path / "网格.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["社区名称", "社区编码", "网格名称", "网格编码", "户数"])
    wb.active.append(["莲峰社区", "442000001001", "第一网格", "442000001001001", 420])
    wb.save(sheet)
    code = main(["import", "--db", str(db), "--kind", "grids", str(sheet), "--json"])
    out = capsys.readouterr().out
    assert code == 0 and json.loads(out)["counts"]["new"] >= 1, out
    assert main(["check", "--db", str(db), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["grids"] == 1

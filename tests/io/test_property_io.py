"""红色物业 sheets: the sample firms sheet, round trips of every kind, broken sheets, ratings PDFs."""

import datetime as dt

import openpyxl
import pytest
from pypdf import PdfReader

from gridapp.core import list_specs, lists
from gridapp.core.errors import ValidationError
from gridapp.core.list_specs_property import ratings_list
from gridapp.core.services import compounds, orgs, ratings, special_kinds
from gridapp.core.services.site import init_site
from gridapp.core.store import Store
from gridapp.io import reports
from gridapp.io.importer import run_import
from gridapp.io.kinds import bound, handler
from gridapp.io.xlsx_out import export_list, write_error_report
from tests.conftest import SAMPLES

SAMPLE = SAMPLES / "物业企业-示例.xlsx"


def _compound(store, name, grid="370203012002001"):
    return compounds.save_compound(store, {"name": name, "grid_id": orgs.get(store, grid).id})


def test_sample_firms_match_or_report_their_compounds(gridded):
    haiquan, yunxi = _compound(gridded, "海泉花园"), _compound(gridded, "云溪家园", "370203012001001")
    songbai = _compound(gridded, "松柏苑", "370203012001002")
    from gridapp.core.services import firms

    other = firms.save_firm(gridded, {"name": "青岛老牌物业有限公司"})
    compounds.change_firm(gridded, songbai, other, dt.date(2020, 1, 1))  # served by another firm now

    preview = run_import(gridded, handler("firms"), SAMPLE, commit=False)
    report = run_import(gridded, handler("firms"), SAMPLE, commit=True)
    assert preview.counts() == report.counts() == {"new": 5, "updated": 0, "unchanged": 0, "rejected": 0}
    notes = {(r.number, reason) for r in report.rows for _c, reason in r.notes}
    assert notes == {
        (3, "小区“松柏苑”现由“青岛老牌物业有限公司”服务，未改动；如已更换物业，请在“小区”中办理更换"),
        (4, "小区“海泉路8号院”未登记，未建立服务关系（请先登记或导入小区）"),
        (5, "小区“云溪名都”未登记，未建立服务关系（请先登记或导入小区）"),
        (5, "小区“云溪家园二期”未登记，未建立服务关系（请先登记或导入小区）"),
        (6, "小区“和美小区”未登记，未建立服务关系（请先登记或导入小区）"),
    }
    assert "另有 5 条提示" in report.summary()
    assert compounds.details(gridded, haiquan).current.firm_name == "青岛海泉物业服务有限公司"
    assert compounds.details(gridded, yunxi).current.firm_name == "青岛海泉物业服务有限公司"
    assert compounds.details(gridded, songbai).current.firm_name == "青岛老牌物业有限公司"
    with gridded.engine.connect() as conn:
        spec = list_specs.FIRMS
        rows = lists.fetch_rows(conn, spec, lists.query_rowids(conn, spec, lists.Query(search="和美")))
    (row,) = rows.values()
    assert row[spec.columns.index(spec.column("party_org_status"))] == "instructor"
    again = run_import(gridded, handler("firms"), SAMPLE, commit=True)
    assert again.counts()["unchanged"] == 5


def test_notes_go_to_their_own_sheet_of_the_report(gridded, tmp_path):
    report = run_import(gridded, handler("firms"), SAMPLE, commit=False)
    path = write_error_report(report, tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(path)
    rows = list(wb["导入提示"].iter_rows(min_row=2, values_only=True))
    assert len(rows) == 7 and rows[0][0] == 2 and "海泉花园" in rows[0][3]


def _export(store, spec, path):
    export_list(store, spec, lists.Query(), path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    return sorted(map(str, rows[:-1]))  # without the footer line that carries the export time


def test_every_kind_round_trips_into_a_new_site(demo_db, tmp_path):
    """Export firms, compounds, contracts and ratings from the demo, import them into a new site with
    the same grids, export again: the same sheets."""
    year = 2025
    with Store(demo_db) as src:
        export_list(src, list_specs.GRIDS, lists.Query(), tmp_path / "grids.xlsx")
        before = {k: _export(src, list_specs.ALL[k], tmp_path / f"{k}.xlsx") for k in ("firms", "compounds", "contracts")}
        before["ratings"] = _export(src, ratings_list(src, year), tmp_path / "ratings.xlsx")
        code, name = src.site.code, src.site.name
        added = [k.name for k in special_kinds.kinds(src) if not k.standard]
    with Store(tmp_path / "new.sqlite", create=True) as dst:
        init_site(dst, level="street", code=code, name=name)
        for kind_name in added:  # a kind the street added is added on the new site before the sheet names it
            special_kinds.add(dst, kind_name)
        for kind in ("grids", "compounds", "firms", "contracts", "ratings"):
            r = run_import(dst, handler(kind), tmp_path / f"{kind}.xlsx", commit=True, options={"year": year})
            assert not r.rejected, (kind, [(x.number, x.problems) for x in r.rejected][:3])
        after = {k: _export(dst, list_specs.ALL[k], tmp_path / f"again-{k}.xlsx")
                 for k in ("firms", "compounds", "contracts")}
        after["ratings"] = _export(dst, ratings_list(dst, year), tmp_path / "again-ratings.xlsx")
        for kind in ("compounds", "firms", "contracts", "ratings"):  # and once more: nothing to change
            r = run_import(dst, handler(kind), tmp_path / f"{kind}.xlsx", commit=True, options={"year": year})
            assert r.counts()["new"] == r.counts()["updated"] == 0, kind
    for kind in before:
        assert after[kind] == before[kind], kind
        assert len(before[kind]) >= 5


def _ratings_sheet(path, rows, headers=None):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2026年度红色物业评星定级评分表"])
    ws.append(headers or ["企业名称", "统一社会信用代码", "党组织建设", "服务质量", "居民满意度", "投诉处理", "参与社区治理",
                          "总分", "星级"])
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def test_ratings_sheet_rows_are_checked(gridded, tmp_path):
    run_import(gridded, handler("firms"), SAMPLE, commit=True)
    path = _ratings_sheet(tmp_path / "r.xlsx", [
        ["青岛海泉物业服务有限公司", "913702036397004899", 18, 22, 23, 13, 14, 90, "★★★★★"],
        ["青岛云溪物业管理有限公司", None, 18, 26, 23, 13, 14, None, None],
        ["青岛安居物业有限公司", None, 18, 22, 23, 13, 14, 88, None],
        ["不存在的物业公司", None, 10, 10, 10, 10, 10, None, None],
        ["青岛和美家园物业服务有限公司", None, 18, "良好", 23, 13, 14, None, None],
    ])
    report = run_import(gridded, bound("ratings", gridded, {"year": 2026}), path, commit=True, options={"year": 2026})
    outcome = {r.number: (r.outcome, r.problems, r.notes) for r in report.rows}
    assert outcome[3][0] == "new" and not outcome[3][2]
    assert outcome[4] == ("rejected", [("服务质量", "“服务质量”得分 26 超出 0–25 分")], [])
    assert outcome[5][0] == "new", outcome[5]
    assert outcome[5][2] == [
        ("总分", "表中总分 88 与按各项得分计算的 90 不一致，以计算结果为准")]
    assert outcome[6][0] == "rejected" and "找不到物业企业“不存在的物业公司”" in outcome[6][1][0][1]
    assert outcome[7] == ("rejected", [("服务质量", "服务质量应为数字，而不是“良好”")], [])
    r = ratings.ranking(gridded, 2026)
    assert [(x.name, x.total, x.stars) for x in r.rows] == [("青岛安居物业有限公司", 90, 5),
                                                         ("青岛海泉物业服务有限公司", 90, 5)]


def test_a_ratings_sheet_without_an_indicator_column_is_refused(gridded, tmp_path):
    run_import(gridded, handler("firms"), SAMPLE, commit=True)
    path = _ratings_sheet(tmp_path / "r.xlsx", [["青岛海泉物业服务有限公司", None, 18, 22, 23, 13]],
                          headers=["企业名称", "统一社会信用代码", "党组织建设", "服务质量", "居民满意度", "投诉处理"])
    with pytest.raises(ValidationError, match="缺少必填列：参与社区治理"):
        run_import(gridded, handler("ratings"), path, commit=True, options={"year": 2026})


def test_a_broken_firms_sheet_names_what_is_missing(gridded, tmp_path):
    wb = openpyxl.Workbook()
    wb.active.append(["法定代表人", "联系电话"])
    wb.active.append(["张三", "13800000000"])
    wb.save(tmp_path / "bad.xlsx")
    with pytest.raises(ValidationError, match="缺少必填列：企业名称"):
        run_import(gridded, handler("firms"), tmp_path / "bad.xlsx", commit=True)
    bad = tmp_path / "bad-codes.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["企业名称", "统一社会信用代码", "党组织建立情况", "党员人数"])
    wb.active.append(["甲物业公司", "913702036397004898", "单独组建", 5])
    wb.active.append(["乙物业公司", "913702036397004899", "单独组建", 1])
    wb.active.append(["丙物业公司", None, "有党组织", 5])
    wb.save(bad)
    report = run_import(gridded, handler("firms"), bad, commit=True)
    problems = {r.number: r.problems[0][0] for r in report.rejected}
    assert problems == {2: "统一社会信用代码", 3: "党组织建立情况", 4: "党组织建立情况"}


def test_ratings_pdf_holds_each_firms_score_and_stars(qapp, demo_db, tmp_path):
    from gridapp.ui import printing

    with Store(demo_db) as store:
        content = reports.rating_list(store, 2025)
        ranking = ratings.ranking(store, 2025)
    path = tmp_path / "ratings.pdf"
    printing.roster_pdf(content, path)
    text = "".join(p.extract_text() for p in PdfReader(path).pages).replace(" ", "")
    assert "2025年度红色物业企业评星定级结果" in text
    assert len(ranking.rows) >= 5
    for row in ranking.rows:
        assert row.name in text
        line = text[text.index(row.name):]
        assert f"{row.total:g}" in line[:200] and ratings.stars_text(row.stars) in line[:200], row.name
    for i in ranking.template.indicators:
        assert i.name in text

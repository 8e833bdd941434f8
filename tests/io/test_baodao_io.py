"""双报到 sheets: export → import changes nothing, and bad rows are reported."""

import datetime as dt

import openpyxl
import pytest
from pypdf import PdfReader
from sqlalchemy import text

from gridapp.core import list_specs, lists
from gridapp.core.services import baodao
from gridapp.core.store import Store
from gridapp.io import reports
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from gridapp.io.xlsx_out import export_list, write_letters


@pytest.fixture
def demo_store(demo_db):
    store = Store(demo_db)
    yield store
    store.close()


@pytest.mark.parametrize("kind", ["units", "members", "activities", "participations"])
def test_round_trip(demo_store, tmp_path, kind):
    path = tmp_path / f"{kind}.xlsx"
    n = export_list(demo_store, list_specs.ALL[kind], lists.Query(), path)
    before = demo_store.engine.connect().execute(text("SELECT count(*) FROM change_journal")).scalar()
    report = run_import(demo_store, handler(kind), path, commit=True)
    assert report.counts() == {"new": 0, "updated": 0, "unchanged": n, "rejected": 0}, report.rejected[:3]
    assert demo_store.engine.connect().execute(text("SELECT count(*) FROM change_journal")).scalar() == before


def test_member_sheet_problems_are_reported(demo_store, tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["姓名", "身份证号码", "工作单位", "报到社区", "所在网格", "服务岗位"])
    ws.append(["甲", "11010519491231002X", "不存在的单位", "泉云社区", "第一网格", "政策宣传"])
    ws.append(["乙", "440524188001010014", "", "泉云社区", "第一网格", "政策宣传"])
    ws.append(["丙", "110105194912310021", "x", "泉云社区", "", ""])
    path = tmp_path / "m.xlsx"
    wb.save(path)
    report = run_import(demo_store, handler("members"), path, commit=False)
    reasons = {r.number: r.problems for r in report.rows}
    assert any("找不到" in m for _c, m in reasons[2])
    assert reasons[3] == [("工作单位", "工作单位为空")]
    assert reasons[4][0][0] == "身份证号码"


def test_sign_in_sheet_computes_points(demo_store, tmp_path):
    with demo_store.engine.connect() as c:
        title, date, community, name, number = c.execute(text(
            "SELECT a.title, a.date, o.name, p.name, p.id_number FROM member_registration m "
            "JOIN person p ON p.id = m.person_id JOIN activity a ON a.community_id = m.community_id "
            "JOIN org_unit o ON o.id = a.community_id WHERE m.status = 'registered' AND NOT EXISTS "
            "(SELECT 1 FROM participation x WHERE x.activity_id = a.id AND x.member_id = m.id) LIMIT 1")).one()
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["活动名称", "活动日期", "社区", "姓名", "身份证号码", "服务时长", "评价"])
    ws.append([title, date, community, name, number, "2.5小时", "优秀"])
    ws.append([title, date, community, name, number, "2.5", "优秀"])
    path = tmp_path / "sign.xlsx"
    wb.save(path)
    report = run_import(demo_store, handler("participations"), path, commit=True)
    assert report.counts()["new"] == 1 and "重复" in report.rejected[0].problems[0][1]
    with demo_store.engine.connect() as c:
        hours, points = c.execute(text("SELECT hours, points FROM participation ORDER BY rowid DESC LIMIT 1")).one()
    assert (hours, points) == (2.5, 2.5)  # demo rule: one point an hour


def test_feedback_letters_pdf_and_xlsx(qapp, demo_store, tmp_path):
    from gridapp.ui import printing

    units = baodao.units_with_members(demo_store)
    letters = reports.feedback_letters(demo_store, 2026, [units[0][0]], issued_on=dt.date(2026, 12, 20))
    fb = baodao.feedback(demo_store, units[0][0], 2026)
    path = tmp_path / "fb.pdf"
    pages = printing.letters_pdf(letters, path)
    text_all = "".join(p.extract_text() for p in PdfReader(path).pages)
    assert len(PdfReader(path).pages) == pages
    assert letters[0].title in text_all and fb.addressee in text_all and "盖章" in text_all
    assert "2026年12月20日" in text_all
    flat = "".join(text_all.split())  # the extractor puts tabs and line breaks between runs
    for m in fb.members:
        assert m.name in flat
        assert f"{m.hours:g}" in flat and m.evaluation in flat
    assert f"累计服务{fb.hours:g}小时" in flat
    xlsx = write_letters(reports.feedback_letters(demo_store, 2026), tmp_path / "fb.xlsx")
    ws = openpyxl.load_workbook(xlsx).active
    assert ws["A2"].value == "报到单位" and ws.max_row - 2 == sum(len(f.members) for f in baodao.feedbacks(demo_store, 2026))

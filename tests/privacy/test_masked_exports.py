"""Exports and printouts mask ID numbers unless asked; a masked sheet coming back changes nothing it cannot
be sure of: a row is matched to the one person its name and visible digits fit, or rejected with the reason."""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3

import openpyxl
import pytest

from gridapp.cli import build_parser
from gridapp.core import codes
from gridapp.core.services import orgs, workers
from gridapp.core.store import Store
from gridapp.core.validation import id_check_digit, mask_id_number
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from gridapp.io.masked_ids import ADVICE
from tests.cli.test_import_export import run

FULL_ID = re.compile(r"(?<![0-9])[0-9]{17}[0-9X](?![0-9])")


def _dump(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return list(conn.iterdump())


def _ids_in(path, column="身份证号码") -> list[str]:
    ws = openpyxl.load_workbook(path).active
    col = [c.value for c in ws[2]].index(column)
    return [r[col] for r in ws.iter_rows(min_row=3, values_only=True) if r[col]]


def _twins(region: str = "370203") -> tuple[str, str]:
    """Two valid ID numbers with the same first four and last four characters (other birth dates)."""
    seen: dict[str, str] = {}
    day = dt.date(1980, 1, 1)
    while True:
        first17 = f"{region}{day:%Y%m%d}123"
        number = first17 + id_check_digit(first17)
        if number[-4:] in seen:
            return seen[number[-4:]], number
        seen[number[-4:]] = number
        day += dt.timedelta(days=1)


def test_export_masks_by_default_and_gives_full_numbers_only_when_asked(demo_db, tmp_path, capsys):
    code, out, _ = run(capsys, "export", "--db", demo_db, "--kind", "workers", "--out", tmp_path / "m.xlsx", "--json")
    assert code == 0 and json.loads(out)["with_ids"] is False
    masked = _ids_in(tmp_path / "m.xlsx")
    assert masked and all(re.fullmatch(r"[0-9]{4}\*{10}[0-9]{3}[0-9X]", v) for v in masked)
    code, out, _ = run(capsys, "export", "--db", demo_db, "--kind", "workers", "--out", tmp_path / "f.xlsx", "--with-ids")
    assert code == 0 and "含完整身份证号码" in out
    full = _ids_in(tmp_path / "f.xlsx")
    assert [mask_id_number(v) for v in full] == masked and all(FULL_ID.fullmatch(v) for v in full)
    # the old option still runs, and is the default now
    assert run(capsys, "export", "--db", demo_db, "--kind", "workers", "--out", tmp_path / "o.xlsx", "--mask-ids")[0] == 0
    assert _ids_in(tmp_path / "o.xlsx") == masked


def test_the_export_help_offers_with_ids_and_no_longer_mask_ids(capsys):
    parser = build_parser()
    with pytest.raises(SystemExit):
        parser.parse_args(["export", "--help"])
    text = capsys.readouterr().out
    assert "--with-ids" in text and "--mask-ids" not in text
    with pytest.raises(SystemExit) as caught:
        parser.parse_args(["export", "--kind", "workers", "--out", "x.xlsx", "--with-ids", "--mask-ids"])
    assert caught.value.code == 2


@pytest.mark.parametrize("kind", ["workers", "members", "participations"])
def test_a_masked_export_imports_back_without_changing_anything(demo_db, tmp_path, capsys, kind):
    sheet = tmp_path / f"{kind}.xlsx"
    assert run(capsys, "export", "--db", demo_db, "--kind", kind, "--out", sheet)[0] == 0
    before = _dump(demo_db)
    code, out, _ = run(capsys, "import", "--db", demo_db, "--kind", kind, sheet, "--json")
    counts = json.loads(out)["counts"]
    assert counts["new"] == counts["updated"] == 0 and counts["unchanged"] > 0, counts
    if kind != "workers":  # a departed worker has no grid to be placed in: the roster says so on its row
        assert code == 0 and counts["rejected"] == 0
    assert _dump(demo_db) == before


def test_a_full_export_round_trips(demo_db, tmp_path, capsys):
    sheet = tmp_path / "members.xlsx"
    assert run(capsys, "export", "--db", demo_db, "--kind", "members", "--out", sheet, "--with-ids")[0] == 0
    before = _dump(demo_db)
    code, out, _ = run(capsys, "import", "--db", demo_db, "--kind", "members", sheet, "--json")
    assert code == 0 and json.loads(out)["counts"]["unchanged"] == 300
    assert _dump(demo_db) == before


def test_a_masked_row_updates_the_one_person_it_means(gridded, tmp_path):
    grid = orgs.get(gridded, "370203012002001")
    number = "37020319850315204" + id_check_digit("37020319850315204")
    workers.create_or_update(gridded, {"name": "李娜", "id_number": number, "worker_type": "fulltime",
                                       "education": "30"}, grid_id=grid.id, role="fulltime")
    path = tmp_path / "w.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号码", "文化程度", "所属社区", "所属网格", "人员类别"])
    wb.active.append(["李娜", mask_id_number(number), "大学本科", "云溪社区", "第一网格", "专职网格员"])
    wb.save(path)
    report = run_import(gridded, handler("workers"), path, commit=True)
    assert [r.outcome for r in report.rows] == ["updated"], report.rows[0].problems
    person = workers.find_by_id_number(gridded, number)
    assert person is not None and person.name == "李娜"
    with sqlite3.connect(gridded.path) as conn:
        assert conn.execute("SELECT count(*) FROM person WHERE id_number LIKE '%*%'").fetchone() == (0,)
        education = conn.execute("SELECT education FROM person WHERE id_number = ?", (number,)).fetchone()[0]
    assert education == codes.EDUCATION.require("大学本科") != "30"


@pytest.mark.parametrize(("name", "why"), [("张伟", "有不止一名"), ("王芳", "没有姓名为“王芳”")])
def test_a_masked_row_that_fits_no_one_or_several_is_rejected_with_the_reason(gridded, tmp_path, name, why):
    grid = orgs.get(gridded, "370203012002001")
    first, second = _twins()
    assert mask_id_number(first) == mask_id_number(second) and first != second
    for number in (first, second):
        workers.create_or_update(gridded, {"name": "张伟", "id_number": number, "worker_type": "fulltime"},
                                 grid_id=grid.id, role="fulltime")
    path = tmp_path / "w.xlsx"
    wb = openpyxl.Workbook()
    wb.active.append(["姓名", "身份证号码", "文化程度", "所属社区", "所属网格", "人员类别"])
    wb.active.append([name, mask_id_number(first), "大学本科", "云溪社区", "第一网格", "专职网格员"])
    wb.save(path)
    before = _dump(gridded.path)
    report = run_import(gridded, handler("workers"), path, commit=True)
    (row,) = report.rows
    assert row.outcome == "rejected"
    assert row.problems[0][0] == "身份证号码" and ADVICE in row.problems[0][1] and why in row.problems[0][1]
    assert mask_id_number(first) in row.problems[0][1] and first not in row.problems[0][1]
    assert _dump(gridded.path) == before


def test_a_masked_sheet_into_a_new_site_creates_no_one(demo_db, tmp_path, capsys):
    sheet = tmp_path / "members.xlsx"
    run(capsys, "export", "--db", demo_db, "--kind", "members", "--out", sheet)
    new = tmp_path / "new.sqlite"
    with Store(demo_db) as src:
        code, name = src.site.code, src.site.name
    run(capsys, "init", "--db", new, "--level", "street", "--code", code, "--name", name)
    before = _dump(new)
    report = tmp_path / "errors.xlsx"
    code, out, _ = run(capsys, "import", "--db", new, "--kind", "members", sheet, "--report", report, "--json")
    data = json.loads(out)
    assert code == 3 and data["counts"]["rejected"] == 300 and data["counts"]["new"] == 0
    reasons = {r[2] for r in openpyxl.load_workbook(report)["未导入的行"].iter_rows(min_row=3, values_only=True)}
    assert any(ADVICE in r for r in reasons if r)
    assert _dump(new) == before


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "".join(p.extract_text() for p in PdfReader(path).pages)


def test_printouts_mask_id_numbers_unless_asked(demo_db, tmp_path, capsys, qapp):
    with sqlite3.connect(demo_db) as conn:
        number = conn.execute(
            "SELECT p.id_number FROM member_registration m JOIN person p ON p.id = m.person_id "
            "WHERE m.status = 'registered' AND m.deleted_at IS NULL LIMIT 1").fetchone()[0]
        site = conn.execute("SELECT code FROM site").fetchone()[0]
    for extra, name in (((), "masked"), (("--with-ids",), "full")):
        assert run(capsys, "print", "registration", "--db", demo_db, "--id-number", number,
                   "--out", tmp_path / f"reg-{name}.pdf", *extra)[0] == 0
        assert run(capsys, "print", "roster", "--db", demo_db, "--org", site,
                   "--out", tmp_path / f"roster-{name}.pdf", *extra)[0] == 0
    assert run(capsys, "print", "roster", "--db", demo_db, "--org", site, "--out", tmp_path / "roster-old.pdf",
               "--show-ids")[0] == 0  # the old name of the option
    for what in ("reg", "roster"):
        masked, full = _pdf_text(tmp_path / f"{what}-masked.pdf"), _pdf_text(tmp_path / f"{what}-full.pdf")
        assert not FULL_ID.search(masked) and "**********" in masked
        assert FULL_ID.search(full)
    assert number in _pdf_text(tmp_path / "reg-full.pdf")
    assert FULL_ID.search(_pdf_text(tmp_path / "roster-old.pdf"))
    # a number that has no registration is refused without being echoed in full
    other = "37020319850315204" + id_check_digit("37020319850315204")
    code, _out, err = run(capsys, "print", "registration", "--db", demo_db, "--id-number", other,
                          "--out", tmp_path / "x.pdf")
    assert code == 1 and mask_id_number(other) in err and other not in err


def test_the_change_log_export_holds_no_full_id_number(gridded, tmp_path, capsys):
    grid = orgs.get(gridded, "370203012002001")
    old, new = ("37020319850315204" + id_check_digit("37020319850315204"),
                "37020319900101123" + id_check_digit("37020319900101123"))
    w = workers.create_or_update(gridded, {"name": "李娜", "id_number": old, "worker_type": "fulltime"},
                                 grid_id=grid.id, role="fulltime")
    workers.create_or_update(gridded, {"name": "李娜", "id_number": new, "worker_type": "fulltime"}, worker_id=w.id)
    out = tmp_path / "log.xlsx"
    assert run(capsys, "log", "--db", gridded.path, "--out", out, "--kind", "workers")[0] == 0
    ws = openpyxl.load_workbook(out).active
    cells = [str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    assert any(f"{mask_id_number(old)} → {mask_id_number(new)}" in c for c in cells), cells  # it says what changed …
    assert not any(FULL_ID.search(c) for c in cells)  # … never in full


def test_letters_sheets_and_boards_carry_no_id_numbers(demo_db, tmp_path, capsys, qapp):
    with sqlite3.connect(demo_db) as conn:
        site = conn.execute("SELECT code FROM site").fetchone()[0]
        grid = conn.execute("SELECT code FROM org_unit WHERE level = 'grid' AND deleted_at IS NULL LIMIT 1").fetchone()[0]
    for args, out in ((("feedback", "--year", "2026"), "fb.pdf"), (("feedback", "--year", "2026"), "fb.xlsx"),
                      (("noticeboard", "--org", grid), "board.pdf"), (("firms", "--org", site), "firms.pdf")):
        assert run(capsys, "print", *args, "--db", demo_db, "--out", tmp_path / out)[0] == 0, out
    texts = [_pdf_text(tmp_path / n) for n in ("fb.pdf", "board.pdf", "firms.pdf")]
    ws = openpyxl.load_workbook(tmp_path / "fb.xlsx").active
    texts.append(" ".join(str(v) for row in ws.iter_rows(values_only=True) for v in row if v is not None))
    assert all(t.strip() for t in texts)
    assert not [t[:80] for t in texts if FULL_ID.search(t)]

import openpyxl
import pytest
from sqlalchemy import func, select, text

from gridapp.core import journal, list_specs, lists
from gridapp.core.models import ChangeJournal, GridWorker
from gridapp.core.store import Store
from gridapp.io import importer
from gridapp.io.importer import run_import
from gridapp.io.kinds import HANDLERS, handler
from gridapp.io.sheet import read_sheet
from gridapp.io.xlsx_out import export_list, write_error_report, write_template
from tests.conftest import SAMPLES


@pytest.fixture
def demo_store(demo_db):
    store = Store(demo_db)
    yield store
    store.close()


@pytest.mark.parametrize("kind", ["workers", "grids"])
def test_export_then_import_changes_nothing(demo_store, tmp_path, kind):
    spec = list_specs.ALL[kind]
    path = tmp_path / f"{kind}.xlsx"
    n = export_list(demo_store, spec, lists.Query(), path)
    with demo_store.engine.connect() as conn:
        assert n == lists.count(conn, spec, lists.Query())
    before = demo_store.engine.connect().execute(text("SELECT count(*) FROM change_journal")).scalar()
    report = run_import(demo_store, handler(kind), path, commit=True)
    # Workers who left have no grid: the roster cannot place them, and says so.
    left = [r for r in report.rejected if "所属网格为空" in r.problems[0][1]]
    assert report.counts()["unchanged"] + len(left) == n, report.rejected[:3]
    assert report.counts()["new"] == report.counts()["updated"] == 0
    after = demo_store.engine.connect().execute(text("SELECT count(*) FROM change_journal")).scalar()
    assert after == before


def test_export_is_styled_and_keeps_numbers_as_text(demo_store, tmp_path):
    path = tmp_path / "w.xlsx"
    query = lists.Query(filters=(("worker_type", "fulltime"),))
    n = export_list(demo_store, list_specs.WORKERS, query, path, title="海泉路街道专职网格员")
    ws = openpyxl.load_workbook(path).active
    assert ws["A1"].value == "海泉路街道专职网格员"
    assert ws.freeze_panes == "A3"
    headers = [c.value for c in ws[2]]
    assert headers[:3] == ["姓名", "性别", "身份证号码"]
    id_col = headers.index("身份证号码") + 1
    phone_col = headers.index("联系电话") + 1
    for row in range(3, 3 + n):
        assert isinstance(ws.cell(row, id_col).value, str) and len(ws.cell(row, id_col).value) == 18
        assert ws.cell(row, id_col).number_format == "@"
        assert isinstance(ws.cell(row, phone_col).value, str)
    types = {ws.cell(row, headers.index("人员类别") + 1).value for row in range(3, 3 + n)}
    assert types == {"专职"}
    assert ws.column_dimensions["C"].width > 15
    masked = tmp_path / "m.xlsx"
    export_list(demo_store, list_specs.WORKERS, query, masked, mask_ids=True)
    assert "*" in openpyxl.load_workbook(masked).active.cell(3, id_col).value


@pytest.mark.parametrize("where", ["row", "batch"])
def test_import_is_all_or_nothing_when_the_write_fails_halfway(gridded, monkeypatch, where):
    """A row written through the services fails, or a batch of planned rows does: nothing stays."""
    h = handler("workers")
    calls = {"n": 0}
    if where == "row":
        monkeypatch.setattr(importer, "PLANS", False)
        real = h.apply

        def failing(s, state, values):
            calls["n"] += 1
            if calls["n"] == 10:
                raise OSError("disk full")
            return real(s, state, values)

        monkeypatch.setattr(h, "apply", failing)
    else:
        real_rows = journal.insert_rows

        def failing_rows(*args, **kwargs):
            calls["n"] += 1
            if calls["n"] == 2:  # the batch's people are in, its workers fail
                raise OSError("disk full")
            return real_rows(*args, **kwargs)

        monkeypatch.setattr(journal, "insert_rows", failing_rows)
    before = gridded.engine.connect().execute(text("SELECT count(*) FROM change_journal")).scalar()
    with pytest.raises(OSError):
        run_import(gridded, h, SAMPLES / "网格员花名册-示例.xlsx", commit=True)
    with gridded.read() as s:
        assert s.execute(select(func.count()).select_from(GridWorker)).scalar() == 0
        assert s.execute(select(func.count()).select_from(ChangeJournal)).scalar() == before


def test_error_report_names_row_column_and_reason(gridded, tmp_path):
    report = run_import(gridded, handler("workers"), SAMPLES / "网格员花名册-示例.xlsx", commit=True)
    path = write_error_report(report, tmp_path / "errors.xlsx")
    ws = openpyxl.load_workbook(path)["未导入的行"]
    assert "网格员花名册-示例.xlsx" in ws["A1"].value
    header = [c.value for c in ws[2]]
    assert header[:3] == ["原表行号", "出错的列", "原因"] and "身份证号码" in header
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=3)]
    assert [r[0] for r in rows] == [6, 9, 15, 20, 25, 27, 33]
    lei = rows[0]
    assert lei[1] == "身份证号码" and "后几位已丢失" in lei[2]
    assert lei[header.index("身份证号码")] == "370203199006270336"[:16] + "00" or "E" not in str(
        lei[header.index("身份证号码")])
    summary = openpyxl.load_workbook(path)["汇总"]
    assert [c.value for c in summary[5]] == ["未导入", 7]


@pytest.mark.parametrize("kind", sorted(HANDLERS))
def test_templates_read_back_with_every_column(tmp_path, kind):
    spec = HANDLERS[kind].spec
    path = write_template(spec, tmp_path / f"{kind}.xlsx")
    sheet = read_sheet(path, spec.headers())
    assert [c.header for c in sheet.columns] == [f.title for f in spec.fields]
    assert len(sheet.rows) == 1  # the example row
    wb = openpyxl.load_workbook(path)
    assert "填写说明" in wb.sheetnames
    if kind == "workers":
        assert wb.active.data_validations.dataValidation  # drop-downs for coded columns


def test_text_that_looks_like_a_formula_or_a_number_stays_text(street_store, tmp_path):
    """A name typed as “=HYPERLINK(…)” or “+86 138…” is exported as the text it is, never run as a formula."""
    import openpyxl

    from gridapp.core import list_specs, lists
    from gridapp.core.services import grids
    from gridapp.io.xlsx_out import export_list

    community = grids.add_child(street_store, street_store.site.org_unit_id, "福安社区")
    grids.add_child(street_store, community.id, "=HYPERLINK(\"http://x\",\"点我\")")
    out = tmp_path / "g.xlsx"
    export_list(street_store, list_specs.GRIDS, lists.Query(), out)
    wb = openpyxl.load_workbook(out)
    cells = [c for row in wb.active.iter_rows() for c in row if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)

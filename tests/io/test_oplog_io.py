"""The 操作记录 in a sheet, and in the words the sheets use."""

import openpyxl
import pytest

from gridapp.core import oplog, oplog_subjects
from gridapp.core.services import firms
from gridapp.io import kinds, kinds_baodao, kinds_property, xlsx_out

# Each import sheet and the tables its rows go into.
SHEETS = ((kinds.WORKERS, ("person", "grid_worker")), (kinds_baodao.MEMBERS, ("person", "member_registration")),
          (kinds_baodao.UNITS, ("unit",)), (kinds_baodao.ACTIVITIES, ("activity",)),
          (kinds_baodao.PARTICIPATIONS, ("participation",)), (kinds_property.FIRMS, ("property_firm",)),
          (kinds_property.COMPOUNDS, ("compound",)), (kinds_property.CONTRACTS, ("service_contract",)))


@pytest.mark.parametrize(("spec", "tables"), SHEETS, ids=[s.kind for s, _t in SHEETS])
def test_the_log_calls_a_field_what_the_sheets_call_it(spec, tables):
    checked = 0
    for field in spec.fields:
        for table in tables:
            if field.key in oplog_subjects.columns(table):
                assert oplog_subjects.field_info(table, field.key).label in field.headers, (table, field.key)
                checked += 1
    assert checked >= 2


def test_export_writes_each_entry_with_its_changes_on_lines(gridded, tmp_path):
    form = {"name": "海泉物业", "staff_count": 12, "party_org_status": "joint", "led_by_community": False,
            "alliance_member": False}
    firm = firms.save_firm(gridded, form)
    firms.save_firm(gridded, form | {"staff_count": 15, "party_org_status": "own"}, firm_id=firm)
    path = tmp_path / "log.xlsx"
    query = oplog.LogQuery(kind="firms")
    n = xlsx_out.export_oplog(gridded, query, path, title="海泉路街道操作记录（物业企业）")
    assert n == 2
    ws = openpyxl.load_workbook(path).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][0] == "海泉路街道操作记录（物业企业）"
    assert rows[2][2:5] == ("修改", "物业企业", "海泉物业")
    assert rows[2][5] == "从业人数：12 → 15\n党组织建立情况：联合组建 → 单独组建"
    assert rows[3][2] == "新增" and "企业名称：海泉物业" in rows[3][5].split("\n")
    assert ws["F3"].alignment.wrap_text and ws["F3"].font.name == "宋体"
    assert "共 2 条" in rows[5][0]
    everything = xlsx_out.export_oplog(gridded, oplog.LogQuery(), tmp_path / "all.xlsx")
    assert everything == len(oplog.LogReader(gridded).page(10_000))


def test_export_stops_at_the_sheets_row_limit(gridded, tmp_path, monkeypatch):
    monkeypatch.setattr(xlsx_out, "EXCEL_MAX_ROWS", 9)
    n = xlsx_out.export_oplog(gridded, oplog.LogQuery(), tmp_path / "log.xlsx")
    rows = list(openpyxl.load_workbook(tmp_path / "log.xlsx").active.iter_rows(values_only=True))
    assert n == 5 and "已达到 Excel 的行数上限" in rows[2 + n][0]

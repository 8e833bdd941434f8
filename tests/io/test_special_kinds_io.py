"""专属网格类别 in the 网格划分 sheet: read against the standard and the added kinds, exported, offered in the
template; a kind given for a basic grid is a row error."""

import openpyxl

from gridapp.core import list_specs, lists
from gridapp.core.services import orgs, special_kinds
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from gridapp.io.xlsx_out import export_list, write_template


def _sheet(path, rows, kind_header="专属类别"):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(("社区", "网格名称", "网格编码", "网格类型", kind_header, "驻区单位"))
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_kinds_are_read_checked_and_exported(gridded, tmp_path):
    home = special_kinds.add(gridded, "养老机构")
    path = _sheet(tmp_path / "网格.xlsx", [
        ("海泉路社区", "三中网格", "370203012001011", "专属网格", "学校", "青岛市第三中学"),
        ("海泉路社区", "颐和网格", "370203012001012", "专属", "民办养老机构", "颐和养老院"),
        ("海泉路社区", "第一网格", "370203012001001", "城镇社区网格", "医院", None),
        ("海泉路社区", "机场网格", "370203012001013", "专属网格", "飞机场", None),
    ])
    report = run_import(gridded, handler("grids"), path, commit=True)
    assert report.counts()["new"] == 2
    problems = {r.number: r.problems[0] for r in report.rejected}
    assert problems[4][0] == "专属网格类别" and "只有专属网格才填写专属网格类别" in problems[4][1]
    assert "飞机场" in problems[5][1] and "养老机构" in problems[5][1]  # the choices include the added kind
    assert orgs.get(gridded, "370203012001011").special_kind == "school"
    grid = orgs.get(gridded, "370203012001012")
    assert (grid.special_kind, grid.special_unit) == (home.code, "颐和养老院")

    out = tmp_path / "导出.xlsx"
    export_list(gridded, list_specs.GRIDS, lists.Query(filters=(("grid_type", "special"),)), out)
    ws = openpyxl.load_workbook(out).active
    headers = [c.value for c in ws[2]]
    kinds = {ws.cell(r, headers.index("网格名称") + 1).value: ws.cell(r, headers.index("专属网格类别") + 1).value
             for r in range(3, ws.max_row + 1) if ws.cell(r, 3).value}
    assert kinds == {"三中网格": "学校", "颐和网格": "养老机构"}
    # What was exported reads back as it is.
    again = run_import(gridded, handler("grids"), out, commit=True)
    assert again.counts()["unchanged"] == 2 and not again.rejected

    with gridded.engine.connect() as conn:
        q = lists.Query(filters=(("grid_type", "kind:" + home.code),))
        assert lists.count(conn, list_specs.ORG_UNITS, q) == 1
        assert lists.count(conn, list_specs.ORG_UNITS, lists.Query(filters=(("grid_type", "special"),))) == 2


def test_the_template_offers_the_added_kinds(gridded, tmp_path):
    special_kinds.add(gridded, "养老机构")
    path = write_template(handler("grids").bind(gridded, {}).spec, tmp_path / "模板.xlsx")
    wb = openpyxl.load_workbook(path)
    formulas = [dv.formula1 for dv in wb.active.data_validations.dataValidation]
    assert any("党政机关" in f and "养老机构" in f for f in formulas)
    # Without a database the standard kinds are offered.
    plain = write_template(handler("grids").spec, tmp_path / "标准.xlsx")
    formulas = [dv.formula1 for dv in openpyxl.load_workbook(plain).active.data_validations.dataValidation]
    assert any("景区" in f and "养老机构" not in f for f in formulas)


def test_the_kind_column_by_its_other_name_beside_the_type(gridded, tmp_path):
    path = _sheet(tmp_path / "网格.xlsx", [("海泉路社区", "市场网格", "370203012001011", "专属网格", "农贸市场", None)],
                  kind_header="专属网格类型")
    report = run_import(gridded, handler("grids"), path, commit=True)
    assert report.counts()["new"] == 1, report.rejected
    grid = orgs.get(gridded, "370203012001011")
    assert (grid.grid_type, grid.special_kind) == ("special", "market")


def test_a_kind_the_site_does_not_have_is_a_row_error_naming_it(gridded, tmp_path):
    """A sheet from another street names its own kind: added here first (on the 专属网格类别 screen), it reads."""
    path = _sheet(tmp_path / "网格.xlsx", [("海泉路社区", "颐和网格", "370203012001011", "专属网格", "养老机构", None)])
    report = run_import(gridded, handler("grids"), path, commit=True)
    assert "专属网格类别“养老机构”不是有效值" in report.rejected[0].problems[0][1]
    special_kinds.add(gridded, "养老机构")
    assert run_import(gridded, handler("grids"), path, commit=True).counts()["new"] == 1

import datetime as dt

import pytest

from gridapp.core.errors import NotFoundError, ValidationError
from gridapp.io import reports
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from tests.conftest import SAMPLES


@pytest.fixture
def staffed(gridded):
    run_import(gridded, handler("workers"), SAMPLES / "网格员花名册-示例.xlsx", commit=True)
    return gridded


def test_roster_of_a_community(staffed):
    r = reports.roster(staffed, "370203012002", issued_on=dt.date(2026, 11, 24))
    assert r.title == "海泉路街道云溪社区网格员花名册"
    assert r.issuer == "云溪社区党委"
    assert r.count == 22
    assert r.table.columns[:5] == ("序号", "姓名", "性别", "民族", "身份证号码")
    assert all("**********" in row[4] for row in r.table.rows)
    grids = [row[9] for row in r.table.rows]
    assert grids == sorted(grids, key=["第一网格", "第二网格", "第三网格", "第四网格"].index)
    first_grid = [row for row in r.table.rows if row[9] == "第一网格"]
    assert first_grid[0][10] == "网格长"  # the leader first


def test_roster_of_a_grid_and_the_street(staffed):
    assert reports.roster(staffed, "370203012002001").title == "海泉路街道云溪社区第一网格网格员花名册"
    street = reports.roster(staffed, "370203012")
    assert street.title == "海泉路街道网格员花名册" and street.count == 22
    assert reports.roster(staffed, "370203012003").count == 0
    with pytest.raises(NotFoundError):
        reports.roster(staffed, "370203012009")


def test_noticeboards(staffed):
    boards = reports.noticeboards(staffed, "370203012002")
    assert [b.title for b in boards] == ["云溪社区第一网格", "云溪社区第二网格", "云溪社区第三网格", "云溪社区第四网格"]
    first = boards[0]
    assert first.code == "370203012002001" and first.boundary.startswith("东至")
    assert first.members[0].role == "网格长"
    from gridapp.core.services import orgs

    orgs.create_unit(staffed, code="370203012004", name="新建社区")
    with pytest.raises(ValidationError, match="没有网格"):
        reports.noticeboards(staffed, "370203012004")


def test_printouts_show_the_kind_of_a_special_grid(staffed):
    from gridapp.core.services import grids, orgs, special_kinds

    grid = orgs.get(staffed, "370203012002004")
    home = special_kinds.add(staffed, "养老机构")
    grids.update(staffed, grid.id, grid_type="special", special_kind=home.code, special_unit="颐和养老院")
    boards = {b.code: b for b in reports.noticeboards(staffed, "370203012002")}
    assert boards["370203012002004"].grid_type == "专属网格（养老机构）"
    assert boards["370203012002004"].special_unit == "颐和养老院"
    assert boards["370203012002001"].grid_type == "城镇社区网格" and boards["370203012002001"].special_unit == ""
    rows = reports.roster(staffed, "370203012002").table.rows
    assert {row[9] for row in rows} == {"第一网格", "第二网格", "第三网格", "第四网格（专属网格·养老机构）"}

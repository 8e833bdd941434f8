"""The sample sheets (tests/data/samples, from make_samples.py) import with exactly the problems they contain."""

import openpyxl
import pytest
from sqlalchemy import func, select

from gridapp.core.models import GridAssignment, GridWorker, OrgUnit
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from tests.conftest import SAMPLES
from tests.data import make_samples


def test_grid_sample_creates_communities_and_grids(street_store):
    report = run_import(street_store, handler("grids"), SAMPLES / "网格划分-示例.xlsx", commit=True)
    assert report.counts() == {"new": 12, "updated": 0, "unchanged": 0, "rejected": 0}
    with street_store.read() as s:
        communities = s.execute(select(OrgUnit.code, OrgUnit.name).where(OrgUnit.level == "community")
                                .order_by(OrgUnit.code)).all()
        assert communities == [("370203012001", "海泉路社区"), ("370203012002", "云溪社区"),
                               ("370203012003", "松柏社区")]
        grid = s.execute(select(OrgUnit).where(OrgUnit.code == "370203012001001")).scalar_one()
        assert (grid.name, grid.households, grid.population) == ("第一网格", 473, 1251)
        assert grid.boundary.startswith("东至安路")
    again = run_import(street_store, handler("grids"), SAMPLES / "网格划分-示例.xlsx", commit=True)
    assert again.counts() == {"new": 0, "updated": 0, "unchanged": 12, "rejected": 0}


EXPECTED_WORKER_PROBLEMS = {
    6: ("雷兰", "身份证号码", "存成了数字，后几位已丢失"),
    9: ("余磊", "身份证号码", "校验位错误"),
    15: ("龙丹华", "性别", "与身份证号码不符"),
    20: ("潘敏敏", "人员类别", "第一网格已有网格长“贾佳”"),
    25: ("朱伟娜", "身份证号码", "与第 24 行重复"),
    27: ("梁明琪", "人员类别", "第三网格已有网格长“杜兰晨”"),
    33: ("谭军兰", "人员类别", "第一网格已有网格长“贾佳”"),
}


def test_worker_roster_sample_reports_exactly_its_problems(gridded):
    report = run_import(gridded, handler("workers"), SAMPLES / "网格员花名册-示例.xlsx", commit=True)
    assert report.counts() == {"new": 22, "updated": 0, "unchanged": 0, "rejected": 7}
    got = {r.number: r for r in report.rejected}
    assert set(got) == set(EXPECTED_WORKER_PROBLEMS)
    for number, (name, column, words) in EXPECTED_WORKER_PROBLEMS.items():
        assert got[number].label == name
        assert len(got[number].problems) == 1
        assert got[number].problems[0][0] == column
        assert words in got[number].problems[0][1]
    with gridded.read() as s:
        assert s.execute(select(func.count()).select_from(GridWorker)).scalar() == 22
        # The title names 云溪社区: "第一网格" is 云溪社区's, not 海泉路社区's.
        grids = s.execute(select(OrgUnit.code).join(GridAssignment, GridAssignment.org_unit_id == OrgUnit.id)
                          .distinct()).scalars().all()
        assert {g[:12] for g in grids} == {"370203012002"}


def test_cleaned_values_of_the_sample(gridded):
    from gridapp.core.services import workers

    run_import(gridded, handler("workers"), SAMPLES / "网格员花名册-示例.xlsx", commit=True)
    du = workers.find_by_id_number(gridded, "370203197011051010")
    assert du.name == "杜兰晨"  # the ideographic space is gone
    assert du.current[0].role == "leader" and du.current[0].grid_name == "第三网格"
    liu = workers.find_by_id_number(gridded, "370203199110080772")
    assert liu.phone == "18680143699"  # a full-width digit in the sheet
    zhao = workers.find_by_id_number(gridded, "370203199509301450")
    assert zhao.phone == "0532-85816268"
    song = workers.find_by_id_number(gridded, "370203199210160104")
    assert song.hired_on.isoformat() == "2022-07-01"  # "2022.07"
    assert song.worker_type == "fulltime" and song.political_status == "01"  # "党员"
    cheng = workers.find_by_id_number(gridded, "370203198406151598")
    assert cheng.notes == "兼任楼栋长"


def test_dry_run_equals_the_real_import_and_writes_nothing(gridded):
    path = SAMPLES / "网格员花名册-示例.xlsx"
    dry = run_import(gridded, handler("workers"), path, commit=False)
    with gridded.read() as s:
        assert s.execute(select(func.count()).select_from(GridWorker)).scalar() == 0
    real = run_import(gridded, handler("workers"), path, commit=True)
    assert [(r.number, r.outcome, r.problems) for r in dry.rows] == [
        (r.number, r.outcome, r.problems) for r in real.rows]
    assert not dry.committed and real.committed


def _contents(path):
    """Every sheet's title, merged ranges and non-empty cells (with the type of each value)."""
    wb = openpyxl.load_workbook(path)
    return [(ws.title, sorted(str(r) for r in ws.merged_cells.ranges),
             [(c.coordinate, type(c.value).__name__, c.value, c.number_format if c.is_date else None)
              for row in ws.iter_rows() for c in row if c.value is not None])
            for ws in wb.worksheets]


@pytest.mark.parametrize("name", sorted(make_samples.SAMPLES))
def test_committed_samples_are_what_the_script_makes(name, tmp_path):
    committed = SAMPLES / name
    assert committed.exists(), f"{name} is missing: run python tests/data/make_samples.py"
    fresh = tmp_path / name
    make_samples.save(make_samples.SAMPLES[name](), fresh)
    assert _contents(committed) == _contents(fresh), f"{name} differs: run python tests/data/make_samples.py"


def test_the_script_gives_the_same_bytes_twice(tmp_path):
    first, second = make_samples.write_all(tmp_path / "a"), make_samples.write_all(tmp_path / "b")
    assert [p.read_bytes() for p in first] == [p.read_bytes() for p in second]

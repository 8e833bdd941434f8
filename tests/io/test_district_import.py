"""Imports on a district where two streets each have a 福安社区: the community chosen, or named by its label."""

import openpyxl

from gridapp.core import list_specs, lists
from gridapp.core.services import orgs, workers
from gridapp.core.validation import id_check_digit
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from gridapp.io.xlsx_out import export_list

IDS = [b + id_check_digit(b) for b in ("37020319900101123", "37020319850315204", "37020319771212001")]


def _sheet(tmp_path, rows, name="w.xlsx"):
    wb = openpyxl.Workbook()
    for row in rows:
        wb.active.append(list(row))
    wb.save(tmp_path / name)
    return tmp_path / name


def _grid_of(store, id_number: str) -> str:
    return orgs.label(store, workers.find_by_id_number(store, id_number).current[0].grid_id)


def test_workers_go_to_the_community_chosen_in_the_dialog(district_store, tmp_path):
    codes = {label: code for code, label in orgs.choices(district_store, "community", by="code")}
    path = _sheet(tmp_path, [("姓名", "身份证号码", "所属网格", "人员类别"), ("张伟", IDS[0], "第一网格", "专职网格员")])
    for label, grid in (("福安社区（海泉路街道）", "海泉路街道福安社区第一网格"),
                        ("福安社区（永宁山街道）", "永宁山街道福安社区第一网格")):
        report = run_import(district_store, handler("workers"), path, commit=True, options={"org": codes[label]})
        assert report.committed and not report.rejected, report.rows
        assert _grid_of(district_store, IDS[0]) == grid


def test_a_shared_name_asks_for_the_street_and_a_label_answers(district_store, tmp_path):
    path = _sheet(tmp_path, [("姓名", "身份证号码", "所属社区", "所属网格", "人员类别"),
                             ("张伟", IDS[0], "福安社区", "第一网格", "专职网格员"),
                             ("李娜", IDS[1], "福安社区（海泉路街道）", "第二网格", "专职网格员"),
                             ("王芳", IDS[2], "云溪社区", "第一网格", "兼职网格员")])
    report = run_import(district_store, handler("workers"), path, commit=True)
    rejected = {r.number: " ".join(reason for _col, reason in r.problems) for r in report.rows
                if r.outcome == "rejected"}
    assert list(rejected) == [2] and "请写明街道" in rejected[2], rejected
    assert _grid_of(district_store, IDS[1]) == "海泉路街道福安社区第二网格"
    assert _grid_of(district_store, IDS[2]) == "云溪社区第一网格"


def test_an_exported_worker_list_imports_back(district_store, tmp_path):
    grid_ids = {label: gid for gid, label in orgs.choices(district_store, "grid")}
    for id_number, grid in zip(IDS, ("永宁山街道福安社区第一网格", "海泉路街道福安社区第一网格", "云溪社区第一网格"),
                               strict=True):
        workers.create_or_update(district_store, {"name": "张伟", "id_number": id_number, "worker_type": "fulltime"},
                                 grid_id=grid_ids[grid], role="fulltime")
    out = tmp_path / "export.xlsx"
    export_list(district_store, list_specs.WORKERS, lists.Query(), out)
    column = [c.title for c in list_specs.WORKERS.columns].index("所属社区") + 1
    sheet = openpyxl.load_workbook(out).active
    shown = sorted(r[column - 1] for r in sheet.iter_rows(min_row=3, values_only=True) if r[1])
    assert shown == ["云溪社区", "福安社区（永宁山街道）", "福安社区（海泉路街道）"]
    report = run_import(district_store, handler("workers"), out, commit=False)
    assert [r.outcome for r in report.rows] == ["unchanged"] * 3, [r.problems for r in report.rows]


def test_sign_ins_tell_same_titled_activities_apart_by_community_label(district_store, tmp_path):
    import datetime as dt

    from gridapp.core.models import Participation
    from gridapp.core.services import baodao

    communities = {label: cid for cid, label in orgs.choices(district_store, "community")}
    grid_ids = {label: gid for gid, label in orgs.choices(district_store, "grid")}
    on = dt.date(2026, 5, 20)
    activity = {label: baodao.create_activity(district_store, {"title": "楼道环境集中清理", "date": on,
                                                               "community_id": communities[label]})
                for label in ("福安社区（永宁山街道）", "福安社区（海泉路街道）")}
    unit = baodao.save_unit(district_store, {"name": "区财政局"})
    baodao.register_member(district_store, {"name": "张伟", "id_number": IDS[0], "political_status": "01",
                                            "grid_id": grid_ids["海泉路街道福安社区第一网格"]}, unit_id=unit)
    head = ("活动名称", "活动日期", "社区", "姓名", "身份证号码", "服务时长")
    outcomes = []
    for n, community in enumerate(("福安社区", "福安社区（海泉路街道）")):
        path = _sheet(tmp_path, [head, ("楼道环境集中清理", "2026-05-20", community, "张伟", IDS[0], "2")], f"{n}.xlsx")
        report = run_import(district_store, handler("participations"), path, commit=True)
        outcomes += [(r.outcome, [p for _c, p in r.problems]) for r in report.rows]
    assert outcomes[0][0] == "rejected" and "请填写“社区”列" in outcomes[0][1][0]
    assert outcomes[1] == ("new", [])
    with district_store.read() as s:
        signed = s.query(Participation.activity_id).all()
    assert [a for (a,) in signed] == [activity["福安社区（海泉路街道）"]]


def test_grid_resolver_reads_names_labels_and_titles(district_store):
    import pytest

    from gridapp.core.errors import ValidationError
    from gridapp.io.kinds import GridResolver

    labels = orgs.labels(district_store)
    yunxi = {label: cid for cid, label in orgs.choices(district_store, "community")}["云溪社区"]
    with district_store.read() as s:
        titled = GridResolver.load(s, "370203", "福安社区（海泉路街道）网格员花名册", None, labels)
        untitled = GridResolver.load(s, "370203", "网格员花名册", None, labels)
    assert labels[titled.resolve("第二网格").id] == "海泉路街道福安社区第二网格"
    assert labels[titled.resolve("福安社区第一网格").id] == "海泉路街道福安社区第一网格"
    assert labels[untitled.resolve("永宁山街道福安社区第一网格").id] == "永宁山街道福安社区第一网格"
    assert labels[untitled.resolve("福安社区（永宁山街道）第一网格").id] == "永宁山街道福安社区第一网格"
    assert labels[untitled.resolve("云溪社区第一网格", community_id=yunxi).id] == "云溪社区第一网格"
    with pytest.raises(ValidationError, match="请写明街道"):
        untitled.resolve("福安社区第一网格")

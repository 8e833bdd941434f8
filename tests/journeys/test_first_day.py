"""A new street officer's first day, end to end, in the real program (child process)."""

from __future__ import annotations

import json

from pypdf import PdfReader

from tests.conftest import SAMPLES
from tests.journeys.runner import run_journey


def _district_peer(tmp_path):
    """The district PC the street reports to: its identity file and the fingerprint its officer reads out."""
    from gridapp.core.services.site import init_site
    from gridapp.core.store import Store
    from gridapp.sync import identity

    store = Store(tmp_path / "district.sqlite", create=True, actor="区组织部")
    init_site(store, level="district", code="370203", name="市北区")
    path = identity.write_identity(store, tmp_path / "市北区-身份.json")
    fp = identity.my_fingerprint(store)
    return store, path, fp


def test_first_day_of_a_street_officer(tmp_path):
    district, identity_file, fp = _district_peer(tmp_path)
    out = tmp_path / "run"
    outcome = run_journey("new_street_officer", out, args={
        "samples": str(SAMPLES), "peer_identity": str(identity_file), "peer_fingerprint": fp})
    problems = outcome.problems()
    assert not problems, "\n\n".join(problems)
    seen = json.loads((out / "seen.json").read_text(encoding="utf-8"))

    assert "海泉路街道" in seen["title"]
    assert "9" in seen["code_error"] or "位" in seen["code_error"], seen["code_error"]
    assert "新增 12" in seen["grids_checked"] and "已导入" in seen["grids_imported"]
    assert seen["tree_grids"] == 12
    assert "新增 22" in seen["workers_imported"] and "7" in seen["workers_imported"]
    rejected = [r for r in seen["workers_rows"] if r[1] == "rejected"]
    assert any(r[2] == "潘敏敏" and "网格长" in r[4] for r in rejected)
    assert seen["workers_count_label"] == "共 22 条"
    assert seen["role_default"] == "专职网格员"
    assert seen["form_left_open"] is False
    assert seen["search_rows"] == 1
    assert seen["workers_count_after_fix"] == "共 23 条"

    previews = [p for p in seen["previews"] if "花名册" in p[0]]
    assert previews and previews[0][1] >= 1
    text = "".join(page.extract_text() for page in PdfReader(seen["pdf"]).pages)
    assert "第一网格" in text and "潘敏敏" in text and "贾佳" in text
    assert "宋欣" not in text  # 第二网格's worker is not on 第一网格's roster

    export_done = [m for m in seen["messages"] if "导出完成" in m]
    assert export_done, seen["messages"]
    packages = list((out).rglob("*.gridsync"))
    assert len(packages) == 1 and packages[0].name.startswith("海泉路街道→市北区")

    # the district trusts the street in turn and opens what it sent: the 23 workers arrive
    from gridapp.core.store import Store
    from gridapp.sync import apply, identity

    with Store(out / "home" / "gridapp.sqlite") as street:
        street_identity = identity.write_identity(street, tmp_path / "海泉路街道-身份.json")
        street_fp = identity.my_fingerprint(street)
    identity.trust(district, street_identity, fingerprint=street_fp)
    report = apply.import_package(district, packages[0], commit=True)
    assert report.sender_name == "海泉路街道" and not report.rejected
    assert report.tables["grid_worker"]["new"] == 23, report.tables
    district.close()

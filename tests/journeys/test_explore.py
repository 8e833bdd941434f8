"""The journey harness over the whole main window: small demo data at two screen sizes, and a district."""

from __future__ import annotations

import shutil

import pytest

from tests.journeys.runner import run_journey


def _check(outcome, *, min_actions: int) -> dict:
    problems = outcome.problems()
    assert not problems, "\n\n".join(problems)
    report = outcome.report
    # the harness really walked the program: every page, hundreds of actions, every printout previewed
    assert len(report["actions"]) >= min_actions, len(report["actions"])
    titles = {t for t, _pages in report["previews"]}
    for printout in ("网格员花名册", "网格公示牌", "报到登记表", "反馈函", "物业服务企业名册", "评星定级结果", "覆盖情况"):
        assert any(printout in t for t in titles), (printout, titles)
    assert all(pages >= 1 for _t, pages in report["previews"])
    assert len(report["dialogs"]) >= 100
    return report


@pytest.mark.parametrize(("size", "scale"), [((1366, 768), 1.0), ((1280, 720), 1.5)],
                         ids=["1366x768", "1280x720@1.5"])
def test_every_action_of_the_main_window(demo_db, tmp_path, size, scale):
    outcome = run_journey("explore", tmp_path / "run", db=demo_db, size=size, scale=scale)
    _check(outcome, min_actions=250)


@pytest.fixture(scope="session")
def district_template(tmp_path_factory):
    from gridapp.core import demo

    path = tmp_path_factory.mktemp("district") / "demo-district.sqlite"
    demo.generate(path, "district", seed=7, year=2026)
    return path


@pytest.mark.slow
@pytest.mark.timeout(3600)  # the district demo takes minutes to make, the walk a few more
def test_every_action_at_district_scale(district_template, tmp_path):
    """1,800 grids, 5,000 workers, 100,000 members: work that runs long is cancelled after 3 s, as a user
    who tires of waiting does (the cancel path is tested with it)."""
    db = tmp_path / "district.sqlite"
    shutil.copy(district_template, db)
    outcome = run_journey("explore", tmp_path / "run", db=db, args={"cancel_after": "3", "shots": "0"},
                          timeout=2400)
    _check(outcome, min_actions=250)

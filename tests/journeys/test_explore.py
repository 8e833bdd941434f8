"""The journey harness over the whole main window, on small demo data at two screen sizes."""

from __future__ import annotations

import pytest

from tests.journeys.runner import run_journey


@pytest.mark.parametrize(("size", "scale"), [((1366, 768), 1.0), ((1280, 720), 1.5)],
                         ids=["1366x768", "1280x720@1.5"])
def test_every_action_of_the_main_window(demo_db, tmp_path, size, scale):
    outcome = run_journey("explore", tmp_path / "run", db=demo_db, size=size, scale=scale)
    problems = outcome.problems()
    assert not problems, "\n\n".join(problems)
    report = outcome.report
    # the harness really walked the program: every page, dozens of actions, every printout previewed
    assert len(report["actions"]) >= 150, len(report["actions"])
    assert len(report["previews"]) >= 7 and all(pages >= 1 for _t, pages in report["previews"])
    assert len(report["dialogs"]) >= 30

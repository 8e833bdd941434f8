"""Issue 12 as one test: every case of the hostile-input catalogue, through the real command line, handled.

The cases run in child processes, two at a time; the test fails listing each case not handled.
"""

from __future__ import annotations

import os

import pytest

from tests.hostile.catalogue import CASES, CATEGORIES
from tests.hostile.probe import failures, run_catalogue, table


def test_the_catalogue_covers_every_category_of_the_issue():
    assert {c.category for c in CASES} == set(CATEGORIES)
    for category in CATEGORIES:
        assert sum(c.category == category for c in CASES) >= 5, category
    assert any(c.expect == "success" for c in CASES)  # the probe can tell right from wrong both ways


@pytest.mark.timeout(1200)  # a hang guard for the whole catalogue; each child has its own 60 s limit
def test_every_hostile_case_is_handled(tmp_path):
    jobs = int(os.environ.get("GRIDAPP_HOSTILE_JOBS", "2"))
    outcomes = run_catalogue(CASES, jobs=jobs, scratch=tmp_path)
    bad = [o for o in outcomes if not o.handled and not o.skipped]
    assert not bad, f"{len(bad)} of {len(outcomes)} hostile cases not handled:\n{table(outcomes)}\n{failures(outcomes)}"


def test_the_probe_tells_a_handled_case_from_one_that_is_not(tmp_path):
    from tests.hostile.catalogue import Case, grid_sheet, import_argv

    healthy = next(c for c in CASES if c.id == "backup-healthy")
    succeeds = Case("probe-self-refuse", "backup-source", "a backup that works, judged as if it had to be refused",
                    argv=lambda c: ["backup", "--out", c.dir / "b.sqlite"], expect="refuse")
    imports = Case("probe-self-change", "hostile-xlsx", "a valid import, judged as if its row had to be rejected",
                   build=lambda c: grid_sheet(c), argv=import_argv(), expect="rows")
    out = {o.case_id: o for o in run_catalogue([healthy, succeeds, imports], jobs=2, scratch=tmp_path)}
    assert out["backup-healthy"].handled, out["backup-healthy"].problems
    assert out["backup-healthy"].code == 0 and not out["backup-healthy"].changes
    wrong = out["probe-self-refuse"]
    assert not wrong.handled and "exit 0, expected [1, 2]" in wrong.problems and "left b.sqlite" in wrong.changes
    changed = out["probe-self-change"]
    assert not changed.handled and "database content changed" in changed.changes and changed.code == 0

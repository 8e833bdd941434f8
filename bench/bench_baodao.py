"""双报到 benchmarks at district scale, each as a ratio to a baseline measured in this run.

    .venv/bin/python bench/bench_baodao.py

- sign in 100 members to an activity (one transaction, points from the rules, journal);
  baseline: raw sqlite3 executemany of the same 100 participation rows;
- the yearly feedback for every unit of the district (data), then as PDF for 50 units;
  baseline: one raw sqlite3 GROUP BY over the same participations.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import sqlite3
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_foundation import OUT, report, timed  # noqa: E402
from bench_grids_workers import district_db  # noqa: E402

from gridapp.core.services import baodao  # noqa: E402
from gridapp.core.store import Store  # noqa: E402


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    source = district_db()
    path = OUT / "baodao.sqlite"
    shutil.copy(source, path)
    year = dt.date.today().year
    store = Store(path)
    with store.engine.connect() as c:
        community = c.exec_driver_sql("SELECT community_id FROM member_registration GROUP BY community_id "
                                      "ORDER BY count(*) DESC LIMIT 1").scalar()
        members = [r[0] for r in c.exec_driver_sql(
            "SELECT id FROM member_registration WHERE status = 'registered' AND community_id = ? LIMIT 100",
            (community,))]
    activity = baodao.create_activity(store, {"title": "基准测试活动", "date": dt.date(year, 6, 1),
                                              "community_id": community})
    t = time.perf_counter()
    result = baodao.sign_in(store, activity, members, 2.0)
    seconds = time.perf_counter() - t
    assert result.added == len(members)
    raw = sqlite3.connect(path)
    ts = "2026-01-01 00:00:00.000000"
    rows = [(str(uuid.uuid4()), ts, ts, activity, m, 2.0, 2.0) for m in members]

    def baseline():
        raw.executemany("INSERT INTO participation (id, created_at, updated_at, activity_id, member_id, hours, points) "
                        "VALUES (?,?,?,?,?,?,?)", rows)
        raw.rollback()

    report(f"sign in {len(members)} members", seconds, timed(baseline, 3))

    t = time.perf_counter()
    letters = baodao.feedbacks(store, year)
    seconds = time.perf_counter() - t
    report(f"feedback data for all {len(letters)} units",
           seconds, timed(lambda: raw.execute(
               "SELECT m.unit_id, m.id, count(*), sum(x.hours), sum(x.points) FROM participation x "
               "JOIN activity a ON a.id = x.activity_id JOIN member_registration m ON m.id = x.member_id "
               "WHERE a.date BETWEEN ? AND ? GROUP BY m.id", (f"{year}-01-01", f"{year}-12-31")).fetchall()))
    from PySide6.QtWidgets import QApplication

    from gridapp.io import reports
    from gridapp.ui import printing

    _app = QApplication.instance() or QApplication([])
    ids = [u for u, _n in baodao.units_with_members(store)[:50]]
    t = time.perf_counter()
    pages = printing.letters_pdf(reports.feedback_letters(store, year, ids), OUT / "feedback-50.pdf")
    print(f"{'feedback PDF for 50 units':<44} {(time.perf_counter() - t) * 1000:10.1f} ms   ({pages} pages)")
    raw.close()
    store.close()


if __name__ == "__main__":
    main()

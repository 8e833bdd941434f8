"""红色物业 benchmarks at district scale, each as a ratio to a baseline measured in this run.

    .venv/bin/python bench/bench_property.py

- coverage by community for the whole district; baseline: one raw sqlite3 query joining compounds,
  current contracts and the year's ratings;
- the year's ranking (晾晒评比) of every firm; baseline: a raw sqlite3 ORDER BY over the ratings;
- the ranking list as shown (open the list); baseline: the raw ORDER BY again;
- importing the firms sheet exported from the district and back (600 firms, all unchanged).
"""

from __future__ import annotations

import os
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_foundation import OUT, report, timed  # noqa: E402
from bench_grids_workers import district_db  # noqa: E402

from gridapp.core import lists  # noqa: E402
from gridapp.core.list_specs_property import FIRMS, ratings_list  # noqa: E402
from gridapp.core.services import coverage, ratings  # noqa: E402
from gridapp.core.store import Store  # noqa: E402
from gridapp.io.importer import run_import  # noqa: E402
from gridapp.io.kinds import handler  # noqa: E402
from gridapp.io.xlsx_out import export_list  # noqa: E402


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = district_db()
    store = Store(path, lock=False)
    raw = sqlite3.connect(path)
    year = raw.execute("SELECT max(year) FROM firm_rating").fetchone()[0]

    def raw_coverage():
        raw.execute("SELECT g.parent_id, count(*), count(sc.firm_id), sum(r.stars >= 3) FROM compound cp "
                    "JOIN org_unit g ON g.id = cp.grid_id LEFT JOIN service_contract sc ON sc.compound_id = cp.id "
                    "AND sc.end_date IS NULL LEFT JOIN firm_rating r ON r.firm_id = sc.firm_id AND r.year = ? "
                    "GROUP BY g.parent_id", (year,)).fetchall()

    def raw_ranking():
        raw.execute("SELECT f.name, r.total, r.stars FROM firm_rating r JOIN property_firm f ON f.id = r.firm_id "
                    "WHERE r.year = ? ORDER BY r.total DESC", (year,)).fetchall()

    cov = None

    def run_coverage():
        nonlocal cov
        cov = coverage.coverage(store, year)

    report(f"coverage, {len(coverage.coverage(store, year).rows)} communities", timed(run_coverage, 3),
           timed(raw_coverage, 3))
    report(f"ranking of {len(ratings.ranking(store, year).rows)} firms", timed(lambda: ratings.ranking(store, year), 3),
           timed(raw_ranking, 3))
    spec = ratings_list(store, year)

    def open_list():
        with store.engine.connect() as conn:
            ids = lists.query_rowids(conn, spec, lists.Query())
            lists.fetch_rows(conn, spec, ids[:100])

    report("ranking list open (first 100 rows)", timed(open_list, 3), timed(raw_ranking, 3))
    sheet = OUT / "firms.xlsx"
    export_list(store, FIRMS, lists.Query(), sheet)
    t = time.perf_counter()
    result = run_import(store, handler("firms"), sheet, commit=False)
    seconds = time.perf_counter() - t
    assert result.counts()["unchanged"] == len(result.rows), result.summary()
    print(f"{'firms sheet check, ' + str(len(result.rows)) + ' rows (all unchanged)':<44} {seconds * 1000:10.1f} ms")
    raw.close()
    store.close()


if __name__ == "__main__":
    main()

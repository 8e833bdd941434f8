"""操作记录 benchmarks on a journal of 2,000,000 rows, each as a ratio to raw sqlite3 reading the same rows.

    .venv/bin/python bench/bench_oplog.py [--rows N] [--fresh]

The district demo database gets N journal rows (default 2,000,000) written the way the services write
them: a new record's every field, then edits of one to three fields of a record, now and then a delete,
by five people here and at the streets, over three years. Then, as the 操作记录 tab does: the first page,
scrolling 50 pages, each filter's first page, a search by name, the 操作人 list, and an export of a month.
Baseline: raw ``sqlite3`` reading as many journal rows, newest first, as the entries were made of.
``table_bytes()`` and ``journal_growth()`` weigh the journal against the data it describes (bench/run_all.py).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import shutil
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_foundation import OUT, report, timed  # noqa: E402
from bench_grids_workers import district_db  # noqa: E402

from gridapp.core import clock, oplog  # noqa: E402
from gridapp.core.store import Store  # noqa: E402
from gridapp.sync import records  # noqa: E402

TABLES = {"person": 8, "grid_worker": 2, "grid_assignment": 2, "member_registration": 8, "participation": 10,
          "activity": 2, "org_unit": 1, "compound": 1, "unit": 1, "property_firm": 1, "service_contract": 1}
ACTORS = ("zhangsan", "lisi", "wangfang", "liuyang", "chenjing")
START = dt.datetime(2023, 1, 1)
SPAN = dt.timedelta(days=3 * 365)


def fill_journal(path: Path, total: int, seed: int = 1) -> None:
    """Append ``total`` journal rows to the database at ``path`` (raw sqlite3, one transaction)."""
    rng = random.Random(seed)
    conn = sqlite3.connect(path)
    me = conn.execute("SELECT code FROM site WHERE is_self = 1").fetchone()[0]
    streets = [r[0] for r in conn.execute("SELECT code FROM org_unit WHERE level = 'street'")]
    rows = {}
    for t in TABLES:
        cols = [c for c in records.fields(t) if c != "deleted_at"]
        rows[t] = (cols, conn.execute(f"SELECT id, {', '.join(cols)} FROM {t}").fetchall())
    seqs = {s: 0 for s in (me, *streets)}
    seqs[me] = conn.execute("SELECT coalesce(max(seq), 0) FROM change_journal WHERE origin_site = ?", (me,)).fetchone()[0]
    seen: set[str] = set()
    batch: list[tuple] = []
    written = 0
    sql = ("INSERT INTO change_journal (origin_site, seq, hlc, prev_hlc, record_hlc, at, actor, op, table_name, "
           "record_id, field, old_value, new_value) VALUES (?, ?, ?, NULL, NULL, ?, ?, ?, ?, ?, ?, ?, ?)")

    def enc(v):
        return None if v is None else json.dumps(v, ensure_ascii=False)

    conn.execute("BEGIN")
    while written < total:
        table = rng.choices(list(TABLES), list(TABLES.values()))[0]
        cols, recs = rows[table]
        rec = rng.choice(recs)
        at = START + SPAN * (written / total) + dt.timedelta(seconds=rng.random())
        origin = me if rng.random() < 0.8 else rng.choice(streets)
        if rec[0] not in seen:
            seen.add(rec[0])
            fields = [("insert", c, None, v) for c, v in zip(cols, rec[1:], strict=True) if v is not None]
        elif rng.random() < 0.003:
            fields = [("delete", "deleted_at", None, at.isoformat())]
        else:
            other = rng.choice(recs)
            fields = [("update", c, other[1 + cols.index(c)], rec[1 + cols.index(c)])
                      for c in rng.sample(cols, min(rng.randint(1, 3), len(cols)))]
        ms = int(at.replace(tzinfo=dt.UTC).timestamp() * 1000)
        actor = rng.choice(ACTORS)
        for k, (op, field, old, new) in enumerate(fields):
            seqs[origin] += 1
            batch.append((origin, seqs[origin], clock.make(ms, k, origin), at.strftime("%Y-%m-%d %H:%M:%S.%f"), actor,
                          op, table, rec[0], field, enc(old), enc(new)))
        written += len(fields)
        if len(batch) >= 50_000:
            conn.executemany(sql, batch)
            batch.clear()
    conn.executemany(sql, batch)
    conn.commit()
    conn.execute("ANALYZE")
    conn.close()


def table_bytes(path: Path) -> dict[str, int] | None:
    """Bytes per table, its indexes included (SQLite's ``dbstat``), or None where dbstat is not compiled in."""
    conn = sqlite3.connect(path)
    try:
        owner = dict(conn.execute("SELECT name, tbl_name FROM sqlite_master WHERE type IN ('table', 'index')"))
        try:
            pages = conn.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
        except sqlite3.OperationalError:
            return None
    finally:
        conn.close()
    out: dict[str, int] = {}
    for name, size in pages:
        table = owner.get(name, name)
        out[table] = out.get(table, 0) + size
    return out


def journal_growth(before: Path, after: Path, data_tables: tuple[str, ...]) -> dict:
    """What the change journal grew by from ``before`` to ``after``, beside what ``data_tables`` grew by."""
    def rows(path: Path) -> int:
        with closing(sqlite3.connect(path)) as c:
            return c.execute("SELECT count(*) FROM change_journal").fetchone()[0]

    out = {"rows": rows(after) - rows(before), "file_before": before.stat().st_size, "file_after": after.stat().st_size}
    b, a = table_bytes(before), table_bytes(after)
    if b is not None and a is not None:
        out["journal_bytes"] = a.get("change_journal", 0) - b.get("change_journal", 0)
        out["data_bytes"] = sum(a.get(t, 0) - b.get(t, 0) for t in data_tables)
        out["data_bytes_per_table"] = {t: a.get(t, 0) - b.get(t, 0) for t in data_tables}
    return out


def big_journal(rows: int, fresh: bool) -> Path:
    path = OUT / f"oplog-{rows}.sqlite"
    if fresh or not path.exists():
        path.unlink(missing_ok=True)
        shutil.copy(district_db(), path)
        t = time.perf_counter()
        fill_journal(path, rows)
        print(f"journal of {rows:,} rows written in {time.perf_counter() - t:.1f} s")
    return path


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=2_000_000)
    ap.add_argument("--fresh", action="store_true")
    args = ap.parse_args()
    path = big_journal(args.rows, args.fresh)
    store = Store(path, lock=False, upgrade=False)
    raw = sqlite3.connect(path)

    def baseline(n: int, where: str = "1") -> float:
        return timed(lambda: raw.execute(f"SELECT * FROM change_journal WHERE {where} ORDER BY id DESC "
                                         f"LIMIT {max(n, 1)}").fetchall(), 3)

    def first_page(query: oplog.LogQuery) -> tuple[float, oplog.LogReader]:
        best, reader = float("inf"), None
        for _ in range(3):
            r = oplog.LogReader(store, query)
            t = time.perf_counter()
            r.page()
            best, reader = min(best, time.perf_counter() - t), r
        return best, reader

    seconds, reader = first_page(oplog.LogQuery())
    report("open: first 200 entries", seconds, baseline(reader.rows_read))
    t = time.perf_counter()
    for _ in range(50):
        reader.page()
    report("scroll: 50 more pages", time.perf_counter() - t, baseline(reader.rows_read))
    last = dt.date(2025, 12, 31)
    name = raw.execute("SELECT name FROM person ORDER BY rowid LIMIT 1 OFFSET 777").fetchone()[0]
    for title, query in (("filter: kind 网格", oplog.LogQuery(kind="grids")),
                         ("filter: kind 物业企业与服务合同", oplog.LogQuery(kind="firms")),
                         ("filter: kind 网格员", oplog.LogQuery(kind="workers")),
                         ("filter: 操作人 lisi", oplog.LogQuery(actor="lisi")),
                         ("filter: one day a year back", oplog.LogQuery(since=last.replace(year=2024), until=last.replace(year=2024))),
                         ("filter: last month", oplog.LogQuery(since=dt.date(2025, 12, 1), until=last)),
                         (f"search: full name “{name}”", oplog.LogQuery(search=name)),
                         (f"search: surname “{name[0]}”", oplog.LogQuery(search=name[0])),
                         ("search: community “云溪”", oplog.LogQuery(search="云溪"))):
        seconds, reader = first_page(query)
        report(f"{title} ({reader.rows_read:,} rows)", seconds, baseline(reader.rows_read))
    report("操作人 list", timed(lambda: oplog.actors(store)),
           timed(lambda: raw.execute("SELECT DISTINCT actor FROM change_journal").fetchall()))
    month = oplog.LogQuery(since=dt.date(2025, 11, 1), until=dt.date(2025, 11, 30))
    from gridapp.io.xlsx_out import export_oplog

    out = OUT / "oplog-month.xlsx"
    t = time.perf_counter()
    n = export_oplog(store, month, out)
    seconds = time.perf_counter() - t
    rows = oplog.count_rows(store, month)
    report(f"export: a month, {n:,} entries ({rows:,} rows)", seconds,
           timed(lambda: raw.execute("SELECT * FROM change_journal WHERE at >= '2025-11-01' AND at < '2025-12-01' "
                                     "ORDER BY id DESC").fetchall()))
    print(f"  {n / seconds:,.0f} entries/s into the sheet; the whole journal would take about "
          f"{seconds * args.rows / max(rows, 1) / 60:.1f} min")
    store.close()


if __name__ == "__main__":
    main()

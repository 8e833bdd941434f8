"""Grid-worker benchmarks, each as a ratio to a baseline measured in this run.

    .venv/bin/python bench/bench_grids_workers.py

- the worker list at district scale: open (all ids in order), scroll 25 pages, search as you type;
  baseline: raw sqlite3 over the same rows;
- import 10,000 workers from .xlsx (read, validate, preview-free commit, journal);
  baseline: raw sqlite3 executemany of the same person, worker and assignment rows;
- export 100,000 in-service members to a styled .xlsx; baseline: openpyxl write-only of the same cells;
- print a 5,000-worker roster to PDF; baseline: the same rows drawn as plain text lines into a PDF.
"""

from __future__ import annotations

import os
import random
import sqlite3
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_foundation import OUT, report, timed  # noqa: E402

from gridapp.core import demo, list_specs, lists  # noqa: E402
from gridapp.core.store import Store  # noqa: E402
from gridapp.core.validation import id_check_digit  # noqa: E402


def district_db() -> Path:
    path = OUT / "district.sqlite"
    if not path.exists():
        demo.generate(path, "district", seed=1)
    return path


def bench_worker_list(path: Path) -> None:
    store = Store(path, lock=False)
    raw = sqlite3.connect(path)
    spec = list_specs.WORKERS
    with store.engine.connect() as conn:
        ids: list[int] = []

        def open_list():
            ids[:] = lists.query_rowids(conn, spec, lists.Query())

        report("worker list: open (5,000, ordered)", timed(open_list, 3),
               timed(lambda: raw.execute("SELECT w.rowid FROM grid_worker w CROSS JOIN person p ON p.id = w.person_id "
                                         "ORDER BY p.name_initials").fetchall(), 3))
        pages = [ids[i : i + 200] for i in range(0, len(ids), 200)]
        report("worker list: scroll 25 pages", timed(lambda: [lists.fetch_rows(conn, spec, p) for p in pages], 3),
               timed(lambda: [raw.execute(f"SELECT * FROM grid_worker WHERE rowid IN ({','.join(map(str, p))})")
                              .fetchall() for p in pages], 3))
        for term in ("w", "wl", "wlj"):
            report(f"worker list: search '{term}' (typing)",
                   timed(lambda t=term: lists.query_rowids(conn, spec, lists.Query(search=t)), 3),
                   timed(lambda t=term: raw.execute("SELECT rowid FROM person WHERE name_initials LIKE ?",
                                                    (t + "%",)).fetchall(), 3))
    raw.close()
    store.close()


def _worker_sheet(path: Path, grids: list[tuple[str, str]], n: int) -> list[tuple]:
    import openpyxl

    rng = random.Random(5)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["序号", "姓名", "身份证号码", "联系电话", "所属社区", "所属网格", "人员类别", "任职时间"])
    rows = []
    seen: set[str] = set()
    while len(rows) < n:
        body = f"370203{rng.randrange(1960, 2000)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
        number = body + id_check_digit(body)
        if number in seen:
            continue
        seen.add(number)
        community, grid = grids[len(rows) % len(grids)]
        name = rng.choice("王李张刘陈杨") + rng.choice("伟芳娜敏静强磊")
        row = (len(rows) + 1, name, number, f"139{rng.randrange(10**8):08d}", community, grid, "兼职网格员", "2021.3")
        ws.append(row)
        rows.append(row)
    wb.save(path)
    return rows


def bench_import() -> None:
    from gridapp.io.importer import run_import
    from gridapp.io.kinds import handler

    db = OUT / "import.sqlite"
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(db) + suffix).unlink(missing_ok=True)
    demo.generate(db, "street", seed=2)
    with sqlite3.connect(db) as c:
        grids = c.execute("SELECT c.name, g.name FROM org_unit g JOIN org_unit c ON c.id = g.parent_id "
                          "WHERE g.level = 'grid'").fetchall()
    sheet = OUT / "workers-10000.xlsx"
    rows = _worker_sheet(sheet, grids, 10_000)
    store = Store(db)
    t = time.perf_counter()
    result = run_import(store, handler("workers"), sheet, commit=True)
    seconds = time.perf_counter() - t
    store.close()
    assert result.counts()["new"] == 10_000, result.summary()
    # Baseline: the same three rows per worker, straight into a copy of the schema.
    base = OUT / "import-baseline.sqlite"
    base.unlink(missing_ok=True)
    Store(base, create=True).close()
    conn = sqlite3.connect(base)
    conn.execute("PRAGMA foreign_keys=OFF")
    ts = "2026-01-01 00:00:00.000000"
    people, staff, assign = [], [], []
    for r in rows:
        pid, wid = str(uuid.uuid4()), str(uuid.uuid4())
        people.append((pid, ts, ts, r[1], r[2], r[3]))
        staff.append((wid, ts, ts, pid, "parttime", "active"))
        assign.append((str(uuid.uuid4()), ts, ts, wid, "g", "parttime"))
    t = time.perf_counter()
    conn.executemany("INSERT INTO person (id, created_at, updated_at, name, id_number, phone) VALUES (?,?,?,?,?,?)",
                     people)
    conn.executemany("INSERT INTO grid_worker (id, created_at, updated_at, person_id, worker_type, status) "
                     "VALUES (?,?,?,?,?,?)", staff)
    conn.executemany("INSERT INTO grid_assignment (id, created_at, updated_at, worker_id, org_unit_id, role) "
                     "VALUES (?,?,?,?,?,?)", assign)
    conn.commit()
    baseline = time.perf_counter() - t
    conn.close()
    report("import 10,000 workers from .xlsx", seconds, baseline)


def bench_export(path: Path) -> None:
    import openpyxl

    from gridapp.io.xlsx_out import export_list

    store = Store(path, lock=False)
    out = OUT / "members-export.xlsx"
    t = time.perf_counter()
    n = export_list(store, list_specs.MEMBERS, lists.Query(), out)
    seconds = time.perf_counter() - t
    with store.engine.connect() as conn:
        ids = lists.query_rowids(conn, list_specs.MEMBERS, lists.Query())
        values = lists.fetch_rows(conn, list_specs.MEMBERS, ids)
    cells = [tuple("" if v is None else str(v) for v in values[i]) for i in ids]
    store.close()

    def baseline():
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("x")
        for row in cells:
            ws.append(row)
        wb.save(OUT / "members-baseline.xlsx")

    def fastest():  # XlsxWriter in constant-memory mode, the same cells as plain strings, no styles
        import xlsxwriter

        wb = xlsxwriter.Workbook(str(OUT / "members-fastest.xlsx"), {"constant_memory": True})
        ws = wb.add_worksheet("x")
        for r, row in enumerate(cells):
            for c, v in enumerate(row):
                ws.write_string(r, c, v)
        wb.close()

    report(f"export {n:,} members to .xlsx (vs openpyxl)", seconds, timed(baseline))
    report(f"export {n:,} members to .xlsx (vs XlsxWriter)", seconds, timed(fastest))


def bench_print(path: Path) -> None:
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFont, QPainter
    from PySide6.QtWidgets import QApplication

    from gridapp.io import reports
    from gridapp.ui import printing, theme

    _app = QApplication.instance() or QApplication([])
    store = Store(path, lock=False)
    t = time.perf_counter()
    roster = reports.roster(store, "370203")
    pages = printing.roster_pdf(roster, OUT / "roster.pdf")
    seconds = time.perf_counter() - t
    store.close()

    def baseline():
        printer = printing.make_printer(OUT / "roster-baseline.pdf", landscape=True)
        painter = QPainter(printer)
        font = QFont(theme.SHIPPED_FAMILY)
        font.setPointSize(9)
        painter.setFont(font)
        line = painter.fontMetrics().height() * 1.6
        height = printer.pageLayout().paintRectPixels(printer.resolution()).height()
        y = 0.0
        for row in roster.table.rows:
            if y + line > height:
                printer.newPage()
                y = 0.0
            painter.drawText(QRectF(0, y, 20000, line), "  ".join(row))
            y += line
        painter.end()

    report(f"print roster of {roster.count:,} workers ({pages} pages)", seconds, timed(baseline))


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    path = district_db()
    bench_worker_list(path)
    bench_import()
    bench_export(path)
    bench_print(path)


if __name__ == "__main__":
    main()

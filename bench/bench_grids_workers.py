"""Grid-worker benchmarks, each as a ratio to a baseline measured in this run.

    .venv/bin/python bench/bench_grids_workers.py

- the worker list at district scale: open (all ids in order), scroll 25 pages, search as you type;
  baseline: raw sqlite3 over the same rows;
- import 10,000 workers from .xlsx into the street demo (read, validate, preview-free commit, journal), in a
  fresh child process (its peak memory is the import's own); baseline: python-calamine reading the same cells
  plus raw sqlite3 executemany of the very person, worker and assignment rows the import wrote, into a copy
  of the same database;
- export 100,000 in-service members to a styled .xlsx; baselines: openpyxl write-only and XlsxWriter
  (constant memory, plain strings) writing the same cells;
- print a 5,000-worker roster to PDF; baseline: the same rows drawn as plain text lines into a PDF.
"""

from __future__ import annotations

import os
import random
import shutil
import sqlite3
import sys
import time
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from bench_foundation import OUT, demo_db, measured, report, timed  # noqa: E402

from gridapp.core import list_specs, lists  # noqa: E402
from gridapp.core.store import Store  # noqa: E402
from gridapp.core.validation import id_check_digit  # noqa: E402


def district_db() -> Path:
    return demo_db("district")


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


WORKER_TABLES = ("person", "grid_worker", "grid_assignment")


def worker_sheet(db: Path, n: int) -> Path:
    """A 花名册 of ``n`` new part-time workers on the grids of ``db`` (none of their ID numbers is there yet).

    Kept in OUT while it is newer than ``db``: writing 100,000 rows takes a while.
    """
    import openpyxl

    path = OUT / f"workers-{n}-{db.stem}.xlsx"
    if path.exists() and path.stat().st_mtime >= db.stat().st_mtime:
        return path
    with closing(sqlite3.connect(db)) as c:
        grids = c.execute("SELECT c.name, g.name FROM org_unit g JOIN org_unit c ON c.id = g.parent_id "
                          "WHERE g.level = 'grid' ORDER BY g.code").fetchall()
        seen = {r[0] for r in c.execute("SELECT id_number FROM person WHERE id_number IS NOT NULL")}
    rng = random.Random(5)
    wb = openpyxl.Workbook(write_only=True)
    ws = wb.create_sheet("花名册")
    ws.append(["序号", "姓名", "身份证号码", "联系电话", "所属社区", "所属网格", "人员类别", "任职时间"])
    done = 0
    while done < n:
        body = f"370203{rng.randrange(1960, 2000)}{rng.randrange(1, 13):02d}{rng.randrange(1, 29):02d}{rng.randrange(1000):03d}"
        number = body + id_check_digit(body)
        if number in seen:
            continue
        seen.add(number)
        community, grid = grids[done % len(grids)]
        name = rng.choice("王李张刘陈杨") + rng.choice("伟芳娜敏静强磊")
        done += 1
        ws.append((done, name, number, f"139{rng.randrange(10**8):08d}", community, grid, "兼职网格员", "2021.3"))
    part = path.with_suffix(".part.xlsx")
    wb.save(part)
    part.replace(path)
    return path


def db_bytes(path: Path) -> int:
    """The database file with its write-ahead log."""
    return sum(Path(str(path) + s).stat().st_size for s in ("", "-wal") if Path(str(path) + s).exists())


def fresh_copy(source: Path, dest: Path) -> Path:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(dest) + suffix).unlink(missing_ok=True)
    shutil.copy(source, dest)
    return dest


def import_workers(db: str, sheet: str) -> dict:
    """Import the workers sheet into ``db`` as the app does; seconds of the import itself and the outcomes."""
    from gridapp.io.importer import run_import
    from gridapp.io.kinds import handler

    with Store(db) as store:
        t = time.perf_counter()
        result = run_import(store, handler("workers"), sheet, commit=True)
        seconds = time.perf_counter() - t
    return {"seconds": seconds, "counts": result.counts(), "summary": result.summary()}


def raw_import(source: Path, imported: Path, sheet: Path) -> tuple[float, float]:
    """The baseline: (seconds python-calamine reads the sheet's cells, seconds raw sqlite3 inserts the rows).

    The rows are the ones the import wrote (every column, read back from ``imported``), inserted with
    ``executemany`` into a fresh copy of ``source``: the same rows, the same indexes, no journal.
    """
    from python_calamine import CalamineWorkbook

    t = time.perf_counter()
    cells = CalamineWorkbook.from_path(str(sheet)).get_sheet_by_index(0).to_python()
    read = time.perf_counter() - t
    assert len(cells) > 1
    conn = sqlite3.connect(imported)
    conn.execute("ATTACH DATABASE ? AS src", (str(source),))
    prepared = []
    for table in WORKER_TABLES:
        cols = [r[1] for r in conn.execute(f"PRAGMA main.table_info({table})")]
        rows = conn.execute(f"SELECT {', '.join(cols)} FROM main.{table} "
                            f"WHERE id NOT IN (SELECT id FROM src.{table})").fetchall()
        prepared.append((f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows))
    conn.close()
    base = fresh_copy(source, OUT / "import-baseline.sqlite")
    conn = sqlite3.connect(base)
    t = time.perf_counter()
    for sql, rows in prepared:
        conn.executemany(sql, rows)
    conn.commit()
    insert = time.perf_counter() - t
    conn.close()
    return read, insert


def measure_import(source: Path, n: int) -> dict:
    """Import ``n`` new workers from .xlsx into a copy of ``source`` (in a fresh child process), with its baseline.

    The imported database stays in OUT as ``import-{n}.sqlite``.
    """
    sheet = worker_sheet(source, n)
    db = fresh_copy(source, OUT / f"import-{n}.sqlite")
    before = db_bytes(db)
    _total, peak, out = measured(import_workers, str(db), str(sheet), start="spawn")
    assert out["counts"]["new"] == n, out["summary"]
    read, insert = raw_import(source, db, sheet)
    return {"n": n, "seconds": out["seconds"], "peak_mb": peak, "read": read, "insert": insert,
            "bytes_before": before, "bytes_after": db_bytes(db), "db": str(db), "source": str(source)}


def bench_import(n: int = 10_000) -> None:
    m = measure_import(demo_db("street"), n)
    report(f"import {n:,} workers from .xlsx", m["seconds"], m["read"] + m["insert"])
    print(f"{'':<4}(baseline: reading the cells {m['read']:.2f} s + raw insert {m['insert']:.2f} s; "
          f"peak {m['peak_mb']:.0f} MB; database {m['bytes_before'] / 1e6:.0f} → {m['bytes_after'] / 1e6:.0f} MB)")


def measure_export(path: Path) -> dict:
    """Export every in-service member to a styled .xlsx; seconds, with both writers' seconds for the same cells."""
    import openpyxl
    import xlsxwriter

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

    def write_openpyxl():
        wb = openpyxl.Workbook(write_only=True)
        ws = wb.create_sheet("x")
        for row in cells:
            ws.append(row)
        wb.save(OUT / "members-baseline.xlsx")

    def write_xlsxwriter():  # constant-memory mode, the same cells as plain strings, no styles
        wb = xlsxwriter.Workbook(str(OUT / "members-fastest.xlsx"), {"constant_memory": True})
        ws = wb.add_worksheet("x")
        for r, row in enumerate(cells):
            for c, v in enumerate(row):
                ws.write_string(r, c, v)
        wb.close()

    return {"n": n, "seconds": seconds, "openpyxl": timed(write_openpyxl), "xlsxwriter": timed(write_xlsxwriter)}


def bench_export(path: Path) -> None:
    m = measure_export(path)
    report(f"export {m['n']:,} members to .xlsx (vs openpyxl)", m["seconds"], m["openpyxl"])
    report(f"export {m['n']:,} members to .xlsx (vs XlsxWriter)", m["seconds"], m["xlsxwriter"])


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

"""Foundation benchmarks at district scale, each as a ratio to raw sqlite3 doing the same rows in this run.

    .venv/bin/python bench/bench_foundation.py [--fresh]

- demo generation (≈900,000 rows) vs raw ``executemany`` of the same number of rows into the same schema;
- opening the 100,000-member list (all row ids, in order), scrolling it (50 pages), searching it by pinyin
  initials and by phone digits, vs raw sqlite3 queries over the same table.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import sqlite3
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import create_engine  # noqa: E402

from gridapp.core import demo, list_specs, lists  # noqa: E402
from gridapp.core.models import Base  # noqa: E402
from gridapp.core.store import Store  # noqa: E402

# Scratch files and cached demo databases; bench/run_all.py points its children at another folder.
OUT = Path(os.environ.get("GRIDAPP_BENCH_OUT") or ROOT / "bench" / "out")
DEMO_FILES = {"district": "district.sqlite", "street": "demo-street.sqlite", "small": "demo-small.sqlite"}


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def report(name: str, seconds: float, baseline: float) -> None:
    print(f"{name:<44} {seconds * 1000:10.1f} ms   baseline {baseline * 1000:9.1f} ms   ratio {seconds / baseline:6.2f}")


def demo_db(scale: str = "district") -> Path:
    """The cached demo database of ``scale`` in OUT (seed 1), generated on first use."""
    path = OUT / DEMO_FILES[scale]
    if not path.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        part = path.with_suffix(".part.sqlite")  # a run killed while generating leaves no half database
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(str(part) + suffix).unlink(missing_ok=True)
        demo.generate(part, scale, seed=1)
        part.rename(path)
        Path(str(part) + ".lock").unlink(missing_ok=True)
    return path


def peak_mb() -> float:
    """This process's peak resident memory so far, in MB.

    Linux's VmHWM starts afresh when a program starts; ru_maxrss, the fallback, also counts the parent's
    memory the process was forked with before it started this interpreter.
    """
    try:
        status = Path("/proc/self/status").read_text()
        return next(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration, ValueError):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _child(fn, args, conn) -> None:
    try:
        t = time.perf_counter()
        result = fn(*args)
        conn.send((time.perf_counter() - t, peak_mb(), result))
    except BaseException as exc:  # reported by the parent
        conn.send(exc)
    finally:
        conn.close()
        os._exit(0)  # no exit handlers from the parent's copies of pools and threads


def measured(fn, *args, start: str = "fork"):
    """(seconds, peak MB, result) of ``fn(*args)`` run in a child process.

    A forked child counts the pages it shares with its parent; ``start="spawn"`` gives a fresh
    interpreter (``fn`` must then be a module-level function), whose peak is the step's own.
    """
    ctx = mp.get_context(start)
    parent, child = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_child, args=(fn, args, child))
    p.start()
    child.close()
    try:
        out = parent.recv()
    except EOFError:
        p.join()
        raise RuntimeError(f"{fn.__name__} died in its child process (exit code {p.exitcode})") from None
    p.join()
    if isinstance(out, BaseException):
        raise out
    return out


def bench_demo(path: Path) -> dict[str, int]:
    for suffix in ("", "-wal", "-shm", ".lock"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    t = time.perf_counter()
    counts = demo.generate(path, "district", seed=1)
    seconds = time.perf_counter() - t
    # Baseline: the same number of rows per table, pre-built, inserted with raw executemany into the same schema.
    base_path = OUT / "baseline.sqlite"
    base_path.unlink(missing_ok=True)
    engine = create_engine(f"sqlite:///{base_path}")
    Base.metadata.create_all(engine)
    engine.dispose()
    conn = sqlite3.connect(base_path)
    conn.execute("PRAGMA journal_mode=WAL")
    prepared = []
    for table in counts:
        cols = [c.name for c in Base.metadata.tables[table].c]
        src = sqlite3.connect(path)
        rows = src.execute(f"SELECT {', '.join(cols)} FROM {table}").fetchall()
        src.close()
        prepared.append((f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})", rows))
    t = time.perf_counter()
    conn.execute("PRAGMA foreign_keys=OFF")
    for sql, rows in prepared:
        conn.executemany(sql, rows)
    conn.commit()
    baseline = time.perf_counter() - t
    conn.close()
    report(f"demo district ({sum(counts.values()):,} rows)", seconds, baseline)
    return counts


def bench_list(path: Path) -> None:
    t = time.perf_counter()
    store = Store(path, lock=False)
    print(f"{'open the store':<44} {(time.perf_counter() - t) * 1000:10.1f} ms")
    raw = sqlite3.connect(path)
    spec = list_specs.MEMBERS
    with store.engine.connect() as conn:
        ids: list[int] = []

        def open_list():
            ids[:] = lists.query_rowids(conn, spec, lists.Query())

        report("open member list (100,000 ids, ordered)", timed(open_list, 3),
               timed(lambda: raw.execute("SELECT m.rowid FROM member_registration m JOIN person p "
                                         "ON p.id = m.person_id ORDER BY p.name_initials").fetchall(), 3))
        pages = [ids[i : i + 200] for i in range(0, len(ids), len(ids) // 50)][:50]
        report("scroll 50 pages of 200 rows", timed(lambda: [lists.fetch_rows(conn, spec, p) for p in pages], 3),
               timed(lambda: [raw.execute(f"SELECT * FROM member_registration WHERE rowid IN ({','.join(map(str, p))})")
                              .fetchall() for p in pages], 3))
        for term, base_sql in (("wl", "SELECT rowid FROM person WHERE name_initials LIKE 'wl%'"),
                               ("1380", "SELECT rowid FROM person WHERE phone LIKE '%1380%'")):
            report(f"search '{term}'", timed(lambda t=term: lists.query_rowids(conn, spec, lists.Query(search=t)), 3),
                   timed(lambda s=base_sql: raw.execute(s).fetchall(), 3))
        report("sort by community", timed(lambda: lists.query_rowids(conn, spec, lists.Query(sort="community")), 3),
               timed(lambda: raw.execute("SELECT m.rowid FROM member_registration m JOIN org_unit c "
                                         "ON c.id = m.community_id ORDER BY c.name").fetchall(), 3))
    raw.close()
    store.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--fresh", action="store_true", help="regenerate the district database even if present")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / "district.sqlite"
    if args.fresh or not path.exists():
        bench_demo(path)
    bench_list(path)


if __name__ == "__main__":
    main()

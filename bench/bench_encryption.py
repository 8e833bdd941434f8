"""The cost of SQLCipher: the same work on the clear small demo and on an encrypted copy of it, as a ratio.

    .venv/bin/python bench/bench_encryption.py

- open (Store construction, site loaded), a full read of every person row, the member list's ids in order;
- writes: 20,000 journalled-size rows in one transaction, and 200 one-row transactions;
- the program's own write: importing a 10,000-worker sheet into the street demo, clear and encrypted
  (``--import 0`` leaves it out; the street demo and the sheet are cached in bench/out).
Goal: within 15 % of the clear database. Prints the measurements; asserts nothing.
"""

from __future__ import annotations

import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import sqlcipher3.dbapi2 as sqlcipher  # noqa: E402

from gridapp.core import demo, keys  # noqa: E402
from gridapp.core.store import Store  # noqa: E402


def best(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def encrypted_copy(src: Path, dest: Path, key: bytes) -> None:
    with sqlite3.connect(src) as conn:
        version = conn.execute("PRAGMA user_version").fetchone()[0]
    conn = sqlcipher.connect(str(src))
    conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{key.hex()}'\"", (str(dest),))
    conn.execute("SELECT sqlcipher_export('enc')")
    conn.execute(f"PRAGMA enc.user_version = {int(version)}")
    conn.execute("DETACH DATABASE enc")
    conn.close()


def measure(path: Path, key: bytes | None) -> dict[str, float]:
    def open_close():
        Store(path, key=key).close()

    store = Store(path, key=key)
    try:
        def read_all():
            with store.engine.connect() as c:
                c.exec_driver_sql("SELECT * FROM person").fetchall()

        def ids_in_order():
            with store.engine.connect() as c:
                c.exec_driver_sql("SELECT id FROM person ORDER BY name_initials, id").fetchall()

        def bulk_write():
            with store.engine.begin() as c:
                c.exec_driver_sql("CREATE TABLE IF NOT EXISTS bench_rows (id INTEGER PRIMARY KEY, body TEXT)")
                c.exec_driver_sql("DELETE FROM bench_rows")
                c.exec_driver_sql("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000) "
                                  "INSERT INTO bench_rows (body) SELECT printf('%0200d', i) FROM n")

        def small_writes():
            for i in range(200):
                with store.engine.begin() as c:
                    c.exec_driver_sql("INSERT INTO bench_rows (body) VALUES (?)", (f"row {i}",))

        result = {"read_all": best(read_all), "ids_in_order": best(ids_in_order),
                  "bulk_write": best(bulk_write, 3), "small_writes": best(small_writes, 3)}
    finally:
        store.close()
    result["open"] = best(open_close)
    result["bytes"] = path.stat().st_size
    return result


def measure_import(n: int, folder: Path) -> dict[str, float]:
    """Seconds of the import of ``n`` new workers into a clear and an encrypted copy of the street demo (best
    of two each, alternating), with the ratio."""
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_foundation import demo_db
    from bench_grids_workers import worker_sheet

    from gridapp.io.importer import run_import
    from gridapp.io.kinds import handler

    source = demo_db("street")
    sheet = worker_sheet(source, n)
    seconds: dict[str, list[float]] = {"clear": [], "encrypted": []}
    for _ in range(2):
        for kind in seconds:
            db = folder / f"import-{kind}.sqlite"
            for leftover in (db, *(Path(str(db) + s) for s in ("-wal", "-shm", ".lock", ".keys"))):
                leftover.unlink(missing_ok=True)
            key = None
            if kind == "clear":
                db.write_bytes(source.read_bytes())
            else:
                _kf, key, _code = keys.KeyFile.create(db, "bench", "Bench#2026")
                encrypted_copy(source, db, key)
            with Store(db, key=key) as store:  # upgraded here, if the cached demo is older
                t = time.perf_counter()
                report = run_import(store, handler("workers"), sheet, commit=True)
                seconds[kind].append(time.perf_counter() - t)
            assert report.counts()["new"] == n, report.summary()
    clear, secret = min(seconds["clear"]), min(seconds["encrypted"])
    return {"clear": round(clear, 3), "encrypted": round(secret, 3), "ratio": round(secret / clear, 3)}


def main() -> int:
    import argparse

    parser = argparse.ArgumentParser(description="SQLCipher's cost against the clear database")
    parser.add_argument("--import", dest="rows", type=int, default=10_000, help="workers imported (0: none)")
    args = parser.parse_args()
    os.environ.setdefault("GRIDAPP_HOME", tempfile.mkdtemp(prefix="gridapp-bench-home-"))
    with tempfile.TemporaryDirectory(prefix="gridapp-bench-enc-") as folder:
        clear, secret = Path(folder) / "clear.sqlite", Path(folder) / "encrypted.sqlite"
        demo.generate(clear, "small", seed=7, year=2026)
        key = os.urandom(keys.KEY_BYTES)
        encrypted_copy(clear, secret, key)
        plain, cipher = measure(clear, None), measure(secret, key)
        imported = measure_import(args.rows, Path(folder)) if args.rows else None
    ratios = {k: round(cipher[k] / plain[k], 3) for k in plain if plain[k]}
    print(json.dumps({"clear": plain, "encrypted": cipher, "ratio": ratios,
                      f"import {args.rows:,} workers": imported}, indent=1, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

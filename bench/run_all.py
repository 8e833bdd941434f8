"""Every job of issue 13's table in one command: each beside its same-run raw baseline, ratio and goal.

    .venv/bin/python bench/run_all.py --scale district|street|small [--out bench/out/results.md]
                                      [--only JOB …] [--db PATH] [--work DIR]

Each job runs in its own child process, so the peak memory shown is that job's own (and the 100,000-worker
import runs in a fresh interpreter of its own inside its job). The table goes to ``--out`` as Markdown, with
a JSON file of every figure beside it (``results.json``), headed by the date and the machine's load.

``--scale district`` is the issue's data (1,800 grids, 5,000 workers, 100,000 members, 500,000
participations; imports of 10,000 and 100,000 workers into the street demo); ``street`` and ``small`` run
the same jobs on the smaller demo databases with fewer rows (``small`` in about 20 seconds). The goals are the
issue's and are meant for district scale. Demo databases and sheets are cached in ``--work``
(default bench/out); ``--db`` replaces the demo database of the export, list and sync jobs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))


@dataclass(frozen=True)
class Scale:
    demo: str  # the demo database of the export, list and sync jobs
    import_demo: str  # the demo database the workers are imported into
    sheet: int  # workers in the import sheet
    big: int  # workers in the big import (peak memory, journal)
    changes: int  # records changed for the month's sync package


SCALES = {
    "district": Scale("district", "street", 10_000, 100_000, 20_000),
    "street": Scale("street", "street", 1_000, 10_000, 2_000),
    "small": Scale("small", "small", 200, 1_000, 200),
}

# Jobs in the order they run (the journal reads what import-big left); rows in the order of the table.
JOBS = ("import", "import-big", "journal", "export", "member-search", "signin-list", "sync")
ROWS = ("import", "import-big", "export", "member-search", "signin-list", "sync-month", "sync-full", "journal")
NOISE = ("Shared, noisy machine (two cores shared with other work): figures move by tens of percent between "
         "runs; the ratios, against baselines measured in the same run, are the steadier read.")


# ---------------------------------------------------------------------------------------------------------
# Formatting


def secs(s: float) -> str:
    if s < 1:
        return f"{s * 1000:.{0 if s >= 0.01 else 1 if s >= 0.001 else 2}f} ms"
    if s < 60:
        return f"{s:.1f} s"
    return f"{int(s // 60)} min {s % 60:.0f} s"


def times(a: float, b: float) -> str:
    """A ratio, to two figures (a job faster than its baseline shows as 0.05, not 0.0)."""
    r = a / b
    return f"{r:.0f}" if r >= 10 else f"{r:.1f}" if r >= 1 else f"{r:.2g}"


def mb(n: float) -> str:
    return f"{n / 1e6:,.0f} MB" if n >= 1e6 else f"{n / 1e6:.2f} MB"


def row(key: str, job: str, now: str, baseline: str, ratio: str, goal: str, met: bool | None, **figures) -> dict:
    return {"key": key, "job": job, "now": now, "baseline": baseline, "ratio": ratio, "goal": goal,
            "met": met, "figures": figures}


def mark(met: bool | None) -> str:
    return "?" if met is None else "✓" if met else "✗"


# ---------------------------------------------------------------------------------------------------------
# Jobs: each returns its rows and runs in a child process of its own


def job_import(scale: Scale, _db: Path, _run: str) -> list[dict]:
    from bench_foundation import demo_db
    from bench_grids_workers import measure_import

    m = measure_import(demo_db(scale.import_demo), scale.sheet)
    base = m["read"] + m["insert"]
    return [row("import", f"import {scale.sheet:,} workers from .xlsx", secs(m["seconds"]),
                f"calamine read {secs(m['read'])} + raw `sqlite3` insert {secs(m['insert'])}", times(m["seconds"], base),
                "≤ 2 × (reading the same cells + raw insert)", m["seconds"] <= 2 * base, **m)]


def job_import_big(scale: Scale, _db: Path, run: str) -> list[dict]:
    from bench_foundation import OUT, demo_db
    from bench_grids_workers import measure_import

    m = measure_import(demo_db(scale.import_demo), scale.big)
    (OUT / f"import-{scale.big}.run").write_text(run)  # the journal job of this run reads the database it left
    base = m["read"] + m["insert"]
    return [row("import-big", f"import {scale.big:,} workers", f"{secs(m['seconds'])}, {m['peak_mb']:.0f} MB peak "
                f"(file {mb(m['bytes_before'])} → {mb(m['bytes_after'])})",
                f"calamine read {secs(m['read'])} + raw `sqlite3` insert {secs(m['insert'])}",
                times(m["seconds"], base), "≤ 60 s, ≤ 300 MB", m["seconds"] <= 60 and m["peak_mb"] <= 300, **m)]


def job_journal(scale: Scale, _db: Path, run: str) -> list[dict]:
    from bench_foundation import OUT, demo_db
    from bench_grids_workers import WORKER_TABLES, measure_import
    from bench_oplog import journal_growth

    source = demo_db(scale.import_demo)
    imported = OUT / f"import-{scale.big}.sqlite"
    marker = OUT / f"import-{scale.big}.run"
    if not (imported.exists() and marker.exists() and marker.read_text() == run):
        print(f"(importing {scale.big:,} workers first: import-big did not run in this run)", flush=True)
        measure_import(source, scale.big)
    g = journal_growth(source, imported, WORKER_TABLES)
    job = f"journal after importing {scale.big:,} workers"
    if "journal_bytes" not in g:  # SQLite without dbstat: only the file's growth is known
        return [row("journal", job, f"{g['rows']:,} rows; file {mb(g['file_before'])} → {mb(g['file_after'])}",
                    "(dbstat not compiled in)", "", "≤ the size of the data it describes", None, **g)]
    j, d = g["journal_bytes"], g["data_bytes"]
    return [row("journal", job, f"{g['rows']:,} rows, {mb(j)} of a {mb(g['file_after'])} file",
                f"data it describes {mb(d)} ({', '.join(WORKER_TABLES)} + indexes)", times(j, d),
                "≤ the size of the data it describes", j <= d, **g)]


def job_export(_scale: Scale, db: Path, _run: str) -> list[dict]:
    from bench_grids_workers import measure_export

    m = measure_export(db)
    fastest = min(m["openpyxl"], m["xlsxwriter"])
    return [row("export", f"export {m['n']:,} members to .xlsx", secs(m["seconds"]),
                f"openpyxl write-only {secs(m['openpyxl'])}, XlsxWriter {secs(m['xlsxwriter'])}",
                f"{times(m['seconds'], m['openpyxl'])} / {times(m['seconds'], m['xlsxwriter'])}",
                "≤ 1.2 × the fastest well-kept writer of the same cells", m["seconds"] <= 1.2 * fastest, **m)]


def list_steps(db: Path, spec_name: str) -> dict[str, tuple[float, float | None]]:
    """{step: (seconds, same-run baseline seconds or None)} of one list, measured by bench/bench_lists.py."""
    import bench_lists
    from PySide6.QtWidgets import QApplication

    from gridapp.core import list_specs
    from gridapp.core.store import Store

    _app = QApplication.instance() or QApplication([])
    steps: dict[str, tuple[float, float | None]] = {}
    shown = bench_lists.report

    def capture(name: str, seconds: float, baseline: float) -> None:
        steps[name] = (seconds, baseline)
        shown(name, seconds, baseline)

    bench_lists.report = capture  # its steps print through report(); keep each step's baseline too
    store = Store(db)
    raw = sqlite3.connect(db)
    store.org_labels.install(raw)
    for name, seconds in bench_lists.bench_list(store, raw, getattr(list_specs, spec_name)):
        steps.setdefault(name, (seconds, None))
    raw.close()
    store.close()
    return steps


def job_member_search(_scale: Scale, db: Path, _run: str) -> list[dict]:
    steps = list_steps(db, "MEMBERS")
    terms = [(t, *steps[f"members: search '{t}'"]) for t in ("wl", "1380")]
    with closing(sqlite3.connect(db)) as c:
        rows = c.execute("SELECT count(*) FROM member_registration").fetchone()[0]
    return [row("member-search", f"member search, {rows:,} rows, per keystroke (`wl`, `1380`)",
                " / ".join(secs(s) for _t, s, _b in terms), " / ".join(secs(b) for _t, _s, b in terms),
                " / ".join(times(s, b) for _t, s, b in terms), "≤ 50 ms, phone and ID digits included",
                all(s <= 0.05 for _t, s, _b in terms), steps=steps)]


def job_signin_list(_scale: Scale, db: Path, _run: str) -> list[dict]:
    steps = list_steps(db, "PARTICIPATIONS")

    def slowest(prefix: str) -> tuple[str, float, float]:
        name, (s, b) = max(((n, v) for n, v in steps.items() if n.startswith(prefix)), key=lambda kv: kv[1][0])
        return name[len(prefix):], s, b

    chosen = [("open", *steps["participations: open"]), slowest("participations: sort by "),
              slowest("participations: search ")]
    with closing(sqlite3.connect(db)) as c:
        rows = c.execute("SELECT count(*) FROM participation").fetchone()[0]
    labels = ["open", f"sort (slowest: {chosen[1][0]})", f"search (slowest: {chosen[2][0]})"]
    return [row("signin-list", f"签到记录 list ({rows:,} rows): {' / '.join(labels)}",
                " / ".join(secs(s) for _n, s, _b in chosen), " / ".join(secs(b) for _n, _s, b in chosen),
                " / ".join(times(s, b) for _n, s, b in chosen), "≤ 150 ms each",
                all(s <= 0.15 for _n, s, _b in chosen), steps=steps)]


def job_sync(scale: Scale, db: Path, _run: str) -> list[dict]:
    from bench_sync import measure

    m = measure(db, scale.changes)
    month, full = m["month_import"], m["full_import"]
    return [row("sync-month", f"month sync import, {m['changed']['records']:,} changed records",
                f"{secs(month['seconds'])} ({month['peak_mb']:.0f} MB peak)",
                f"raw `sqlite3` copy {secs(m['month_baseline'])}", times(month["seconds"], m["month_baseline"]),
                "≤ 3 s", month["seconds"] <= 3, **m),
            row("sync-full", f"full import at a new {m['site'][2]} PC, {m['full_export']['rows']:,} rows",
                f"{secs(full['seconds'])} ({full['peak_mb']:.0f} MB peak)",
                f"raw `sqlite3` copy {secs(m['full_baseline'])}", times(full["seconds"], m["full_baseline"]),
                "≤ 5 s", full["seconds"] <= 5)]


RUN: dict[str, Callable[[Scale, Path, str], list[dict]]] = {
    "import": job_import, "import-big": job_import_big, "journal": job_journal, "export": job_export,
    "member-search": job_member_search, "signin-list": job_signin_list, "sync": job_sync}


def child(job: str, scale: Scale, db: Path | None, run: str, result: Path, demos: list[str]) -> None:
    """Run one job in this (child) process; its rows, or the error, go to ``result`` as JSON."""
    from bench_foundation import demo_db

    try:
        if job == "demo":
            rows = []
            for name in demos:
                demo_db(name)
        else:
            rows = RUN[job](scale, db or demo_db(scale.demo), run)
        for r in rows:
            print(f"==> {r['job']}: {r['now']} | baseline {r['baseline']} | ratio {r['ratio']} | "
                  f"goal {r['goal']} {mark(r['met'])}", flush=True)
        out = {"rows": rows}
    except BaseException as exc:
        traceback.print_exc()
        out = {"error": f"{type(exc).__name__}: {exc}".splitlines()[0][:300]}
    result.write_text(json.dumps(out, ensure_ascii=False, default=str))
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)  # no Qt or pool teardown at exit (see bench/bench_lists.py)


# ---------------------------------------------------------------------------------------------------------
# The parent: one child per job, the table and the JSON


def run_job(job: str, args: argparse.Namespace, run: str, demos: list[str] | None = None) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as f:
        result = Path(f.name)
    cmd = [sys.executable, str(Path(__file__).resolve()), "--child", job, "--scale", args.scale,
           "--run-id", run, "--result", str(result)] + (["--db", str(args.db)] if args.db else [])
    cmd += ["--demos", *demos] if demos else []
    print(f"\n--- {job} ---" if not demos else f"(the {', '.join(demos)} demo database(s), made once)", flush=True)
    t = time.perf_counter()
    p = subprocess.Popen(cmd, cwd=ROOT)
    _pid, status, usage = os.wait4(p.pid, 0)  # this child's own peak, its children's included
    p.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - t
    try:
        out = json.loads(result.read_text() or "{}")
    except ValueError:
        out = {}
    result.unlink(missing_ok=True)
    if "rows" not in out:
        out.setdefault("error", f"the child process ended with code {p.returncode}")
    return {"wall": wall, "peak_mb": usage.ru_maxrss / 1024, "rc": p.returncode, **out}


def failed_rows(job: str, error: str) -> list[dict]:
    keys = ("sync-month", "sync-full") if job == "sync" else (job,)
    return [row(k, k, f"failed: {error}", "", "", "", False) for k in keys]


def machine() -> dict:
    def first(path: str, key: str) -> str:
        try:
            return next((ln.split(":", 1)[1].strip() for ln in Path(path).read_text().splitlines()
                         if ln.startswith(key)), "")
        except OSError:
            return ""

    def git(*a: str) -> str:
        try:
            return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True, timeout=10).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            return ""

    return {"host": platform.node(), "cpu": first("/proc/cpuinfo", "model name"), "cores": os.cpu_count(),
            "memory": first("/proc/meminfo", "MemTotal"), "python": platform.python_version(),
            "sqlite": sqlite3.sqlite_version, "commit": git("rev-parse", "--short", "HEAD"),
            "branch": git("rev-parse", "--abbrev-ref", "HEAD"), "dirty": bool(git("status", "--porcelain"))}


def markdown(report: dict) -> str:
    m = report["machine"]
    load = " / ".join(f"{x:.2f}" for x in report["load_start"])
    load_end = " / ".join(f"{x:.2f}" for x in report["load_end"])
    lines = [f"# Benchmarks, scale `{report['scale']}`", "",
             f"- date: {report['started']} to {report['finished']} (`python bench/run_all.py --scale "
             f"{report['scale']}`{' --only ' + ' '.join(report['only']) if report['only'] else ''})",
             f"- load average (1 / 5 / 15 min): {load} at the start, {load_end} at the end",
             f"- machine: {m['cpu'] or '?'}, {m['cores']} cores, {m['memory']}; Python {m['python']}, "
             f"SQLite {m['sqlite']}; commit {m['commit']} on {m['branch']}{' (uncommitted changes)' if m['dirty'] else ''}",
             f"- {NOISE}", "",
             "| job | now | raw baseline | ratio now | goal | met |", "|---|---|---|---|---|---|"]
    for r in report["rows"]:
        lines.append(f"| {r['job']} | {r['now']} | {r['baseline']} | {r['ratio']} | {r['goal']} | {mark(r['met'])} |")
    lines += ["", "Each job ran in a child process of its own: its wall time (setup, baselines and cached inputs "
              "included) and peak memory:", ""]
    lines += [f"- {job}: {j['wall']:.0f} s, {j['peak_mb']:.0f} MB peak" + (f" — {j['error']}" if "error" in j else "")
              for job, j in report["jobs"].items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--scale", choices=SCALES, default="district")
    ap.add_argument("--out", type=Path, help="the Markdown table (default: WORK/results.md); JSON beside it")
    ap.add_argument("--only", nargs="+", choices=JOBS, metavar="JOB", help=f"some of: {', '.join(JOBS)}")
    ap.add_argument("--db", type=Path, help="the database of the export, list and sync jobs (default: the demo)")
    ap.add_argument("--work", type=Path, help="cached demo databases and scratch files (default: bench/out)")
    ap.add_argument("--child", choices=(*JOBS, "demo"), help=argparse.SUPPRESS)
    ap.add_argument("--demos", nargs="+", default=[], help=argparse.SUPPRESS)
    ap.add_argument("--run-id", help=argparse.SUPPRESS)
    ap.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.work or "GRIDAPP_BENCH_OUT" not in os.environ:  # a child inherits its parent's folder
        os.environ["GRIDAPP_BENCH_OUT"] = str((args.work or BENCH / "out").resolve())
    if args.db:
        args.db = args.db.resolve()
    if args.child:
        child(args.child, SCALES[args.scale], args.db, args.run_id, args.result, args.demos)
        return

    # The parent stays small (no gridapp imported, no demo made here): a child starts as a copy of it,
    # and the kernel counts that copy in the child's peak memory.
    work = Path(os.environ["GRIDAPP_BENCH_OUT"])
    work.mkdir(parents=True, exist_ok=True)
    out_md = (args.out or work / "results.md").resolve()
    out_md.parent.mkdir(parents=True, exist_ok=True)
    scale = SCALES[args.scale]
    jobs = [j for j in JOBS if not args.only or j in args.only]
    report = {"scale": args.scale, "only": args.only or [], "started": dt.datetime.now().isoformat(timespec="seconds"),
              "load_start": os.getloadavg(), "machine": machine(), "jobs": {}, "rows": []}
    run = f"{report['started']}-{os.getpid()}"
    t = time.perf_counter()
    needed = {scale.import_demo} if {"import", "import-big", "journal"} & set(jobs) else set()
    if not args.db and set(jobs) - {"import", "import-big", "journal"}:
        needed.add(scale.demo)
    if needed:
        prepared = run_job("demo", args, run, demos=sorted(needed))
        if "error" in prepared:
            sys.exit(f"the demo databases could not be made: {prepared['error']}")
    rows: dict[str, dict] = {}
    for job in jobs:
        j = run_job(job, args, run)
        report["jobs"][job] = {k: v for k, v in j.items() if k != "rows"}
        for r in j.get("rows") or failed_rows(job, j["error"]):
            rows[r["key"]] = r
    report["rows"] = [rows[k] for k in ROWS if k in rows]
    report["finished"] = dt.datetime.now().isoformat(timespec="seconds")
    report["load_end"] = os.getloadavg()
    report["seconds"] = time.perf_counter() - t
    text = markdown(report)
    out_md.write_text(text, encoding="utf-8")
    out_md.with_suffix(".json").write_text(json.dumps(report, ensure_ascii=False, indent=1, default=str),
                                           encoding="utf-8")
    print("\n" + text + f"\n(written to {out_md} and {out_md.with_suffix('.json').name}, "
          f"{report['seconds'] / 60:.1f} min)")


if __name__ == "__main__":
    main()

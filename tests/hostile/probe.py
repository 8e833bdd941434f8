"""Run the hostile-input catalogue and print how issue 12 stands.

    python -m tests.hostile.probe [--jobs 2] [--only CATEGORY-or-CASE] [--json results.json] [--source TREE]

Prints a Markdown table (one row per category) and the cases not handled, each with its stderr's first line.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import shutil
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.hostile.catalogue import CATEGORIES, Case, by_category
from tests.hostile.runner import Outcome, prepare_base, run_case

# the cases that take longest go first, so two workers finish together
SLOW_FIRST = ("hostile-xlsx", "output-over-input", "unwritable-output")


def run_catalogue(cases: list[Case], jobs: int = 2, scratch: Path | None = None,
                  progress: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    own = scratch is None
    scratch = Path(tempfile.mkdtemp(prefix="gridapp-hostile-")) if own else scratch
    try:
        base = prepare_base(scratch / "base", jobs)
        order = sorted(cases, key=lambda c: (c.category not in SLOW_FIRST, SLOW_FIRST.index(c.category)
                                             if c.category in SLOW_FIRST else 0))
        results: dict[str, Outcome] = {}
        with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
            for outcome in pool.map(lambda c: run_case(c, base, scratch), order):
                results[outcome.case_id] = outcome
                if progress:
                    progress(outcome)
        return [results[c.id] for c in cases]
    finally:
        if own:
            shutil.rmtree(scratch, ignore_errors=True)


def table(outcomes: list[Outcome]) -> str:
    lines = ["| category | tried | handled | clear message | traceback | data changed | over time/memory | skipped |",
             "|---|---|---|---|---|---|---|---|"]
    for cat in CATEGORIES:
        rows = [o for o in outcomes if o.category == cat]
        if not rows:
            continue
        tried = [o for o in rows if o.skipped is None]
        lines.append(f"| {cat} | {len(tried)} | {sum(o.handled for o in tried)} | {sum(o.clear for o in tried)} | "
                     f"{sum(o.traceback for o in tried)} | {sum(bool(o.changes) for o in tried)} | "
                     f"{sum(bool(o.over) for o in tried)} | {len(rows) - len(tried)} |")
    tried = [o for o in outcomes if o.skipped is None]
    lines.append(f"| **all** | {len(tried)} | {sum(o.handled for o in tried)} | {sum(o.clear for o in tried)} | "
                 f"{sum(o.traceback for o in tried)} | {sum(bool(o.changes) for o in tried)} | "
                 f"{sum(bool(o.over) for o in tried)} | {len(outcomes) - len(tried)} |")
    return "\n".join(lines)


def failures(outcomes: list[Outcome]) -> str:
    out = []
    for o in outcomes:
        if o.skipped:
            continue
        if not o.handled:
            out.append(f"- `{o.case_id}` ({o.category}; exit {o.code}, {o.seconds:.1f} s, {o.rss_mb:.0f} MB): "
                       f"{'; '.join(o.problems)} — first line: {o.first_line()}")
    return "\n".join(out) or "(none)"


def skipped(outcomes: list[Outcome]) -> str:
    return "\n".join(f"- `{o.case_id}`: {o.skipped}" for o in outcomes if o.skipped) or "(none)"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m tests.hostile.probe", description=__doc__.splitlines()[0])
    p.add_argument("--jobs", type=int, default=2)
    p.add_argument("--only", help="categories or case ids, comma-separated")
    p.add_argument("--json", type=Path, help="also write every outcome to this file")
    p.add_argument("--list", action="store_true", help="list the cases and exit")
    p.add_argument("--source", type=Path, help="run the gridapp of this source tree (default: this checkout)")
    args = p.parse_args(argv)
    if args.source:
        from tests.hostile import runner

        if not (args.source / "gridapp" / "__init__.py").is_file():
            print(f"{args.source} holds no gridapp package", file=sys.stderr)
            return 2
        runner.SOURCE = args.source.resolve()
    cases = by_category(args.only)
    if args.list:
        for c in cases:
            print(f"{c.category:20} {c.id:40} {c.expect:8} {c.description}")
        return 0
    if not cases:
        print(f"no case in {args.only!r}; categories: {', '.join(CATEGORIES)}", file=sys.stderr)
        return 2
    outcomes = run_catalogue(cases, args.jobs, progress=lambda o: print(
        f"{'ok  ' if o.handled else 'skip' if o.skipped else 'FAIL'} {o.case_id} ({o.seconds:.1f} s)",
        file=sys.stderr, flush=True))
    print(table(outcomes))
    print("\nNot handled:\n" + failures(outcomes))
    print("\nSkipped:\n" + skipped(outcomes))
    if args.json:
        args.json.write_text(json.dumps([dataclasses.asdict(o) for o in outcomes], ensure_ascii=False, indent=1),
                             encoding="utf-8")
    return 0 if all(o.handled or o.skipped for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())

"""Start the real program in this process and run one journey script on it.

    python -m tests.journeys.child --db FILE --size 1366x768 [--scale 1.5] --script explore --out DIR

The parent (tests/journeys/runner.py) sets the offscreen platform with a screen of the given size.
Exit code 0 when the script found nothing wrong, 1 when it reported failures; a crash or a hang
ends the process otherwise, and the parent names the last action announced.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", type=Path)
    parser.add_argument("--size", default="1366x768")
    parser.add_argument("--script", default="explore")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--arg", action="append", default=[], help="KEY=VALUE for the script")
    args = parser.parse_args(argv)

    from gridapp.ui.app import make_app
    from tests.journeys.driver import Driver, say

    app = make_app(["gridapp"])
    driver = Driver(app, args.out)
    width, height = (int(x) for x in args.size.split("x"))
    module, _, func = args.script.rpartition(":")
    script = getattr(importlib.import_module(module or "tests.journeys.scripts"), func)
    options = dict(a.split("=", 1) for a in args.arg)
    try:
        script(driver, db=args.db, size=(width, height), **options)
    except Exception:
        import traceback

        driver.fail("script error: " + traceback.format_exc())
    (args.out / "report.json").write_text(json.dumps(driver.report.__dict__, ensure_ascii=False, indent=1),
                                          encoding="utf-8")
    say(f"DONE actions={len(driver.report.actions)} dialogs={len(driver.report.dialogs)} "
        f"previews={len(driver.report.previews)} failures={len(driver.report.failures)}")
    sys.stdout.flush()
    return 1 if driver.report.failures else 0


if __name__ == "__main__":
    code = main()
    import os

    os._exit(code)  # no teardown of Qt objects at interpreter exit: what was tested is over

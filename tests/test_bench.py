"""bench/run_all.py runs its jobs in child processes and writes the table (two cheap jobs, small scale)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

RUN_ALL = Path(__file__).resolve().parents[1] / "bench" / "run_all.py"


def test_run_all_writes_the_table(demo_db, tmp_path):
    out = tmp_path / "table" / "results.md"
    done = subprocess.run([sys.executable, str(RUN_ALL), "--scale", "small", "--only", "export", "sync",
                           "--db", str(demo_db), "--work", str(tmp_path / "work"), "--out", str(out)],
                          capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "load average" in text and "noisy" in text
    assert "| job | now | raw baseline | ratio now | goal | met |" in text
    rows = [line for line in text.splitlines() if line.startswith("| ") and not line.startswith("| job ")]
    assert [r.split(" | ")[0].split(",")[0] for r in rows] == [
        "| export 300 members to .xlsx", "| month sync import", "| full import at a new community PC"], rows
    assert all(r.rstrip(" |").endswith(("✓", "✗")) for r in rows), rows
    assert not any("failed" in r for r in rows), rows
    report = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    assert [r["key"] for r in report["rows"]] == ["export", "sync-month", "sync-full"]
    assert set(report["jobs"]) == {"export", "sync"}
    assert all(j["peak_mb"] > 0 and j["rc"] == 0 for j in report["jobs"].values())
    assert not (tmp_path / "work" / "demo-small.sqlite").exists()  # --db stands for the demo database

"""The parent side of the journey harness: run a script in a child process and judge what it said."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class Outcome:
    returncode: int
    stdout: str
    stderr: str
    report: dict

    @property
    def last_action(self) -> str:
        actions = [line[7:] for line in self.stdout.splitlines() if line.startswith("ACTION ")]
        return actions[-1] if actions else "(before the first action)"

    def _announced_failures(self) -> list[str]:
        """FAIL lines the child printed (its report is missing when it crashed)."""
        found: list[str] = []
        for line in self.stdout.splitlines():
            if line.startswith("FAIL "):
                found.append(line[5:])
            elif line.startswith("    ") and found:
                found[-1] += "\n" + line[4:]
        return found

    def problems(self) -> list[str]:
        """Everything that went wrong, each naming the action; empty when the journey passed."""
        found = list(self.report.get("failures") or self._announced_failures())
        if self.returncode < 0 or (self.returncode not in (0, 1)):
            how = (f"killed by {signal.Signals(-self.returncode).name}" if self.returncode < 0
                   else f"exited with {self.returncode}")
            found.append(f"the program {how} during “{self.last_action}”\n{self.stderr[-6000:]}")
        elif self.returncode == 1 and not found:
            found.append(f"the child failed without a report during “{self.last_action}”\n{self.stderr[-6000:]}")
        return found


def screen_config(folder: Path, width: int, height: int, scale: float) -> str:
    """An offscreen platform with one screen of ``width``×``height`` logical pixels at ``scale``."""
    config = {"screens": [{"name": "journey", "x": 0, "y": 0, "width": round(width * scale),
                           "height": round(height * scale), "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}
    path = folder / f"screen-{width}x{height}@{scale}.json"
    path.write_text(json.dumps(config), encoding="utf-8")
    return f"offscreen:configfile={path}"


def run_journey(script: str, out: Path, *, db: Path | None = None, size: tuple[int, int] = (1366, 768),
                scale: float = 1.0, timeout: float = 1500, home: Path | None = None,
                args: dict[str, str] | None = None) -> Outcome:
    out.mkdir(parents=True, exist_ok=True)
    env = dict(os.environ)
    env["QT_QPA_PLATFORM"] = screen_config(out, *size, scale)
    env["QT_SCALE_FACTOR"] = str(scale)
    env["GRIDAPP_HOME"] = str(home or out / "home")
    env["PYTHONFAULTHANDLER"] = "1"
    env.pop("QT_SCREEN_SCALE_FACTORS", None)
    cmd = [sys.executable, "-X", "faulthandler", "-m", "tests.journeys.child", "--script", script,
           "--out", str(out), "--size", f"{size[0]}x{size[1]}"]
    if db is not None:
        cmd += ["--db", str(db)]
    for k, v in (args or {}).items():
        cmd += ["--arg", f"{k}={v}"]
    try:
        proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout)
        code, stdout, stderr = proc.returncode, proc.stdout, proc.stderr
    except subprocess.TimeoutExpired as exc:
        code = -int(signal.SIGKILL)
        stdout = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        stderr = (exc.stderr.decode() if isinstance(exc.stderr, bytes) else (exc.stderr or "")) + \
            f"\n(hung: no end after {timeout:.0f} s)"
    report_path = out / "report.json"
    report = json.loads(report_path.read_text(encoding="utf-8")) if report_path.exists() else {}
    (out / "stdout.txt").write_text(stdout, encoding="utf-8")
    (out / "stderr.txt").write_text(stderr, encoding="utf-8")
    return Outcome(code, stdout, stderr, report)

"""Running one catalogue case: a fresh copy of the demo database, the inputs built, the real ``gridapp`` in a
child process under a timeout and a memory cap, and what it did measured and judged."""

from __future__ import annotations

import contextlib
import dataclasses
import fnmatch
import hashlib
import json
import os
import re
import resource
import shutil
import signal
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
# the source tree whose gridapp the children run (``probe --source`` points it at another checkout)
SOURCE = REPO
TIMEOUT = 60.0
ADDRESS_SPACE = 3 << 30
SIDECARS = ("-wal", "-shm", ".lock", "-journal")
STREET, COMMUNITY = "370203012", "370203012001"

_TRACEBACK = re.compile(r"Traceback \(most recent call last\)|\b[A-Z][A-Za-z]*(?:Error|Exception)\b|"
                        r"\b(?:BadZipFile|StopIteration|KeyboardInterrupt|InvalidTag|InvalidSignature)\b")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_PROGRESS = re.compile(r"…\s*\d+%\s*$")
ID_NUMBER = re.compile(r"(?<![0-9])[1-9]\d{16}[0-9Xx](?![0-9])")
PHONE = re.compile(r"(?<![0-9])1[3-9]\d{9}(?![0-9])")


# -- environment ---------------------------------------------------------------------------------------------------

def child_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "SYSTEMROOT", "TMPDIR", "TEMP", "TMP")}
    env.update(HOME=str(home), GRIDAPP_HOME=str(home / "gridapp"), LANG="C.UTF-8", LC_ALL="C.UTF-8",
               PYTHONIOENCODING="utf-8", PYTHONDONTWRITEBYTECODE="1", QT_QPA_PLATFORM="offscreen",
               PYTHONPATH=str(SOURCE))
    return env


@dataclasses.dataclass
class Child:
    code: int
    seconds: float
    rss_mb: float
    stdout: str
    stderr: str
    timed_out: bool


def run_child(argv: Sequence[object], cwd: Path, home: Path, *, fsize: int | None = None,
              timeout: float = TIMEOUT) -> Child:
    """``python -m gridapp *argv`` with the address space capped (so a runaway reader ends) and, if asked, a
    file-size limit (a disk that fills up); peak RSS from ``wait4``."""

    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (ADDRESS_SPACE, ADDRESS_SPACE))
        if fsize is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
            resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))
        os.umask(0o022)

    home.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "gridapp", *map(str, argv)], cwd=cwd, env=child_env(home),
                                stdin=subprocess.DEVNULL, stdout=out, stderr=err, preexec_fn=limits,
                                start_new_session=True)
        timed_out = False
        peak_kib = 0
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            peak_kib = max(peak_kib, _high_water_kib(proc.pid))
            if time.monotonic() - start > timeout:
                timed_out = True
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.02)
        seconds = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        # wait4's ru_maxrss would count the parent's pages from before exec: the new program's own
        # high-water mark comes from /proc while it runs (wait4's figure where there is no /proc)
        rss_kib = peak_kib if peak_kib else usage.ru_maxrss
        return Child(proc.returncode, seconds, rss_kib / 1024, out.read().decode("utf-8", "replace"),
                     err.read().decode("utf-8", "replace"), timed_out)


def _high_water_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as f:
            for line in f:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


# -- privileged helpers (root on Linux): tiny file systems and immutable files -------------------------------------

def _quiet(*cmd: str) -> bool:
    try:
        return subprocess.run(cmd, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def mount_tmpfs(path: Path, size_bytes: int) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    return sys.platform.startswith("linux") and _quiet("mount", "-t", "tmpfs", "-o", f"size={size_bytes}",
                                                       "tmpfs", str(path))


def remount_readonly(path: Path) -> bool:
    return _quiet("mount", "-o", "remount,ro", str(path))


def unmount(path: Path) -> None:
    if not _quiet("umount", str(path)):
        _quiet("umount", "-l", str(path))


def set_immutable(path: Path, on: bool) -> bool:
    return _quiet("chattr", "+i" if on else "-i", str(path))


_ABILITIES: dict[str, bool] = {}


def able(what: str, scratch: Path) -> bool:
    """Whether this machine lets the probe mount a tmpfs or mark a file immutable (both need root)."""
    if what not in _ABILITIES:
        probe = scratch / f"_can_{what}"
        if what == "mount":
            ok = mount_tmpfs(probe, 1 << 16)
            if ok:
                unmount(probe)
        elif what == "immutable":
            probe.write_text("x")
            ok = set_immutable(probe, True)
            if ok:
                set_immutable(probe, False)
        else:
            ok = what == "nonroot" and os.geteuid() != 0
        _ABILITIES[what] = ok
    return _ABILITIES[what]


# -- the shared fixtures ---------------------------------------------------------------------------------------------

@dataclasses.dataclass
class Base:
    """Made once per probe run: the demo database (trusting a community site), that site's package to it,
    sheets exported from it, a backup of it."""

    dir: Path
    demo: Path
    community: Path
    package: Path
    exports: dict[str, Path]
    templates: dict[str, Path]
    backup: Path


_SETUP = r"""
import contextlib, io, json, sys
from gridapp.cli import main

for argv in json.load(sys.stdin):
    if argv == ["<trust>"]:  # the fingerprints come from the two identity steps before
        prints = [json.loads(o)["fingerprint"] for o in outs[-2:]]
        argv = None
        for db, peer, fp in ((DEMO, COMMUNITY_ID, prints[1]), (COMMUNITY, STREET_ID, prints[0])):
            if main(["sync", "trust", "--db", db, peer, "--fingerprint", fp]) != 0:
                sys.exit(f"set-up failed: trust {db}")
        continue
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = main(argv)
    if code != 0:
        sys.exit(f"set-up failed ({code}): gridapp {' '.join(argv)}\n{buf.getvalue()}")
    outs = [*globals().get("outs", []), buf.getvalue()]
print(json.dumps(outs))
"""


def prepare_base(folder: Path, jobs: int = 2) -> Base:
    """The shared fixtures, made through the real commands in one child process (one interpreter start)."""
    folder.mkdir(parents=True, exist_ok=True)
    home = folder / "home"
    demo, community = folder / "demo.sqlite", folder / "community.sqlite"
    street_id, community_id = folder / "street.json", folder / "community.json"
    # once exports mask ID numbers by default, the sheets to edit and import again ask for them in full
    with_ids = ["--with-ids"] if "--with-ids" in run_child(["export", "--help"], folder, home).stdout else []
    kinds = ("grids", "units", "firms", "compounds", "participations", "workers", "members")
    exports = {kind: folder / f"export-{kind}.xlsx" for kind in kinds}
    templates = {kind: folder / f"template-{kind}.xlsx" for kind in ("ratings", "grids")}
    backup = folder / "backup.sqlite"
    steps = [["demo", "--scale", "small", "--seed", "1", "--year", "2026", "--db", demo],
             ["init", "--db", community, "--level", "community", "--code", COMMUNITY, "--name", "永宁社区"],
             ["sync", "identity", "--db", demo, "--out", street_id, "--json"],
             ["sync", "identity", "--db", community, "--out", community_id, "--json"],
             ["<trust>"],
             ["sync", "export", "--db", community, "--to", STREET, "--out", folder / "packages", "--json"],
             *[["export", "--db", demo, "--kind", k, "--out", out, *with_ids] for k, out in exports.items()],
             *[["template", "--db", demo, "--kind", k, "--year", "2026", "--out", out] for k, out in templates.items()],
             ["backup", "--db", demo, "--out", backup]]
    script = (f"DEMO, COMMUNITY, STREET_ID, COMMUNITY_ID = {str(demo)!r}, {str(community)!r}, {str(street_id)!r}, "
              f"{str(community_id)!r}\n" + _SETUP)
    proc = subprocess.run([sys.executable, "-c", script], input=json.dumps([[str(a) for a in s] for s in steps]),
                          capture_output=True, text=True, cwd=folder, env=child_env(home), timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"probe set-up failed:\n{proc.stderr[-3000:]}")
    outs = json.loads(proc.stdout.strip().splitlines()[-1])
    package = Path(json.loads(outs[4])["out"])
    for sidecar in SIDECARS:
        Path(f"{demo}{sidecar}").unlink(missing_ok=True)
    return Base(folder, demo, community, package, exports, templates, backup)


# -- one case ----------------------------------------------------------------------------------------------------

class Ctx:
    """A case's folder (``dir``, the command's working folder), its database copy and its clean-ups."""

    def __init__(self, root: Path, base: Base, db: str):
        self.root = root
        self.base = base
        self.dir = root / "work"
        self.dir.mkdir(parents=True)
        self.home = root / "home"
        self.db: Path = self.dir / "demo.sqlite"
        self.cleanups: list[Callable[[], None]] = []
        self.facts: dict[str, Any] = {}  # what a build wants its check to know
        self.skip: str | None = None
        if db == "demo":
            shutil.copy2(base.demo, self.db)

    def path(self, name: str) -> Path:
        p = self.dir / name
        p.parent.mkdir(parents=True, exist_ok=True)
        return p

    def tmpfs(self, name: str, size: int, *, readonly: bool = False,
              fill: Callable[[Path], None] | None = None) -> Path | None:
        """A tiny file system at ``dir/name``, ``fill``ed and then made read-only if asked (None, and the case
        skipped, where mounting is not allowed)."""
        where = self.dir / name
        if not able("mount", self.root.parent) or not mount_tmpfs(where, size):
            self.skip = "cannot mount a tmpfs here (needs root)"
            return None
        self.cleanups.append(lambda: unmount(where))
        if fill is not None:
            fill(where)
        if readonly and not remount_readonly(where):
            self.skip = "cannot remount read-only"
        return where

    def immutable(self, path: Path) -> bool:
        if not able("immutable", self.root.parent) or not set_immutable(path, True):
            self.skip = "cannot mark a file immutable here (needs root and chattr)"
            return False
        self.cleanups.append(lambda: set_immutable(path, False))
        return True

    def cleanup(self) -> None:
        for undo in reversed(self.cleanups):
            with contextlib.suppress(Exception):
                undo()


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def files_state(folder: Path) -> dict[str, tuple]:
    """Every file and folder under ``folder``: size, mtime and content hash (a symlink: its target)."""
    state: dict[str, tuple] = {}
    for dirpath, dirnames, filenames in os.walk(folder):
        for name in dirnames + filenames:
            p = Path(dirpath) / name
            rel = str(p.relative_to(folder))
            try:
                st = p.lstat()
                if stat.S_ISLNK(st.st_mode):
                    state[rel] = ("link", os.readlink(p))
                elif stat.S_ISDIR(st.st_mode):
                    state[rel] = ("dir",)
                else:
                    state[rel] = ("file", st.st_size, st.st_mtime_ns, _sha(p) if os.access(p, os.R_OK) else "?")
            except OSError as exc:
                state[rel] = ("error", str(exc))
    return state


def db_dump(db: Path, scratch: Path) -> str:
    """The database's content as SQL, read from a copy so reading changes nothing."""
    if not db.is_file():
        return f"<no file {db.name}>"
    scratch.mkdir(parents=True, exist_ok=True)
    copy = scratch / "dump.sqlite"
    for suffix in ("", "-wal"):
        Path(f"{copy}{suffix}").unlink(missing_ok=True)
        if Path(f"{db}{suffix}").is_file():
            shutil.copyfile(f"{db}{suffix}", f"{copy}{suffix}")
    try:
        conn = sqlite3.connect(copy)
        try:
            return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return f"<unreadable: {exc}>"
    finally:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{copy}{suffix}").unlink(missing_ok=True)


@dataclasses.dataclass
class Outcome:
    case_id: str
    category: str
    description: str
    expect: str
    skipped: str | None = None
    code: int | None = None
    seconds: float = 0.0
    rss_mb: float = 0.0
    timed_out: bool = False
    message: str = ""
    traceback: bool = False
    clear: bool = False
    json_ok: bool | None = None
    changes: list[str] = dataclasses.field(default_factory=list)
    over: list[str] = dataclasses.field(default_factory=list)
    problems: list[str] = dataclasses.field(default_factory=list)
    stdout: str = ""
    stderr: str = ""

    @property
    def handled(self) -> bool:
        return self.skipped is None and not self.problems

    def first_line(self) -> str:
        for text in (self.stderr, self.stdout):
            for line in text.splitlines():
                if line.strip() and not _PROGRESS.search(line):
                    return line.strip()[:200]
        return "(no output)"


def message_of(child: Child, as_json: bool) -> str:
    """What the user reads: stderr without progress lines, or the JSON's error; plus stdout's row reports."""
    err = "\n".join(line for line in child.stderr.splitlines() if line.strip() and not _PROGRESS.search(line))
    out = child.stdout
    if as_json:
        try:
            data = json.loads(child.stdout)
            if isinstance(data, dict):
                out = json.dumps(data, ensure_ascii=False)
        except ValueError:
            pass
    return "\n".join(x for x in (err, out) if x.strip())


def _word_ok(text: str, word: str) -> bool:
    return any(alt in text for alt in word.split("|"))


def run_case(case, base: Base, scratch: Path) -> Outcome:  # case: catalogue.Case
    o = Outcome(case.id, case.category, case.description, case.expect)
    root = Path(tempfile.mkdtemp(prefix=f"{case.id[:40]}-", dir=scratch))
    ctx = Ctx(root, base, case.db)
    try:
        if case.needs and not able(case.needs, scratch):
            o.skipped = f"needs {case.needs}"
            return o
        if case.build:
            case.build(ctx)
        if ctx.skip:
            o.skipped = ctx.skip
            return o
        argv = case.argv(ctx) if callable(case.argv) else list(case.argv)
        if case.db != "none" and "--db" not in argv:
            argv += ["--db", ctx.db]
        as_json = "--json" in argv
        watched = [ctx.dir, *ctx.facts.get("watch", [])]
        before = {str(w): files_state(w) for w in watched}
        dump_before = db_dump(ctx.db, root / "snap")
        ctx.facts["wal_before"] = _in_wal_mode(ctx.db)
        child = run_child(argv, ctx.dir, ctx.home, fsize=case.fsize)
        o.code, o.seconds, o.rss_mb, o.timed_out = child.code, round(child.seconds, 2), round(child.rss_mb), child.timed_out
        o.stdout, o.stderr = child.stdout, child.stderr
        o.message = message_of(child, as_json)
        o.traceback = bool(_TRACEBACK.search(child.stdout + child.stderr))
        if as_json:
            try:
                o.json_ok = isinstance(json.loads(child.stdout), dict)
            except ValueError:
                o.json_ok = False
        judge(case, ctx, o, before, dump_before, watched)
        if case.check and not o.over and not o.timed_out:
            o.problems += case.check(ctx, o)
    except Exception as exc:  # a broken build is the probe's bug: report it, do not hide the case
        o.problems.append(f"probe error: {type(exc).__name__}: {exc}")
    finally:
        ctx.cleanup()
        shutil.rmtree(root, ignore_errors=True)
    return o


def _in_wal_mode(db: Path) -> bool:
    """A database in WAL mode gets -wal and -shm from any reader; any other file must not."""
    try:
        with db.open("rb") as f:
            head = f.read(20)
    except OSError:
        return False
    return head[:16] == b"SQLite format 3\0" and head[18] == 2


def _expected_codes(expect: str) -> set[int]:
    return {"refuse": {1, 2}, "rows": {3}, "success": {0}, "either": {0, 1, 2, 3}, "problems": {1, 4}}[expect]


def judge(case, ctx: Ctx, o: Outcome, before: dict, dump_before: str, watched: list[Path]) -> None:
    # time and memory first: a case that ran away says nothing else reliable
    if o.timed_out:
        o.over.append(f"killed after {TIMEOUT:.0f} s")
    elif o.code is not None and o.code < 0:
        o.over.append(f"died of signal {-o.code}")
    if o.rss_mb > case.max_rss_mb:
        o.over.append(f"peak RSS {o.rss_mb:.0f} MB > {case.max_rss_mb} MB")
    if o.seconds > case.max_seconds and not o.timed_out:
        o.over.append(f"{o.seconds:.0f} s > {case.max_seconds:.0f} s")
    o.problems += o.over
    if o.code not in _expected_codes(case.expect):
        o.problems.append(f"exit {o.code}, expected {sorted(_expected_codes(case.expect))}")
    if o.traceback:
        o.problems.append("Python traceback or exception name in the output")
    if o.json_ok is False:
        o.problems.append("--json given but stdout is not a JSON object")
    failing = o.code != 0
    if failing:
        o.clear = (o.code in (1, 2, 3, 4) and bool(o.message.strip()) and bool(_CJK.search(o.message))
                   and not o.traceback)
        if not o.clear and o.code not in (None,) and o.code >= 0:
            o.problems.append("no clear Chinese message")
    else:
        o.clear = case.expect in ("success", "either") and not o.traceback
    if failing or case.expect != "success":
        missing = [w for w in case.words if not _word_ok(o.message, w)]
        if missing and failing:
            o.problems.append("message lacks " + ", ".join(f"“{w}”" for w in missing))
        present = [w for w in case.forbid if w in o.message]
        if present:
            o.problems.append("message says " + ", ".join(f"“{w}”" for w in present))
    # what changed on disk
    db_rel = str(ctx.db.relative_to(ctx.dir)) if ctx.db.is_relative_to(ctx.dir) else None
    sidecars = {f"{db_rel}{s}" for s in SIDECARS} if db_rel else set()
    benign_sidecars = not case.strict_db or ctx.facts.get("wal_before", False)
    for w in watched:
        after = files_state(w)
        old = before[str(w)]
        for rel, st in old.items():
            if rel == db_rel and not case.strict_db:
                continue
            if rel in sidecars and benign_sidecars:
                continue
            if rel not in after:
                o.changes.append(f"removed {rel}")
            elif after[rel] != st and not _allowed(case, rel):
                o.changes.append(f"changed {rel}")
        for rel in after:
            if rel in old or _allowed(case, rel):
                continue
            if rel in sidecars and benign_sidecars:
                continue
            o.changes.append(f"left {rel}")
    if ctx.db.exists() or dump_before.startswith("<no file"):
        dump_after = db_dump(ctx.db, ctx.root / "snap")
        if dump_after != dump_before and not case.db_changes:
            o.changes.append("database content changed")
    o.problems += o.changes


def _allowed(case, rel: str) -> bool:
    """An output the case allows, or the -wal/-shm a check of that output (a backup's) leaves beside it."""
    rel = rel.removesuffix("-wal").removesuffix("-shm")
    return any(fnmatch.fnmatch(rel, pattern) for pattern in case.outputs)

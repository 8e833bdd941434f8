"""A crash in the middle of an import (the process killed) leaves the database as it was; a retry works."""

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

from sqlalchemy import func, select

from gridapp.core.models import Person
from gridapp.core.services.people import upsert_person
from gridapp.core.store import Store
from gridapp.core.validation import id_check_digit
from gridapp.sync import apply

ROOT = Path(__file__).resolve().parents[2]


def _dump(path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def test_killed_during_import_changes_nothing(chain):
    with chain.community.session() as s:
        for n in range(600):
            body = f"37020319850101{n:03d}"
            upsert_person(s, {"name": f"居民{n}", "id_number": body + id_check_digit(body)}, scope_code="370203012001")
    package = chain.send(chain.community, chain.street)
    chain.street.close()
    before = _dump(chain.street.path)
    script = textwrap.dedent(f"""
        import os, signal
        from gridapp.core.store import Store
        from gridapp.sync import apply
        store = Store({str(chain.street.path)!r})
        apply.CHUNK = 100  # written a chunk at a time: make sure chunks were written before the kill
        def progress(done, total, what):
            if done >= 400:  # well inside the transaction: hundreds of records written, nothing committed
                os.kill(os.getpid(), signal.SIGKILL)
        apply.import_package(store, {str(package)!r}, commit=True, progress=progress)
    """)
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=dict(os.environ), capture_output=True,
                          timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-2000:]
    assert _dump(chain.street.path) == before  # every table exactly as it was
    store = Store(chain.street.path)  # the dead process's lock went with it
    try:
        report = apply.import_package(store, package, commit=True, backup=False)  # a retry succeeds
        assert report.totals()["new"] == 601  # 600 people and the community's own unit
        with store.read() as s:
            assert s.execute(select(func.count()).select_from(Person)).scalar() == 600
    finally:
        store.close()
    chain.street = Store(chain.street.path)

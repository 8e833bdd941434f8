"""数据交换 benchmarks at district scale: time, peak memory and a ratio to a same-run baseline.

    .venv/bin/python bench/bench_sync.py

The district demo database (15 streets, ~790,000 rows) is the district site; a fresh street site for
永宁山街道 trusts it.
- full: the district's full export to the street (its subtree and the levels above, ~52,000 rows), and
  the import into the new street PC; then full exports to all 15 streets (every row of the district
  once), to show memory stays flat while the output grows.
- month: 20,000 records changed at the district inside the street (people's phones, members' posts,
  hours of participations), exported as an incremental package and imported at the street.
Baseline: copying the same rows with raw ``sqlite3`` (INSERT … SELECT across attached files).
Each step runs in a child process so its peak memory (max RSS) is its own.
``measure()`` does the same between any upper site and a new PC for its first unit one level down
(bench/run_all.py uses it at every scale: a street demo database and its first community, for one).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import sys
from contextlib import closing
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench_foundation import OUT, measured  # noqa: E402
from bench_grids_workers import district_db  # noqa: E402

STREET = ("370203001", "永宁山街道")
WORK = OUT / "sync"
SPAWN = "spawn"  # a fresh interpreter per step: a forked one would count the pages it shares with this one


def lower_site(upper: Path) -> tuple[str, str, str]:
    """(code, name, level) of the first org unit one level below the site of ``upper``: the new PC."""
    with closing(sqlite3.connect(upper)) as c:
        return c.execute("SELECT u.code, u.name, u.level FROM org_unit u JOIN site s ON s.is_self = 1 "
                         "AND u.parent_id = s.org_unit_id ORDER BY u.code LIMIT 1").fetchone()


def setup(upper: Path | None = None, site: tuple[str, str, str] = (*STREET, "street")) -> tuple[Path, Path]:
    """A copy of ``upper`` (default: the district demo) and a new PC for ``site``, trusting each other."""
    from gridapp.core.services.site import init_site
    from gridapp.core.store import Store
    from gridapp.sync import identity

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    district = WORK / "district.sqlite"
    shutil.copy(upper or district_db(), district)
    street = WORK / "street.sqlite"
    with Store(district, lock=False) as d, Store(street, create=True) as s:
        init_site(s, level=site[2], code=site[0], name=site[1])
        for a, b in ((d, s), (s, d)):
            f = identity.write_identity(a, WORK / f"{a.site.code}.json")
            identity.trust(b, f, fingerprint=identity.my_fingerprint(a))
    return district, street


def export_to(db: Path, to: str, full: bool, folder: Path) -> tuple[str, int]:
    from gridapp.core.store import Store
    from gridapp.sync import export

    with Store(db, lock=False) as store:
        r = export.export_package(store, to, folder, full=full)
    return str(r.path), r.records


def import_into(db: Path, path: str) -> dict:
    from gridapp.core.store import Store
    from gridapp.sync import apply

    with Store(db, lock=False) as store:
        r = apply.import_package(store, path, commit=True, backup=False)
    return r.totals()


def change_month(db: Path, n: int, code: str = STREET[0]) -> int:
    """``n`` records inside org unit ``code`` changed through the ORM (so the journal records them), in one
    transaction; no record had the new value before."""
    from sqlalchemy import select

    from gridapp.core.models import MemberRegistration, Participation, Person
    from gridapp.core.store import Store

    done = 0
    with Store(db, lock=False) as store, store.session() as s:
        for model, fld, value in ((Person, "phone", "13900000000"), (MemberRegistration, "position", "志愿者"),
                                  (Participation, "hours", 2.5)):
            for obj in s.execute(select(model).where(model.scope_code.like(code + "%"))
                                 .limit(n - done)).scalars():
                setattr(obj, fld, value)
                done += 1
            if done >= n:
                break
    return done


def raw_copy(src: Path, tables_where: list[tuple[str, str]]) -> int:
    """The baseline: the same rows copied with raw sqlite3 into an empty copy of the schema."""
    dest = WORK / "baseline.sqlite"
    dest.unlink(missing_ok=True)
    conn = sqlite3.connect(dest)
    conn.execute(f"ATTACH DATABASE '{src}' AS src")
    n = 0
    for table, where in tables_where:
        conn.execute(f"CREATE TABLE {table} AS SELECT * FROM src.{table} WHERE 0")
        n += conn.execute(f"INSERT INTO {table} SELECT * FROM src.{table} WHERE {where}").rowcount
    conn.commit()
    conn.close()
    return n


def line(name: str, seconds: float, mb: float, base: float | None = None) -> None:
    ratio = f"   baseline {base * 1000:8.1f} ms   ratio {seconds / base:6.1f}" if base else ""
    print(f"{name:<46} {seconds * 1000:10.1f} ms   peak {mb:6.0f} MB{ratio}")


def measure(upper: Path | None = None, changes: int = 20_000, site: tuple[str, str, str] | None = None) -> dict:
    """Full export and import at a new PC for ``site``, then ``changes`` records changed at ``upper`` and the
    month's package exported and imported; each step's (seconds, peak MB) with its raw baseline's seconds."""
    from gridapp.sync import records

    upper = upper or district_db()
    site = site or lower_site(upper)
    code = site[0]
    district, street = setup(upper, site)
    synced = list(records.tables())
    scope = f"(scope_code LIKE '{code}%' OR '{code}' LIKE scope_code || '%')"
    out: dict = {"site": site, "district": str(district), "street": str(street)}
    out["full_baseline"] = measured(raw_copy, district, [(t, scope) for t in synced], start=SPAWN)[0]
    sec, mb, (path, rows) = measured(export_to, district, code, True, WORK, start=SPAWN)
    out["full_export"] = {"seconds": sec, "peak_mb": mb, "rows": rows}
    sec, mb, totals = measured(import_into, street, path, start=SPAWN)
    out["full_import"] = {"seconds": sec, "peak_mb": mb, "new": totals["new"], "totals": totals}
    sec, _mb, changed = measured(change_month, district, changes, code, start=SPAWN)
    out["changed"] = {"seconds": sec, "records": changed}
    out["month_baseline"] = measured(raw_copy, district, [
        ("person", f"scope_code LIKE '{code}%' AND phone = '13900000000'"),
        ("member_registration", f"scope_code LIKE '{code}%' AND position = '志愿者'"),
        ("participation", f"scope_code LIKE '{code}%' AND hours = 2.5")], start=SPAWN)[0]
    sec, mb, (path, rows) = measured(export_to, district, code, False, WORK, start=SPAWN)
    out["month_export"] = {"seconds": sec, "peak_mb": mb, "rows": rows}
    sec, mb, totals = measured(import_into, street, path, start=SPAWN)
    out["month_import"] = {"seconds": sec, "peak_mb": mb, "updated": totals["updated"], "totals": totals}
    return out


def main() -> None:
    from gridapp.sync import records

    m = measure()
    district = Path(m["district"])
    full, month = m["full_baseline"], m["month_baseline"]
    e, i = m["full_export"], m["full_import"]
    line(f"full export district → street ({e['rows']:,} rows)", e["seconds"], e["peak_mb"], full)
    line(f"full import at the new street PC ({i['new']:,} new)", i["seconds"], i["peak_mb"], full)
    print(f"{'(' + format(m['changed']['records'], ',') + ' records changed at the district)':<46} "
          f"{m['changed']['seconds'] * 1000:10.1f} ms")
    e, i = m["month_export"], m["month_import"]
    line(f"month export, {m['changed']['records']:,} changed records ({e['rows']:,} lines)", e["seconds"],
         e["peak_mb"], month)
    line(f"month import ({i['updated']:,} updated)", i["seconds"], i["peak_mb"], month)
    synced = list(records.tables())

    from gridapp.core.store import Store

    with Store(district, lock=False) as d:
        streets = [c for (c,) in d.engine.connect().exec_driver_sql(
            "SELECT code FROM org_unit WHERE level = 'street' ORDER BY code")]

    def make_peers() -> None:
        from gridapp.core.services.site import init_site
        from gridapp.sync import identity

        with Store(district, lock=False) as d:
            for code in streets:
                if code == STREET[0]:
                    continue
                peer = WORK / f"peer-{code}.sqlite"
                with Store(peer, create=True) as p:
                    init_site(p, level="street", code=code, name=code)
                    identity.trust(d, identity.write_identity(p, WORK / f"{code}.json"),
                                   fingerprint=identity.my_fingerprint(p))

    def all_streets() -> int:
        return sum(export_to(district, code, True, WORK)[1] for code in streets)

    measured(make_peers)
    base_all = measured(raw_copy, district, [(t, "1") for t in synced])
    sec, mb, rows = measured(all_streets)
    line(f"full exports to all {len(streets)} streets ({rows:,} rows)", sec, mb, base_all[0])
    size = sum(f.stat().st_size for f in WORK.glob("*.gridsync"))
    print(f"packages written: {size / 1e6:.1f} MB in {len(list(WORK.glob('*.gridsync')))} files; "
          f"district database {district.stat().st_size / 1e6:.0f} MB")


if __name__ == "__main__":
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    main()

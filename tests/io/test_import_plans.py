"""A bulk import writes new rows in batches (``Plan``) and the rest through the services: same outcome either way.

The same sheet, mixing new workers, people already held, second leaders, broken values and departures, is
imported into two copies of one database, once with plans and once with every row through the services. The
reports, the records and what the journal says of each record must be the same; and the journal holds one row
per new record, the statements do not grow with the rows.
"""

import shutil
import sqlite3

import openpyxl
import pytest
from sqlalchemy import create_engine, event

from gridapp.core import journal, packing
from gridapp.core.store import Store
from gridapp.core.validation import id_check_digit
from gridapp.io import importer
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler

HEADER = ["姓名", "身份证号码", "联系电话", "所属社区", "所属网格", "人员类别", "状态", "任职时间", "备注"]


def _write(path, header, rows):
    """A sheet of ``header`` and ``rows``, as the office's Excel would save it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def _number(n: int) -> str:
    body = f"37020319{80 + n % 20}0{1 + n % 9}1{n % 10}{n % 1000:03d}"[:17]
    return body + id_check_digit(body)


def _places(db):
    with sqlite3.connect(db) as c:
        grids = c.execute(
            "SELECT c.name, g.name, g.id FROM org_unit g JOIN org_unit c ON c.id = g.parent_id WHERE g.level = 'grid' "
            "AND g.retired_on IS NULL AND g.deleted_at IS NULL ORDER BY g.code").fetchall()
        led = {r[0] for r in c.execute("SELECT org_unit_id FROM grid_assignment WHERE role = 'leader' "
                                       "AND end_date IS NULL AND deleted_at IS NULL")}
        held = c.execute("SELECT p.name, p.id_number FROM grid_worker w JOIN person p ON p.id = w.person_id "
                         "ORDER BY p.id_number LIMIT 3").fetchall()
    return grids, led, held


def _sheet(path, db, n_new=40):
    grids, led, held = _places(db)
    free = [g for g in grids if g[2] not in led]
    taken = [g for g in grids if g[2] in led]
    assert free and taken, "the demo must have grids with and without a leader"
    rows = []
    for i in range(n_new):  # plain new workers: planned
        c, g, _ = grids[i % len(grids)]
        rows.append([f"新员{i}", _number(i), f"1390000{i:04d}", c, g, "兼职网格员" if i % 2 else "专职网格员", "在岗",
                     "2021.3", None])
    c, g, _ = free[0]
    rows.append(["首位网格长", _number(900), "13900009000", c, g, "网格长", "在岗", "2022-01-01", None])  # planned
    rows.append(["第二网格长", _number(901), "13900009001", c, g, "网格长", "在岗", None, None])  # the services refuse
    c, g, _ = taken[0]
    rows.append(["再一网格长", _number(902), "13900009002", c, g, "网格长", "在岗", None, None])  # refused too
    for name, number in held:  # people already here: updated through the services
        rows.append([name, number, "13911112222", grids[0][0], grids[0][1], "专职网格员", "在岗", None, "更新"])
    rows.append(["离岗者", _number(903), None, None, None, "兼职网格员", "离岗", None, None])  # services
    rows.append(["无此网格", _number(904), None, grids[0][0], "第九十九网格", "兼职网格员", "在岗", None, None])
    rows.append(["备注过长", _number(905), None, grids[0][0], grids[0][1], "兼职网格员", "在岗", None, "长" * 5001])
    rows.append(["中间新员", _number(906), None, grids[1][0], grids[1][1], "兼职网格员", "在岗", None, None])
    _write(path, HEADER, rows)
    return len(rows)


def _import(db, sheet, plans, monkeypatch, statements=None, kind="workers"):
    monkeypatch.setattr(importer, "PLANS", plans)
    store = Store(db)
    if statements is not None:
        event.listen(store.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    try:
        return run_import(store, handler(kind), sheet, commit=True)
    finally:
        store.close()


def _records(db):
    """Each person's worker and assignments as values, keyed by ID number (ids differ between the copies)."""
    with sqlite3.connect(db) as c:
        c.row_factory = sqlite3.Row
        people = {r["id"]: dict(r) for r in c.execute("SELECT * FROM person")}
        workers = {r["id"]: dict(r) for r in c.execute("SELECT * FROM grid_worker")}
        assignments = [dict(r) for r in c.execute("SELECT * FROM grid_assignment")]
    skip = {"id", "created_at", "updated_at", "person_id", "worker_id"}
    out = {}
    for w in workers.values():
        p = people[w["person_id"]]
        out[p["id_number"]] = (
            {k: v for k, v in p.items() if k not in skip}, {k: v for k, v in w.items() if k not in skip},
            sorted(tuple(sorted((k, str(v)) for k, v in a.items() if k not in skip))
                   for a in assignments if a["worker_id"] == w["id"]))
    return out, people, workers


def _journal_rows(db, where=""):
    """(table, record id, op, field, value) of the journal in order, deflated values read back as text."""
    engine = create_engine(f"sqlite:///{db}")
    try:
        with engine.connect() as conn:
            unpacker = packing.Unpacker(conn)
            return [(t, rid, op, f, unpacker.text(v, p)) for t, rid, op, f, v, p in conn.exec_driver_sql(
                f"SELECT table_name, record_id, op, field, new_value, packed FROM change_journal {where} ORDER BY seq")]
    finally:
        engine.dispose()


def _journal(db, people, workers):
    """What the journal says of each record: op and field values, by the person's ID number."""
    names = {pid: p["id_number"] for pid, p in people.items()}
    names.update({wid: names[w["person_id"]] for wid, w in workers.items()})
    rows = _journal_rows(db)
    with sqlite3.connect(db) as c:
        assignment_of = dict(c.execute("SELECT id, worker_id FROM grid_assignment").fetchall())
    out: dict[tuple, list] = {}
    for table, rid, op, field, value in rows:
        owner = names.get(rid) or names.get(assignment_of.get(rid))
        if owner is None:
            continue
        for f, v in journal.fields_of(field, value):
            if f not in ("person_id", "worker_id"):
                out.setdefault((table, owner), []).append((op, f, v))
    return {k: sorted(v) for k, v in out.items()}


def test_planned_rows_and_rows_through_the_services_give_the_same_database(demo_db, tmp_path, monkeypatch):
    slow_db = tmp_path / "slow.sqlite"
    shutil.copy(demo_db, slow_db)
    sheet = tmp_path / "workers.xlsx"
    n = _sheet(sheet, demo_db)
    fast = _import(demo_db, sheet, True, monkeypatch)
    slow = _import(slow_db, sheet, False, monkeypatch)

    def shown(report):
        return [(r.number, r.outcome, r.label, r.problems, r.notes) for r in report.rows]

    assert shown(fast) == shown(slow)
    counts = fast.counts()
    assert counts["new"] == 40 + 1 + 1 + 1 and counts["rejected"] == 4 and len(fast.rows) == n, fast.summary()
    assert counts["updated"] == 3
    refused = {r.label.split("（")[0]: r.problems[0][1] for r in fast.rejected}
    assert "网格长" in refused["第二网格长"] and "网格长" in refused["再一网格长"]
    assert "备注" in refused["备注过长"] and "第九十九网格" in refused["无此网格"]
    fast_records, fp, fw = _records(demo_db)
    slow_records, sp, sw = _records(slow_db)
    assert fast_records == slow_records
    assert _journal(demo_db, fp, fw) == _journal(slow_db, sp, sw)


def test_a_new_worker_is_three_journal_rows_and_the_statements_do_not_grow_per_row(demo_db, tmp_path, monkeypatch):
    """The shape of a bulk import: one journal row per new record, a handful of statements per batch."""
    counts = {}
    for size in (50, 150):
        db = tmp_path / f"d{size}.sqlite"
        shutil.copy(demo_db, db)
        grids, _led, _held = _places(db)
        sheet = _write(tmp_path / f"w{size}.xlsx", HEADER, [
            [f"批量{i}", _number(2000 + i), f"1380000{i:04d}", c, g, "兼职网格员", "在岗", "2020.5", None]
            for i, (c, g, _) in ((i, grids[i % len(grids)]) for i in range(size))])
        with sqlite3.connect(db) as c:
            before = c.execute("SELECT count(*) FROM change_journal").fetchone()[0]
        statements: list[str] = []
        report = _import(db, sheet, True, monkeypatch, statements)
        assert report.counts()["new"] == size, report.summary()
        with sqlite3.connect(db) as c:
            added = c.execute("SELECT count(*) FROM change_journal").fetchone()[0] - before
            per_table = dict(c.execute(f"SELECT table_name, count(*) FROM change_journal WHERE id > "
                                       f"(SELECT max(id) - {added} FROM change_journal) GROUP BY table_name"))
        assert added == 3 * size  # a person, a worker and an assignment, one row each
        assert per_table == {"person": size, "grid_worker": size, "grid_assignment": size}
        counts[size] = len(statements)
    assert counts[150] - counts[50] <= 5, counts  # the rows go in by the batch, not one statement each


@pytest.mark.parametrize("plans", [True, False])
def test_a_preview_writes_nothing_either_way(demo_db, tmp_path, monkeypatch, plans):
    sheet = tmp_path / "workers.xlsx"
    _sheet(sheet, demo_db)
    with sqlite3.connect(demo_db) as c:
        before = [c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("person", "change_journal")]
    monkeypatch.setattr(importer, "PLANS", plans)
    store = Store(demo_db)
    report = run_import(store, handler("workers"), sheet, commit=False)
    store.close()
    assert report.counts()["new"] == 43 and not report.committed
    with sqlite3.connect(demo_db) as c:
        assert [c.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("person", "change_journal")] == before


MEMBER_HEADER = ["姓名", "身份证号码", "政治面貌", "联系电话", "工作单位", "职务", "处级以上", "报到社区", "所在网格", "居住小区",
                 "报到日期", "服务岗位", "状态"]


def _member_sheet(path, db):
    with sqlite3.connect(db) as c:
        units = [r[0] for r in c.execute("SELECT name FROM unit WHERE deleted_at IS NULL AND name IN "
                                         "(SELECT name FROM unit GROUP BY name HAVING count(*) = 1) LIMIT 3")]
        places = c.execute(
            "SELECT c.name, g.name, (SELECT k.name FROM compound k WHERE k.grid_id = g.id AND k.deleted_at IS NULL "
            "LIMIT 1) FROM org_unit g JOIN org_unit c ON c.id = g.parent_id WHERE g.level = 'grid' "
            "AND g.retired_on IS NULL ORDER BY g.code").fetchall()
        worker = c.execute("SELECT p.name, p.id_number FROM grid_worker w JOIN person p ON p.id = w.person_id "
                           "WHERE p.political_status IN ('01', '02') OR p.political_status IS NULL LIMIT 1").fetchone()
        member = c.execute("SELECT p.name, p.id_number FROM member_registration m JOIN person p ON p.id = m.person_id "
                           "WHERE m.status = 'registered' LIMIT 1").fetchone()
    assert len(units) == 3 and worker and member
    rows = []
    for i in range(30):
        c, g, k = places[i % len(places)]
        rows.append([f"党员{i}", _number(3000 + i), "中共党员" if i % 3 else None, f"1370000{i:04d}", units[i % 3],
                     "科员" if i % 2 else None, "是" if i % 5 == 0 else None, c, g if i % 4 else None,
                     k if i % 6 == 0 else None, "2025-03-15" if i % 2 else None, "政策宣传" if i % 3 == 0 else None,
                     None])
    c, g, _k = places[0]
    rows += [
        [worker[0], worker[1], None, None, units[0], None, None, c, g, None, "2025-01-01", None, None],  # services
        [member[0], member[1], None, "13700001111", units[1], "主任", None, c, None, None, None, None, None],
        ["无此单位", _number(3100), None, None, "不存在的单位", None, None, c, None, None, None, None, None],
        ["群众一名", _number(3101), "群众", None, units[0], None, None, c, None, None, None, None, None],
        ["已转出者", _number(3102), None, None, units[0], None, None, c, None, None, None, None, "已转出"],
        ["小区不对", _number(3103), None, None, units[0], None, None, c, None, "没有这个小区", None, None, None],
        ["末位党员", _number(3104), "预备党员", None, units[2], None, None, places[1][0], places[1][1], None, None,
         None, None],
    ]
    _write(path, MEMBER_HEADER, rows)


def _member_records(db):
    skip = {"id", "created_at", "updated_at", "person_id"}
    with sqlite3.connect(db) as c:
        c.row_factory = sqlite3.Row
        people = {r["id"]: dict(r) for r in c.execute("SELECT * FROM person")}
        regs = [dict(r) for r in c.execute("SELECT * FROM member_registration")]
    rows = _journal_rows(db)
    by_person = {people[r["person_id"]]["id_number"]: (
        {k: v for k, v in people[r["person_id"]].items() if k not in skip}, {k: v for k, v in r.items() if k not in skip})
        for r in regs}
    owner = {pid: p["id_number"] for pid, p in people.items()}
    owner.update({r["id"]: owner[r["person_id"]] for r in regs})
    said: dict[tuple, list] = {}
    for table, rid, op, field, value in rows:
        if rid in owner:
            for f, v in journal.fields_of(field, value):
                if f != "person_id":
                    said.setdefault((table, owner[rid]), []).append((op, f, v))
    return by_person, {k: sorted(v) for k, v in said.items()}


def test_members_planned_or_through_the_services_give_the_same_database(demo_db, tmp_path, monkeypatch):
    slow_db = tmp_path / "slow.sqlite"
    shutil.copy(demo_db, slow_db)
    sheet = tmp_path / "members.xlsx"
    _member_sheet(sheet, demo_db)

    fast, slow = (_import(db, sheet, plans, monkeypatch, kind="members") for db, plans in ((demo_db, True), (slow_db, False)))
    assert [(r.number, r.outcome, r.label, r.problems, r.notes) for r in fast.rows] == \
        [(r.number, r.outcome, r.label, r.problems, r.notes) for r in slow.rows]
    counts = fast.counts()
    assert counts["new"] == 30 + 1 + 1 + 1 and counts["rejected"] == 3, fast.summary()
    assert _member_records(demo_db) == _member_records(slow_db)


def test_sign_ins_planned_or_through_the_services_give_the_same_database(demo_db, tmp_path, monkeypatch):
    with sqlite3.connect(demo_db) as c:
        activities = c.execute("SELECT a.title, a.date, o.name FROM activity a JOIN org_unit o ON o.id = a.community_id "
                               "WHERE a.deleted_at IS NULL AND (SELECT count(*) FROM activity b WHERE b.title = a.title "
                               "AND b.date = a.date) = 1 ORDER BY a.date LIMIT 4").fetchall()
        members = c.execute("SELECT p.name, p.id_number FROM member_registration m JOIN person p ON p.id = m.person_id "
                            "WHERE m.status = 'registered' AND m.deleted_at IS NULL ORDER BY p.id_number").fetchall()
        signed = c.execute("SELECT a.title, a.date, p.name, p.id_number FROM participation x JOIN activity a ON "
                           "a.id = x.activity_id JOIN member_registration m ON m.id = x.member_id JOIN person p ON "
                           "p.id = m.person_id WHERE x.deleted_at IS NULL LIMIT 1").fetchone()
    assert len(activities) == 4 and len(members) >= 20 and signed
    rows = []
    for i, (name, number) in enumerate(members[:20]):
        title, day, community = activities[i % 4]
        rows.append([title, day[:10], community if i % 2 else None, name, number, str(1 + i % 3), "良好" if i % 4 else None])
    rows += [
        [signed[0], signed[1][:10], None, signed[2], signed[3], "5", "优秀"],  # signed in already: updated
        ["没有的活动", "2026-01-01", None, members[0][0], members[0][1], "2", None],
        [activities[0][0], activities[0][1][:10], None, "不是党员", _number(4000), "2", None],
        [activities[1][0], activities[1][1][:10], None, members[21][0], members[21][1], "30", None],  # hours
    ]
    sheet = tmp_path / "signins.xlsx"
    _write(sheet, ["活动名称", "活动日期", "社区", "姓名", "身份证号码", "服务时长", "评价"], rows)
    slow_db = tmp_path / "slow.sqlite"
    shutil.copy(demo_db, slow_db)

    def stored(db):
        with sqlite3.connect(db) as c:
            parts = c.execute("SELECT a.title, p.id_number, x.hours, x.points, x.evaluation, x.scope_code FROM "
                              "participation x JOIN activity a ON a.id = x.activity_id JOIN member_registration m ON "
                              "m.id = x.member_id JOIN person p ON p.id = m.person_id ORDER BY 1, 2").fetchall()
        said = sorted((t, op, f, v) for t, _rid, op, field, value in _journal_rows(
            db, "WHERE table_name = 'participation'")
            for f, v in journal.fields_of(field, value) if f not in ("activity_id", "member_id"))
        return parts, said

    fast, slow = (_import(db, sheet, plans, monkeypatch, kind="participations") for db, plans in ((demo_db, True), (slow_db, False)))
    assert [(r.number, r.outcome, r.label, r.problems) for r in fast.rows] == \
        [(r.number, r.outcome, r.label, r.problems) for r in slow.rows]
    counts = fast.counts()
    assert counts["new"] >= 10 and counts["new"] + counts["updated"] == 21 and counts["rejected"] == 3, fast.summary()
    assert stored(demo_db) == stored(slow_db)


def test_cells_read_once_per_text_give_what_each_cell_read_alone_gives(demo_db, tmp_path, monkeypatch):
    """The importer reads each distinct text of a column once (``_Cells``): a sheet repeating values, good and
    refused, near-twins (a zero-width space, full-width digits, padding) and numbers that are equal but not
    alike (0 and -0.0) reports and stores exactly what reading every cell on its own does."""
    single_db = tmp_path / "single.sqlite"
    shutil.copy(demo_db, single_db)
    grids, _led, _held = _places(demo_db)
    (c0, g0, _), (c1, g1, _) = grids[0], grids[1]
    variants = [
        (c0, g0, "兼职网格员", "2021.3"), (c0, g0, "兼职网格员", "2021.3"), (c0 + "\u200b", g0, "兼职", "2021.03"),
        (c1, g1, "专职网格员", "２０２１年３月"), (c1, " " + g1 + " ", "专职网格员", "2021.13"),
        (c1, g1, "专职网格员", "2021.13"), (c0, g0, "网格员", "2021.3"), (c0, g0, "网格员", 0),
        (c0, g0, "兼职网格员", -0.0), (c0, g0, "兼职网格员", 0.0), (c1, "第九十九网格", "兼职网格员", None),
        (c1, "第九十九网格", "兼职网格员", None), (c0, g0, "兼职网格员\u202e", None), (c0, g0, "\u200b", None),
    ]
    rows = []
    for i in range(60):
        c, g, category, hired = variants[i % len(variants)]
        name = ["王伟", "王　伟", "李娜", "李娜\u200b"][i % 4]
        rows.append([name, _number(2000 + i), f"1390001{i:04d}", c, g, category, "在岗", hired, None])
    rows.append(["王伟", _number(2000), "13900010000", c0, g0, "兼职网格员", "在岗", "2021.3", None])  # a repeat
    sheet = _write(tmp_path / "repeats.xlsx", HEADER, rows)
    once = _import(demo_db, sheet, True, monkeypatch)
    monkeypatch.setattr(importer._Cells, "value", lambda self, f, raw: f.parse(raw))
    single = _import(single_db, sheet, True, monkeypatch)

    def shown(report):
        return [(r.number, r.outcome, r.label, r.problems, r.notes, r.values) for r in report.rows]

    assert shown(once) == shown(single)
    counts = once.counts()
    assert counts["new"] >= 15 and counts["rejected"] >= 15, once.summary()
    once_records, op, ow = _records(demo_db)
    single_records, sp, sw = _records(single_db)
    assert once_records == single_records
    assert _journal(demo_db, op, ow) == _journal(single_db, sp, sw)


def test_an_import_hands_every_object_back_to_the_collector(demo_db, tmp_path, monkeypatch):
    """The objects an import leaves out of the garbage collector's passes (``gc.freeze``) are back in them once it
    ends, whether it went in or failed."""
    import gc

    from gridapp.core.errors import ValidationError

    sheet = tmp_path / "workers.xlsx"
    _sheet(sheet, demo_db, n_new=3)
    seen = []
    original = importer._Cells.value

    def value(self, f, raw):
        seen.append((gc.get_freeze_count(), gc.get_threshold()[0]))
        return original(self, f, raw)

    monkeypatch.setattr(importer._Cells, "value", value)
    threshold = gc.get_threshold()
    assert gc.get_freeze_count() == 0
    _import(demo_db, sheet, True, monkeypatch)
    assert seen and min(n for n, _t in seen) > 0 and gc.get_freeze_count() == 0
    assert {t for _n, t in seen} == {max(threshold[0], 10_000)} and gc.get_threshold() == threshold
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 not a workbook")
    with pytest.raises(ValidationError):
        _import(demo_db, broken, True, monkeypatch)
    assert gc.get_freeze_count() == 0 and gc.get_threshold() == threshold

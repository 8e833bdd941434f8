import hashlib
import sqlite3
import threading

import pytest

from gridapp.core import demo
from gridapp.core.errors import Cancelled, StoreError
from gridapp.core.services import overview
from gridapp.core.store import Store
from gridapp.core.validation import parse_credit_code, parse_id_number, parse_org_code


def _rows(path, sql):
    with sqlite3.connect(path) as conn:
        return conn.execute(sql).fetchall()


def test_every_identifier_is_valid(demo_template):
    ids = _rows(demo_template, "SELECT id_number FROM person")
    assert len(ids) > 300
    for (number,) in ids:
        assert parse_id_number(number).number == number
    credit = _rows(demo_template, "SELECT credit_code FROM unit UNION ALL SELECT credit_code FROM property_firm")
    for (code,) in credit:
        assert parse_credit_code(code) == code
    for (code,) in _rows(demo_template, "SELECT code FROM org_unit"):
        parse_org_code(code)


def test_hierarchy_is_consistent(demo_template):
    with Store(demo_template, lock=False) as store:
        report = overview.check(store)
        assert report.ok, report.problems
        assert report.counts["communities"] == 3
        assert report.counts["grids"] == 12
    # Every member lives in a grid of the community they registered at.
    bad = _rows(demo_template, """
        SELECT count(*) FROM member_registration m JOIN org_unit g ON g.id = m.grid_id
        WHERE g.parent_id != m.community_id""")
    assert bad == [(0,)]
    # Participations only by members registered in the activity's community.
    bad = _rows(demo_template, """
        SELECT count(*) FROM participation p JOIN activity a ON a.id = p.activity_id
        JOIN member_registration m ON m.id = p.member_id WHERE m.community_id != a.community_id""")
    assert bad == [(0,)]


def _digest(path) -> str:
    h = hashlib.sha256()
    for table in ("org_unit", "person", "grid_worker", "member_registration", "participation", "property_firm"):
        for row in _rows(path, f"SELECT * FROM {table} ORDER BY id"):
            h.update(repr(row).encode())
    return h.hexdigest()


def test_same_seed_same_data(tmp_path, demo_template):
    again = tmp_path / "again.sqlite"
    demo.generate(again, "small", seed=7, year=2026)
    assert _digest(again) == _digest(demo_template)
    other = tmp_path / "other.sqlite"
    demo.generate(other, "small", seed=8, year=2026)
    assert _digest(other) != _digest(demo_template)


def test_refuses_to_overwrite(demo_template):
    with pytest.raises(StoreError, match="已存在"):
        demo.generate(demo_template, "small")


def test_cancel_leaves_no_file(tmp_path):
    cancel = threading.Event()
    cancel.set()
    path = tmp_path / "cancelled.sqlite"
    with pytest.raises(Cancelled):
        demo.generate(path, "street", cancel=cancel)
    assert not path.exists()


def test_progress_is_reported(tmp_path):
    seen = []
    demo.generate(tmp_path / "p.sqlite", "small", progress=lambda d, t, w: seen.append((d, t)))
    assert seen and all(0 <= d <= t for d, t in seen)


def test_demo_has_special_grids_with_kinds(demo_template):
    rows = _rows(demo_template, """
        SELECT g.name, coalesce(ci.name, k.name), g.special_unit FROM org_unit g
        LEFT JOIN code_item ci ON ci.table_key = 'special_kind' AND ci.code = g.special_kind
        LEFT JOIN special_kind k ON k.id = g.special_kind WHERE g.grid_type = 'special' ORDER BY g.code""")
    assert [(r[1], bool(r[2])) for r in rows] == [("学校", True), ("养老机构", True)]
    # At district scale every other community has one, through every standard kind and the added one.
    kinds = [demo._special_grid(n, "福安社区", "added-id") for n in range(1, 181)]
    assert sum(k is not None for k in kinds) == 90
    assert {k[0] for k in kinds if k} == {"school", "hospital", "market", "gov", "enterprise", "park", "business",
                                          "scenic", "added-id"}

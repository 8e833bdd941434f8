"""The hostile values the issue names, in every import kind: numbers too large for SQLite, text longer
than its column, names of invisible characters only, direction overrides and control characters. Each
is a row error naming the column, and a file of such rows changes nothing."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest

from gridapp.core import list_specs, lists
from gridapp.core.list_specs_property import ratings_list
from gridapp.core.store import Store
from gridapp.io.importer import run_import
from gridapp.io.kinds import HANDLERS
from gridapp.io.xlsx_out import export_list

YEAR = 2025


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


def _export(store: Store, kind: str, path: Path) -> tuple[list[str], list[list[object]]]:
    spec = ratings_list(store, YEAR) if kind == "ratings" else list_specs.ALL[kind]
    export_list(store, spec, lists.Query(), path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    headers = [h for h in rows[0] if h]
    return headers, [list(r[:len(headers)]) for r in rows[1:] if r[0] is not None and r[1] is not None]


def _import(store: Store, kind: str, path: Path, headers: list[str], rows: list[list[object]]):
    wb = openpyxl.Workbook()
    wb.active.append(headers)
    for row in rows:
        wb.active.append(row)
    wb.save(path)
    return run_import(store, HANDLERS[kind], path, commit=True, options={"year": YEAR})


@pytest.fixture
def demo(demo_template, tmp_path):
    db = tmp_path / "demo.sqlite"
    shutil.copy(demo_template, db)
    with Store(db) as store:
        yield store, db


# The numeric columns the issue found raising OverflowError, and the message each now gives.
NUMBERS = [
    ("grids", "户数", "户数应在 0–100000 之间"),
    ("grids", "人口", "人口应在 0–1000000 之间"),
    ("units", "在职党员数", "在职党员数应在 0–100000 之间"),
    ("firms", "从业人数", "从业人数应在 0–100000 之间"),
    ("compounds", "楼栋数", "楼栋数应在 0–1000 之间"),
    ("compounds", "户数", "户数应在 0–100000 之间"),
    ("ratings", "年度", "年度应在 1949–2100 之间"),
]


@pytest.mark.parametrize(("kind", "column", "words"), NUMBERS)
def test_numbers_too_large_for_sqlite_are_row_errors(demo, tmp_path, kind, column, words):
    store, db = demo
    headers, base = _export(store, kind, tmp_path / "export.xlsx")
    at = headers.index(column)
    rows = []
    for row, value in zip(base, (1e19, 2**63, "99999999999999999999", -1), strict=False):
        row[at] = value
        rows.append(row)
    before = _dump(db)
    report = _import(store, kind, tmp_path / "numbers.xlsx", headers, rows)
    assert report.counts()["rejected"] == len(rows), report.rows
    for r in report.rejected:
        assert [(c, words in m) for c, m in r.problems] == [(column, True)], r.problems
    assert _dump(db) == before


NAME_COLUMNS = {"grids": "网格名称", "workers": "姓名", "units": "单位名称", "members": "姓名",
                "activities": "活动名称", "participations": "姓名", "firms": "企业名称", "compounds": "小区名称",
                "contracts": "物业企业", "ratings": "企业名称"}
LOOKED_UP = ("participations", "contracts", "ratings")


@pytest.mark.parametrize("kind", tuple(HANDLERS))
def test_hostile_names_are_refused_with_the_column_in_every_kind(demo, tmp_path, kind):
    store, db = demo
    headers, base = _export(store, kind, tmp_path / "export.xlsx")
    column = NAME_COLUMNS[kind]
    at = headers.index(column)
    hostile = ["\u200b\u200b\u200b", "\u202e名称", "名\u2066称\u2069", "名_x0007_称", "名\x85称", "名" * 32767]
    rows = []
    for row, value in zip(base, hostile, strict=False):
        row[at] = value
        rows.append(row)
    before = _dump(db)
    report = _import(store, kind, tmp_path / "names.xlsx", headers, rows)
    outcomes = [r.outcome for r in report.rows]
    if kind in LOOKED_UP and len(rows) == len(hostile):  # a name beside the ID number or credit code is not stored
        assert outcomes[-1] in ("unchanged", "rejected")
        outcomes = outcomes[:-1]
    assert set(outcomes) == {"rejected"}, [(r.number, r.outcome, r.label[:20]) for r in report.rows]
    for r in report.rejected:
        assert r.problems and all(c and any("\u4e00" <= ch <= "\u9fff" for ch in m) for c, m in r.problems)
    said = [dict(r.problems).get(column, "") for r in report.rows[:5]]
    assert "只由不可见字符组成" in said[0] and "U+202E" in said[1] and "U+2066" in said[2], said
    assert "控制字符（U+0007）" in said[3] and "控制字符（U+0085）" in said[4], said
    assert _dump(db) == before

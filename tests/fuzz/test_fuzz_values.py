"""Hostile values at the door: for every import kind, one-row and few-row sheets whose cells hold values at
every limit. Each row either goes in with values within the rules declared with the model, or is rejected
with a Chinese reason naming its column; never an exception. After an import that rejected every row,
the database dump is what it was.

The rows start from the demo database's own export (so, unchanged, each would go in) and get a few cells
replaced; the sheets are made here with openpyxl, in the test's temporary folder.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
import sqlite3
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from gridapp.core import fields, list_specs, lists
from gridapp.core.errors import DomainError
from gridapp.core.list_specs_property import ratings_list
from gridapp.core.models import SYNCED_MODELS
from gridapp.core.store import Store
from gridapp.io.importer import run_import
from gridapp.io.kinds import HANDLERS
from gridapp.io.xlsx_out import export_list

KINDS = tuple(HANDLERS)
YEAR = 2025  # the demo (year 2026) rates its firms for 2024 and 2025
CJK = re.compile(r"[\u4e00-\u9fff]")

HOSTILE = st.sampled_from([
    0, -1, 1, 24, 25, 100_000, 100_001, 1_000_001, 1e19, 2**63, -(2**63) - 1, 10**20, 1e308, 0.5, -0.0,
    "0", "-1", "1e19", "9223372036854775808", "NaN", "nan", "inf", "-inf", "Infinity", "1e400", "1,000,000,000,000",
    "１２３", "٣", "2026.5", "-", "",
    "王" * 32767, "网" * 101, "x" * 5001,
    "\u200b", "\u200b\u200c\ufeff", "\u00a0\u200b ", "张\u200b三",
    "\u202e强王", "王\u2066强\u2069", "\u202a第一网格", "王_x0007_强", "王\x85强", "王\x7f强", "第一行\n第二行", "a\tb",
    "=1+1", "=A1/0", '="王"&"强"', "=HYPERLINK(\"http://x\")",
    True, False, dt.date(2020, 1, 1), dt.datetime(2100, 12, 31, 23, 59), dt.date(1900, 1, 1), dt.time(12, 0),
])


def _dump(path: Path) -> list[str]:
    with sqlite3.connect(path) as conn:
        return list(conn.iterdump())


_EXPORTS: dict[str, tuple[list[str], list[list[object]]]] = {}


def _export(store: Store, kind: str, path: Path) -> tuple[list[str], list[list[object]]]:
    """The headers and first rows of the kind's export (the same for every copy of the demo database)."""
    if kind not in _EXPORTS:
        _EXPORTS[kind] = _read_export(store, kind, path)
    return _EXPORTS[kind]


def _read_export(store: Store, kind: str, path: Path) -> tuple[list[str], list[list[object]]]:
    spec = ratings_list(store, YEAR) if kind == "ratings" else list_specs.ALL[kind]
    export_list(store, spec, lists.Query(), path)
    rows = list(openpyxl.load_workbook(path).active.iter_rows(min_row=2, values_only=True))
    headers = [h for h in rows[0] if h]
    body = [list(r[:len(headers)]) for r in rows[1:] if r[0] is not None and r[1] is not None]
    return headers, body[:5]


def _stored_values_meet_the_rules(store: Store) -> None:
    with store.read() as s:
        for model in SYNCED_MODELS:
            checked = {k: r for k, r in fields.rules(model).items() if r.kind != "other"}
            columns = [getattr(model, k) for k in checked]
            for row in s.execute(select(*columns)):
                for (key, rule), value in zip(checked.items(), row, strict=True):
                    rule.check(value)  # raises on anything outside the rules
                    if rule.kind == "text" and value is not None:
                        assert value == rule.check(value), (model.__name__, key)


def _write(path: Path, headers: list[str], rows: list[list[object]]) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(headers)
    for row in rows:
        ws.append(row)
    wb.save(path)


@pytest.mark.parametrize("kind", KINDS)
@settings(max_examples=9, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_values_are_row_errors_or_stay_within_the_rules(kind, data, demo_template, tmp_path_factory):
    folder = tmp_path_factory.mktemp(kind)
    db = folder / "demo.sqlite"
    shutil.copy(demo_template, db)
    with Store(db) as store:
        headers, base = _export(store, kind, folder / "export.xlsx")
        assert base, kind
        rows = []
        for _ in range(data.draw(st.integers(1, 3), label="rows")):
            row = list(data.draw(st.sampled_from(base), label="base row"))
            for column in data.draw(st.lists(st.integers(0, len(headers) - 1), min_size=1, max_size=3), label="cols"):
                row[column] = data.draw(HOSTILE, label=headers[column])
            rows.append(row)
        sheet = folder / "hostile.xlsx"
        _write(sheet, headers, rows)
        before = _dump(db)
        try:
            report = run_import(store, HANDLERS[kind], sheet, commit=True, options={"year": YEAR})
        except DomainError as exc:  # the file as a whole refused (say, a required column made a formula)
            assert CJK.search(exc.message), exc.message
            assert _dump(db) == before
            return
        for r in report.rejected:
            assert r.problems, r
            for column, reason in r.problems:
                assert column and CJK.search(column), (column, reason, r.values)  # names the column
                assert CJK.search(reason), reason
        if all(r.outcome == "rejected" for r in report.rows):
            assert _dump(db) == before
        else:
            _stored_values_meet_the_rules(store)

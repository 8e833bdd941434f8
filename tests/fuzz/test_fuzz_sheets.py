"""Hostile sheets for every import kind: each gets a Chinese sentence (an error, or every row rejected with its
reason) and never another exception, in bounded time and memory, and leaves the database as it was, in a dry
run and in a real import alike. The sheets come from ``tests/fuzz/sheets.py``; no file is kept in the project."""

from __future__ import annotations

import json
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gridapp.core.errors import DomainError
from gridapp.io.importer import run_import
from gridapp.io.kinds import HANDLERS, bound
from tests.fuzz import sheets as S
from tests.fuzz.test_fuzz_values import _stored_values_meet_the_rules

KINDS = sorted(HANDLERS)
ROOT = Path(__file__).resolve().parents[2]
GUARD_SECONDS = 30  # a hang guard only: a hostile file gets its sentence in well under two seconds
MEMORY_MB = 300
CJK = re.compile(r"[\u4e00-\u9fff]")
FUZZ = settings(max_examples=20, deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def dump(store) -> list[str]:
    with sqlite3.connect(store.path) as con:
        return list(con.iterdump())


def headers(kind: str, store) -> tuple[list[str], list[bool]]:
    spec = bound(kind, store).spec
    return [f.headers[0] for f in spec.fields], [f.required for f in spec.fields]


def import_both_ways(store, kind: str, path: Path) -> None:
    """A dry run and a real import of ``path``: a sentence each time, nothing changed."""
    before = dump(store)
    for commit in (False, True):
        started = time.monotonic()
        try:
            report = run_import(store, HANDLERS[kind], path, commit=commit)
        except DomainError as exc:
            assert CJK.search(exc.message), exc.message
        else:
            assert all(r.outcome == "rejected" for r in report.rows), [(r.number, r.outcome) for r in report.rows]
            for row in report.rows:
                assert row.problems and all(CJK.search(reason) for _, reason in row.problems), row
        assert time.monotonic() - started < GUARD_SECONDS
        assert dump(store) == before, f"{kind} {'import' if commit else 'dry run'} changed the database"


@pytest.fixture
def store(gridded):
    return gridded


# --- cells of the wrong kind, in every column of every kind ----------------------------------------------

WRONG = st.one_of(
    st.sampled_from([True, False, S.Error("#REF!"), S.Error("#N/A"), S.Error("#DIV/0!"), S.Error("#VALUE!"),
                     S.Formula("A1*2"), S.Formula("Sheet2!B3"), S.Formula('""', cached=""), S.DateNum(44562.0),
                     S.DateNum(2958466.0), S.DateNum(-1.0), S.DateNum(1e300), "#REF!", "=A1", "", " ", "_x000D_",
                     "TRUE", "1900-01-00", "合计", 0, -1, 0.5, 1e-300, 2.0**53, "١٢٣", "一二三"]),
    st.integers(min_value=-10**12, max_value=10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=40),
)
# Always rejected by the reader's own marks, so a real import may run too.
MARK = st.sampled_from([S.Error("#REF!"), S.Error("#NAME?"), S.Formula("VLOOKUP(A2,Sheet2!A:B,2,0)")])


@st.composite
def wrong_rows(draw, width: int, required: list[bool], forced: bool):
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        row = [draw(WRONG) for _ in range(width)]
        if forced:
            row[draw(st.sampled_from([i for i, r in enumerate(required) if r]))] = draw(MARK)
        rows.append(row)
    return rows


@FUZZ
@given(kind=st.sampled_from(KINDS), data=st.data())
def test_cells_of_the_wrong_kind_in_a_real_and_a_dry_import(store, tmp_path, kind, data):
    titles, required = headers(kind, store)
    rows = data.draw(wrong_rows(len(titles), required, forced=True))
    path = S.write_xlsx(tmp_path / f"{kind}.xlsx", [titles, *rows])
    import_both_ways(store, kind, path)


@FUZZ
@given(kind=st.sampled_from(KINDS), data=st.data())
def test_cells_of_the_wrong_kind_anywhere_in_a_dry_run(store, tmp_path, kind, data):
    """Without a cell the reader marks, some rows may be valid: a dry run (which applies them) still says
    something for each and changes nothing."""
    titles, required = headers(kind, store)
    rows = data.draw(wrong_rows(len(titles), required, forced=False))
    path = S.write_xlsx(tmp_path / f"{kind}.xlsx", [titles, *rows])
    before = dump(store)
    try:
        run_import(store, HANDLERS[kind], path, commit=False)
    except DomainError as exc:
        assert CJK.search(exc.message)
    assert dump(store) == before


@FUZZ
@given(kind=st.sampled_from(KINDS), data=st.data(),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]), sep=st.sampled_from([",", "\t", ";"]))
def test_csv_text_of_any_kind_in_a_dry_run(store, tmp_path, kind, data, encoding, sep):
    """A .csv of the kind's header and rows of any text (quotes, separators, line breaks, long fields), in
    every encoding the reader detects: a sentence, and nothing changed."""
    import csv
    import io

    titles, _ = headers(kind, store)
    cell = st.one_of(st.text(max_size=30), st.sampled_from(['"', '""', "\r\n", sep, "=A1", "#REF!", "合计"]))
    rows = [[data.draw(cell) for _ in titles] for _ in range(data.draw(st.integers(min_value=0, max_value=4)))]
    out = io.StringIO()
    csv.writer(out, delimiter=sep).writerows([titles, *rows])
    path = tmp_path / f"{kind}.csv"
    path.write_bytes(out.getvalue().encode(encoding, errors="replace"))
    before = dump(store)
    try:
        report = run_import(store, HANDLERS[kind], path, commit=False)
    except DomainError as exc:
        assert CJK.search(exc.message)
    else:
        assert all(r.problems for r in report.rejected)
        assert [r.number for r in report.rows] == sorted({r.number for r in report.rows})
    assert dump(store) == before


# --- hostile layouts: far cells, merged ranges, long strings, junk -----------------------------------------

SHAPES = st.sampled_from(["far", "far_row", "merge", "merges", "column_merge", "long_inline", "long_cell",
                          "junk", "bad_ref", "bad_merge", "bad_string_index", "dtd", "nested"])


def _hostile(shape: str, path: Path, rows: list[list[object]], draw) -> Path:
    if shape == "far":
        col = draw(st.sampled_from(["XFD", "AAA", "SS"]))
        return S.far_cell(path, rows, f"{col}{draw(st.integers(min_value=1, max_value=1_048_576))}")
    if shape == "far_row":
        return S.far_cell(path, rows, f"A{draw(st.integers(min_value=300_001, max_value=9_999_999))}")
    if shape == "merge":
        return S.huge_merge(path, rows, [draw(st.sampled_from(["H3:XFD1048576", "A1:XFD1048576", "A2:A1048576"]))])
    if shape == "merges":
        n = draw(st.integers(min_value=2, max_value=300))
        return S.huge_merge(path, rows, [f"A{i}:XFD{1_048_576 - i}" for i in range(1, n)])
    if shape == "column_merge":
        return S.huge_merge(path, rows, ["B2:B1048576", "A1:C1"])
    if shape == "long_inline":
        return S.long_inline_string(path, rows, draw(st.integers(min_value=32_768, max_value=400_000)))
    if shape == "long_cell":
        return S.long_shared_string(path, rows, draw(st.integers(min_value=32_768, max_value=90_000)))
    if shape == "junk":
        junk = draw(st.binary(min_size=0, max_size=200))
        return S.junk_sheet_xml(path, draw(st.sampled_from([b"<worksheet><sheetData><row><c>", junk,
                                                            b"<?xml version='1.0'?><worksheet/>" + junk])))
    if shape == "bad_ref":
        return S.write_xlsx(path, rows, extra_cells=f'<row r="9"><c r="{draw(st.sampled_from(["A0x", "1A", "AAAA1", ""]))}"'
                                                    ' t="inlineStr"><is><t>x</t></is></c></row>')
    if shape == "bad_merge":
        return S.huge_merge(path, rows, [draw(st.sampled_from(["A1:", "ZZZZ1:A1", "A1:B2:C3", "合并"]))])
    if shape == "bad_string_index":
        return S.write_xlsx(path, rows, extra_cells=f'<row r="9"><c r="A9" t="s"><v>{draw(st.sampled_from(["99999", "-1", "x"]))}</v></c></row>')
    if shape == "dtd":
        return S.billion_laughs(path)
    if shape == "nested":
        depth = draw(st.integers(min_value=1000, max_value=50_000))
        return S.junk_sheet_xml(path, b"<worksheet><sheetData>" + b"<row>" * depth + b"</sheetData></worksheet>")
    raise AssertionError(shape)


def _invalid_rows(kind: str, store) -> list[list[object]]:
    """The kind's header and rows each with a reader-marked cell in a required column (always rejected)."""
    titles, required = headers(kind, store)
    first = required.index(True)
    return [titles] + [[S.Error("#REF!") if i == first else f"值{i}" for i in range(len(titles))] for _ in range(3)]


@FUZZ
@given(kind=st.sampled_from(KINDS), shape=SHAPES, data=st.data())
def test_hostile_layouts_get_a_sentence_quickly(store, tmp_path, kind, shape, data):
    path = _hostile(shape, tmp_path / f"{kind}-{shape}.xlsx", _invalid_rows(kind, store), data.draw)
    import_both_ways(store, kind, path)


# --- files that are no workbook, or inflate out of proportion ----------------------------------------------

CONTAINERS = ["encrypted", "word", "pdf", "random", "empty", "folder", "missing", "zip_no_workbook", "lying",
              "bomb", "unknown_suffix", "old_xls", "ods", "et"]


def _container(name: str, path: Path, rows) -> Path:
    if name == "encrypted":
        return S.encrypted_xlsx(path)
    if name == "word":
        return S.word_document(path)
    if name == "pdf":
        return S.pdf(path)
    if name == "random":
        return S.random_bytes(path)
    if name == "empty":
        path.write_bytes(b"")
        return path
    if name == "folder":
        path.mkdir()
        return path
    if name == "missing":
        return path
    if name == "zip_no_workbook":
        return S.write_parts(path, {"hello.txt": b"hi"})
    if name == "lying":
        return S.lying_sizes(path, rows)
    if name == "bomb":
        return S.inflating_member(path, rows, 64 << 20)
    if name == "unknown_suffix":
        return S.pdf(path.with_suffix(".docx"))
    if name == "old_xls":
        return S.word_document(path.with_suffix(".xls"))
    if name == "ods":
        return S.write_parts(path.with_suffix(".ods"), {"mimetype": b"application/vnd.oasis.opendocument.spreadsheet"})
    if name == "et":
        return S.word_document(path.with_suffix(".et"))
    raise AssertionError(name)


@pytest.mark.parametrize("name", CONTAINERS)
def test_files_that_are_no_workbook_get_a_sentence(store, tmp_path, name):
    kind = KINDS[CONTAINERS.index(name) % len(KINDS)]  # every kind meets some of them
    import_both_ways(store, kind, _container(name, tmp_path / f"{name}.xlsx", _invalid_rows(kind, store)))


# --- the worst cases, in a child process whose memory is measured -----------------------------------------

_CHILD = r"""
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (2 << 30, 2 << 30))  # a regression fails here instead of swapping
sys.path.insert(0, sys.argv[1])
from gridapp.core.errors import DomainError
from gridapp.io.kinds import HANDLERS
from gridapp.io.sheet import read_sheet
out = []
for kind, path in json.loads(sys.argv[2]):
    spec = HANDLERS[kind].spec
    started = time.monotonic()
    try:
        read_sheet(path, spec.headers() + list(spec.ignored))
        message = None
    except DomainError as exc:
        message = exc.message
    out.append([path, message, time.monotonic() - started])
print(json.dumps(out))
"""
_WRAPPER = r"""
import resource, subprocess, sys
done = subprocess.run([sys.executable, "-c", sys.argv[1], *sys.argv[2:]], capture_output=True, text=True)
sys.stderr.write(done.stderr)
print(done.stdout.strip())
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024)
"""


def test_the_worst_files_stay_within_memory_in_a_child_process(tmp_path):
    rows = [["姓名", "身份证号码", "所属网格", "人员类别"], ["张伟", "#", "第一网格", "专职"]]
    import random

    noise = "".join(random.Random(3).choices([chr(c) for c in range(0x4E00, 0x9FFF)], k=3_000_000))
    big = tmp_path / "incompressible.xlsx"
    S.write_xlsx(big, [*rows, ["x" + noise]])
    files = [
        S.far_cell(tmp_path / "far.xlsx", rows),
        S.huge_merge(tmp_path / "merge.xlsx", rows),
        S.huge_merge(tmp_path / "merges.xlsx", rows, [f"A{i}:XFD{1_048_576 - i}" for i in range(1, 2000)]),
        S.long_shared_string(tmp_path / "string.xlsx", rows, 64 << 20),
        S.inflating_member(tmp_path / "bomb.xlsx", rows, 256 << 20),
        big,
    ]
    cases = [[KINDS[i % len(KINDS)], str(p)] for i, p in enumerate(files)]
    done = subprocess.run([sys.executable, "-c", _WRAPPER, _CHILD, str(ROOT), json.dumps(cases)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    *lines, peak_mb = done.stdout.strip().splitlines()
    results = json.loads(lines[-1])
    refused = {Path(p).name: m for p, m, _ in results}
    assert all(refused[n] and CJK.search(refused[n]) for n in ("far.xlsx", "string.xlsx", "bomb.xlsx", "incompressible.xlsx")), refused
    assert all(seconds < GUARD_SECONDS for _, _, seconds in results), results
    assert int(peak_mb) < MEMORY_MB, f"peak {peak_mb} MB"


# --- values at numeric limits and invisible names: the `door` slice validates them ------------------------

DOOR = st.sampled_from([10**19, 1e19, -(10**19), 2**63, 1e308, "1e19", "9" * 40, "\u200b\u200b", "\u202e王伟",
                        "\u3000", "\ufeff", "\x00王", "王" * 32_767])


@settings(max_examples=25, deadline=None, derandomize=True, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(kind=st.sampled_from(KINDS), data=st.data())
def test_values_at_numeric_limits_and_invisible_names(store, tmp_path, kind, data):
    """A row otherwise like the template's example row, one column holding a value at a limit (1e19 households,
    a name of invisible characters, text longer than its column): refused with its field and limit, and the
    database unchanged. (In this store the examples of grids, workers, activities, compounds and firms are
    valid rows; the others lack the unit, firm or activity they name, so their rows are rejected regardless.)"""
    spec = bound(kind, store).spec
    titles = [f.headers[0] for f in spec.fields]
    rows = []
    for _ in range(2):
        row: list[object] = [f.example or None for f in spec.fields]
        row[data.draw(st.integers(min_value=0, max_value=len(row) - 1))] = data.draw(DOOR)
        rows.append(row)
    path = S.write_xlsx(tmp_path / f"{kind}.xlsx", [titles, *rows])
    before = dump(store)
    try:
        preview = run_import(store, HANDLERS[kind], path, commit=False)
    except DomainError as exc:
        assert CJK.search(exc.message), exc.message
        preview = None
    assert dump(store) == before
    if preview is None or all(r.outcome == "rejected" for r in preview.rows):
        import_both_ways(store, kind, path)
    else:  # a number is fair text in a name column, an invisible note is an empty one: what went in keeps the rules
        run_import(store, HANDLERS[kind], path, commit=True)
        _stored_values_meet_the_rules(store)

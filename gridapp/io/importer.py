"""The import pipeline shared by every kind: read, check, preview, apply in one transaction.

A dry run (the preview) is the same pipeline ending in a rollback, so its report equals the real
import's. A row that only creates records (the handler's ``plan``) is written in a batch of such rows;
any other row runs through the services in a savepoint. A row that breaks a rule is rejected with its
reason and the other rows still go in; the whole file is one transaction, all or nothing, and a failure
of the database itself (a full disk) undoes all of it.
"""

from __future__ import annotations

import datetime as dt
import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from gridapp.core import audit, bulk, journal, regions
from gridapp.core import fields as field_rules
from gridapp.core.errors import Cancelled, DomainError, StoreError, ValidationError
from gridapp.core.models.base import utcnow
from gridapp.core.store import Store, bulk_cache
from gridapp.io import masked_ids
from gridapp.io.sheet import Sheet, norm_header, read_sheet
from gridapp.io.spec import Field, ImportSpec

OUTCOMES = ("new", "updated", "unchanged", "rejected")
OUTCOME_NAMES = {"new": "新增", "updated": "更新", "unchanged": "无变化", "rejected": "未导入"}

Progress = Callable[[int, int, str], None]
_JOURNAL_BATCH = 5000  # journal rows kept before they are stamped and written
_PLANNED_BATCH = 2000  # planned rows kept before they are written
PLANS = True  # whether handlers' plans are used (off: every row through the services, as a test compares)


class _Planned:
    """Planned rows not written yet: written in order, a table at a time, with their journal rows."""

    def __init__(self, session: Session):
        self.session, self.rows, self.rules = session, 0, field_rules.Checker()
        self.by_model: dict[type, dict[frozenset[str], list[dict[str, Any]]]] = {}

    def add(self, plan: Plan) -> bool:
        """Keep the plan's records as they are stored, if every one meets the field rules (else the services
        will give the reason, with the field)."""
        try:
            checked = [(model, self.rules.values(model, values)) for model, values in plan.records]
        except DomainError:
            return False
        for model, values in checked:
            # One statement per set of columns (an executemany binds the same ones for every row).
            self.by_model.setdefault(model, {}).setdefault(frozenset(values), []).append(values)
        self.rows += 1
        return True

    def write(self) -> None:
        if not self.by_model:
            return
        s, ctx, now = self.session, self.session.info["journal"], utcnow()
        kept = journal.buffer(s)
        conn = s.connection()
        for model, groups in self.by_model.items():  # parents first: the order of the first plan's records
            table = model.__table__
            for records in groups.values():
                for r in records:
                    r.update(created_at=now, updated_at=now, changed_by_site=ctx.site_code)
                bulk.write_many(conn, table, records)
                kept.extend(journal.insert_rows(table, records, ctx, now))
        self.by_model, self.rows = {}, 0


# What a parser gives that no row can change afterwards, so rows may share it.
_UNCHANGING = frozenset({str, int, float, bool, dt.date, dt.datetime, type(None)})
_UNREAD = object()


class _Cells:
    """Cells read by their fields' parsers, each distinct text once per field: a parser's verdict depends on
    the cell alone, and a roster repeats its communities, grids, categories and dates down the sheet. Only
    a text cell is looked up (equal text is the same text; 0.0 and -0.0 are equal numbers, not one cell)
    and only a value no row can change is kept; a refusal is not kept (the parser says it again)."""

    LIMIT = 50_000

    def __init__(self) -> None:
        self._seen: dict[tuple[str, str], Any] = {}

    def value(self, f: Field, raw: object) -> Any:
        if raw.__class__ is not str:
            return f.parse(raw)
        key = (f.key, raw)
        value = self._seen.get(key, _UNREAD)
        if value is _UNREAD:
            value = f.parse(raw)
            kind = value.__class__
            if kind in _UNCHANGING or (kind is tuple and all(v.__class__ in _UNCHANGING for v in value)):
                if len(self._seen) >= self.LIMIT:
                    self._seen.clear()
                self._seen[key] = value
        return value


@dataclass(slots=True)  # slots: a report may hold 300,000 of them
class RowResult:
    number: int
    outcome: str
    label: str = ""
    problems: list[tuple[str, str]] = field(default_factory=list)  # (column, reason)
    values: tuple[object, ...] = ()
    notes: list[tuple[str, str]] = field(default_factory=list)  # (column, what was left alone): imported anyway


@dataclass
class ImportReport:
    kind: str
    title: str
    file: str
    sheet: str
    columns: list[str]
    rows: list[RowResult]
    column_indexes: list[int] = field(default_factory=list)
    committed: bool = False

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for r in self.rows:
            out[r.outcome] += 1
        return out

    @property
    def rejected(self) -> list[RowResult]:
        return [r for r in self.rows if r.outcome == "rejected"]

    @property
    def noted(self) -> list[RowResult]:
        """Rows that went in with something reported (e.g. a compound name that matched none)."""
        return [r for r in self.rows if r.notes]

    def summary(self) -> str:
        c = self.counts()
        text = "，".join(f"{OUTCOME_NAMES[k]} {c[k]} 行" for k in OUTCOMES)
        notes = sum(len(r.notes) for r in self.rows)
        return text + (f"，另有 {notes} 条提示" if notes else "")


@dataclass
class Plan:
    """A row that only creates records, as the services would create them: ``records`` are (model, values),
    parents first, each with its id. The pipeline writes such rows in batches without the ORM."""

    outcome: str
    label: str
    records: list[tuple[type, dict[str, Any]]]


class Handler(Protocol):
    """What a kind of import adds to the pipeline: its description and how one row is applied.

    A handler may also have ``plan(session, state, values) -> Plan | None``: the records a row creates when
    it is a plain creation that needs no query (nothing of it exists yet, every rule met), else None; a
    planned row is written in a batch, any other row through ``apply``. Both must give the same records.
    """

    spec: ImportSpec

    def prepare(self, session: Session, store: Store, sheet: Sheet, options: dict[str, Any]) -> Any: ...

    def apply(self, session: Session, state: Any, values: dict[str, Any]) -> tuple:
        """Write one row; return (outcome, label) or (outcome, label, notes). Raise DomainError (with
        ``field``) to reject it; notes report what the row left alone while still going in."""
        ...


def map_columns(sheet: Sheet, spec: ImportSpec) -> dict[str, int]:
    """Field key → column index; a field's first matching column wins."""
    by_header: dict[str, Field] = {}
    for f in spec.fields:
        for h in f.headers:
            by_header.setdefault(norm_header(h), f)
    mapping: dict[str, int] = {}
    for col in sheet.columns:
        f = by_header.get(norm_header(col.header))
        if f is None:
            # "身份证号码（必填）" style headers were normalised already; try a prefix match.
            f = next((g for h, g in by_header.items() if len(h) >= 2 and norm_header(col.header).startswith(h)), None)
        if f is not None and f.key not in mapping:
            mapping[f.key] = col.index
    missing = [f.title for f in spec.fields if f.required and f.key not in mapping]
    if missing:
        raise ValidationError(f"表“{sheet.name}”缺少必填列：{'、'.join(missing)}")
    return mapping


# Codes whose region part is looked up in GB/T 2260 with its history: a code in no edition is noted, not refused.
_REGION_NOTES = (("id_number", regions.id_region_note), ("credit_code", regions.credit_region_note))


@audit.guard(audit.import_rule, lambda report: f"（{report.summary()}）")
def run_import(store: Store, handler: Handler, path: Path | str, *, commit: bool,
               options: dict[str, Any] | None = None, progress: Progress | None = None,
               cancel: threading.Event | None = None) -> ImportReport:
    """Read, check and (with ``commit``) write the sheet at ``path``; the report of every row."""
    with _collector_spared():
        return _run_import(store, handler, path, commit=commit, options=options, progress=progress, cancel=cancel)


@contextmanager
def _collector_spared() -> Iterator[None]:
    """The objects there before the import (modules, models, open windows) are left out of the cyclic garbage
    collector's passes while it runs, and handed back to it when it ends, however it ends: a full pass over
    them costs tens of milliseconds, and an import allocates enough for several. What the import itself
    makes is collected as usual, in passes of 10,000 new objects rather than 700 (the young objects of a row
    live until its batch is written: each short pass looked at them again); the objects left out are only
    looked at later, not kept."""
    threshold = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(max(threshold[0], 10_000), *threshold[1:])
    try:
        yield
    finally:
        gc.set_threshold(*threshold)
        gc.unfreeze()


def _run_import(store: Store, handler: Handler, path: Path | str, *, commit: bool,
                options: dict[str, Any] | None, progress: Progress | None,
                cancel: threading.Event | None) -> ImportReport:
    if hasattr(handler, "bind"):  # a kind whose columns depend on the data (ratings: the year's indicators)
        handler = handler.bind(store, options or {})
    spec = handler.spec
    sheet = read_sheet(path, spec.headers() + list(spec.ignored))
    mapping = map_columns(sheet, spec)
    fields = {f.key: f for f in spec.fields}
    plan_of = getattr(handler, "plan", None) if PLANS else None
    report = ImportReport(spec.kind, spec.title, str(path), sheet.name, [c.header for c in sheet.columns], [],
                          [c.index for c in sheet.columns])
    read = set(mapping.values())
    # A row of nothing but formulas without results or errors counts only where a column that is read has one.
    rows = [r for r in sheet.rows if not r.blank or (r.uncomputed | r.errors.keys()) & read]
    headers = {c.index: c.header for c in sheet.columns}
    total = len(rows)
    region_table = regions.table()  # once per sheet: the notes look every row's codes up in it
    with store.session(commit=commit) as s:
        state = handler.prepare(s, store, sheet, options or {})
        sheet.rows = []  # each row is let go once it is checked: a 100,000-row sheet is not held twice over
        pending = journal.buffer(s)  # the rows' journal, stamped and written a batch at a time
        planned = _Planned(s)
        seen: dict[tuple, int] = {}
        cells_read = _Cells()
        read_columns = [(fields[key], index) for key, index in mapping.items()]
        required = [f for f in spec.fields if f.required]
        with bulk_cache(s):
            for i in range(total):
                row, rows[i] = rows[i], None
                if cancel is not None and cancel.is_set():
                    raise Cancelled()
                if progress and i % 50 == 0:
                    progress(i, total, f"正在检查第 {row.number} 行")
                if planned.rows >= _PLANNED_BATCH:
                    planned.write()
                if len(pending) >= _JOURNAL_BATCH:
                    journal.write_buffer(s)
                result = RowResult(row.number, "rejected", values=row.values)
                values: dict[str, Any] = {}
                marked = row.uncomputed or row.errors
                width = len(row.values)
                for f, index in read_columns:
                    if marked and index in row.uncomputed:
                        result.problems.append((f.title, _uncomputed_message(row.number, headers[index])))
                        continue
                    if marked and index in row.errors:
                        result.problems.append((f.title, _error_message(row.number, headers[index],
                                                                        row.errors[index])))
                        continue
                    try:
                        values[f.key] = cells_read.value(f, row.values[index] if index < width else None)
                    except DomainError as exc:
                        result.problems.append((f.title, exc.message))
                failed = {t for t, _ in result.problems}
                for f in required:
                    if values.get(f.key) in (None, "", []) and f.title not in failed:
                        result.problems.append((f.title, f"{f.title}为空"))
                result.label = str(values.get(spec.label) or "")
                if not result.problems and "id_number" in fields:
                    try:  # a masked export coming back: the full number of the one person it means, or a refusal
                        masked_ids.resolve(s, values)
                    except DomainError as exc:
                        result.problems.append((fields["id_number"].title, exc.message))
                key = tuple([values.get(k) for k in spec.keys])
                # A row without its whole key (a firm without a credit code) cannot be said to repeat another.
                if spec.keys and not result.problems and None not in key and "" not in key:
                    if key in seen:
                        titles = "、".join(fields[k].title for k in spec.keys)
                        result.problems.append((fields[spec.keys[0]].title,
                                                f"与第 {seen[key]} 行重复（{titles}相同），未重复导入"))
                    else:
                        seen[key] = row.number
                plan = None
                if not result.problems and plan_of is not None:
                    try:
                        plan = plan_of(s, state, values)
                    except DomainError:
                        plan = None  # the services say why, with the field
                    if plan is not None and not planned.add(plan):
                        plan = None
                if plan is not None:
                    result.outcome, result.label = plan.outcome, plan.label
                    _note_regions(result, values, fields, region_table)
                elif not result.problems:
                    planned.write()  # a row through the services sees every row before it
                    savepoint, mark = s.begin_nested(), len(pending)
                    try:
                        outcome = handler.apply(s, state, values)
                        s.flush()
                        savepoint.commit()
                        result.outcome, result.label = outcome[0], outcome[1]
                        if len(outcome) > 2:
                            result.notes.extend(outcome[2])
                        _note_regions(result, values, fields, region_table)
                    except StoreError:
                        raise  # the database failed (a full disk), not the row: the whole import is undone
                    except DomainError as exc:
                        savepoint.rollback()
                        del pending[mark:]  # the rejected row's changes are not journalled either
                        key = exc.field if exc.field in mapping else spec.fallback.get(exc.field or "", exc.field)
                        column = fields[key].title if key in fields else ""
                        result.problems.append((column, exc.message))
                        result.outcome = "rejected"
                if result.outcome != "rejected":
                    result.values = ()  # only a rejected row's cells go into the error report
                report.rows.append(result)
            planned.write()
            journal.write_buffer(s, stop=True)
        if progress:
            progress(total, total, "正在写入数据库" if commit else "检查完成")
    report.committed = commit
    return report


def _note_regions(result: RowResult, values: dict[str, Any], fields: dict[str, Field], table: Any) -> None:
    for key, note_of in _REGION_NOTES:
        if key in fields and isinstance(values.get(key), str):
            note = note_of(values[key], table)
            if note:  # a real person or firm is never refused because the table is older
                result.notes.append((fields[key].title, note))


def _error_message(number: int, header: str, error: str) -> str:
    return f"第 {number} 行“{header}”列是错误值 {error}（公式出错），请在 Excel 中更正后再导入"


def _uncomputed_message(number: int, header: str) -> str:
    return f"第 {number} 行“{header}”列是公式，但文件中没有保存计算结果，请在 Excel 中打开并保存后再导入"

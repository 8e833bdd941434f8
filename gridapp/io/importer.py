"""The import pipeline shared by every kind: read, check, preview, apply in one transaction.

A dry run (the preview) is the same pipeline ending in a rollback, so its report equals the real
import's. Each row runs in a savepoint: a row that breaks a rule is rejected with its reason and
the other rows still go in; the whole file is one transaction, all or nothing.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session

from gridapp.core import regions
from gridapp.core.errors import Cancelled, DomainError, ValidationError
from gridapp.core.store import Store
from gridapp.io import masked_ids
from gridapp.io.sheet import Sheet, norm_header, read_sheet
from gridapp.io.spec import Field, ImportSpec

OUTCOMES = ("new", "updated", "unchanged", "rejected")
OUTCOME_NAMES = {"new": "新增", "updated": "更新", "unchanged": "无变化", "rejected": "未导入"}

Progress = Callable[[int, int, str], None]


@dataclass
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


class Handler(Protocol):
    """What a kind of import adds to the pipeline: its description and how one row is applied."""

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


def run_import(store: Store, handler: Handler, path: Path | str, *, commit: bool,
               options: dict[str, Any] | None = None, progress: Progress | None = None,
               cancel: threading.Event | None = None) -> ImportReport:
    if hasattr(handler, "bind"):  # a kind whose columns depend on the data (ratings: the year's indicators)
        handler = handler.bind(store, options or {})
    spec = handler.spec
    sheet = read_sheet(path, spec.headers() + list(spec.ignored))
    mapping = map_columns(sheet, spec)
    fields = {f.key: f for f in spec.fields}
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
        seen: dict[tuple, int] = {}
        for i, row in enumerate(rows):
            if cancel is not None and cancel.is_set():
                raise Cancelled()
            if progress and i % 50 == 0:
                progress(i, total, f"正在检查第 {row.number} 行")
            result = RowResult(row.number, "rejected", values=row.values)
            values: dict[str, Any] = {}
            for key, index in mapping.items():
                if index in row.uncomputed:
                    result.problems.append((fields[key].title, _uncomputed_message(row.number, headers[index])))
                    continue
                if index in row.errors:
                    result.problems.append((fields[key].title, _error_message(row.number, headers[index],
                                                                              row.errors[index])))
                    continue
                raw = row.values[index] if index < len(row.values) else None
                try:
                    values[key] = fields[key].parse(raw)
                except DomainError as exc:
                    result.problems.append((fields[key].title, exc.message))
            failed = {t for t, _ in result.problems}
            for f in spec.fields:
                if f.required and values.get(f.key) in (None, "", []) and f.title not in failed:
                    result.problems.append((f.title, f"{f.title}为空"))
            result.label = str(values.get(spec.label) or "")
            if not result.problems and "id_number" in fields:
                try:  # a masked export coming back: the full number of the one person it means, or a refusal
                    masked_ids.resolve(s, values)
                except DomainError as exc:
                    result.problems.append((fields["id_number"].title, exc.message))
            key = tuple(values.get(k) for k in spec.keys)
            # A row without its whole key (a firm without a credit code) cannot be said to repeat another.
            if spec.keys and not result.problems and all(v not in (None, "") for v in key):
                if key in seen:
                    titles = "、".join(fields[k].title for k in spec.keys)
                    result.problems.append((fields[spec.keys[0]].title,
                                            f"与第 {seen[key]} 行重复（{titles}相同），未重复导入"))
                else:
                    seen[key] = row.number
            if not result.problems:
                savepoint = s.begin_nested()
                try:
                    outcome = handler.apply(s, state, values)
                    s.flush()
                    savepoint.commit()
                    result.outcome, result.label = outcome[0], outcome[1]
                    if len(outcome) > 2:
                        result.notes.extend(outcome[2])
                    for key, note_of in _REGION_NOTES:
                        if key in fields and isinstance(values.get(key), str):
                            note = note_of(values[key], region_table)
                            if note:  # a real person or firm is never refused because the table is older
                                result.notes.append((fields[key].title, note))
                except DomainError as exc:
                    savepoint.rollback()
                    key = exc.field if exc.field in mapping else spec.fallback.get(exc.field or "", exc.field)
                    column = fields[key].title if key in fields else ""
                    result.problems.append((column, exc.message))
                    result.outcome = "rejected"
            report.rows.append(result)
        if progress:
            progress(total, total, "正在写入数据库" if commit else "检查完成")
    report.committed = commit
    return report


def _error_message(number: int, header: str, error: str) -> str:
    return f"第 {number} 行“{header}”列是错误值 {error}（公式出错），请在 Excel 中更正后再导入"


def _uncomputed_message(number: int, header: str) -> str:
    return f"第 {number} 行“{header}”列是公式，但文件中没有保存计算结果，请在 Excel 中打开并保存后再导入"

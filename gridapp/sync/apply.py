"""Importing a package: verify everything, then merge per field in one transaction (or roll back: the preview).

Order: the zip and manifest → a trusted sender's signature → addressed to this site → the payload's
size and hash → the schema → already imported? → (back up) → one transaction: records merged per field,
foreign keys checked, the package, receipts and coverage recorded → commit. Any failure rolls back all.

Merge, per field: every change of a field is kept in the journal. A change supersedes those it had seen
(stamps up to its ``prev_hlc``); of the changes nobody superseded, the one from the record's most
specific owner wins, then the newest stamp. More than one unsuperseded change is a conflict, listed
for review. The outcome depends only on the set of changes, not the order they arrived in, so every
site that has seen the same changes holds the same values. A delete and an edit made without seeing
each other (judged by ``record_hlc``) are a conflict too; the record stays deleted until restored.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from itertools import groupby
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, or_, select, update

from gridapp.core import audit, bulk, clock, fields, journal, schema
from gridapp.core.errors import Cancelled, DomainError
from gridapp.core.files import unused_name
from gridapp.core.list_sql import Dialect
from gridapp.core.models import ChangeJournal, Site, SyncConflict, SyncCoverage, SyncPackage, SyncReceipt
from gridapp.core.models.base import utcnow
from gridapp.core.packing import Packer, Unpacker
from gridapp.core.paths import backups_dir
from gridapp.core.store import Store, backup_database
from gridapp.sync import identity, package, records
from gridapp.sync.package import PackageError

Progress = Callable[[int, int, str], None]
OUTCOMES = ("new", "updated", "unchanged", "deleted", "conflict", "rejected")
OUTCOME_NAMES = {"new": "新增", "updated": "更新", "unchanged": "无变化", "deleted": "删除", "conflict": "冲突",
                 "rejected": "超出范围未导入"}
SKEW_MS = 24 * 3600 * 1000
CHUNK = 1000  # record lines merged together: read in a few queries, written with executemany
IN_LIMIT = 900
PASSED_LIMIT = 50_000
# Named index: statistics taken while the journal was nearly empty (a new site) would have SQLite scan it whole.
_JOURNAL = ("SELECT record_id, origin_site, seq, hlc, prev_hlc, record_hlc, op, field, new_value, packed "
            f"FROM change_journal{Dialect.by_index('ix_change_journal_record_field')} WHERE record_id IN ")


@dataclass
class SyncReport:
    file: str
    package_id: str
    sender: str
    sender_name: str
    number: int
    full: bool
    created_at: str
    tables: dict[str, Counter] = field(default_factory=dict)
    rejected: list[tuple[str, str, str]] = field(default_factory=list)  # table, record id, reason
    warnings: list[str] = field(default_factory=list)
    already: bool = False
    committed: bool = False
    backup_path: str | None = None

    def count(self, table: str, outcome: str) -> None:
        counter = self.tables.get(table)
        if counter is None:
            counter = self.tables[table] = Counter()
        counter[outcome] += 1

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for c in self.tables.values():
            for k, v in c.items():
                out[k] += v
        return out

    def summary(self) -> str:
        if self.already:
            return f"该数据包（{self.sender_name}第 {self.number} 号）此前已导入，本次没有任何改动"
        t = self.totals()
        return "，".join(f"{OUTCOME_NAMES[k]} {t[k]} 条" for k in OUTCOMES)


def verify(store: Store, path: Path | str) -> tuple[package.Opened, identity.Peer]:
    """Everything that can be checked before a byte is written; raises PackageError with the reason."""
    opened = package.open_package(path)
    m = opened.manifest
    name = opened.path.name
    if m.get("format") != package.FORMAT:
        raise PackageError(f"{name} 的格式版本 {m.get('format')} 不受支持（由 gridapp {m.get('app_version', '?')} 制作），"
                           "请升级本程序")
    try:
        sender, recipient = m["sender"]["code"], m["recipient"]["code"]
    except (KeyError, TypeError):
        raise PackageError(f"{name} 的清单不完整") from None
    site = store.site
    if site is None or recipient != site.code:
        raise PackageError(f"{name} 是发给“{m['recipient'].get('name', recipient)}”（{recipient}）的，不是本站点"
                           f"（{site.name if site else '未建立'}），请勿导入到这台电脑")
    try:
        peer = identity.peer(store, sender)
    except Exception:
        raise PackageError(f"{name} 来自未信任的站点“{m['sender'].get('name', sender)}”（{sender}）："
                           "请先导入对方的身份文件并核对指纹") from None
    package.verify_signature(opened, peer.sign_public)
    package.verify_payload(opened)
    revision = m.get("schema_revision")
    if revision not in schema.REVISIONS:
        if schema.is_newer(revision):
            raise PackageError(f"{name} 由更新版本的 gridapp（{m.get('app_version', '?')}，数据库版本 {revision}）制作，"
                               f"请先把本程序升级到 {m.get('app_version', '该版本')} 或更高版本再导入")
        raise PackageError(f"{name} 的数据库版本“{revision}”是未知版本（本程序认识 {schema.REVISIONS[0]}–"
                           f"{schema.SCHEMA_HEAD}），不是任何版本的 gridapp 制作的，未导入")
    return opened, peer


@audit.guard(lambda _s, path, *, commit, **_k: ("sync", "sync_import",
                                                f"{'导入' if commit else '预览'}数据包 {Path(path).name}"),
             lambda r: f"：{r.summary()}")
def import_package(store: Store, path: Path | str, *, commit: bool, progress: Progress | None = None,
                   cancel: threading.Event | None = None, backup: bool = True) -> SyncReport:
    """Verify, preview (``commit=False``: the same pipeline, rolled back) or apply a package."""
    opened, peer = verify(store, path)
    m = opened.manifest
    report = SyncReport(str(opened.path), m["package_id"], peer.code, peer.name, int(m.get("number") or 0),
                        bool(m.get("full")), str(m.get("created_at", "")))
    with store.read() as s:
        if s.get(SyncPackage, m["package_id"]) is not None:
            report.already = True
            return report
        enc_private = identity.self_row(s).enc_private
    if commit and backup:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        report.backup_path = str(backup_database(
            store.path, unused_name(backups_dir(store.path) / f"{store.path.stem}-数据交换前-{stamp}.sqlite")))
    total = int(m.get("records") or 0)
    with store.session(commit=commit) as s:
        conn = s.connection()
        conn.exec_driver_sql("PRAGMA defer_foreign_keys = ON")
        dangling_before = len(conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall())
        merger = _Merger(conn, store.site.code, peer.code, report)
        for n, rec in enumerate(package.records(opened, enc_private, store.site.code)):
            if cancel is not None and n % 200 == 0 and cancel.is_set():
                raise Cancelled()
            if progress and n % 200 == 0:
                progress(n, total, f"正在{'导入' if commit else '检查'}第 {n + 1} / {total} 条记录")
            merger.feed(rec)
        merger.finish()
        dangling = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if len(dangling) > dangling_before:
            table, _rowid, parent, _fk = dangling[-1]
            raise PackageError(f"导入后有 {len(dangling) - dangling_before} 条记录引用了本机没有的记录"
                               f"（{table} → {parent}），数据包已拒绝，数据库保持原样。请让对方导出全量包")
        _bookkeeping(s, conn, m, peer.code, report, opened, merger.max_hlc)
        if progress:
            progress(total, total, "正在写入数据库" if commit else "检查完成")
    report.committed = commit
    return report


def _bookkeeping(s, conn, m: dict, peer: str, report: SyncReport, opened, max_hlc: str | None) -> None:
    """Receipts, coverage, the clock and the package itself, in the same transaction."""
    me = identity.self_row(s)
    last = s.execute(select(func.max(SyncPackage.number)).where(SyncPackage.peer_code == peer,
                                                                SyncPackage.direction == "in")).scalar() or 0
    if report.number >= last:  # an older package arriving late does not turn receipts back
        for origin, seq in (m.get("have") or {}).items():
            row = s.get(SyncReceipt, (peer, origin))
            if row is None:
                s.add(SyncReceipt(peer_code=peer, origin_site=origin, seq=int(seq)))
            else:
                row.seq = int(seq)
    for origin, (start, end) in (m.get("coverage") or {}).items():
        if origin == me.code:
            continue
        row = s.get(SyncCoverage, origin)
        held = row.seq if row else 0
        if int(start) <= held and int(end) > held:  # contiguous with what is held: extend
            if row is None:
                s.add(SyncCoverage(origin_site=origin, seq=int(end)))
            else:
                row.seq = int(end)
    if max_hlc and (me.hlc_last or "") < max_hlc:
        ms, _c, _site = clock.parse(max_hlc)
        now = int(dt.datetime.now(dt.UTC).timestamp() * 1000)
        if ms > now + SKEW_MS:
            report.warnings.append(f"数据包中有变更的时间比本机时钟晚 {(ms - now) // 86400000} 天，"
                                   "请检查对方或本机电脑的日期设置（数据仍可正常合并）")
        me.hlc_last = clock.make(ms, clock.parse(max_hlc)[1], me.code)
    s.add(SyncPackage(id=m["package_id"], direction="in", peer_code=peer, number=report.number,
                      full=report.full, file_name=opened.path.name, sha256=opened.sha256,
                      created_at=dt.datetime.fromisoformat(m["created_at"]),
                      summary=json.dumps({"totals": report.totals(), "tables": {t: dict(c) for t, c in
                                                                                report.tables.items()}},
                                         ensure_ascii=False)))
    s.flush()


@dataclass
class _Change:
    origin: str
    seq: int
    hlc: str
    prev: str | None
    record_hlc: str | None
    op: str
    field: str
    value: str | None
    at: str | None = None
    actor: str | None = None

    def fields(self) -> list[_Change]:
        """This change field by field (a new record's packed row stands for a change of each of its fields)."""
        if self.field != journal.PACKED:
            return [self]
        return [_Change(self.origin, self.seq, self.hlc, None, self.record_hlc, self.op, f, v, self.at, self.actor)
                for f, v in journal.fields_of(self.field, self.value)]


def _by_field(changes: list[_Change]) -> list[_Change]:
    return [f for c in changes for f in c.fields()]


class _Merger:
    """Merges the package's record lines a chunk at a time: the chunk's local rows, journal and conflicts are
    read in a few queries, each line is merged in Python as if alone, and the chunk's writes go out with
    executemany, in the order the lines asked for them. A chunk never holds a record twice (it ends before
    the repeat), so what was read stands for the database as each line sees it."""

    def __init__(self, conn, me: str, sender: str, report: SyncReport):
        self.conn, self.me, self.sender, self.report = conn, me, sender, report
        self.max_hlc: str | None = None
        self._lines: list[dict[str, Any]] = []
        self._rows: dict[tuple[str, str], dict[str, Any]] = {}  # (table, id) → the row as SELECT * reads it
        self._journal: dict[str, list[_Change]] = {}  # record id → its journal rows here
        self._ids: list[str] = []
        self._lost: set[tuple[str, str, str]] | None = None  # (record, field, lost stamp) of conflicts held
        self._codes: dict[str, set[str]] | None = None  # org_unit code → ids
        self._stale = False  # the database changed under the chunk's reads: end the chunk here
        self._writes: list[tuple[tuple, dict[str, Any]]] = []  # (statement, its parameters), in order
        self._journal_rows: list[dict[str, Any]] = []
        self._conflict_rows: list[dict[str, Any]] = []
        self._passed: set[tuple] = set()  # values that met their rule (repeated values are checked once)

    def feed(self, rec: dict[str, Any]) -> None:
        self._lines.append(rec)
        if len(self._lines) >= CHUNK:
            self._chunk()

    def finish(self) -> None:
        while self._lines:
            self._chunk()

    # -- a chunk: read, merge, write ---------------------------------------------------------------------------------
    def _chunk(self) -> None:
        seen: set[str] = set()
        lines = []
        for rec in self._lines[:CHUNK]:
            rid = rec.get("id")
            if rid is not None and not isinstance(rid, str):
                raise PackageError("数据包中有无法识别的内容，请升级本程序后再导入")
            if rid in seen:
                break
            if rid:
                seen.add(rid)
            lines.append(rec)
        self._load(lines)
        done = 0
        for rec in lines:
            done += 1
            self.record(rec)
            if self._stale:
                break
        self._write()
        del self._lines[:done]

    def _load(self, lines: list[dict[str, Any]]) -> None:
        tables = records.tables()
        by_table: dict[str, list[str]] = {}
        for rec in lines:
            if rec.get("t") in tables and rec.get("id") and rec.get("s"):
                by_table.setdefault(rec["t"], []).append(rec["id"])
        self._rows, self._journal, self._lost, self._stale = {}, {}, None, False
        self._ids = [rid for ids in by_table.values() for rid in ids]
        for table, ids in by_table.items():
            for part in _parts(ids):
                for row in self.conn.exec_driver_sql(f"SELECT * FROM {table} WHERE id IN {_marks(part)}",
                                                     tuple(part)).mappings():
                    self._rows[(table, row["id"])] = dict(row)
        unpacker = Unpacker(self.conn)
        for part in _parts(self._ids):
            for rid, *values, value, packed in self.conn.exec_driver_sql(_JOURNAL + _marks(part), tuple(part)):
                self._journal.setdefault(rid, []).append(_Change(*values, unpacker.text(value, packed)))
        if "org_unit" in by_table and self._codes is None:
            self._codes = {}
            for rid, code in self.conn.exec_driver_sql("SELECT id, code FROM org_unit"):
                self._codes.setdefault(code, set()).add(rid)

    def _write(self) -> None:
        if self._journal_rows:
            Packer(self.conn).compact(self._journal_rows)
            self._executemany(ChangeJournal.__table__, "insert", self._journal_rows)
        if self._conflict_rows:
            self._executemany(SyncConflict.__table__, "insert", self._conflict_rows)
        for (kind, table, _keys), group in groupby(self._writes, key=lambda w: w[0]):
            self._executemany(records.tables()[table], kind, [params for _key, params in group])
        self._writes, self._journal_rows, self._conflict_rows = [], [], []

    def _executemany(self, table: Table, kind: str, rows: list[dict[str, Any]]) -> None:
        """Rows of one shape written with one statement; values stored as SQLAlchemy would store them."""
        bulk.write_many(self.conn, table, rows, is_update=kind != "insert")

    # -- one record line ------------------------------------------------------------------------------------------
    def record(self, rec: dict[str, Any]) -> None:
        t = rec.get("t")
        if t not in records.tables():
            raise PackageError(f"数据包含有本程序不认识的数据类别“{t}”，请升级本程序后再导入")
        scope, rid = rec.get("s") or "", rec.get("id")
        if not rid or not scope:
            self._reject(t, rid or "", "记录缺少编号或所属范围")
            return
        # Records outside this site's scope may come as context (a firm of another street serving a
        # compound here); who may change a record is checked per change below.
        if rec.get("k") == "b":
            self._base(t, rid, scope, rec.get("v") or {})
        elif rec.get("k") == "r":
            self._changes(t, rid, scope, rec.get("c") or [])
        else:
            raise PackageError("数据包中有无法识别的内容，请升级本程序后再导入")

    def _reject(self, table: str, rid: str, reason: str) -> None:
        self.report.count(table, "rejected")
        if len(self.report.rejected) < 1000:
            self.report.rejected.append((table, rid, reason))

    def _within_rules(self, table: str, rid: str, values: dict[str, Any]) -> bool:
        """The field rules a form or an import applies, applied to what a package brings (a signed package
        of a trusted site may still carry what an older or altered program let in): else the record is
        rejected, naming the field, and nothing of it is written."""
        checked, passed = _rules(table), self._passed
        for name, value in values.items():
            rule = checked.get(name)
            if value is None or rule is None:
                continue
            key = (table, name, type(value), value)
            if key in passed:  # a rule's verdict depends on the value alone
                continue
            try:
                rule.check(value)
            except DomainError as exc:
                self._reject(table, rid, exc.message)
                return False
            if len(passed) >= PASSED_LIMIT:
                passed.clear()
            passed.add(key)
        return True

    def _row(self, table: str, rid: str) -> dict[str, Any] | None:
        return self._rows.get((table, rid))

    def _check_fields(self, table: str, names) -> None:
        unknown = set(names) - set(records.fields(table))
        if unknown:
            raise PackageError(f"数据包中“{table}”有本程序不认识的字段 {'、'.join(sorted(unknown))}，请升级本程序后再导入")

    # -- a full export's record --------------------------------------------------------------------------------------
    def _base(self, table: str, rid: str, scope: str, values: dict[str, str | None]) -> None:
        self._check_fields(table, values)
        if not records.related(scope, self.sender):
            self._reject(table, rid, f"记录超出发送站点（{self.sender}）的范围")
            return
        decoded = {f: records.decode(table, f, v) for f, v in values.items()}
        local = self._row(table, rid)
        if local is None:
            self._insert(table, rid, decoded, self.sender, scope)
            return
        stamped = {f for c in self._journal.get(rid, ()) for f, _v in journal.fields_of(c.field, c.value)}
        # Values no change ever stamped: the more specific owner's copy stands (this site's own records stay).
        if records.owner_rank(self.sender, scope) <= records.owner_rank(self.me, scope):
            self.report.count(table, "unchanged")
            return
        changes = {f: v for f, v in decoded.items() if f not in stamped and local.get(f) != v}
        self._update(table, rid, local, changes, self.sender)

    # -- changes from the journal ------------------------------------------------------------------------------------
    def _changes(self, table: str, rid: str, scope: str, rows: list[list]) -> None:
        incoming: list[_Change] = []
        for r in rows:
            c = _Change(str(r[0]), int(r[1]), str(r[2]), r[3], r[4], str(r[5]), str(r[6]), r[7], r[8], r[9])
            if not (c.origin == self.sender or records.related(c.origin, self.sender)):
                self._reject(table, rid, f"变更来源（{c.origin}）不在发送站点（{self.sender}）的上下级之内")
                return
            if not scope.startswith(c.origin):
                self._reject(table, rid, f"来源站点（{c.origin}）无权修改范围 {scope} 内的记录")
                return
            incoming.append(c)
            self.max_hlc = max(self.max_hlc or "", c.hlc)
        self._check_fields(table, {c.field for c in _by_field(incoming)})
        # The record's whole journal here, read with the chunk: what is held, each field's changes, deletes, edits.
        here = self._journal.get(rid, [])
        held = {(c.origin, c.seq) for c in here}
        arrived = [c for c in incoming if (c.origin, c.seq) not in held]  # as they are journalled
        if not arrived:
            self.report.count(table, "unchanged")
            return
        held_fields, new = _by_field(here), _by_field(arrived)
        local = self._row(table, rid)
        winners: dict[str, _Change] = {}
        conflicts: list[tuple[_Change, _Change]] = []
        for f in {c.field for c in new}:
            candidates = [c for c in held_fields if c.field == f] + [c for c in new if c.field == f]
            frontier = [c for c in candidates if not any(e is not c and e.prev and e.prev >= c.hlc for e in candidates)]
            win = max(frontier, key=lambda c: (records.owner_rank(c.origin, scope), c.hlc, c.origin))
            winners[f] = win
            conflicts += [(win, lost) for lost in frontier if lost is not win]
        values: dict[str, Any] = {}
        for f, win in winners.items():
            try:
                values[f] = records.decode(table, f, win.value)
            except records.NoValue:
                continue  # an older photo that the newer change replaces
        if local is None:
            missing = records.required(table) - {f for f, v in values.items() if v is not None}
            if missing:  # nothing is written, so a later full package can still bring it
                self._reject(table, rid, f"本机没有该记录，数据包也不含它的完整内容（缺 {'、'.join(sorted(missing))}），"
                                         "请让对方导出全量包")
                return
        conflicts += self._delete_edit(held_fields, new)
        for c in arrived:  # every change is kept, winner or not: it is forwarded and counted as held
            self._journal_rows.append(dict(
                origin_site=c.origin, seq=c.seq, hlc=c.hlc, prev_hlc=c.prev, record_hlc=c.record_hlc,
                at=dt.datetime.fromisoformat(c.at) if c.at else utcnow(), actor=c.actor, op=c.op, table_name=table,
                record_id=rid, field=c.field, new_value=c.value,
                old_value=records.encode(local.get(c.field)) if local and c.field != journal.PACKED else None))
        recorded = self._conflicts(table, rid, conflicts)
        origin = max(winners.values(), key=lambda c: c.hlc).origin
        if local is None:
            self._insert(table, rid, values, origin, scope, conflict=recorded)
        else:
            self._update(table, rid, local, {f: v for f, v in values.items() if local.get(f) != v}, origin,
                         conflict=recorded)

    @staticmethod
    def _delete_edit(held: list[_Change], new: list[_Change]) -> list[tuple[_Change, _Change]]:
        """A delete and an edit of the same record that did not see each other."""
        out = []
        everything = held + new
        deletes = [c for c in everything if c.field == "deleted_at" and c.value is not None]
        edits = [c for c in everything if c.field not in ("deleted_at",) and c.op == "update"]
        fresh = {(c.origin, c.seq) for c in new}
        for d in deletes:
            for e in edits:
                if e.origin == d.origin or ((d.origin, d.seq) not in fresh and (e.origin, e.seq) not in fresh):
                    continue
                unseen_by_d = e.hlc > (d.record_hlc or "")
                unseen_by_e = d.hlc > (e.record_hlc or "")
                if unseen_by_d and unseen_by_e:
                    out.append((d, e))
        return out

    def _conflicts(self, table: str, rid: str, pairs: list[tuple[_Change, _Change]]) -> bool:
        recorded = False
        if pairs and self._lost is None:
            self._lost = set()
            for part in _parts(self._ids):
                self._lost.update(tuple(r) for r in self.conn.execute(select(
                    SyncConflict.record_id, SyncConflict.field, SyncConflict.lost_hlc).where(
                    SyncConflict.record_id.in_(part))).all())
        for kept, lost in pairs:
            key = (rid, lost.field, lost.hlc)
            if key in self._lost:
                continue
            self._lost.add(key)
            self._conflict_rows.append(dict(
                table_name=table, record_id=rid, field=lost.field, kept_value=kept.value, kept_origin=kept.origin,
                kept_hlc=kept.hlc, lost_value=lost.value, lost_origin=lost.origin, lost_hlc=lost.hlc,
                package_id=self.report.package_id, detected_at=utcnow()))
            recorded = True
        return recorded

    # -- writing ------------------------------------------------------------------------------------------------------
    def _insert(self, table: str, rid: str, values: dict[str, Any], origin: str, scope: str, *,
                conflict: bool = False) -> None:
        missing = records.required(table) - {f for f, v in values.items() if v is not None}
        if missing:
            self._reject(table, rid, f"本机没有该记录，数据包也不含它的完整内容（缺 {'、'.join(sorted(missing))}），"
                                     "请让对方导出全量包")
            return
        if table == "org_unit" and values.get("code") and not self._same_unit(rid, values["code"]):
            self._reject(table, rid, f"本机已有编码为 {values['code']} 的另一条组织单位记录。新站点请先导入上级导出的全量包，"
                                     "再录入数据")
            return
        if not self._within_rules(table, rid, values):
            return
        now = utcnow()
        values = dict(values, scope_code=values.get("scope_code") or scope)
        # Every column a default can stand for is given: the table's inserts take few shapes.
        row = {**_insert_defaults(table), **values, "id": rid, "created_at": now, "updated_at": now,
               "changed_by_site": origin}
        self._writes.append((("insert", table, frozenset(row)), row))
        if table == "org_unit" and self._codes is not None and values.get("code"):
            self._codes.setdefault(values["code"], set()).add(rid)
        self.report.count(table, "conflict" if conflict else "deleted" if values.get("deleted_at") else "new")

    def _same_unit(self, rid: str, code: str) -> bool:
        """No other unit has this code here, or the other is this new site's own unit, made at ``init``
        before the upper level's copy arrived: then the upper level's record takes its place."""
        others = sorted((self._codes or {}).get(code, set()) - {rid})
        if not others:
            return True
        other = others[0]
        own = self.conn.execute(select(Site.org_unit_id).where(Site.is_self.is_(True))).scalar()
        if other != own or not self.me.startswith(self.sender) or self.sender == self.me:
            return False
        self._write()  # what the lines before asked for, then the rewrite, as they came
        for t in records.tables().values():  # everything that pointed at the provisional unit follows
            for col in t.columns:
                if any(fk.column.table.name == "org_unit" for fk in col.foreign_keys):
                    self.conn.execute(update(t).where(col == other).values({col.name: rid}))
        self.conn.execute(update(Site).where(Site.org_unit_id == other).values(org_unit_id=rid))
        old_json, new_json = json.dumps(other), json.dumps(rid)
        for column in (ChangeJournal.new_value, ChangeJournal.old_value):
            self.conn.execute(update(ChangeJournal).where(column == old_json).values({column.key: new_json}))
        unpacker = Unpacker(self.conn)
        for jid, value, stored in self.conn.execute(
                select(ChangeJournal.id, ChangeJournal.new_value, ChangeJournal.packed).where(
                    ChangeJournal.field == journal.PACKED,
                    or_(ChangeJournal.new_value.contains(old_json), ChangeJournal.packed.is_not(None)))).all():
            value = unpacker.text(value, stored)
            if old_json not in value:
                continue
            packed = {f: rid if v == other else v for f, v in json.loads(value).items()}
            self.conn.execute(update(ChangeJournal).where(ChangeJournal.id == jid)
                              .values(new_value=journal.pack(packed), packed=None))
        self.conn.execute(ChangeJournal.__table__.delete().where(ChangeJournal.record_id == other))
        self.conn.execute(records.tables()["org_unit"].delete().where(records.tables()["org_unit"].c.id == other))
        self._codes = None  # read again with the next chunk, which starts after this line: the rest was read before
        self._stale = True
        return True

    def _update(self, table: str, rid: str, local: dict[str, Any], changes: dict[str, Any], origin: str, *,
                conflict: bool = False) -> None:
        if changes and not self._within_rules(table, rid, changes):
            return
        if changes:
            row = dict(changes, updated_at=utcnow(), changed_by_site=origin, **{bulk.KEY: rid})
            self._writes.append((("update", table, frozenset(row)), row))
            if table == "org_unit" and "code" in changes and self._codes is not None:
                self._codes.get(local.get("code"), set()).discard(rid)
                if changes["code"]:
                    self._codes.setdefault(changes["code"], set()).add(rid)
        if conflict:
            outcome = "conflict"
        elif not changes:
            outcome = "unchanged"
        elif changes.get("deleted_at") is not None and local.get("deleted_at") is None:
            outcome = "deleted"
        else:
            outcome = "updated"
        self.report.count(table, outcome)


def _parts(ids: list[str]) -> list[list[str]]:
    """``ids`` cut to lists an ``IN (...)`` takes on any SQLite (999 variables before 3.32)."""
    return [ids[n : n + IN_LIMIT] for n in range(0, len(ids), IN_LIMIT)]


@cache
def _rules(table: str) -> dict[str, fields.Rule]:
    """Column → its rule, for the columns whose values a rule checks."""
    out = {c.name: fields.rule(c) for c in records.tables()[table].columns}
    return {name: rule for name, rule in out.items() if rule.kind != "other"}


def _marks(values: list) -> str:
    return f"({', '.join('?' * len(values))})"


@cache
def _insert_defaults(table: str) -> dict[str, Any]:
    """What an insert that leaves a column out writes there: NULL, or the column's plain default. Columns
    whose default is computed or kept by SQLite stay out unless given."""
    out = {}
    for col in records.tables()[table].columns:
        if col.server_default is not None:
            continue
        if col.default is None:
            out[col.name] = None
        elif col.default.is_scalar:
            out[col.name] = col.default.arg
    return out

"""Making a package for a trusted peer: every change it has not confirmed, or everything (a full export).

Changes go grouped by record with their origin, sequence number and stamps untouched, so a street
forwards its communities' changes to the district as they were made. Only records that concern the
recipient travel (its subtree, and the levels above it). Rows stream from SQLite into the sealed payload.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import LargeBinary, func, select, text

from gridapp import __version__
from gridapp.core import audit, journal, labels, schema
from gridapp.core.errors import Cancelled, ValidationError
from gridapp.core.files import check_target, os_error_message
from gridapp.core.list_sql import Dialect
from gridapp.core.models import SyncCoverage, SyncPackage, SyncReceipt
from gridapp.core.models.base import utcnow
from gridapp.core.packing import Unpacker
from gridapp.core.store import Store
from gridapp.sync import identity, package, records

Progress = Callable[[int, int, str], None]


@dataclass
class ExportResult:
    path: Path
    package_id: str
    number: int
    full: bool
    records: int = 0
    changes: int = 0
    counts: dict[str, int] = field(default_factory=dict)  # records per table


def have(s) -> dict[str, int]:
    """What this site holds: its own changes up to its journal sequence, others' up to its coverage."""
    me = identity.self_row(s)
    out = {c.origin_site: c.seq for c in s.execute(select(SyncCoverage)).scalars()}
    out[me.code] = me.journal_seq or 0
    return out


def _blob_now(conn, table: str, field_name: str, record_id: str) -> str | None:
    value = conn.execute(text(f"SELECT {field_name} FROM {table} WHERE id = :i"), {"i": record_id}).scalar()
    return records.encode(value)


def _package_path(out: Path, name: str) -> Path:
    """``out`` itself when it names a package file, else the package named ``name`` inside the folder ``out``
    (made if it is missing, when the folder above it exists: a stick's 交换 folder, not a mistyped tree)."""
    out = out.expanduser()
    if out.suffix.lower() == package.SUFFIX and not out.is_dir():
        return check_target(out)
    if not out.is_dir():
        if out.exists():
            raise ValidationError(f"{out} 已存在且不是文件夹；数据包文件名应以 {package.SUFFIX} 结尾")
        if not out.parent.is_dir():
            raise ValidationError(f"文件夹不存在：{out.parent}（请先插好 U 盘或建好文件夹）")
        try:
            out.mkdir()
        except OSError as exc:
            raise ValidationError(os_error_message(exc, out)) from None
    return check_target(out / name)


@audit.guard(lambda _s, to, out, *, full=False, **_k: ("sync", "sync_export",
                                                      f"为站点 {to} 导出{'全量' if full else ''}数据包到 {Path(out)}"),
             lambda r: f"：第 {r.number} 号，{r.records} 条记录，{r.changes} 项变更，{r.path.name}")
def export_package(store: Store, to: str, out: Path | str, *, full: bool = False, progress: Progress | None = None,
                   cancel: threading.Event | None = None, today: dt.date | None = None) -> ExportResult:
    """Write a package for peer ``to`` at ``out`` (a file, or a folder to name it in)."""
    peer = identity.peer(store, to)
    with store.session() as s:
        me = identity.self_row(s)
        me_code, me_name, me_level, sign_private = me.code, me.name, me.level, me.sign_private
        number = 1 + (s.execute(select(func.max(SyncPackage.number)).where(
            SyncPackage.peer_code == peer.code, SyncPackage.direction == "out")).scalar() or 0)
        receipts = {} if full else dict(s.execute(select(SyncReceipt.origin_site, SyncReceipt.seq).where(
            SyncReceipt.peer_code == peer.code)).all())
        holding = have(s)  # (a site made before keys existed gets them in this session)
    package_id = str(uuid.uuid4())
    today = today or dt.date.today()
    period = f"{today:%Y-%m}"
    path = _package_path(Path(out), package.file_name(me_name, peer.name, period, number, full))
    writer = package.PayloadWriter(package_id, me_code, peer.code, peer.enc_public)
    result = ExportResult(path, package_id, number, full)
    sent_to: dict[str, int] = {}
    refs = References()
    try:
        with store.engine.connect() as conn:
            names = list(records.tables())
            total = len(names) * (2 if full else 1)
            step = 0
            if full:
                for t in names:
                    step += 1
                    if progress:
                        progress(step, total, f"正在导出全部{labels.TABLES.get(t, t)}")
                    _snapshot(conn, t, peer.code, writer, result, cancel, refs)
            for t in names:
                step += 1
                if progress:
                    progress(step, total, f"正在导出{labels.TABLES.get(t, t)}的变更")
                _changes(conn, t, peer.code, receipts, writer, result, sent_to, cancel, refs)
            refs.write(conn, peer.code, writer, result)
        sealed = writer.finish()
    except BaseException:
        writer.discard()
        raise
    # Claimed only as far as this site holds every change without a gap.
    coverage = {o: [receipts.get(o, 0), holding.get(o, 0)] for o in set(holding) | set(sent_to)}
    manifest = {
        "kind": package.KIND, "format": package.FORMAT, "package_id": package_id,
        "created_at": utcnow().isoformat(), "app_version": __version__, "schema_revision": schema.SCHEMA_HEAD,
        "sender": {"code": me_code, "name": me_name, "level": me_level},
        "recipient": {"code": peer.code, "name": peer.name}, "number": number, "period": period, "full": full,
        "counts": result.counts, "records": result.records, "changes": result.changes,
        "coverage": coverage, "have": holding,
    }
    if cancel is not None and cancel.is_set():
        writer.discard()
        raise Cancelled()
    package.write_package(path, manifest, writer, sealed, sign_private)
    with store.session() as s:
        s.add(SyncPackage(id=package_id, direction="out", peer_code=peer.code, number=number, full=full,
                          file_name=path.name, sha256=package.open_package(path).sha256,
                          created_at=dt.datetime.fromisoformat(manifest["created_at"]),
                          summary=json.dumps({"counts": result.counts, "records": result.records,
                                              "changes": result.changes}, ensure_ascii=False)))
    return result


_RELATED = "r.scope_code IS NOT NULL AND (r.scope_code LIKE :p || '%' OR :p LIKE r.scope_code || '%')"


class References:
    """Records that sent records point at (a firm of another street serving a compound here, the
    community leading a firm): they travel too, as they are, so nothing arrives pointing at nothing."""

    def __init__(self):
        self.wanted: dict[str, set[str]] = {}
        self.sent: set[str] = set()

    def note(self, table: str, values: dict[str, object]) -> None:
        for col, target in records.references(table).items():
            value = values.get(col)
            if isinstance(value, str) and value:
                self.wanted.setdefault(target, set()).add(value)

    def write(self, conn, peer: str, writer, result: ExportResult) -> None:
        for _round in range(10):  # a chain of references is short (firm → community → street → …)
            pending, self.wanted = self.wanted, {}
            if not pending:
                return
            for table in records.tables():
                ids = sorted(pending.get(table, set()) - self.sent)
                cols = records.fields(table)
                for start in range(0, len(ids), 500):
                    chunk = ids[start : start + 500]
                    marks = ", ".join(f":i{n}" for n in range(len(chunk)))
                    rows = conn.execute(text(
                        f"SELECT r.id, r.scope_code, {', '.join('r.' + c for c in cols)} FROM {table} r "
                        f"WHERE r.id IN ({marks}) AND NOT ({_RELATED})"),
                        {"p": peer, **{f"i{n}": v for n, v in enumerate(chunk)}})
                    for row in rows:
                        values = dict(zip(cols, row[2:], strict=True))
                        writer.write({"k": "b", "t": table, "id": row[0], "s": row[1],
                                      "v": {c: records.encode(v) for c, v in values.items() if v is not None}})
                        result.records += 1
                        result.counts[table] = result.counts.get(table, 0) + 1
                        self.note(table, values)
                self.sent.update(ids)


def _snapshot(conn, table: str, peer: str, writer, result: ExportResult, cancel, refs: References) -> None:
    """Every record of ``table`` that concerns the peer, as it is now (a full export)."""
    cols = records.fields(table)
    rows = conn.execution_options(yield_per=2000).execute(
        text(f"SELECT r.id, r.scope_code, {', '.join('r.' + c for c in cols)} FROM {table} r WHERE {_RELATED} "
             "ORDER BY r.rowid"), {"p": peer})
    for n, row in enumerate(rows):
        if cancel is not None and n % 2000 == 0 and cancel.is_set():
            raise Cancelled()
        values = dict(zip(cols, row[2:], strict=True))
        writer.write({"k": "b", "t": table, "id": row[0], "s": row[1],
                      "v": {c: records.encode(v) for c, v in values.items() if v is not None}})
        refs.note(table, values)
        result.records += 1
        result.counts[table] = result.counts.get(table, 0) + 1


def _changes(conn, table: str, peer: str, receipts: dict[str, int], writer, result: ExportResult,
             sent_to: dict[str, int], cancel, refs: References) -> None:
    """The journal rows of ``table`` the peer has not confirmed, one line per record."""
    blob_fields = sorted(c.name for c in records.tables()[table].columns if isinstance(c.type, LargeBinary))
    # Only a photo's row needs the newest stamp of its field (to send the bytes once); other rows read nothing more.
    # The index is named: with statistics of a nearly empty journal SQLite would walk the whole hlc index per row.
    newest = (f"CASE WHEN j.field IN ({', '.join(repr(f) for f in blob_fields)}) THEN (SELECT max(j2.hlc) "
              f"FROM change_journal j2{Dialect.by_index('ix_change_journal_record_field')} "
              "WHERE j2.record_id = j.record_id AND j2.field = j.field) END"
              if blob_fields else "NULL")
    rows = conn.execution_options(yield_per=2000).execute(text(
        "SELECT j.record_id, r.scope_code, j.origin_site, j.seq, j.hlc, j.prev_hlc, j.record_hlc, j.op, j.field, "
        f"j.new_value, j.packed, j.at, j.actor, {newest} AS newest "
        f"FROM change_journal j JOIN {table} r ON r.id = j.record_id "
        "LEFT JOIN sync_receipt rc ON rc.peer_code = :p AND rc.origin_site = j.origin_site "
        f"WHERE j.table_name = :t AND j.seq > coalesce(rc.seq, 0) AND {_RELATED} ORDER BY j.record_id, j.hlc"),
        {"p": peer, "t": table})
    current: dict | None = None
    unpacker = Unpacker(conn)
    for n, row in enumerate(rows):
        if cancel is not None and n % 2000 == 0 and cancel.is_set():
            raise Cancelled()
        rid, scope, origin, seq, hlc, prev, rhlc, op, fld, value, stored, at, actor, newest = row
        if origin in receipts and seq <= receipts[origin]:
            continue
        value = unpacker.text(value, stored)  # packages carry the plain JSON
        if fld in blob_fields and value is not None:
            # The journal keeps a photo's hash; the newest one travels with its bytes.
            value = _blob_now(conn, table, fld, rid) if hlc == newest else value
        if current is None or current["id"] != rid:
            if current is not None:
                writer.write(current)
            current = {"k": "r", "t": table, "id": rid, "s": scope, "c": []}
            result.records += 1
            result.counts[table] = result.counts.get(table, 0) + 1
        at_text = at.isoformat() if isinstance(at, dt.datetime) else at
        current["c"].append([origin, seq, hlc, prev, rhlc, op, fld, value, at_text, actor])
        if fld == journal.PACKED:
            refs.note(table, {f: v for f, v in json.loads(value).items() if f in records.references(table) and v})
        elif fld in records.references(table) and value:
            refs.note(table, {fld: json.loads(value)})
        result.changes += 1
        sent_to[origin] = max(sent_to.get(origin, 0), seq)
    if current is not None:
        writer.write(current)

"""gridapp sync: identity files, trust, package export and import, and the exchange log."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gridapp.cli.auth import open_store
from gridapp.cli.output import TextProgress, emit

HELP = "数据交换：站点身份、信任、导出/导入数据包、交换记录"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("sync", help=HELP, description=HELP)
    actions = p.add_subparsers(dest="action", metavar="操作", required=True, parser_class=type(p))
    a = actions.add_parser("identity", help="导出本站点的身份文件（编码、名称、公钥和指纹），交给对方导入")
    a.add_argument("--out", required=True, type=Path, help="身份文件（.json）")
    a = actions.add_parser("trust", help="信任对方站点：导入对方的身份文件，并核对对方读出的指纹")
    a.add_argument("file", type=Path, help="对方的身份文件")
    a.add_argument("--fingerprint", help="对方屏幕上显示的指纹（如 AB12-CD34-…）；不填时在终端中确认")
    a.add_argument("--replace", action="store_true", help="对方换了电脑或重装：用新密钥替换原来信任的密钥")
    a = actions.add_parser("export", help="为已信任的站点导出数据包（对方尚未确认收到的全部变更）")
    a.add_argument("--to", required=True, help="对方站点编码")
    a.add_argument("--out", required=True, type=Path, help="数据包文件，或存放数据包的文件夹（自动命名）")
    a.add_argument("--full", action="store_true", help="全量导出本站点范围内的全部数据（用于新电脑）")
    a = actions.add_parser("import", help="导入数据包：先全部校验，再预览或写入（写入前自动备份）")
    a.add_argument("file", type=Path, help="数据包（.gridsync）")
    a.add_argument("--dry-run", action="store_true", help="只校验并预览，不写入数据库")
    actions.add_parser("log", help="已信任的站点、导入导出记录和待处理的冲突")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    return {"identity": _identity, "trust": _trust, "export": _export, "import": _import, "log": _log}[args.action](args)


def _identity(args) -> int:
    from gridapp.sync import identity

    with open_store(args, lock=False, upgrade=False, readonly_ok=True) as store:
        path = identity.write_identity(store, args.out)
        data = identity.identity(store)
    emit(args.json, {"out": str(path), "code": data["code"], "name": data["name"], "fingerprint": data["fingerprint"]},
         f"已导出{data['name']}（{data['code']}）的身份文件：{path}\n指纹：{data['fingerprint']}"
         "（请对方导入时核对此指纹）")
    return 0


def _trust(args) -> int:
    from gridapp.core.errors import ValidationError
    from gridapp.sync import identity

    data = identity.read_identity(args.file)
    fingerprint = args.fingerprint
    if not fingerprint:
        if args.json or not sys.stdin.isatty():
            raise ValidationError(f"请用 --fingerprint 填写对方屏幕上显示的指纹（文件中的指纹为 {data['fingerprint']}，"
                                  "须与对方当面或电话核对）")
        answer = input(f"{data['name']}（{data['code']}）的指纹为 {data['fingerprint']}\n"
                       "与对方屏幕上的指纹一致吗？一致请输入 yes：")
        if answer.strip().lower() not in ("yes", "y", "是"):
            raise ValidationError("未确认指纹，没有信任该站点")
        fingerprint = data["fingerprint"]
    with open_store(args) as store:
        peer = identity.trust(store, args.file, fingerprint=fingerprint, replace=args.replace)
    emit(args.json, {"code": peer.code, "name": peer.name, "level": peer.level, "fingerprint": peer.fingerprint},
         f"已信任 {peer.label}，指纹 {peer.fingerprint}")
    return 0


def _export(args) -> int:
    from gridapp.core.errors import ValidationError
    from gridapp.sync import export

    with open_store(args) as store:
        if store.site is not None and args.to.strip() == store.site.code:
            raise ValidationError(f"--to {args.to} 是本站点（{store.site.name}）自己的编码，请填写接收数据包的对方站点编码"
                                  "（用 gridapp sync log 查看已信任的站点）")
        r = export.export_package(store, args.to, args.out, full=args.full, progress=TextProgress(quiet=args.json))
    emit(args.json, {"out": str(r.path), "package_id": r.package_id, "number": r.number, "full": r.full,
                     "records": r.records, "changes": r.changes, "counts": r.counts},
         f"已导出第 {r.number} 号{'全量' if r.full else ''}数据包（{r.records} 条记录，{r.changes} 项变更）：{r.path}")
    return 0


def _import(args) -> int:
    from gridapp.core import labels
    from gridapp.sync import apply

    with open_store(args) as store:
        r = apply.import_package(store, args.file, commit=not args.dry_run, progress=TextProgress(quiet=args.json))
    lines = [f"{'预览' if args.dry_run else '导入'} {Path(r.file).name}（{r.sender_name}第 {r.number} 号"
             f"{'，全量' if r.full else ''}）：{r.summary()}" + ("（预览，数据库未改动）" if args.dry_run and not r.already
                                                            else "")]
    for table, counts in sorted(r.tables.items()):
        parts = "，".join(f"{apply.OUTCOME_NAMES[k]} {v}" for k, v in counts.items() if v)
        lines.append(f"  {labels.TABLES.get(table, table)}：{parts}")
    for table, rid, reason in r.rejected[:20]:
        lines.append(f"  未导入 {labels.TABLES.get(table, table)} {rid[:8]}：{reason}")
    lines += [f"  注意：{w}" for w in r.warnings]
    if r.backup_path:
        lines.append(f"导入前的备份：{r.backup_path}")
    emit(args.json, {"file": r.file, "package_id": r.package_id, "sender": r.sender, "number": r.number,
                     "full": r.full, "already_imported": r.already, "committed": r.committed, "dry_run": args.dry_run,
                     "totals": r.totals(), "tables": {t: dict(c) for t, c in r.tables.items()},
                     "rejected": [{"table": t, "record_id": i, "reason": m} for t, i, m in r.rejected],
                     "warnings": r.warnings, "backup": r.backup_path}, "\n".join(lines))
    return 0


def _log(args) -> int:
    from gridapp.sync import history

    with open_store(args, lock=False, upgrade=False, readonly_ok=True) as store:
        peers = history.peer_status(store)
        packs = history.packages(store, 50)
        open_conflicts = history.conflicts(store)
    lines = ["已信任的站点："] + ([
        f"  {p.peer.label} 指纹 {p.peer.fingerprint}；最近导出 {_local(p.last_sent)}，最近导入 {_local(p.last_received)}"
        for p in peers] or ["  （无）"])
    lines.append("最近的数据包：")
    lines += [f"  {_local(e.recorded_at)} {e.direction_name} {e.peer_name} 第 {e.number} 号"
              f"{'（全量）' if e.full else ''} {e.file_name}" for e in packs] or ["  （无）"]
    lines.append(f"待处理的冲突：{len(open_conflicts)} 项")
    lines += [f"  {c.table_name}“{c.record_label}”的{c.field_name}：保留“{c.kept_text}”（{c.kept_from}），"
              f"未采用“{c.lost_text}”（{c.lost_from}）" for c in open_conflicts[:20]]
    emit(args.json, {
        "peers": [{"code": p.peer.code, "name": p.peer.name, "level": p.peer.level, "fingerprint": p.peer.fingerprint,
                   "last_sent": p.last_sent, "last_received": p.last_received, "sent": p.sent,
                   "received": p.received} for p in peers],
        "packages": [{"id": e.id, "direction": e.direction, "peer": e.peer_code, "number": e.number, "full": e.full,
                      "file": e.file_name, "at": e.recorded_at, "summary": e.summary} for e in packs],
        "conflicts": [{"id": c.id, "table": c.table, "record_id": c.record_id, "field": c.field, "kept": c.kept,
                       "kept_from": c.kept_from, "lost": c.lost, "lost_from": c.lost_from} for c in open_conflicts],
    }, "\n".join(lines))
    return 0


def _local(when) -> str:
    from gridapp.core.clock import local

    return local(when) or "无"

"""gridapp log: the 操作记录 (who added, changed or deleted which record, and when), filtered, as text, JSON
or a sheet."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from gridapp.cli.auth import open_store
from gridapp.cli.output import TextProgress, emit
from gridapp.core import oplog

HELP = "操作记录：谁在何时新增、修改、删除了哪条记录（可按日期、操作人、类别、名称筛选，可导出 Excel）"


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"日期应写成 YYYY-MM-DD，如 2026-06-01，而不是“{text}”") from None


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("log", help=HELP, description=HELP)
    p.add_argument("--since", type=_date, help="起始日期 YYYY-MM-DD（含当天）")
    p.add_argument("--until", type=_date, help="截止日期 YYYY-MM-DD（含当天）")
    p.add_argument("--actor", help="只看该操作人（电脑的用户名）")
    p.add_argument("--kind", choices=[k.key for k in oplog.KINDS], metavar="KIND",
                   help="记录类别：" + "，".join(f"{k.key}（{k.title}）" for k in oplog.KINDS))
    p.add_argument("--search", default="", help="对象名称中的文字：姓名（或拼音首字母）、网格、社区、单位、企业、小区…")
    p.add_argument("--limit", type=int, default=50, help="最多显示多少条，最新的在前（默认 50）")
    p.add_argument("--out", type=Path, help="把全部符合条件的记录导出到 .xlsx（不受 --limit 限制）")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    query = oplog.LogQuery(since=args.since, until=args.until, actor=args.actor, kind=args.kind,
                           search=args.search or "")
    with open_store(args, lock=False, upgrade=False, readonly_ok=True) as store:
        if args.out:
            from gridapp.io.xlsx_out import export_oplog

            n = export_oplog(store, query, args.out, progress=TextProgress(quiet=args.json))
            emit(args.json, {"out": str(args.out), "entries": n}, f"已导出 {n} 条操作记录：{args.out}")
            return 0
        reader = oplog.LogReader(store, query)
        shown: list[oplog.Entry] = []
        while len(shown) < args.limit and not reader.exhausted:
            shown += reader.page(min(args.limit - len(shown), oplog.PAGE))
        more = not reader.exhausted
    lines = [f"{e.when}  {e.actor}  {e.op_name}  {e.subject}" + (f"\n    {e.summary}" if e.changes else "")
             for e in shown] or ["（没有符合条件的操作记录）"]
    if more:
        lines.append(f"……仅显示最新的 {len(shown)} 条；用 --limit 显示更多，或用 --out 导出全部")
    emit(args.json, {
        "entries": [{"at": e.when, "actor": e.actor, "op": e.op, "op_name": e.op_name, "kind": e.kind,
                     "name": e.name, "changes": [{"field": c.label, "old": None if c.created else c.old, "new": c.new}
                                                 for c in e.changes]} for e in shown],
        "more": more,
    }, "\n".join(lines))
    return 0

"""gridapp audit: the security audit (安全审计) — logins, refusals, exports, prints, backups, sync, accounts."""

from __future__ import annotations

import argparse
import datetime as dt

from gridapp.cli.auth import open_store
from gridapp.cli.log_cmd import _date
from gridapp.cli.output import emit
from gridapp.core import audit
from gridapp.core.clock import local

HELP = "安全审计：登录、注销、登录失败、锁定、账号变更、导出、打印、备份、恢复、数据交换和被拒绝的操作（管理员）"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("audit", help=HELP, description=HELP)
    p.add_argument("--since", type=_date, help="起始日期 YYYY-MM-DD（含当天，本机时间）")
    p.add_argument("--action", choices=tuple(audit.ACTIONS), metavar="ACTION",
                   help="只看该类操作：" + "，".join(f"{k}（{v}）" for k, v in audit.ACTIONS.items()))
    p.add_argument("--account", help="只看该账号")
    p.add_argument("--limit", type=int, default=100, help="最多显示多少条，最新的在前（默认 100）")
    p.set_defaults(run=run)


def _utc(day: dt.date) -> dt.datetime:
    """Local midnight of ``day`` as the UTC time the trail stores."""
    return dt.datetime.combine(day, dt.time()).astimezone().astimezone(dt.UTC).replace(tzinfo=None)


def run(args: argparse.Namespace) -> int:
    with open_store(args, lock=False, upgrade=False, readonly_ok=True) as store:
        found = audit.events(store, since=_utc(args.since) if args.since else None, action=args.action,
                             account=args.account, limit=args.limit)
    lines = [f"{local(e.at, seconds=True)}  {e.account or '（未登录）'}  {e.action_name}  {e.outcome_name}  {e.what}"
             + (f"：{e.reason}" if e.reason else "") for e in found] or ["（没有符合条件的审计记录）"]
    emit(args.json, {"events": [{"at": e.at, "account": e.account, "action": e.action, "action_name": e.action_name,
                                 "what": e.what, "outcome": e.outcome, "reason": e.reason} for e in found]},
         "\n".join(lines))
    return 0

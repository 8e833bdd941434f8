"""gridapp check: integrity check and record counts."""

from __future__ import annotations

import argparse

from gridapp.cli.output import emit
from gridapp.core.services import overview
from gridapp.core.store import Store

HELP = "检查数据库完整性并统计记录数"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help=HELP, description=HELP + "（不修改数据库，程序运行时也可使用）")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with Store(args.db, lock=False, upgrade=False) as store:
        report = overview.check(store)
        site = store.site
    labels = overview.labels()
    lines = [f"数据库：{args.db}", f"站点：{site.name}（{site.code}）" if site else "站点：未初始化",
             f"数据库版本：{report.revision}"]
    lines += [f"  {labels[k]}：{v}" for k, v in report.counts.items()]
    lines += ["检查结果：正常"] if report.ok else ["发现问题："] + [f"  - {p}" for p in report.problems]
    emit(args.json, {"db": str(args.db), "site": site.__dict__ if site else None, "revision": report.revision,
                     "counts": report.counts, "problems": report.problems, "healthy": report.ok}, "\n".join(lines))
    return 0 if report.ok else 4

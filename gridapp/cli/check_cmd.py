"""gridapp check: integrity check and record counts."""

from __future__ import annotations

import argparse

from sqlalchemy.exc import DatabaseError

from gridapp.cli.auth import open_store
from gridapp.cli.output import emit
from gridapp.core.dbfile import DB_ERRORS
from gridapp.core.errors import StoreError
from gridapp.core.services import grid_types, overview

HELP = "检查数据库完整性并统计记录数"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help=HELP, description=HELP + "（不修改数据库，程序运行时也可使用）")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    with open_store(args, lock=False, upgrade=False, readonly_ok=True) as store:
        try:
            report = overview.check(store)
            types = grid_types.by_type(store) if not report.problems else []
        except (DatabaseError, *DB_ERRORS) as exc:
            # Damage that stops the check itself is its finding, not a crash.
            raise StoreError(f"数据库 {store.path} 已损坏，检查无法完成（{getattr(exc, 'orig', exc)}）。"
                             "请从备份恢复（gridapp 的自动备份在数据库旁的 backups 文件夹中）") from None
        site = store.site
        readonly = store.readonly
    labels = overview.labels()
    lines = [f"数据库：{args.db}" + ("（只读位置，以只读方式打开）" if readonly else ""),
             f"站点：{site.name}（{site.code}）" if site else "站点：未初始化", f"数据库版本：{report.revision}"]
    lines += [f"  {labels[k]}：{v}" for k, v in report.counts.items()]
    if types and types[-1].grids:
        lines.append("按网格类型：")
        lines += [f"  {'  其中：' if t.is_kind else ''}{t.label}：{t.grids} 个网格，{t.households} 户，在岗网格员 {t.workers} 人"
                  for t in types]
    lines += ["检查结果：正常"] if report.ok else ["发现问题："] + [f"  - {p}" for p in report.problems]
    lines += ["提示："] + [f"  - {n}" for n in report.notes] if report.notes else []
    emit(args.json, {"db": str(args.db), "site": site.__dict__ if site else None, "revision": report.revision,
                     "counts": report.counts, "problems": report.problems, "notes": report.notes, "healthy": report.ok,
                     "readonly": readonly,
                     "grid_types": [{"grid_type": t.grid_type, "special_kind": t.kind, "label": t.label, "grids": t.grids,
                                     "households": t.households, "workers": t.workers} for t in types]},
         "\n".join(lines))
    return 0 if report.ok else 4

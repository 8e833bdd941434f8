"""gridapp restore: start a database (--db, not there yet) from a backup; a backup with accounts needs one of
its administrators (--user, password prompted or GRIDAPP_PASSWORD)."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridapp.cli.auth import password, user_name
from gridapp.cli.output import emit
from gridapp.core.backups import restore
from gridapp.core.errors import PermissionDenied

HELP = "从备份恢复数据库（换电脑或重装后）：--db 处还不能有数据库；备份设有账号时需该备份的管理员账号"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("restore", help=HELP, description=HELP)
    p.add_argument("backup", type=Path, help="备份文件（.sqlite）")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    def credentials() -> tuple[str, str]:
        name = user_name(args)
        if not name:
            raise PermissionDenied(f"备份 {args.backup.name} 设有账号：请用 --user 指定该备份中的管理员账号")
        return name, password(args, name)

    with restore(args.backup, args.db, credentials=credentials) as store:
        site = store.site
    emit(args.json, {"backup": str(args.backup), "db": str(args.db), "site": site.code if site else None},
         f"已从备份 {args.backup} 恢复数据库：{args.db}")
    return 0

"""gridapp backup: a consistent copy made with SQLite's backup API, checked before it is kept."""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

from gridapp.cli.auth import open_store
from gridapp.cli.output import emit
from gridapp.core import keys
from gridapp.core.errors import StoreError
from gridapp.core.files import check_target, unused_name
from gridapp.core.paths import backups_dir
from gridapp.core.schema import REVISIONS
from gridapp.core.store import backup_database, identify

HELP = "备份数据库（程序运行时也可安全备份）"
ACCOUNTS_REVISION = REVISIONS[8]  # 0009: accounts, and with them the right to back up


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("backup", help=HELP, description=HELP)
    p.add_argument("--out", type=Path, help="备份文件路径（默认在数据库旁的 backups 文件夹中）")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    src = Path(args.db).expanduser().resolve()
    if not src.exists():
        raise StoreError(f"数据库文件不存在：{src}")
    # An empty, foreign, damaged, unknown-revision or newer file is refused before any copy is made;
    # an older gridapp database may be backed up as it is (that is what one does before upgrading).
    encrypted = keys.is_encrypted(src)  # its contents are checked once an account's password opens it
    try:
        revision = ACCOUNTS_REVISION if encrypted else identify(src)[1]
    except StoreError as exc:
        raise StoreError(f"没有备份：{exc.message}") from None
    out = args.out or unused_name(backups_dir(src) / f"{src.stem}-备份-{dt.datetime.now():%Y%m%d-%H%M%S}.sqlite")
    if args.out:
        out = check_target(out, inputs=(src,))
    if Path(out).exists():
        raise StoreError(f"备份文件已存在，未覆盖：{out}")
    if revision is not None and revision >= ACCOUNTS_REVISION:  # it may have accounts: who asks, and may they?
        with open_store(args, src, lock=False, upgrade=False, readonly_ok=True) as store:
            store.backup(Path(out))  # checked with quick_check before it is moved into place; audited
    else:
        backup_database(src, Path(out))
    size = Path(out).stat().st_size
    emit(args.json, {"db": str(src), "backup": str(out), "bytes": size},
         f"已备份到 {out}（{size / 1048576:.1f} MB，已校验）")
    return 0

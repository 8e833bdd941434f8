"""gridapp init: a new database for this site, its own org unit created."""

from __future__ import annotations

import argparse
from pathlib import Path

from gridapp.cli.output import emit
from gridapp.core.codes import ORG_LEVEL
from gridapp.core.errors import ValidationError
from gridapp.core.fields import check
from gridapp.core.models import OrgUnit
from gridapp.core.services.site import SITE_LEVELS, check_new_site_code, init_site
from gridapp.core.store import Store

HELP = "新建本站点的数据库（区/街道/社区），并建立本级组织单位"


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("init", help=HELP, description=HELP)
    p.add_argument("--level", required=True, choices=SITE_LEVELS, help="站点层级：district=区，street=街道，community=社区")
    p.add_argument("--code", required=True, help="本级组织编码：区6位，街道9位，社区12位（GB/T 2260 县级代码开头；东莞、中山等不设区的市以市代码开头）")
    p.add_argument("--name", required=True, help="本级名称，如 海泉路街道")
    p.add_argument("--admin", metavar="NAME",
                   help="同时建立第一个管理员账号（密码在提示时输入两次，脚本中可用环境变量 GRIDAPP_NEW_PASSWORD）；"
                        "建立账号后，每次使用都需登录")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    check_new_site_code(args.code, args.level)  # before any file is made
    check(OrgUnit.name, (args.name or "").strip())
    password = None
    if args.admin:  # asked and checked before any file is made
        from gridapp.cli.auth import new_password
        from gridapp.core import accounts

        accounts.check_name(args.admin)
        password = new_password(args, f"管理员 {args.admin} ")
        accounts.check_password(password)
    new_file = not Path(args.db).exists()
    key = recovery = None
    try:
        if args.admin:  # a database with accounts is encrypted (SQLCipher), its key wrapped in <db>.keys
            if not new_file:
                raise ValidationError(f"{args.db} 已存在：带管理员账号（加密）的数据库只能新建，请换一个文件名")
            from gridapp.core import keys

            _kf, key, recovery = keys.KeyFile.create(args.db, args.admin, password)
        with Store(args.db, create=True, key=key) as store:
            site = init_site(store, level=args.level, code=args.code, name=args.name)
            if args.admin:
                accounts.add_account(store, args.admin, password, role=accounts.ADMIN)
    except BaseException:
        if new_file:
            for suffix in ("", "-wal", "-shm", ".lock", ".keys"):
                Path(str(args.db) + suffix).unlink(missing_ok=True)
        raise
    emit(args.json, {"db": str(args.db), "site": site.__dict__, "admin": args.admin, "encrypted": key is not None,
                     **({"recovery_key": recovery} if recovery else {})},
         f"已建立{ORG_LEVEL.name(site.level)}站点“{site.name}”（{site.code}）：{args.db}"
         + (f"；管理员账号 {args.admin}" if args.admin else "")
         + (f"\n数据库已加密保存，密钥文件 {args.db}.keys 须与数据库放在一起。\n"
            f"恢复密钥（只显示这一次）：{recovery}\n"
            "请把恢复密钥抄写或打印下来，封存在办公室保险柜中：忘记所有管理员密码时，只有用它才能打开数据库"
            if recovery else ""))
    return 0

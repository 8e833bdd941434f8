"""gridapp user: the database's accounts (管理员), and anyone's own password."""

from __future__ import annotations

import argparse

from gridapp.cli.auth import new_password, open_store
from gridapp.cli.output import emit
from gridapp.core import accounts
from gridapp.core.clock import local
from gridapp.core.codes import ACCOUNT_ROLE

HELP = "账号管理：add 新增、passwd 修改密码、disable/enable 停用/启用、role 改角色、list 列出（管理员；修改自己的密码任何人可用）"
RECOVERY_ENV = "GRIDAPP_RECOVERY_KEY"
ROLES = {"admin": "管理员", "clerk": "经办人", "viewer": "查看"}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("user", help=HELP, description=HELP + "。新密码在提示时输入两次，脚本中可用环境变量 GRIDAPP_NEW_PASSWORD")
    actions = p.add_subparsers(dest="action", metavar="操作", required=True, parser_class=type(p))
    a = actions.add_parser("add", help="新增账号")
    a.add_argument("name", help="账号名称（登录用，不区分大小写）")
    a.add_argument("--role", default="clerk", choices=tuple(ROLES),
                   help="角色：" + "，".join(f"{k}={v}" for k, v in ROLES.items()) + "（默认 clerk）")
    a.add_argument("--display", default="", help="姓名（显示用，默认同账号名称）")
    a = actions.add_parser("passwd", help="修改密码：不带账号名称时修改自己的；管理员可重置他人的")
    a.add_argument("name", nargs="?", help="要重置密码的账号（管理员）")
    a = actions.add_parser("disable", help="停用账号（不能停用最后一个管理员）")
    a.add_argument("name")
    a = actions.add_parser("enable", help="重新启用账号（同时解除锁定）")
    a.add_argument("name")
    a = actions.add_parser("role", help="修改账号的角色（不能把最后一个管理员改为其他角色）")
    a.add_argument("name")
    a.add_argument("new_role", choices=tuple(ROLES), metavar="ROLE", help="admin、clerk 或 viewer")
    actions.add_parser("list", help="列出全部账号")
    a = actions.add_parser("recover", help="用恢复密钥给管理员设新密码（忘记所有管理员密码时；加密的数据库）")
    a.add_argument("name", help="管理员账号名称")
    p.set_defaults(run=run)


def _line(a: accounts.AccountInfo) -> str:
    state = "已停用" if not a.enabled else (f"锁定到 {local(a.locked_until)}" if a.locked_until else "正常")
    return f"  {a.name}  {a.display_name}  {ACCOUNT_ROLE.name(a.role)}  {state}  最近登录 {local(a.last_login_at) or '无'}"


def _data(a: accounts.AccountInfo) -> dict:
    return {"name": a.name, "display_name": a.display_name, "role": a.role, "role_name": a.role_name,
            "enabled": a.enabled, "locked_until": a.locked_until, "last_login_at": a.last_login_at}


def _recover(args: argparse.Namespace) -> int:
    import getpass
    import os

    from gridapp.core import keys
    from gridapp.core.errors import ValidationError
    from gridapp.core.store import Store

    if not keys.is_encrypted(args.db):
        raise ValidationError(f"数据库 {args.db} 没有加密（旁边没有密钥文件），不需要恢复密钥；请由其他管理员重置密码")
    code = os.environ.get(RECOVERY_ENV)
    if code is None:
        if getattr(args, "json", False):
            raise ValidationError(f"请输入恢复密钥：在终端中运行时会提示输入；脚本中请设置环境变量 {RECOVERY_ENV}")
        code = getpass.getpass("恢复密钥（保管在保险柜中的那张）：")
    key = keys.KeyFile.read(args.db).unlock_recovery(code)
    password = new_password(args, f"管理员 {args.name} ")
    accounts.check_password(password)
    with Store(args.db, key=key) as store:
        info = store.recover(args.name, password)
    emit(args.json, {"account": _data(info)}, f"已用恢复密钥为管理员 {info.label} 设置新密码")
    return 0


def run(args: argparse.Namespace) -> int:
    if args.action == "recover":
        return _recover(args)
    with open_store(args) as store:
        if args.action == "add":
            info = accounts.add_account(store, args.name, new_password(args, f"账号 {args.name} "),
                                        role=args.role, display_name=args.display)
            text = f"已新增账号 {info.label}"
        elif args.action == "passwd":
            me = store.account
            if args.name and (me is None or accounts.key_of(args.name) != accounts.key_of(me.name)):
                store.require("accounts", action="password_reset", what=f"重置账号 {args.name} 的密码")
                info = accounts.reset_password(store, args.name, new_password(args, f"账号 {args.name} "))
                text = f"已重置账号 {info.label} 的密码"
            else:
                from gridapp.cli.auth import password

                if me is None:
                    from gridapp.core.errors import ValidationError

                    raise ValidationError("数据库还没有账号：请先用 gridapp user add 新增管理员")
                info = accounts.change_own_password(store, password(args, me.name), new_password(args, "您"))
                text = f"已修改账号 {info.name} 的密码"
        elif args.action in ("disable", "enable"):
            info = accounts.set_enabled(store, args.name, args.action == "enable")
            text = f"已{'启用' if info.enabled else '停用'}账号 {info.label}"
        elif args.action == "role":
            info = accounts.set_role(store, args.name, args.new_role)
            text = f"已把账号 {info.name} 的角色改为{info.role_name}"
        else:
            found = accounts.list_accounts(store)
            emit(args.json, {"accounts": [_data(a) for a in found]},
                 "\n".join([f"共 {len(found)} 个账号："] + [_line(a) for a in found]))
            return 0
    emit(args.json, {"account": _data(info)}, text)
    return 0

"""Who runs a command: ``--user NAME`` (or GRIDAPP_USER) and the password from GRIDAPP_PASSWORD or a prompt.

GRIDAPP_PASSWORD is meant for scripts (scheduled exports, backups): it is read from the environment of the
command alone and never printed or logged. A database without accounts needs neither.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from gridapp.core.errors import PermissionDenied, ValidationError
from gridapp.core.store import Store

USER_ENV, PASSWORD_ENV, NEW_PASSWORD_ENV = "GRIDAPP_USER", "GRIDAPP_PASSWORD", "GRIDAPP_NEW_PASSWORD"


def _interactive(args: argparse.Namespace) -> bool:
    return not getattr(args, "json", False) and sys.stdin is not None and sys.stdin.isatty()


def user_name(args: argparse.Namespace) -> str | None:
    return getattr(args, "user", None) or os.environ.get(USER_ENV) or None


def password(args: argparse.Namespace, name: str) -> str:
    found = os.environ.get(PASSWORD_ENV)
    if found is not None:
        return found
    if not _interactive(args):
        raise PermissionDenied(f"请输入账号 {name} 的密码：在终端中运行时会提示输入；脚本中请设置环境变量 {PASSWORD_ENV}")
    return getpass.getpass(f"账号 {name} 的密码：")


def new_password(args: argparse.Namespace, whose: str) -> str:
    """A new password, from GRIDAPP_NEW_PASSWORD or typed twice."""
    found = os.environ.get(NEW_PASSWORD_ENV)
    if found is not None:
        return found
    if not _interactive(args):
        raise ValidationError(f"请输入{whose}的新密码：在终端中运行时会提示输入两次；脚本中请设置环境变量 {NEW_PASSWORD_ENV}")
    first = getpass.getpass(f"{whose}的新密码：")
    if getpass.getpass("再输入一次：") != first:
        raise ValidationError("两次输入的新密码不一致，没有修改")
    return first


def login(store: Store, args: argparse.Namespace) -> None:
    """Log the command's account in when the database has accounts; PermissionDenied saying why not."""
    if not store.has_accounts:
        return
    name = user_name(args)
    if not name and _interactive(args):
        name = input("账号：").strip()
    if not name:
        raise PermissionDenied(f"数据库 {store.path.name} 已设置账号：请用 --user 指定账号（或设置环境变量 {USER_ENV}），"
                               f"密码在提示时输入（脚本中用环境变量 {PASSWORD_ENV}）")
    store.login(name, password(args, name))
    if store.notice:  # the database was just encrypted: said once, with its recovery key
        print(store.notice, file=sys.stderr)


def open_store(args: argparse.Namespace, db: Path | None = None, **kwargs: Any) -> Store:
    """The command's database, its account logged in (the store is closed again when the login fails)."""
    store = Store(db or args.db, **kwargs)
    try:
        login(store, args)
    except BaseException:
        store.close()
        raise
    return store

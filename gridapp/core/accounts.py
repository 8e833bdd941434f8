"""Local accounts: who may log in, with which role, and what each role may do.

Passwords are kept only as Argon2id hashes (``HASHER``: argon2-cffi's defaults, t=3, m=64 MiB, p=4, about
0.1 s a login; tests set a lighter ``PasswordHasher`` here, and a login rehashes a hash made with other
parameters). Five wrong passwords in a row lock the account for ten minutes. The last enabled administrator
can be neither disabled nor demoted. Accounts are this site's own: never journalled, never synced.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass
from typing import TYPE_CHECKING

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select

from gridapp.core import audit
from gridapp.core.clock import local
from gridapp.core.codes import ACCOUNT_ROLE
from gridapp.core.errors import ConflictError, NotFoundError, PermissionDenied, ValidationError
from gridapp.core.models import Account
from gridapp.core.models.base import utcnow

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from gridapp.core.store import Store

HASHER = PasswordHasher()
MAX_FAILURES = 5
LOCK_TIME = dt.timedelta(minutes=10)
MIN_PASSWORD = 8
ADMIN, CLERK, VIEWER = "admin", "clerk", "viewer"

# What each role may do: the one table every check reads. "read" needs no entry: every account may read.
PERMISSIONS: dict[str, str] = {
    "write": "修改数据", "import": "导入数据", "export": "导出数据", "export_ids": "导出或打印完整身份证号码",
    "print": "打印", "sync": "数据交换", "backup": "备份数据库", "restore": "从备份恢复数据库",
    "trust": "信任或替换交换站点", "accounts": "管理账号", "audit": "查看安全审计", "settings": "修改系统设置",
}
ROLE_PERMISSIONS: dict[str, frozenset[str]] = {
    ADMIN: frozenset(PERMISSIONS),
    CLERK: frozenset({"write", "import", "export", "export_ids", "print", "sync", "backup"}),
    VIEWER: frozenset(),
}


@dataclass(frozen=True)
class AccountInfo:
    id: int
    name: str
    display_name: str
    role: str
    enabled: bool
    locked_until: dt.datetime | None  # UTC
    last_login_at: dt.datetime | None  # UTC
    created_at: dt.datetime

    @property
    def role_name(self) -> str:
        return ACCOUNT_ROLE.name(self.role)

    @property
    def label(self) -> str:
        """How the account is named to people: “张三（zhangsan，经办人）”."""
        who = self.display_name if self.display_name and self.display_name != self.name else ""
        return f"{who}（{self.name}，{self.role_name}）" if who else f"{self.name}（{self.role_name}）"

    def may(self, permission: str) -> bool:
        return permission in ROLE_PERMISSIONS.get(self.role, frozenset())


def _info(a: Account) -> AccountInfo:
    return AccountInfo(a.id, a.name, a.display_name, a.role, a.enabled, a.locked_until, a.last_login_at, a.created_at)


def key_of(name: str) -> str:
    return unicodedata.normalize("NFKC", name).strip().casefold()


def check_name(name: object) -> str:
    text = unicodedata.normalize("NFKC", str(name or "")).strip()
    if not text:
        raise ValidationError("请填写账号名称", field="name")
    if len(text) > 40:
        raise ValidationError(f"账号名称最多 40 个字符（“{text[:12]}…”有 {len(text)} 个）", field="name")
    if any(ch.isspace() or not ch.isprintable() for ch in text):
        raise ValidationError(f"账号名称“{text}”不能含空格或不可见字符", field="name")
    return text


_KINDS = (("大写字母", lambda c: "A" <= c <= "Z"), ("小写字母", lambda c: "a" <= c <= "z"),
          ("数字", lambda c: "0" <= c <= "9"))


def password_problem(password: str) -> str | None:
    """What a new password lacks, as one Chinese sentence (None when it meets the rules): at least 8 characters,
    of at least three of the four kinds upper case, lower case, digit, other."""
    have = [name for name, test in _KINDS if any(test(c) for c in password)]
    if any(not any(test(c) for _n, test in _KINDS) for c in password):
        have.append("其他符号")
    problems = []
    if len(password) < MIN_PASSWORD:
        problems.append(f"至少要有 {MIN_PASSWORD} 个字符（现在只有 {len(password)} 个）")
    if len(have) < 3:
        missing = [k for k in ("大写字母", "小写字母", "数字", "其他符号") if k not in have]
        now = f"现在只有{'、'.join(have)}" if have else "现在是空的"
        problems.append(f"要包含大写字母、小写字母、数字、其他符号中的至少三种（{now}，"
                        f"请再加上{'或'.join(missing)}中的 {3 - len(have)} 种）")
    return "密码" + "；".join(problems) if problems else None


def check_password(password: str) -> None:
    problem = password_problem(password)
    if problem:
        raise ValidationError(problem, field="password")


def _hash(password: str) -> str:
    return HASHER.hash(password)


def _verify(hashed: str, password: str) -> bool:
    try:
        return HASHER.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        return False


def count(s: Session) -> int:
    return s.execute(select(func.count()).select_from(Account)).scalar() or 0


def _find(s: Session, name: str) -> Account | None:
    return s.execute(select(Account).where(Account.name_key == key_of(name))).scalar_one_or_none()


def _get(s: Session, name: str) -> Account:
    found = _find(s, name)
    if found is None:
        raise NotFoundError(f"没有名为“{name}”的账号", field="name")
    return found


def _until(when: dt.datetime) -> str:
    return local(when)


# -- logging in ---------------------------------------------------------------------------------------

def authenticate(store: Store, name: str, password: str, *, now: dt.datetime | None = None) -> AccountInfo:
    """The account when ``password`` is its own; PermissionDenied saying why not (unknown, disabled, locked —
    until when — or a wrong password, and how many tries are left). Every attempt is audited."""
    now = now or utcnow()
    typed = (name or "").strip()
    if not typed:
        raise PermissionDenied("请填写账号")
    outcome: tuple[str, str] | None = None  # (action, reason) of a failure
    with store.system_session() as s:
        acc = _find(s, typed)
        if acc is None:
            outcome = ("login_failed", f"账号“{typed}”或密码不正确")
        elif not acc.enabled:
            outcome = ("login_failed", f"账号“{acc.name}”已停用，请与管理员联系")
        elif acc.locked_until is not None and now < acc.locked_until:
            outcome = ("login_failed", f"账号“{acc.name}”因连续 {MAX_FAILURES} 次密码错误已锁定，"
                                       f"请于 {_until(acc.locked_until)} 以后再试，或请管理员重置密码")
        elif not _verify(acc.password_hash, password):
            acc.failed_count = (acc.failed_count or 0) + 1
            if acc.failed_count >= MAX_FAILURES:
                acc.failed_count, acc.locked_until = 0, now + LOCK_TIME
                outcome = ("locked", f"账号“{acc.name}”连续 {MAX_FAILURES} 次密码错误，已锁定到 "
                                     f"{_until(acc.locked_until)}（{int(LOCK_TIME.total_seconds() // 60)} 分钟），"
                                     "请到时再试，或请管理员重置密码")
            else:
                left = MAX_FAILURES - acc.failed_count
                outcome = ("login_failed", f"账号“{acc.name}”的密码不正确（再错 {left} 次将锁定 "
                                           f"{int(LOCK_TIME.total_seconds() // 60)} 分钟）")
        else:
            acc.failed_count, acc.locked_until, acc.last_login_at = 0, None, now
            if HASHER.check_needs_rehash(acc.password_hash):
                acc.password_hash = _hash(password)
            info = _info(acc)
    who = acc.name if acc is not None else typed
    if outcome is not None:
        action, reason = outcome
        audit.record(store, action, f"账号 {who} 登录", ok=False, reason=reason, account=who, now=now)
        raise PermissionDenied(reason)
    audit.record(store, "login", f"{info.label} 登录", account=info.name, now=now)
    return info


def check_holder(store: Store, name: str, password: str, permission: str) -> AccountInfo:
    """An account of ``store`` whose password this is and whose role has ``permission``, found without writing
    anything (a backup to restore from must stay as it was); PermissionDenied otherwise."""
    with store.system_session() as s:
        acc = _find(s, (name or "").strip()) if name else None
        ok = acc is not None and acc.enabled and _verify(acc.password_hash, password or "")
        info = _info(acc) if ok else None
    if info is None:
        raise PermissionDenied(f"{store.path.name} 中的账号“{name}”或密码不正确（或账号已停用）")
    if not info.may(permission):
        raise PermissionDenied(f"账号 {info.name}（{info.role_name}）无权{PERMISSIONS[permission]}")
    return info


# -- managing accounts (管理员) ---------------------------------------------------------------------------

def _checked_role(role: str) -> str:
    if role not in ROLE_PERMISSIONS:
        return ACCOUNT_ROLE.require(role, "角色")
    return role


def add_account(store: Store, name: str, password: str, *, role: str = CLERK, display_name: str = "") -> AccountInfo:
    """A new account. The first account of a database must be an administrator and needs no login; later ones
    are added by a logged-in administrator."""
    name = check_name(name)
    role = _checked_role(role)
    display = (display_name or "").strip()[:50] or name
    what = f"新增账号 {name}（{ACCOUNT_ROLE.name(role)}）"
    first = not store.has_accounts
    if first and role != ADMIN:
        raise ValidationError("第一个账号必须是管理员", field="role")
    if not first:
        store.require("accounts", action="account_added", what=what)
    check_password(password)
    try:
        with store.system_session() as s:
            if _find(s, name) is not None:
                raise ConflictError(f"已有账号“{name}”（账号名称不区分大小写）", field="name")
            acc = Account(name=name, name_key=key_of(name), display_name=display, role=role,
                          password_hash=_hash(password), enabled=True, failed_count=0)
            s.add(acc)
            s.flush()
            info = _info(acc)
    except ConflictError as exc:
        audit.record(store, "account_added", what, ok=False, reason=exc.message)
        raise
    store.wrap_key(name, password)
    store.accounts_changed()
    audit.record(store, "account_added", what, account=store.account.name if store.account else name)
    return info


def _last_admin(s: Session, acc: Account) -> bool:
    others = s.execute(select(func.count()).select_from(Account).where(
        Account.role == ADMIN, Account.enabled.is_(True), Account.id != acc.id)).scalar()
    return acc.role == ADMIN and acc.enabled and not others


def _change(store: Store, name: str, action: str, what: str, change) -> AccountInfo:
    store.require("accounts", action=action, what=what)
    try:
        with store.system_session() as s:
            acc = _get(s, name)
            change(s, acc)
            info = _info(acc)
    except (ValidationError, NotFoundError, ConflictError) as exc:
        audit.record(store, action, what, ok=False, reason=exc.message)
        raise
    audit.record(store, action, what)
    store.accounts_changed()
    return info


def set_role(store: Store, name: str, role: str) -> AccountInfo:
    role = _checked_role(role)

    def change(s: Session, acc: Account) -> None:
        if role != ADMIN and _last_admin(s, acc):
            raise ValidationError(f"“{acc.name}”是最后一个启用的管理员，不能改为{ACCOUNT_ROLE.name(role)}；"
                                  "请先把另一个账号设为管理员")
        acc.role = role

    return _change(store, name, "account_changed", f"把账号 {name} 的角色改为{ACCOUNT_ROLE.name(role)}", change)


def set_enabled(store: Store, name: str, enabled: bool) -> AccountInfo:
    def change(s: Session, acc: Account) -> None:
        if not enabled and _last_admin(s, acc):
            raise ValidationError(f"“{acc.name}”是最后一个启用的管理员，不能停用；请先把另一个账号设为管理员")
        if not enabled and store.account is not None and store.account.id == acc.id:
            raise ValidationError("不能停用当前登录的账号")
        acc.enabled = enabled
        if enabled:
            acc.failed_count, acc.locked_until = 0, None

    action = "account_changed" if enabled else "account_disabled"
    return _change(store, name, action, f"{'启用' if enabled else '停用'}账号 {name}", change)


def reset_password(store: Store, name: str, password: str) -> AccountInfo:
    """An administrator gives an account a new password (and lifts a lock)."""
    check_password(password)

    def change(_s: Session, acc: Account) -> None:
        acc.password_hash = _hash(password)
        acc.failed_count, acc.locked_until = 0, None

    info = _change(store, name, "password_reset", f"重置账号 {name} 的密码", change)
    store.wrap_key(info.name, password)
    return info


def change_own_password(store: Store, old: str, new: str) -> AccountInfo:
    """The logged-in account's own new password (any role), given its current one."""
    me = store.account
    if me is None:
        raise PermissionDenied("请先登录，再修改自己的密码")
    what = f"账号 {me.name} 修改自己的密码"
    try:
        check_password(new)
        with store.system_session() as s:
            acc = _get(s, me.name)
            if not _verify(acc.password_hash, old):
                raise PermissionDenied("原密码不正确，密码没有修改")
            acc.password_hash = _hash(new)
            info = _info(acc)
        store.wrap_key(info.name, new)
    except (ValidationError, PermissionDenied) as exc:
        audit.record(store, "password_changed", what, ok=False, reason=exc.message)
        raise
    audit.record(store, "password_changed", what)
    return info


def list_accounts(store: Store) -> list[AccountInfo]:
    store.require("accounts", action="accounts", what="查看账号列表")
    with store.read() as s:
        return [_info(a) for a in s.execute(select(Account).order_by(Account.name_key)).scalars()]

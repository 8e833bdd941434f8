"""The security audit (安全审计): logins, refusals, exports, prints, backups, sync and account changes.

Rows are only ever added: the store refuses any UPDATE or DELETE of ``audit_event`` whoever asks (see
``Store._guard``), so no service can rewrite what happened. A database without accounts records nothing (it
works as it always did); the first account added starts the trail.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select

from gridapp.core.errors import Cancelled, DomainError
from gridapp.core.models import AuditEvent
from gridapp.core.models.base import utcnow

if TYPE_CHECKING:
    from gridapp.core.store import Store

log = logging.getLogger("gridapp")

SUCCESS, FAILURE = "success", "failure"
OUTCOME_NAMES = {SUCCESS: "成功", FAILURE: "失败"}

ACTIONS: dict[str, str] = {
    "login": "登录", "logout": "注销", "login_failed": "登录失败", "locked": "账号锁定",
    "lock": "无操作锁定", "unlock": "解锁",
    "account_added": "新增账号", "account_changed": "修改账号", "account_disabled": "停用账号",
    "password_reset": "重置密码", "password_changed": "修改密码",
    "write": "修改数据", "import": "导入", "export": "导出（身份证号码脱敏）", "export_ids": "导出（含完整身份证号码）",
    "print": "打印", "backup": "备份", "restore": "恢复", "sync_export": "导出数据包", "sync_import": "导入数据包",
    "trust": "信任站点", "settings": "修改设置", "accounts": "查看账号", "audit": "查看安全审计",
    "encrypted": "数据库加密",
}


@dataclass(frozen=True)
class Entry:
    id: int
    at: dt.datetime  # UTC
    account: str | None
    action: str
    what: str
    outcome: str
    reason: str | None

    @property
    def action_name(self) -> str:
        return ACTIONS.get(self.action, self.action)

    @property
    def outcome_name(self) -> str:
        return OUTCOME_NAMES.get(self.outcome, self.outcome)


def record(store: Store, action: str, what: str, *, ok: bool = True, reason: str | None = None,
           account: str | None = None, now: dt.datetime | None = None) -> None:
    """Add one event (in a transaction of its own, so a refused or failed piece of work still leaves it)."""
    if not store.has_accounts or store.readonly:
        return  # no accounts: as before, nothing to name; read-only media: nothing can be written
    who = account if account is not None else (store.account.name if store.account else None)
    with store.system_session() as s:
        s.add(AuditEvent(at=now or utcnow(), account=who, action=action, what=what,
                         outcome=SUCCESS if ok else FAILURE, reason=reason))


@dataclass
class Audited:
    """What ``audited`` records when its block ends: the caller may finish the sentence (a count, a file)."""

    what: str
    action: str
    extra: list[str] = field(default_factory=list)


@contextmanager
def audited(store: Store, permission: str, action: str, what: str) -> Iterator[Audited]:
    """Check ``permission`` (a refusal is recorded and raised), run the block, and record how it ended."""
    store.require(permission, action=action, what=what)
    event = Audited(what, action)
    try:
        yield event
    except Cancelled:
        record(store, event.action, event.what, ok=False, reason="已取消")
        raise
    except DomainError as exc:
        record(store, event.action, event.what, ok=False, reason=exc.message)
        raise
    except Exception as exc:
        record(store, event.action, event.what, ok=False, reason=f"程序内部错误（{type(exc).__name__}）")
        raise
    record(store, event.action, event.what + "".join(event.extra))


def guard(rule: Callable[..., tuple[str, str, str]], done: Callable[[object], str] | None = None):
    """A service entry point, checked and audited: ``rule`` gives (permission, action, what) for its arguments
    (the store first), ``done`` the end of the sentence from its result (“：新增 12 条”)."""

    def wrap(fn):
        @functools.wraps(fn)
        def checked(store, *args, **kwargs):
            permission, action, what = rule(store, *args, **kwargs)
            with audited(store, permission, action, what) as event:
                result = fn(store, *args, **kwargs)
                if done is not None:
                    event.extra.append(done(result))
                return result

        return checked

    return wrap


def import_rule(_store: Store, handler, path, *, commit: bool, **_kw) -> tuple[str, str, str]:
    """The check of ``gridapp.io.importer.run_import``: importing (and its preview) needs the right to import."""
    from pathlib import Path

    title = getattr(getattr(handler, "spec", None), "title", "数据")
    return "import", "import", f"{'导入' if commit else '预览导入'}{title}：{Path(path).name}"


def events(store: Store, *, since: dt.datetime | None = None, until: dt.datetime | None = None,
           action: str | None = None, account: str | None = None, limit: int | None = None) -> list[Entry]:
    """The audit trail, newest first (管理员 only). ``since``/``until`` are UTC."""
    store.require("audit", what="查看安全审计")
    q = select(AuditEvent).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    if since is not None:
        q = q.where(AuditEvent.at >= since)
    if until is not None:
        q = q.where(AuditEvent.at < until)
    if action:
        q = q.where(AuditEvent.action == action)
    if account:
        q = q.where(AuditEvent.account == account)
    if limit:
        q = q.limit(limit)
    with store.read() as s:
        return [Entry(e.id, e.at, e.account, e.action, e.what, e.outcome, e.reason) for e in s.execute(q).scalars()]

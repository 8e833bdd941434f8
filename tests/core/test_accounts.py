"""Accounts: password rules, lockout with an injected clock, the last administrator, the audit trail, the
journal naming the account, and a database without accounts working as before."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from gridapp.core import accounts, audit
from gridapp.core.errors import ConflictError, PermissionDenied, StoreError, ValidationError
from gridapp.core.models import AuditEvent, ChangeJournal
from gridapp.core.models.base import utcnow
from gridapp.core.services import grids
from gridapp.core.store import Store

ADMIN_PW, CLERK_PW, VIEWER_PW = "Admin#2026", "Clerk#2026", "Viewer#2026"


@pytest.fixture
def staffed(street_store):
    """The street with an administrator (logged in), a clerk and a viewer."""
    accounts.add_account(street_store, "Boss", ADMIN_PW, role="admin", display_name="王主任")
    street_store.login("boss", ADMIN_PW)
    accounts.add_account(street_store, "clerk1", CLERK_PW, role="clerk")
    accounts.add_account(street_store, "vic", VIEWER_PW, role="viewer")
    return street_store


def _as(store: Store, name: str, password: str) -> None:
    store.logout()
    store.login(name, password)


@pytest.mark.parametrize(("password", "problem"), [
    ("Ab1#", "至少要有 8 个字符（现在只有 4 个）"),
    ("abcdefgh", "现在只有小写字母"),
    ("abcdefg1", "现在只有小写字母、数字，请再加上大写字母或其他符号中的 1 种"),
    ("", "现在是空的"),
])
def test_a_weak_password_is_refused_saying_what_it_lacks(password, problem):
    found = accounts.password_problem(password)
    assert found is not None and problem in found and found.startswith("密码")


@pytest.mark.parametrize("password", ["Abcdefg1", "abcdef1#", "ABCDEF1#", "网格管理abc1", "Abcdefgh#"])
def test_three_kinds_of_eight_characters_are_enough(password):
    assert accounts.password_problem(password) is None


def test_the_first_account_is_an_administrator_and_names_are_unique_regardless_of_case(street_store):
    with pytest.raises(ValidationError, match="第一个账号必须是管理员"):
        accounts.add_account(street_store, "a", ADMIN_PW, role="clerk")
    accounts.add_account(street_store, "Boss", ADMIN_PW, role="admin")
    street_store.login("BOSS", ADMIN_PW)
    with pytest.raises(ConflictError, match="不区分大小写"):
        accounts.add_account(street_store, "boss", CLERK_PW, role="clerk")
    with pytest.raises(ValidationError, match="密码"):
        accounts.add_account(street_store, "weak", "password", role="clerk")


def test_five_wrong_passwords_lock_the_account_for_ten_minutes(staffed):
    staffed.logout()
    t0 = utcnow()
    for i in range(4):
        with pytest.raises(PermissionDenied, match=f"再错 {4 - i} 次将锁定 10 分钟"):
            staffed.login("clerk1", "wrong", now=t0 + dt.timedelta(seconds=i))
    with pytest.raises(PermissionDenied, match=r"已锁定到 .*（10 分钟）") as locked:
        staffed.login("clerk1", "wrong", now=t0 + dt.timedelta(seconds=5))
    until = (t0 + dt.timedelta(seconds=5, minutes=10)).replace(tzinfo=dt.UTC).astimezone()
    assert f"{until:%H:%M}" in locked.value.message
    # Locked: even the right password is refused until then, and says until when.
    with pytest.raises(PermissionDenied, match="以后再试"):
        staffed.login("clerk1", CLERK_PW, now=t0 + dt.timedelta(minutes=9))
    assert staffed.account is None
    info = staffed.login("clerk1", CLERK_PW, now=t0 + dt.timedelta(minutes=10, seconds=6))
    assert info.name == "clerk1" and info.locked_until is None
    _as(staffed, "boss", ADMIN_PW)
    actions = [e.action for e in audit.events(staffed, account="clerk1")]
    assert actions.count("login_failed") == 5 and actions.count("locked") == 1 and actions.count("login") == 1


def test_an_administrator_resets_a_password_and_lifts_the_lock(staffed):
    staffed.logout()
    for _ in range(5):
        with pytest.raises(PermissionDenied):
            staffed.login("vic", "wrong")
    staffed.login("boss", ADMIN_PW)
    accounts.reset_password(staffed, "vic", "NewView#1")
    _as(staffed, "vic", "NewView#1")
    assert staffed.account.role == "viewer"
    with pytest.raises(PermissionDenied, match="原密码不正确"):
        accounts.change_own_password(staffed, "wrong", "Another#1")
    accounts.change_own_password(staffed, "NewView#1", "Another#1")  # a viewer changes their own
    _as(staffed, "vic", "Another#1")
    with pytest.raises(PermissionDenied, match="无权管理账号"):
        accounts.reset_password(staffed, "boss", "Hijack#123")


def test_the_last_enabled_administrator_cannot_be_disabled_or_demoted(staffed):
    with pytest.raises(ValidationError, match="最后一个启用的管理员"):
        accounts.set_role(staffed, "boss", "clerk")
    with pytest.raises(ValidationError, match=r"不能停用当前登录的账号|最后一个启用的管理员"):
        accounts.set_enabled(staffed, "boss", False)
    accounts.set_role(staffed, "clerk1", "admin")
    accounts.set_role(staffed, "boss", "clerk")  # another administrator now exists
    _as(staffed, "clerk1", CLERK_PW)
    with pytest.raises(ValidationError, match="最后一个启用的管理员"):
        accounts.set_role(staffed, "clerk1", "viewer")
    accounts.set_enabled(staffed, "vic", False)
    staffed.logout()
    with pytest.raises(PermissionDenied, match="已停用"):
        staffed.login("vic", VIEWER_PW)


def test_the_journal_names_the_account(staffed):
    _as(staffed, "clerk1", CLERK_PW)
    unit = grids.add_child(staffed, staffed.site.org_unit_id, "云溪社区")
    with staffed.read() as s:
        actors = set(s.execute(select(ChangeJournal.actor).where(ChangeJournal.record_id == unit.id)).scalars())
    assert actors == {"clerk1"}


def test_without_accounts_the_store_works_as_before(street_store):
    assert not street_store.has_accounts and street_store.account is None
    unit = grids.add_child(street_store, street_store.site.org_unit_id, "云溪社区")
    street_store.set_setting("grid.households_per_fulltime_limit", 400)
    with street_store.read() as s:
        actors = set(s.execute(select(ChangeJournal.actor).where(ChangeJournal.record_id == unit.id)).scalars())
        assert s.execute(select(func.count()).select_from(AuditEvent)).scalar() == 0
    assert actors == {"tester"}  # the actor the store was opened with, as before


def test_with_accounts_nothing_is_read_or_written_before_login(staffed):
    staffed.logout()
    with pytest.raises(PermissionDenied, match="请先登录"):
        grids.add_child(staffed, staffed.site.org_unit_id, "云溪社区")
    with pytest.raises(PermissionDenied, match="请先登录"):
        staffed.get_setting("grid.households_per_fulltime_limit")
    with pytest.raises(PermissionDenied, match="请先登录"), staffed.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE setting SET value = '1'")


def test_a_viewer_cannot_write_by_any_path(staffed):
    _as(staffed, "vic", VIEWER_PW)
    before = _journal_rows(staffed)
    with pytest.raises(PermissionDenied, match=r"当前账号（查看）无权修改数据"):
        grids.add_child(staffed, staffed.site.org_unit_id, "云溪社区")
    with pytest.raises(PermissionDenied, match="无权修改数据"), staffed.engine.begin() as conn:  # raw SQL too
        conn.exec_driver_sql("DELETE FROM org_unit")
    with pytest.raises(PermissionDenied, match="无权修改系统设置"):
        staffed.set_setting("grid.households_per_fulltime_limit", 1)
    assert _journal_rows(staffed) == before
    _as(staffed, "boss", ADMIN_PW)
    refused = [e for e in audit.events(staffed, account="vic") if e.outcome == audit.FAILURE]
    assert {e.action for e in refused} >= {"write", "settings"}


def _journal_rows(store: Store) -> int:
    with store.engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM change_journal").scalar()


def test_the_audit_trail_is_append_only_for_everyone(staffed):
    n = len(audit.events(staffed))
    with pytest.raises(StoreError, match="只能追加"), staffed.engine.begin() as conn:
        conn.execute(update(AuditEvent).values(what="改写"))
    with pytest.raises(StoreError, match="只能追加"), staffed.session() as s:
        s.delete(s.execute(select(AuditEvent)).scalars().first())
    with pytest.raises(StoreError, match="只能追加"), staffed.system_session() as s:
        s.execute(update(AuditEvent).values(outcome="success"))
    assert len(audit.events(staffed)) == n


def test_only_an_administrator_reads_the_audit_trail(staffed):
    events = audit.events(staffed)
    assert events[0].action == "account_added" and events[0].account == "Boss" and events[0].outcome_name == "成功"
    assert [e.action for e in events].count("login") == 1
    _as(staffed, "clerk1", CLERK_PW)
    with pytest.raises(PermissionDenied, match=r"当前账号（经办人）无权查看安全审计"):
        audit.events(staffed)

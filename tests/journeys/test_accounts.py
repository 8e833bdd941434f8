"""Accounts in the real program (child processes): the 登录 dialog, 注销 and another account, a viewer's
refusals, the first administrator from the first-run dialog. The journeys are in tests/journeys/accounts.py."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.journeys.runner import run_journey

ADMIN, ADMIN_PW = "boss", "Admin#2026"
CLERK, CLERK_PW = "li", "Clerk#2026"
VIEWER, VIEWER_PW = "zhao", "Viewer#2026"


@pytest.fixture
def accounts_db(demo_template, tmp_path):
    """The small demo street with 王主任 (管理员), 李经办 (经办人) and 赵查看 (查看)."""
    from gridapp.core import accounts
    from gridapp.core.store import Store

    path = tmp_path / "accounts.sqlite"
    shutil.copy(demo_template, path)
    with Store(path) as store:
        accounts.add_account(store, ADMIN, ADMIN_PW, role="admin", display_name="王主任")
        store.login(ADMIN, ADMIN_PW)
        accounts.add_account(store, CLERK, CLERK_PW, role="clerk", display_name="李经办")
        accounts.add_account(store, VIEWER, VIEWER_PW, role="viewer", display_name="赵查看")
        store.logout()
    return path


def _journey(script: str, tmp_path, *, db=None, **args) -> dict:
    out = tmp_path / "run"
    outcome = run_journey(f"tests.journeys.accounts:{script}", out, db=db, args=args)
    problems = outcome.problems()
    assert not problems, "\n\n".join(problems)
    return json.loads((out / "seen.json").read_text(encoding="utf-8"))


def _audit(path) -> list[tuple[str, str, str]]:
    from contextlib import closing

    from tests.dbfiles import connect

    with closing(connect(Path(path), ADMIN, ADMIN_PW)) as db:
        return db.execute("SELECT account, action, outcome FROM audit_event ORDER BY id").fetchall()


def test_a_wrong_password_then_the_right_one_then_another_account(accounts_db, tmp_path):
    seen = _journey("admin_then_clerk", tmp_path, db=accounts_db, admin=ADMIN, admin_password=ADMIN_PW,
                    clerk=CLERK, clerk_password=CLERK_PW)
    wrong, right = seen["first_login"]
    assert wrong["open"] and "密码不正确" in wrong["error"] and "再错 4 次" in wrong["error"]
    assert wrong["password_left"] == "" and wrong["focus_on_password"]
    assert str(accounts_db) in wrong["db"]
    assert not right["open"]  # Enter logged in
    assert seen["account_shown"] == "当前账号：王主任（boss，管理员）"
    assert seen["logout_in_file_menu"]
    # while the dialog asks again, nobody is shown and no page is left on screen
    assert seen["while_logged_out"] == {"account_shown": "", "pages_built": 0}
    assert seen["after_logout"] == "当前账号：李经办（li，经办人）"
    assert seen["window_open"] and seen["page_shown"] == "OverviewPage"
    trail = [row for row in _audit(accounts_db) if row[1] in ("login", "login_failed", "logout")]
    assert trail[-5:] == [("boss", "login_failed", "failure"), ("boss", "login", "success"),
                          ("boss", "logout", "success"), ("li", "login", "success"), ("li", "logout", "success")]


def test_a_viewer_finds_what_it_may_not_do_disabled_and_the_window_goes_on(accounts_db, tmp_path):
    seen = _journey("viewer_refusals", tmp_path, db=accounts_db, viewer=VIEWER, viewer_password=VIEWER_PW)
    assert seen["account_shown"] == "当前账号：赵查看（zhao，查看）"
    for key, right in (("import", "导入数据"), ("export", "导出数据"), ("write", "修改数据"), ("edit", "修改数据"),
                       ("print", "打印"), ("backup", "备份数据库"), ("trust", "信任或替换交换站点"),
                       ("sync", "数据交换")):
        enabled, tip = seen["offered"][key]
        assert enabled is False and tip == f"当前账号（查看）无权{right}", (key, enabled, tip)
    assert seen["count_after"] == seen["count_before"] != "共 0 条"
    assert seen["grids_rows"] > 0 and seen["window_open"]


def test_the_first_run_dialog_makes_the_administrator(tmp_path):
    seen = _journey("first_run_with_admin", tmp_path, admin=ADMIN, admin_password=ADMIN_PW)
    assert "密码要包含大写字母、小写字母、数字、其他符号中的至少三种" in seen["weak_error"], seen["weak_error"]
    assert seen["weak_left_open"]
    assert "不一致" in seen["mismatch_error"]
    # the new database is encrypted: its recovery key shown once, the file no SQLite file without the key
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){7}", seen["recovery_key"]), seen["recovery_key"]
    assert seen["recovery_ok_before_tick"] is False
    assert not Path(seen["db"]).read_bytes().startswith(b"SQLite format 3")
    assert seen["account_shown"] == "当前账号：王主任（boss，管理员）" and "海泉路街道" in seen["title"]
    assert seen["next_start"]["title"].startswith("登录") and seen["next_start"]["logged_in"] is False
    assert seen["db"] in seen["next_start"]["db"]
    trail = _audit(seen["db"])
    assert ("boss", "account_added", "success") in trail and ("boss", "login", "success") in trail


def test_an_administrator_adds_a_clerk_and_the_idle_lock_asks_the_password(accounts_db, tmp_path):
    seen = _journey("admin_accounts_and_idle_lock", tmp_path, db=accounts_db, admin=ADMIN, admin_password=ADMIN_PW)
    assert "至少三种" in seen["weak_error"] and seen["weak_left_open"] and seen["name_kept"] == "wang"
    assert "wang" in seen["accounts"]
    assert seen["central_hidden"] and "密码不正确" in seen["wrong_error"], seen
    assert seen["unlocked_shown"]
    trail = _audit(accounts_db)
    assert ("boss", "lock", "success") in trail and ("boss", "unlock", "failure") in trail
    assert ("boss", "unlock", "success") in trail

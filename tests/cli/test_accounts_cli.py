"""Accounts through the command line: init --admin, --user with GRIDAPP_PASSWORD, user and audit commands, and
the role matrix: a refused command exits 1 with the reason and leaves the data as it was."""

from __future__ import annotations

import json
import sqlite3

import pytest

from gridapp.cli import main
from tests.conftest import SAMPLES
from tests.dbfiles import connect

PASSWORDS = {"boss": "Admin#2026", "clerk1": "Clerk#2026", "vic": "Viewer#2026"}
ROLES = {"boss": "admin", "clerk1": "clerk", "vic": "viewer"}


def run(capsys, monkeypatch, user, *argv, password=None, new_password=None):
    monkeypatch.delenv("GRIDAPP_PASSWORD", raising=False)
    monkeypatch.delenv("GRIDAPP_NEW_PASSWORD", raising=False)
    if user or password:
        monkeypatch.setenv("GRIDAPP_PASSWORD", password or PASSWORDS[user])
    if new_password:
        monkeypatch.setenv("GRIDAPP_NEW_PASSWORD", new_password)
    code = main([*argv, *(("--user", user) if user else ())])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db(tmp_path, capsys, monkeypatch):
    path = tmp_path / "street.sqlite"
    assert run(capsys, monkeypatch, None, "init", "--db", str(path), "--level", "street", "--code", "370203012",
               "--name", "海泉路街道", "--admin", "boss", new_password=PASSWORDS["boss"])[0] == 0
    assert run(capsys, monkeypatch, "boss", "import", "--db", str(path), "--kind", "grids",
               str(SAMPLES / "网格划分-示例.xlsx"))[0] == 0
    for name in ("clerk1", "vic"):
        code, out, err = run(capsys, monkeypatch, "boss", "user", "add", name, "--role", ROLES[name], "--db", str(path),
                             new_password=PASSWORDS[name])
        assert code == 0 and name in out, err
    return path


def _data(path) -> tuple[int, int, int]:
    with connect(path, "boss", PASSWORDS["boss"]) as conn:
        return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                     for t in ("change_journal", "org_unit", "setting"))


COMMANDS = {  # name: (permission, argv after the sub-command, with {tmp})
    "import": ("import", ["import", "--kind", "grids", str(SAMPLES / "网格划分-示例.xlsx")]),
    "export": ("export", ["export", "--kind", "grids", "--out", "{tmp}/g.xlsx"]),
    "export_ids": ("export_ids", ["export", "--kind", "workers", "--with-ids", "--out", "{tmp}/w.xlsx"]),
    "print": ("print", ["print", "noticeboard", "--org", "370203012", "--out", "{tmp}/n.pdf"]),
    "print_ids": ("export_ids", ["print", "roster", "--org", "370203012", "--with-ids", "--out", "{tmp}/r.pdf"]),
    "backup": ("backup", ["backup", "--out", "{tmp}/b.sqlite"]),
    "user_list": ("accounts", ["user", "list"]),
    "user_add": ("accounts", ["user", "add", "newbie", "--role", "viewer"]),
    "audit": ("audit", ["audit"]),
    "log": (None, ["log"]),  # reading: every account
    "check": (None, ["check"]),
}


@pytest.mark.parametrize("name", list(ROLES))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_role_at_each_command(db, tmp_path, capsys, monkeypatch, name, command):
    from gridapp.core.accounts import ROLE_PERMISSIONS

    permission, argv = COMMANDS[command]
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    argv = [a.replace("{tmp}", str(out_dir)) for a in argv]
    before = _data(db)
    code, out, err = run(capsys, monkeypatch, name, *argv, "--db", str(db), new_password="Fresh#2026")
    if permission is None or permission in ROLE_PERMISSIONS[ROLES[name]]:
        assert code == 0, err
    else:
        assert code == 1 and out == "" and err.count("\n") == 1
        assert "无权" in err and "没有执行" in err
        assert _data(db) == before and not list(out_dir.iterdir())


def test_sync_export_import_and_trust_by_role(tmp_path, capsys, monkeypatch):
    from gridapp.core import accounts, keys
    from gridapp.core.services.site import init_site
    from gridapp.core.store import Store
    from gridapp.sync import export, identity

    street, community = tmp_path / "street.sqlite", tmp_path / "community.sqlite"
    key = keys.KeyFile.create(street, "boss", PASSWORDS["boss"])[1]  # as init --admin makes it: encrypted
    with Store(street, create=True, key=key) as s, Store(community, create=True) as c:
        init_site(s, level="street", code="370203012", name="海泉路街道")
        init_site(c, level="community", code="370203012001", name="云溪社区")
        c_id, s_id = identity.write_identity(c, tmp_path / "c.json"), identity.write_identity(s, tmp_path / "s.json")
        identity.trust(c, s_id, fingerprint=identity.my_fingerprint(s))
        identity.trust(s, c_id, fingerprint=identity.my_fingerprint(c))
        package = export.export_package(c, "370203012", tmp_path).path
        accounts.add_account(s, "boss", PASSWORDS["boss"], role="admin")
        s.login("boss", PASSWORDS["boss"])
        for name in ("clerk1", "vic"):
            accounts.add_account(s, name, PASSWORDS[name], role=ROLES[name])
        fingerprint = identity.my_fingerprint(c)
    for name, role in ROLES.items():
        out = tmp_path / name
        out.mkdir()
        results = {
            "export": run(capsys, monkeypatch, name, "sync", "export", "--to", "370203012001", "--out", str(out),
                          "--db", str(street))[0],
            "import": run(capsys, monkeypatch, name, "sync", "import", str(package), "--dry-run", "--db", str(street))[0],
            "trust": run(capsys, monkeypatch, name, "sync", "trust", str(c_id), "--fingerprint", fingerprint,
                         "--db", str(street))[0],
        }
        may_sync, may_trust = role in ("admin", "clerk"), role == "admin"
        assert results == {"export": 0 if may_sync else 1, "import": 0 if may_sync else 1,
                           "trust": 0 if may_trust else 1}, name


def test_wrong_password_missing_user_and_lockout_exit_1_with_the_reason(db, capsys, monkeypatch):
    before = _data(db)
    code, _out, err = run(capsys, monkeypatch, None, "check", "--db", str(db))
    assert code == 1 and "请用 --user 指定账号" in err and "GRIDAPP_PASSWORD" in err
    for left in (4, 3, 2, 1):
        code, _out, err = run(capsys, monkeypatch, "clerk1", "check", "--db", str(db), password="Wrong#2026")
        assert code == 1 and f"再错 {left} 次" in err
    code, _out, err = run(capsys, monkeypatch, "clerk1", "check", "--db", str(db), password="Wrong#2026")
    assert code == 1 and "已锁定到" in err
    code, _out, err = run(capsys, monkeypatch, "clerk1", "check", "--db", str(db))  # the right one, still locked
    assert code == 1 and "以后再试" in err
    assert _data(db) == before
    code, out, _err = run(capsys, monkeypatch, "boss", "audit", "--json", "--db", str(db))
    actions = [e["action"] for e in json.loads(out)["events"] if e["account"] == "clerk1"]
    assert actions.count("login_failed") == 5 and actions.count("locked") == 1


def test_user_commands(db, capsys, monkeypatch):
    code, out, _ = run(capsys, monkeypatch, "boss", "user", "list", "--json", "--db", str(db))
    assert code == 0 and [a["role"] for a in json.loads(out)["accounts"]] == ["admin", "clerk", "viewer"]
    # Anyone changes their own password; nobody but an administrator another's.
    assert run(capsys, monkeypatch, "vic", "user", "passwd", "--db", str(db), new_password="Better#2026")[0] == 0
    code, _, err = run(capsys, monkeypatch, "vic", "user", "passwd", "boss", "--db", str(db),
                       password="Better#2026", new_password="Hijack#2026")
    assert code == 1 and "无权管理账号" in err
    code, _, err = run(capsys, monkeypatch, "boss", "user", "passwd", "vic", "--db", str(db), new_password="weak")
    assert code == 1 and "密码至少要有 8 个字符" in err
    assert run(capsys, monkeypatch, "boss", "user", "passwd", "vic", "--db", str(db), new_password="Reset#2026")[0] == 0
    assert run(capsys, monkeypatch, "vic", "check", "--db", str(db), password="Reset#2026")[0] == 0
    code, _, err = run(capsys, monkeypatch, "boss", "user", "disable", "boss", "--db", str(db))
    assert code == 1 and ("最后一个" in err or "当前登录" in err)
    assert run(capsys, monkeypatch, "boss", "user", "disable", "vic", "--db", str(db))[0] == 0
    code, _, err = run(capsys, monkeypatch, "vic", "check", "--db", str(db), password="Reset#2026")
    assert code == 1 and "已停用" in err
    code, out, _ = run(capsys, monkeypatch, "boss", "audit", "--since", "2000-01-01", "--json", "--db", str(db))
    assert {"password_changed", "password_reset", "account_disabled"} <= {e["action"] for e in json.loads(out)["events"]}


def test_init_with_a_weak_admin_password_makes_no_file(tmp_path, capsys, monkeypatch):
    path = tmp_path / "s.sqlite"
    code, _, err = run(capsys, monkeypatch, None, "init", "--db", str(path), "--level", "street", "--code",
                       "370203012", "--name", "海泉路街道", "--admin", "boss", new_password="password")
    assert code == 1 and "大写字母" in err and not path.exists()


def test_restore_from_a_backup_with_accounts(db, tmp_path, capsys, monkeypatch):
    backup = tmp_path / "b.sqlite"
    assert run(capsys, monkeypatch, "boss", "backup", "--out", str(backup), "--db", str(db))[0] == 0
    target = tmp_path / "new" / "street.sqlite"
    code, _, err = run(capsys, monkeypatch, "clerk1", "restore", str(backup), "--db", str(target))
    assert code == 1 and "无权从备份恢复数据库" in err and not target.exists()
    assert run(capsys, monkeypatch, "boss", "restore", str(backup), "--db", str(target))[0] == 0
    code, out, _ = run(capsys, monkeypatch, "boss", "audit", "--json", "--db", str(target))
    assert "restore" in [e["action"] for e in json.loads(out)["events"]]


def test_a_database_without_accounts_needs_no_user(tmp_path, capsys, monkeypatch):
    path = tmp_path / "s.sqlite"
    assert run(capsys, monkeypatch, None, "init", "--db", str(path), "--level", "street", "--code", "370203012",
               "--name", "海泉路街道")[0] == 0
    code, _out, _ = run(capsys, monkeypatch, None, "export", "--kind", "grids", "--with-ids", "--out",
                       str(tmp_path / "g.xlsx"), "--db", str(path))
    assert code == 0 and (tmp_path / "g.xlsx").exists()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT count(*) FROM audit_event").fetchone()[0] == 0


def test_an_encrypted_database_and_its_recovery_key(tmp_path, capsys, monkeypatch):
    path = tmp_path / "enc.sqlite"
    code, out, _err = run(capsys, monkeypatch, None, "init", "--db", str(path), "--level", "street", "--code",
                          "370203012", "--name", "海泉路街道", "--admin", "boss", "--json",
                          new_password=PASSWORDS["boss"])
    data = json.loads(out)
    assert code == 0 and data["encrypted"] and (tmp_path / "enc.sqlite.keys").exists()
    assert path.read_bytes()[:16] != b"SQLite format 3\x00"
    recovery = data["recovery_key"]
    monkeypatch.setenv("GRIDAPP_RECOVERY_KEY", "AAAA-BBBB-CCCC")
    code, _out, err = run(capsys, monkeypatch, None, "user", "recover", "boss", "--db", str(path),
                          new_password="Found#2026")
    assert code == 1 and "恢复密钥不正确" in err
    monkeypatch.setenv("GRIDAPP_RECOVERY_KEY", recovery)
    code, out, err = run(capsys, monkeypatch, None, "user", "recover", "boss", "--db", str(path),
                         new_password="Found#2026")
    assert code == 0 and "已用恢复密钥" in out, err
    assert run(capsys, monkeypatch, "boss", "check", "--db", str(path))[0] == 1
    code, out, err = run(capsys, monkeypatch, "boss", "check", "--db", str(path), password="Found#2026")
    assert code == 0 and "海泉路街道" in out, err


def test_init_admin_prints_the_recovery_key_with_where_to_keep_it(tmp_path, capsys, monkeypatch):
    code, out, _err = run(capsys, monkeypatch, None, "init", "--db", str(tmp_path / "e.sqlite"), "--level", "street",
                          "--code", "370203012", "--name", "海泉路街道", "--admin", "boss",
                          new_password=PASSWORDS["boss"])
    assert code == 0 and "恢复密钥（只显示这一次）" in out and "保险柜" in out

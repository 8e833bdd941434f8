"""The role matrix through the services: every guarded entry point, for each role, allowed or refused; every
refusal leaves the data as it was and is in the audit trail, every allowed call too."""

from __future__ import annotations

from pathlib import Path

import pytest

from gridapp.core import accounts, audit, backups, list_specs, lists
from gridapp.core.errors import PermissionDenied
from gridapp.core.services import grids
from gridapp.io import reports
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from gridapp.io.xlsx_out import export_list
from gridapp.sync import apply, export, identity
from tests.conftest import SAMPLES
from tests.sync.conftest import make_chain

PASSWORDS = {"boss": "Admin#2026", "clerk1": "Clerk#2026", "vic": "Viewer#2026"}
ROLES = {"boss": "admin", "clerk1": "clerk", "vic": "viewer"}
STREET, COMMUNITY = "370203012", "370203012001"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A street trusting its district and community, with the sample grids, a package from the community
    waiting, a backup made by its administrator, and three accounts."""
    folder = tmp_path_factory.mktemp("roles")
    chain = make_chain(folder / "sites")
    street = chain.street
    run_import(street, handler("grids"), SAMPLES / "网格划分-示例.xlsx", commit=True)
    package = chain.send(chain.community, street)
    district_id = identity.write_identity(chain.district, folder / "district.json")
    accounts.add_account(street, "boss", PASSWORDS["boss"], role="admin")
    street.login("boss", PASSWORDS["boss"])
    accounts.add_account(street, "clerk1", PASSWORDS["clerk1"], role="clerk")
    accounts.add_account(street, "vic", PASSWORDS["vic"], role="viewer")
    backup = street.backup(folder / "street-backup.sqlite")
    street.logout()
    yield {"chain": chain, "store": street, "package": package, "district_id": district_id,
           "fingerprint": identity.my_fingerprint(chain.district), "backup": backup, "folder": folder}
    for s in (chain.district, chain.street, chain.community):
        s.close()


def _restore(w, name, out):
    backups.restore(w["backup"], out / "restored.sqlite", credentials=lambda: (name, PASSWORDS[name])).close()


# entry point: (the permission it needs, the audit action, the call)
CALLS = {
    "write": ("write", "write", lambda w, s, out: grids.add_child(s, s.site.org_unit_id, f"新社区{out.name[-3:]}")),
    "import": ("import", "import",
               lambda w, s, out: run_import(s, handler("grids"), SAMPLES / "网格划分-示例.xlsx", commit=True)),
    "export": ("export", "export", lambda w, s, out: export_list(s, list_specs.ALL["grids"], lists.Query(),
                                                                 out / "grids.xlsx")),
    "export_ids": ("export_ids", "export_ids",
                   lambda w, s, out: export_list(s, list_specs.WORKERS, lists.Query(), out / "w.xlsx", mask_ids=False)),
    "print": ("print", "print", lambda w, s, out: reports.noticeboards(s, STREET)),
    "print_ids": ("export_ids", "print", lambda w, s, out: reports.roster(s, STREET, mask=False)),
    "sync_export": ("sync", "sync_export", lambda w, s, out: export.export_package(s, COMMUNITY, out)),
    "sync_import": ("sync", "sync_import", lambda w, s, out: apply.import_package(s, w["package"], commit=False)),
    "backup": ("backup", "backup", lambda w, s, out: s.backup(out / "b.sqlite")),
    "trust": ("trust", "trust", lambda w, s, out: identity.trust(s, w["district_id"], fingerprint=w["fingerprint"])),
    "accounts": ("accounts", "account_added",
                 lambda w, s, out: accounts.add_account(s, f"n{out.name[-6:]}", "Fresh#2026", role="viewer")),
    "audit": ("audit", "audit", lambda w, s, out: audit.events(s)),
    "settings": ("settings", "settings", lambda w, s, out: s.set_setting("print.issuing_unit", "海泉路街道党工委")),
}


def _counts(store) -> tuple[int, ...]:
    with store.engine.connect() as conn:
        return tuple(conn.exec_driver_sql(f"SELECT count(*) FROM {t}").scalar()
                     for t in ("change_journal", "org_unit", "site", "sync_package", "setting", "account"))


@pytest.mark.parametrize("name", list(ROLES))
@pytest.mark.parametrize("entry", list(CALLS))
def test_each_role_at_each_entry_point(world, tmp_path, name, entry):
    permission, action, call = CALLS[entry]
    store = world["store"]
    store.login(name, PASSWORDS[name])
    try:
        allowed = permission in accounts.ROLE_PERMISSIONS[ROLES[name]]
        before = _counts(store)
        if allowed:
            call(world, store, tmp_path)
        else:
            with pytest.raises(PermissionDenied, match=r"当前账号（(查看|经办人)）无权"):
                call(world, store, tmp_path)
            assert _counts(store) == before  # nothing changed but the audit trail
            assert not list(tmp_path.iterdir())  # no file written
        store.logout()
        store.login("boss", PASSWORDS["boss"])
        if allowed and entry in ("write", "audit"):
            return  # an allowed write is the journal's (test_accounts); reading the trail is no event
        last = next(e for e in audit.events(store) if e.account == name and e.action not in ("login", "logout"))
        assert last.action == action and last.outcome == (audit.SUCCESS if allowed else audit.FAILURE)
        if not allowed:
            assert "无权" in last.reason
    finally:
        store.logout()


@pytest.mark.parametrize("name", list(ROLES))
def test_restore_needs_an_administrator_of_the_backup(world, tmp_path, name):
    if ROLES[name] == "admin":
        _restore(world, name, tmp_path)
        from gridapp.core.store import Store

        with Store(tmp_path / "restored.sqlite") as restored:
            restored.login(name, PASSWORDS[name])
            assert [e.action for e in audit.events(restored, limit=2)] == ["login", "restore"]
    else:
        with pytest.raises(PermissionDenied, match="无权从备份恢复数据库"):
            _restore(world, name, tmp_path)
        assert not (tmp_path / "restored.sqlite").exists()


def test_restore_refuses_a_wrong_password_and_a_missing_account(world, tmp_path):
    with pytest.raises(PermissionDenied, match="或密码不正确"):
        backups.restore(world["backup"], tmp_path / "r.sqlite", credentials=lambda: ("boss", "Wrong#2026"))
    with pytest.raises(PermissionDenied, match="需要该备份中的管理员账号"):
        backups.restore(world["backup"], tmp_path / "r.sqlite")
    assert not Path(tmp_path / "r.sqlite").exists()


def test_a_viewer_sees_masked_ids_and_an_import_by_a_clerk_is_journalled_under_their_name(world, tmp_path):
    store = world["store"]
    store.login("clerk1", PASSWORDS["clerk1"])
    try:
        report = run_import(store, handler("workers"), SAMPLES / "网格员花名册-示例.xlsx", commit=True)
        assert report.counts()["new"] > 0
        with store.engine.connect() as conn:
            actors = {r[0] for r in conn.exec_driver_sql(
                "SELECT DISTINCT actor FROM change_journal WHERE table_name = 'grid_worker'")}
        assert actors == {"clerk1"}
    finally:
        store.logout()

"""No ID number, name, phone or private signing key in the bytes of an encrypted database, its WAL, its key file
or its backup; the same search on a clear database finds them (so the search would catch a leak)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from gridapp.core import accounts, keys
from gridapp.core.models import Person, Site
from gridapp.core.services.site import init_site
from gridapp.core.store import Store
from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from tests.conftest import SAMPLES

PASSWORD = "Admin#2026"


def _fill(store: Store) -> tuple[list[bytes], list[bytes]]:
    """The sample grids and workers imported; (needles as UTF-8 and UTF-16, the site's private signing key)."""
    init_site(store, level="street", code="370203012", name="海泉路街道")
    if store.key is not None:
        accounts.add_account(store, "boss", PASSWORD, role=accounts.ADMIN)
        store.login("boss", PASSWORD)
    for kind, sheet in (("grids", "网格划分-示例.xlsx"), ("workers", "网格员花名册-示例.xlsx")):
        run_import(store, handler(kind), SAMPLES / sheet, commit=True)
    with store.read() as s:
        person = s.execute(select(Person).where(Person.id_number.is_not(None), Person.phone.is_not(None))).scalars().first()
        texts = [person.id_number, person.name, person.phone]
        private = s.execute(select(Site.sign_private).where(Site.is_self.is_(True))).scalar_one()
    needles = [t.encode(enc) for t in texts for enc in ("utf-8", "utf-16-le")]
    return needles, [private]


def _found(files, needles) -> list[tuple[str, bytes]]:
    return [(f.name, n) for f in files if f.exists() for n in needles if n in f.read_bytes()]


@pytest.mark.parametrize("encrypted", [True, False])
def test_the_bytes_of_the_database_its_wal_key_file_and_backup(tmp_path, encrypted):
    path = tmp_path / "street.sqlite"
    key = keys.KeyFile.create(path, "boss", PASSWORD)[1] if encrypted else None
    store = Store(path, create=True, key=key, actor="tester")
    try:
        needles, private = _fill(store)
        assert private[0]
        wal = path.with_name(path.name + "-wal")
        during = [path, wal, keys.key_path(path)]
        found_open = _found(during, needles + private)  # while open: the WAL holds the latest pages
        backup = store.backup(tmp_path / "backups" / "b.sqlite")
    finally:
        store.close()
    found = found_open + _found([path, wal, keys.key_path(path), backup, keys.key_path(backup)], needles + private)
    if encrypted:
        assert found == []
    else:  # the same search finds them in a clear database: it would catch a leak
        assert {n for _f, n in found} >= set(needles[::2]) | set(private)

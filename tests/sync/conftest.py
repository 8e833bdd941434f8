"""Three sites in a chain (community → street → district), each a real database file, trusting each other."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from gridapp.core.services.site import init_site
from gridapp.core.store import Store
from gridapp.sync import apply, export, identity

CODES = {"district": ("370203", "市北区"), "street": ("370203012", "海泉路街道"),
         "community": ("370203012001", "云溪社区")}


@dataclass
class Chain:
    folder: Path
    district: Store
    street: Store
    community: Store

    def send(self, a: Store, b: Store, **kw) -> Path:
        return export.export_package(a, b.site.code, self.folder, **kw).path

    def deliver(self, path: Path, b: Store, **kw) -> apply.SyncReport:
        return apply.import_package(b, path, commit=True, backup=False, **kw)

    def exchange(self, a: Store, b: Store) -> apply.SyncReport:
        return self.deliver(self.send(a, b), b)


def trust_both(folder: Path, a: Store, b: Store) -> None:
    fa = identity.write_identity(a, folder / f"{a.site.code}.json")
    fb = identity.write_identity(b, folder / f"{b.site.code}.json")
    identity.trust(b, fa, fingerprint=identity.my_fingerprint(a))
    identity.trust(a, fb, fingerprint=identity.my_fingerprint(b))


def make_chain(folder: Path) -> Chain:
    folder.mkdir(parents=True, exist_ok=True)
    stores = {}
    for level, (code, name) in CODES.items():
        store = Store(folder / f"{level}.sqlite", create=True, actor=level)
        init_site(store, level=level, code=code, name=name)
        stores[level] = store
    trust_both(folder, stores["district"], stores["street"])
    trust_both(folder, stores["street"], stores["community"])
    return Chain(folder, stores["district"], stores["street"], stores["community"])


@pytest.fixture
def chain(tmp_path):
    c = make_chain(tmp_path / "sites")
    yield c
    for s in (c.district, c.street, c.community):
        s.close()

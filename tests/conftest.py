"""Shared fixtures: real SQLite files in temporary folders, offscreen Qt, an isolated user data folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Offscreen Qt with a 1920×1080 screen (the plugin's own default is 800×600, smaller than any office PC).
if os.environ.get("QT_QPA_PLATFORM", "offscreen") == "offscreen":
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={Path(__file__).parent / 'data' / 'screen-1920x1080.json'}"

# The sample sheets, made by tests/data/make_samples.py and committed: tests never read outside the repository.
SAMPLES = Path(__file__).resolve().parent / "data" / "samples"


@pytest.fixture(autouse=True)
def _user_data(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("GRIDAPP_HOME", str(tmp_path_factory.mktemp("home")))


@pytest.fixture(autouse=True)
def _fast_passwords(monkeypatch):
    """Argon2id with the lightest parameters: a login costs microseconds instead of 0.1 s (the hashes stay
    Argon2id; gridapp.core.accounts.HASHER is the one setting)."""
    from argon2 import PasswordHasher

    from gridapp.core import accounts

    monkeypatch.setattr(accounts, "HASHER", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    from gridapp.core import keys

    monkeypatch.setattr(keys, "KDF", keys.Kdf(t=1, m=8, p=1))  # the key file's Argon2id, as light


@pytest.fixture
def street_store(tmp_path):
    """A new street site (海泉路街道, 370203012)."""
    from gridapp.core.services.site import init_site
    from gridapp.core.store import Store

    store = Store(tmp_path / "street.sqlite", create=True, actor="tester")
    init_site(store, level="street", code="370203012", name="海泉路街道")
    yield store
    store.close()


@pytest.fixture(scope="session")
def demo_template(tmp_path_factory) -> Path:
    from gridapp.core import demo

    path = tmp_path_factory.mktemp("demo") / "demo-small.sqlite"
    demo.generate(path, "small", seed=7, year=2026)
    return path


@pytest.fixture
def demo_db(demo_template, tmp_path) -> Path:
    """A private copy of the small demo database."""
    path = tmp_path / "demo.sqlite"
    shutil.copy(demo_template, path)
    return path


@pytest.fixture
def gridded(street_store):
    """The street with the communities and grids of the sample 网格划分 sheet."""
    from gridapp.io.importer import run_import
    from gridapp.io.kinds import handler

    report = run_import(street_store, handler("grids"), SAMPLES / "网格划分-示例.xlsx", commit=True)
    assert report.counts()["new"] == 12
    return street_store


@pytest.fixture
def district_store(tmp_path):
    """A small district (市北区, 370203): 永宁山街道 with 福安社区 and 云溪社区, 海泉路街道 with another
    福安社区; one 第一网格 in each community, a 第二网格 in 海泉路街道's 福安社区."""
    from gridapp.core.services import grids
    from gridapp.core.services.site import init_site
    from gridapp.core.store import Store

    store = Store(tmp_path / "district.sqlite", create=True, actor="tester")
    site = init_site(store, level="district", code="370203", name="市北区")
    streets = [grids.add_child(store, site.org_unit_id, name) for name in ("永宁山街道", "海泉路街道")]
    places = [(streets[0], "福安社区", 1), (streets[0], "云溪社区", 1), (streets[1], "福安社区", 2)]
    for street, community, count in places:
        unit = grids.add_child(store, street.id, community)
        for name in ("第一网格", "第二网格")[:count]:
            grids.add_child(store, unit.id, name, households=300)
    yield store
    store.close()


@pytest.fixture
def log_file(tmp_path, monkeypatch):
    """The program's log file in an isolated data folder; the handler removed afterwards."""
    from gridapp.core import logs

    monkeypatch.setenv("GRIDAPP_HOME", str(tmp_path / "home"))
    before = list(logs.log.handlers)
    for h in before:  # a log file an earlier test's in-process command line set up is not this one
        logs.log.removeHandler(h)
    path = logs.setup_logging()
    yield path
    for h in logs.log.handlers[:]:
        logs.log.removeHandler(h)
        h.close()
    for h in before:
        logs.log.addHandler(h)

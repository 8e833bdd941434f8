"""Shared fixtures: real SQLite files in temporary folders, offscreen Qt, an isolated user data folder."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# The sample sheets, made by tests/data/make_samples.py and committed: tests never read outside the repository.
SAMPLES = Path(__file__).resolve().parent / "data" / "samples"


@pytest.fixture(autouse=True)
def _user_data(tmp_path_factory, monkeypatch):
    monkeypatch.setenv("GRIDAPP_HOME", str(tmp_path_factory.mktemp("home")))


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

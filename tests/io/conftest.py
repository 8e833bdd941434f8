import pytest

from gridapp.io.importer import run_import
from gridapp.io.kinds import handler
from tests.conftest import SAMPLES


@pytest.fixture
def gridded(street_store):
    """The street with the communities and grids of the sample 网格划分 sheet."""
    report = run_import(street_store, handler("grids"), SAMPLES / "网格划分-示例.xlsx", commit=True)
    assert report.counts()["new"] == 12
    return street_store

"""The Qt binding keeps Python's reference counts: a release that does not aborts the program at random.

PySide6 6.12.0 took one reference from None for every None returned from a QVariant; Python 3.11 then
aborts (“none_dealloc: deallocating None”) after a few thousand such calls — found by the journey harness
at district scale, in the middle of an export. pyproject.toml excludes that release; this test fails on
any release with the same fault instead of letting it reach a user.
"""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import QComboBox


def _calls(fn, n: int = 2000) -> int:
    before = sys.getrefcount(None)
    for _ in range(n):
        assert fn() is None
    return sys.getrefcount(None) - before


@pytest.mark.parametrize("what", ["index", "combo", "item", "settings"])
def test_none_from_qt_keeps_its_references(qapp, tmp_path, what):
    model = QStandardItemModel(2, 2)
    box = QComboBox()
    box.addItem("全部", None)
    item = QStandardItem("x")
    settings = QSettings(str(tmp_path / "x.ini"), QSettings.Format.IniFormat)
    fn = {
        "index": lambda: model.index(0, 0).data(),
        "combo": box.currentData,
        "item": lambda: item.data(Qt.ItemDataRole.UserRole),
        "settings": lambda: settings.value("missing"),
    }[what]
    assert abs(_calls(fn)) < 50

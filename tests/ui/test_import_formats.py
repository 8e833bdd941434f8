"""The import dialog offers every format import reads, and previews an .xls as it previews the .xlsx."""

from PySide6.QtWidgets import QFileDialog

from gridapp.ui.import_dialog import SHEET_FILTER, ImportDialog
from tests.conftest import SAMPLES
from tests.data import other_formats as F


def test_the_file_dialog_offers_every_format_read_then_each_then_all(qtbot, gridded, monkeypatch):
    seen = []
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: seen.append(a) or ("", "")))
    dialog = ImportDialog(gridded, "workers")
    qtbot.addWidget(dialog)
    dialog.choose_file()
    entries = seen[0][3].split(";;")
    assert seen[0][3] == SHEET_FILTER
    assert entries[0] == "表格文件 (*.xlsx *.xlsm *.xls *.et *.ods *.fods *.xlsb *.csv *.txt)"
    assert entries[-1] == "所有文件 (*)"
    for pattern in ("*.xls)", "*.et)", "*.fods)", "*.xlsb)"):
        assert any(e.endswith(pattern) for e in entries[1:-1]), pattern


def test_an_xls_previews_as_the_xlsx_does(qtbot, gridded, tmp_path, messages):
    path = F.save_as(SAMPLES / "网格员花名册-示例.xlsx", tmp_path / "花名册.xls")
    dialog = ImportDialog(gridded, "workers", path=path)
    qtbot.addWidget(dialog)
    dialog.check()
    qtbot.waitUntil(lambda: dialog.report is not None, timeout=10000)
    assert "新增 22 行" in dialog.summary.text() and "未导入 7 行" in dialog.summary.text()

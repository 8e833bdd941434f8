from gridapp.core.store import Store
from gridapp.ui import app as app_module
from gridapp.ui.first_run_dialog import FirstRunDialog


def test_first_run_validates_the_site_code(qtbot, tmp_path):
    dialog = FirstRunDialog(tmp_path / "g.sqlite")
    qtbot.addWidget(dialog)
    dialog.level.setCurrentIndex(dialog.level.findData("street"))
    qtbot.keyClicks(dialog.code, "37020301")
    dialog.name.setText("海泉路街道")  # QTest types ASCII only
    dialog._accept()
    assert dialog.result() != FirstRunDialog.DialogCode.Accepted
    assert "9位" in dialog.error.text() or "长度" in dialog.error.text()
    dialog.code.setText("370203012")
    dialog._accept()
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted
    assert dialog.choice == FirstRunDialog.NEW
    assert dialog.site_fields() == {"level": "street", "code": "370203012", "name": "海泉路街道"}


def test_first_run_creates_the_site(qtbot, tmp_path, monkeypatch):
    def fake_exec(self):
        self.code.setText("370203012005")
        self.level.setCurrentIndex(self.level.findData("community"))
        self.name.setText("云溪社区")
        self._accept()
        return self.result()

    monkeypatch.setattr(FirstRunDialog, "exec", fake_exec)
    store = app_module.open_store(tmp_path / "new.sqlite", False)
    try:
        assert store.site.name == "云溪社区" and store.site.level == "community"
    finally:
        store.close()


def test_demo_database_is_generated_when_missing(qtbot, tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "DEMO_SCALE", "small")
    store = app_module.open_store(tmp_path / "demo.sqlite", True)
    try:
        assert isinstance(store, Store) and store.site.code == "370203012"
    finally:
        store.close()


def test_first_run_restores_a_backup(qtbot, tmp_path, monkeypatch, demo_db):
    from pathlib import Path

    from PySide6.QtWidgets import QFileDialog

    with Store(demo_db) as store:
        backup = store.backup(tmp_path / "backups" / "old-pc.sqlite")
    monkeypatch.setattr(QFileDialog, "getOpenFileName", staticmethod(lambda *a, **k: (str(backup), "")))

    def fake_exec(self):
        self.restore_radio.setChecked(True)
        self._accept()
        return self.result()

    monkeypatch.setattr(FirstRunDialog, "exec", fake_exec)
    target = tmp_path / "pc" / "gridapp.sqlite"
    target.parent.mkdir()
    store = app_module.open_store(target, False)
    try:
        assert Path(store.path) == target and store.site.name == "海泉路街道"
    finally:
        store.close()
    assert backup.exists()  # the backup itself stays as it was


def test_restoring_something_that_is_not_a_backup_says_so(tmp_path):
    import pytest

    from gridapp.core.errors import DomainError

    bogus = tmp_path / "notes.sqlite"
    bogus.write_bytes(b"not a database at all" * 100)
    with pytest.raises(DomainError):
        app_module.restore_backup(bogus, tmp_path / "gridapp.sqlite")
    assert not (tmp_path / "gridapp.sqlite").exists()


def test_smoke_test_opens_every_page_and_reports(tmp_path, demo_db, capsys):
    assert app_module.run_gui(demo_db, smoke_test=True) == 0
    import json

    result = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert result["ok"] and len(result["pages"]) == 8 and result["all_pages_s"] > 0


def test_a_street_of_a_city_without_counties_sets_up(qtbot, tmp_path):
    """东莞 has no counties: its streets' codes begin with the city's code (441900003 东城街道)."""
    dialog = FirstRunDialog(tmp_path / "g.sqlite")
    qtbot.addWidget(dialog)
    dialog.level.setCurrentIndex(dialog.level.findData("street"))
    qtbot.keyClicks(dialog.code, "441900003")
    assert dialog.place.text() == "前六位：广东省东莞市"
    dialog.name.setText("东城街道")
    dialog._accept()
    assert dialog.result() == FirstRunDialog.DialogCode.Accepted, dialog.error.text()
    assert dialog.site_fields()["code"] == "441900003"


def test_a_street_of_an_abolished_county_is_refused_with_the_reason(qtbot, tmp_path):
    """崇文区 (110103) was merged into 东城区 in 2010: a new site there uses 110101."""
    dialog = FirstRunDialog(tmp_path / "g.sqlite")
    qtbot.addWidget(dialog)
    dialog.level.setCurrentIndex(dialog.level.findData("street"))
    qtbot.keyClicks(dialog.code, "110103001")
    assert dialog.place.text() == "前六位：北京市崇文区（2010 年后已撤销）"
    dialog.name.setText("崇文门外街道")
    dialog._accept()
    assert dialog.result() != FirstRunDialog.DialogCode.Accepted
    assert "已撤销" in dialog.error.text() and "北京市崇文区" in dialog.error.text()
    assert not (tmp_path / "g.sqlite").exists()

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

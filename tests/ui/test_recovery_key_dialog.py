"""The recovery key of a new encrypted database: shown once, copied, confirmed before the dialog ends."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialogButtonBox

from gridapp.core import accounts, keys
from gridapp.core.services.site import init_site
from gridapp.core.store import Store
from gridapp.ui.first_run_dialog import RecoveryKeyDialog


def test_the_key_is_shown_copied_and_confirmed(qtbot, tmp_path):
    store, code = Store.create_encrypted(tmp_path / "s.sqlite", "boss", "Admin#2026")
    try:
        init_site(store, level="street", code="370203012", name="海泉路街道")
        accounts.add_account(store, "boss", "Admin#2026", role=accounts.ADMIN)
        store.login("boss", "Admin#2026")
    finally:
        store.close()
    assert keys.KeyFile.read(tmp_path / "s.sqlite").unlock_recovery(code)
    dialog = RecoveryKeyDialog(code, tmp_path / "s.sqlite")
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.code_label.text() == code
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled()
    dialog.reject()  # Esc before confirming does not lose the key
    assert dialog.isVisible()
    qtbot.mouseClick(dialog.copy_button, Qt.MouseButton.LeftButton)
    assert QGuiApplication.clipboard().text() == code
    dialog.saved.setChecked(True)
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)
    assert dialog.result() == RecoveryKeyDialog.DialogCode.Accepted

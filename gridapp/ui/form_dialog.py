"""The base of the product's small forms: OK runs ``apply``; a broken rule keeps the form open."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox

from gridapp.core.errors import DomainError
from gridapp.ui.errors import show_error


class FormDialog(QDialog):
    result_value: object = None

    def buttons(self, ok_text: str = "保存") -> QDialogButtonBox:
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        box.button(QDialogButtonBox.StandardButton.Ok).setText(ok_text)
        box.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        box.accepted.connect(self.accept)
        box.rejected.connect(self.reject)
        return box

    def accept(self) -> None:
        try:
            self.result_value = self.apply()
        except DomainError as exc:
            show_error(self, exc, self.windowTitle())
            return
        super().accept()

    def apply(self) -> object:  # pragma: no cover - every form overrides it
        raise NotImplementedError

"""The base of the product's small forms: OK runs ``apply``; a broken rule keeps the form open."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import QDate
from PySide6.QtWidgets import (
    QCheckBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QWidget,
)

from gridapp.core.errors import DomainError
from gridapp.core.fields import rule
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


class OptionalDate(QWidget):
    """A date that may be left empty (a contract still running, a term not known)."""

    def __init__(self, value: dt.date | None = None, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.check = QCheckBox(text)
        self.edit = QDateEdit(calendarPopup=True, displayFormat="yyyy-MM-dd")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.check)
        lay.addWidget(self.edit, 1)
        self.check.toggled.connect(self.edit.setEnabled)
        self.set_value(value)

    def set_value(self, value: dt.date | None) -> None:
        self.check.setChecked(value is not None)
        self.edit.setEnabled(value is not None)
        self.edit.setDate(QDate(value) if value else QDate.currentDate())

    def value(self) -> dt.date | None:
        return self.edit.date().toPython() if self.check.isChecked() else None


_QT_INT = (-(2**31), 2**31 - 1)  # what a QSpinBox holds


def fit(widget: QWidget, attribute) -> QWidget:
    """Limit a field to the rule its model column declares (gridapp.core.fields): a line edit's length,
    a spin box's range (a “未填” position below it stays). The same rule checks the value on save."""
    r = rule(attribute)
    if isinstance(widget, QLineEdit) and r.max_length:
        widget.setMaxLength(r.max_length)
    elif isinstance(widget, QSpinBox | QDoubleSpinBox):
        cast = int if isinstance(widget, QSpinBox) else float
        low = cast(max(r.minimum, _QT_INT[0])) if r.minimum is not None else widget.minimum()
        high = cast(min(r.maximum, _QT_INT[1])) if r.maximum is not None else widget.maximum()
        unset = widget.specialValueText() and widget.minimum() < low
        widget.setRange(widget.minimum() if unset else low, high)
    return widget


def count_spin(value: int | None = None, maximum: int = 100000, *, attribute=None) -> QSpinBox:
    """A count that may be unknown: the lowest position reads “未填”; with the model ``attribute``, its
    declared range."""
    box = QSpinBox(minimum=-1, maximum=maximum)
    box.setSpecialValueText("未填")
    if attribute is not None:
        fit(box, attribute)
    box.setValue(-1 if value is None else value)
    return box


def spin_value(box: QSpinBox) -> int | None:
    return None if box.value() < 0 else box.value()

"""The grid-worker form: validates as you type; the ID number fills birth date and gender.

Also the small dialogs for a worker's moves: transfer (调动) and leaving (离岗).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import QDate, Qt
from PySide6.QtGui import QImage, QPixmap
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import codes, regions
from gridapp.core.errors import DomainError
from gridapp.core.models import Person
from gridapp.core.services import orgs, workers
from gridapp.core.store import Store
from gridapp.core.validation import normalize_phone, parse_id_number
from gridapp.ui.errors import show_error
from gridapp.ui.form_dialog import fit
from gridapp.ui.picker import org_picker

_OK = "color: #2e7d32"
_BAD = "color: #c62828"
_WARN = "color: #b26a00"  # saved as typed, but worth a second look


def code_combo(table: str, *, blank: bool = True) -> QComboBox:
    box = QComboBox()
    if blank:
        box.addItem("", None)
    for code, name in codes.table(table).items:
        box.addItem(name, code)
    return box


def set_combo(box: QComboBox, value: object) -> None:
    i = box.findData(value)
    box.setCurrentIndex(max(i, 0))


def date_edit(value: dt.date | None = None) -> QDateEdit:
    edit = QDateEdit()
    edit.setCalendarPopup(True)
    edit.setDisplayFormat("yyyy-MM-dd")
    edit.setDate(QDate(value) if value else QDate.currentDate())
    return edit


def grid_combo(store: Store) -> QComboBox:
    """A picker of grids and micro-grids, each with its community (and street where that is needed)."""
    return org_picker(store, "grid", "microgrid", blank="请选择网格")


class WorkerDialog(QDialog):
    def __init__(self, store: Store, worker_id: str | None = None, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.worker = workers.get(store, worker_id) if worker_id else None
        self.photo_bytes: bytes | None = workers.photo(store, worker_id) if worker_id else None
        self.photo_changed = False
        self.setWindowTitle("编辑网格员" if self.worker else "登记网格员")

        self.name = fit(QLineEdit(), Person.name)
        self.id_number = QLineEdit()
        self.id_number.setMaxLength(20)
        self.id_hint = QLabel()
        self.id_hint.setWordWrap(True)  # a region note is a sentence
        self.gender = code_combo("gender")
        self.birth = QLineEdit()
        self.birth.setReadOnly(True)
        self.ethnicity = code_combo("ethnicity")
        self.political = code_combo("political")
        self.education = code_combo("education")
        self.phone, self.phone2 = QLineEdit(), QLineEdit()
        self.phone_hint = QLabel()
        self.worker_type = code_combo("worker_type", blank=False)
        self.hired_on = date_edit()
        self.address = fit(QLineEdit(), Person.address)
        self.notes = QLineEdit()
        self.grid = grid_combo(store)
        self.role = code_combo("worker_role", blank=False)
        self._role_chosen = False  # the role follows 人员类别 until the user picks one
        self.role.activated.connect(lambda _i: setattr(self, "_role_chosen", True))
        self.worker_type.currentIndexChanged.connect(self._follow_type)
        self._follow_type()

        form = QFormLayout()
        form.addRow("姓名 *", self.name)
        form.addRow("身份证号码 *", self.id_number)
        form.addRow("", self.id_hint)
        form.addRow("性别", self.gender)
        form.addRow("出生日期", self.birth)
        form.addRow("民族", self.ethnicity)
        form.addRow("政治面貌", self.political)
        form.addRow("文化程度", self.education)
        form.addRow("联系电话", self.phone)
        form.addRow("备用电话", self.phone2)
        form.addRow("", self.phone_hint)
        form.addRow("人员类别", self.worker_type)
        form.addRow("任职时间", self.hired_on)
        form.addRow("住址", self.address)
        form.addRow("备注", self.notes)
        if self.worker is None:
            form.addRow("所属网格 *", self.grid)
            form.addRow("网格职务", self.role)

        self.photo = QLabel("无照片")
        self.photo.setFixedSize(120, 160)
        self.photo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.photo.setStyleSheet("border: 1px solid #bbb; background: #f5f5f5")
        choose = QPushButton("选择照片…")
        choose.clicked.connect(self.choose_photo)
        clear = QPushButton("清除照片")
        clear.clicked.connect(lambda: self._set_photo(None))
        side = QVBoxLayout()
        side.addWidget(self.photo)
        side.addWidget(choose)
        side.addWidget(clear)
        side.addStretch(1)

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText("保存")
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        grid = QGridLayout(self)
        grid.addLayout(form, 0, 0)
        grid.addLayout(side, 0, 1)
        grid.addWidget(self.buttons, 1, 0, 1, 2)

        self.id_number.textChanged.connect(self.check_id)
        for edit in (self.phone, self.phone2):
            edit.editingFinished.connect(lambda e=edit: self.check_phone(e))
        self._fill()
        self.check_id()

    def _fill(self) -> None:
        w = self.worker
        if w is None:
            return
        self.name.setText(w.name)
        self.id_number.setText(w.id_number or "")  # whole only here, in the edit form
        for box, value in ((self.gender, w.gender), (self.ethnicity, w.ethnicity), (self.political, w.political_status),
                           (self.education, w.education), (self.worker_type, w.worker_type)):
            set_combo(box, value)
        self.phone.setText(w.phone or "")
        self.phone2.setText(w.phone2 or "")
        if w.hired_on:
            self.hired_on.setDate(QDate(w.hired_on))
        self.address.setText(w.address or "")
        self.notes.setText(w.notes or "")
        self._set_photo(self.photo_bytes, changed=False)

    # -- validation as you type ----------------------------------------------------------------------
    def check_id(self) -> bool:
        text = self.id_number.text().strip()
        save = self.buttons.button(QDialogButtonBox.StandardButton.Save)
        if len(text) < 15 or len(text) in (16, 17):
            self.id_hint.setStyleSheet("")
            self.id_hint.setText(f"已输入 {len(text)} 位，应为 18 位" if text else "18 位身份证号码，自动识别出生日期和性别")
            save.setEnabled(False)
            return False
        try:
            info = parse_id_number(text)
        except DomainError as exc:
            self.id_hint.setStyleSheet(_BAD)
            self.id_hint.setText(exc.message)
            save.setEnabled(False)
            return False
        self.birth.setText(info.birth_date.isoformat())
        set_combo(self.gender, info.gender)
        note = regions.id_region_note(info.number)
        self.id_hint.setStyleSheet(_WARN if note else _OK)
        self.id_hint.setText(f"✓ 出生日期 {info.birth_date}，{codes.GENDER.name(info.gender)}"
                             + ("（已由15位升级为18位）" if info.upgraded else "") + (f"。{note}" if note else ""))
        save.setEnabled(True)
        return True

    def check_phone(self, edit: QLineEdit) -> bool:
        text = edit.text().strip()
        if not text:
            self.phone_hint.clear()
            return True
        try:
            edit.setText(normalize_phone(text))
        except DomainError as exc:
            self.phone_hint.setStyleSheet(_BAD)
            self.phone_hint.setText(exc.message)
            return False
        self.phone_hint.clear()
        return True

    # -- photo ---------------------------------------------------------------------------------------
    def choose_photo(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "选择照片", "", "图片 (*.jpg *.jpeg *.png *.bmp)")
        if path:
            self.load_photo(Path(path))

    def load_photo(self, path: Path) -> None:
        image = QImage(str(path))
        if image.isNull():
            show_error(self, DomainError(f"无法读取图片：{path.name}"))
            return
        image = image.scaled(480, 640, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation)
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice

        data = QByteArray()
        buffer = QBuffer(data)
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "JPEG", 85)
        self._set_photo(bytes(data.data()))

    def _set_photo(self, data: bytes | None, *, changed: bool = True) -> None:
        self.photo_bytes = data
        self.photo_changed = self.photo_changed or changed
        if data:
            pix = QPixmap()
            pix.loadFromData(data)
            self.photo.setPixmap(pix.scaled(self.photo.size(), Qt.AspectRatioMode.KeepAspectRatio,
                                            Qt.TransformationMode.SmoothTransformation))
        else:
            self.photo.setPixmap(QPixmap())
            self.photo.setText("无照片")

    # -- save ----------------------------------------------------------------------------------------
    def data(self) -> dict:
        return {
            "name": self.name.text().strip(), "id_number": self.id_number.text().strip(),
            "gender": self.gender.currentData(), "ethnicity": self.ethnicity.currentData(),
            "political_status": self.political.currentData(), "education": self.education.currentData(),
            "phone": self.phone.text().strip() or None, "phone2": self.phone2.text().strip() or None,
            "worker_type": self.worker_type.currentData(), "hired_on": self.hired_on.date().toPython(),
            "address": self.address.text().strip() or None, "notes": self.notes.text().strip() or None,
        }

    def save(self) -> None:
        if not self.check_id() or not self.check_phone(self.phone) or not self.check_phone(self.phone2):
            return
        try:
            self.saved = workers.create_or_update(
                self.store, self.data(), worker_id=self.worker.id if self.worker else None,
                grid_id=None if self.worker else self.grid.currentData(),
                role=None if self.worker else self.role.currentData(),
                photo=self.photo_bytes if self.photo_changed else workers.KEEP_PHOTO,
            )
        except DomainError as exc:
            show_error(self, exc, "无法保存")
            return
        self.accept()


    def _follow_type(self) -> None:
        if not self._role_chosen:
            set_combo(self.role, workers.default_role(self.worker_type.currentData()))


class TransferDialog(QDialog):
    """调动: to another grid with a role from a date; the old assignment ends that day.

    With ``additional=True`` (兼任): a further grid with a role, the current ones kept.
    """

    def __init__(self, store: Store, worker_id: str, parent: QWidget | None = None, *, additional: bool = False):
        super().__init__(parent)
        self.store, self.worker, self.additional = store, workers.get(store, worker_id), additional
        self.setWindowTitle(f"{'兼任网格' if additional else '调动'} — {self.worker.name}")
        names = orgs.labels(store)
        current = "、".join(f"{names.get(a.grid_id, a.grid_name)}（{a.role_name}）" for a in self.worker.current) or "无"
        self.grid = grid_combo(store)
        self.role = code_combo("worker_role", blank=False)
        # the role held now, except 网格长: the grid moved to has its own leader
        held = self.worker.current[0].role if self.worker.current else None
        set_combo(self.role, held if held not in (None, "leader") else workers.default_role(self.worker.worker_type))
        self.on = date_edit()
        form = QFormLayout(self)
        form.addRow("现任：", QLabel(current))
        form.addRow("兼任网格 *" if additional else "调入网格 *", self.grid)
        form.addRow("网格职务", self.role)
        form.addRow("开始日期" if additional else "调动日期", self.on)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def save(self) -> None:
        if not self.grid.currentData():
            show_error(self, DomainError("请选择兼任的网格" if self.additional else "请选择调入的网格"), "无法保存")
            return
        action = workers.assign_worker if self.additional else workers.transfer_worker
        try:
            action(self.store, self.worker.id, self.grid.currentData(), self.role.currentData(),
                   self.on.date().toPython())
        except DomainError as exc:
            show_error(self, exc, "无法保存")
            return
        self.accept()


class LeaveDialog(QDialog):
    """离岗 with a date and a reason; or back on duty (恢复在岗)."""

    def __init__(self, store: Store, worker_id: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.store, self.worker = store, workers.get(store, worker_id)
        leaving = self.worker.status == "active"
        self.setWindowTitle(f"{'离岗' if leaving else '恢复在岗'} — {self.worker.name}")
        self.on = date_edit()
        self.reason = QComboBox()
        self.reason.setEditable(True)
        self.reason.addItems(["辞职", "退休", "调离", "合同到期", "解聘", "其他"])
        form = QFormLayout(self)
        form.addRow("日期", self.on)
        if leaving:
            form.addRow("离岗原因 *", self.reason)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)
        self.leaving = leaving

    def save(self) -> None:
        try:
            if self.leaving:
                workers.worker_leaves(self.store, self.worker.id, self.on.date().toPython(), self.reason.currentText())
            else:
                workers.worker_returns(self.store, self.worker.id, self.on.date().toPython())
        except DomainError as exc:
            show_error(self, exc)
            return
        self.accept()


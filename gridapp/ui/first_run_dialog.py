"""First start without a database: create this site (with its first administrator, if wanted), open demo data,
or open an existing file."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from gridapp import APP_TITLE
from gridapp.core import accounts
from gridapp.core.errors import ValidationError
from gridapp.core.services.site import SITE_LEVELS, check_new_site_code
from gridapp.ui.icons import app_icon

LEVEL_NAMES = {"district": "区", "street": "街道", "community": "社区"}


class FirstRunDialog(QDialog):
    NEW, DEMO, OPEN, RESTORE = "new", "demo", "open", "restore"

    def __init__(self, db_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.db_path = db_path
        self.setWindowTitle(f"欢迎使用{APP_TITLE}")
        self.setWindowIcon(app_icon())
        self.choice = self.NEW
        self.open_path: Path | None = None

        intro = QLabel(f"<h3>欢迎使用{APP_TITLE}</h3><p>还没有数据库。请选择如何开始：</p>")
        self.new_radio = QRadioButton("新建本站点数据库")
        self.demo_radio = QRadioButton("打开演示数据（自动生成虚构数据，可随意试用）")
        self.restore_radio = QRadioButton("从备份恢复（换电脑或重装后，选择原来的备份文件）…")
        self.open_radio = QRadioButton("打开已有的数据库文件…")
        self.new_radio.setChecked(True)
        group = QButtonGroup(self)
        for b in (self.new_radio, self.demo_radio, self.restore_radio, self.open_radio):
            group.addButton(b)
            b.toggled.connect(self._update)

        self.level = QComboBox()
        for level in SITE_LEVELS:
            self.level.addItem(LEVEL_NAMES[level], level)
        self.level.setCurrentIndex(1)
        self.code = QLineEdit(placeholderText="如 370203012（街道9位：6位县级行政区划代码+3位街道顺序号）")
        self.name = QLineEdit(placeholderText="如 海泉路街道")
        self.form_box = QWidget()
        form = QFormLayout(self.form_box)
        form.addRow("层级：", self.level)
        form.addRow("编码：", self.code)
        self.place = QLabel()  # the county the code's first six digits name, as the user types
        self.place.setWordWrap(True)
        form.addRow("", self.place)
        self.code.textChanged.connect(self._show_place)
        form.addRow("名称：", self.name)
        form.addRow(self._admin_box())
        self.error = QLabel()
        self.error.setObjectName("warning")
        self.error.setWordWrap(True)
        where = QLabel(f"数据库将保存在：{db_path}")
        where.setWordWrap(True)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("开始")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("退出")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addWidget(self.new_radio)
        lay.addWidget(self.form_box)
        lay.addWidget(self.demo_radio)
        lay.addWidget(self.restore_radio)
        lay.addWidget(self.open_radio)
        lay.addWidget(where)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.resize(560, 0)

    def _admin_box(self) -> QGroupBox:
        """管理员账号: optional; filled, the new database starts with this administrator, logged in."""
        box = QGroupBox("管理员账号（可选：填写后，打开本数据库需要登录）")
        self.admin_name = QLineEdit(placeholderText="登录时输入，如 姓名的拼音")
        self.admin_display = QLineEdit(placeholderText="如 张三（可不填）")
        self.admin_password = QLineEdit(placeholderText="至少 8 个字符，含大写、小写、数字、符号中的三种")
        self.admin_confirm = QLineEdit()
        for edit in (self.admin_password, self.admin_confirm):
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout(box)
        form.addRow("账号：", self.admin_name)
        form.addRow("姓名：", self.admin_display)
        form.addRow("密码：", self.admin_password)
        form.addRow("确认密码：", self.admin_confirm)
        return box

    def admin_fields(self) -> dict[str, str] | None:
        """The administrator to create, or None when the section is left empty."""
        edits = (self.admin_name, self.admin_display, self.admin_password, self.admin_confirm)
        if not any(e.text().strip() for e in edits):
            return None
        return {"name": self.admin_name.text().strip(), "display_name": self.admin_display.text().strip(),
                "password": self.admin_password.text()}

    def _check_admin(self) -> None:
        admin = self.admin_fields()
        if admin is None:
            return
        accounts.check_name(admin["name"])
        accounts.check_password(admin["password"])
        if self.admin_confirm.text() != admin["password"]:
            raise ValidationError("两次输入的管理员密码不一致，请重新输入")

    def _show_place(self, text: str) -> None:
        from gridapp.core import regions

        digits = "".join(ch for ch in text if ch.isdigit())
        if len(digits) < 6:
            self.place.clear()
            return
        t = regions.table()
        prefix = digits[:6]
        now, last = t.current(prefix), t.last(prefix)
        if now is not None:
            self.place.setText(f"前六位：{t.full_name(prefix)}")
        elif last is not None:
            self.place.setText(f"前六位：{t.full_name(prefix)}（{last.end} 年后已撤销）")
        else:
            self.place.setText(f"前六位“{prefix}”不在行政区划代码表中")

    def _update(self) -> None:
        self.form_box.setEnabled(self.new_radio.isChecked())
        self.error.clear()

    def site_fields(self) -> dict[str, str]:
        return {"level": self.level.currentData(), "code": self.code.text().strip(), "name": self.name.text().strip()}

    def _accept(self) -> None:
        if self.new_radio.isChecked():
            fields = self.site_fields()
            try:
                check_new_site_code(fields["code"], fields["level"])
                if not fields["name"]:
                    raise ValidationError("请填写名称")
                self._check_admin()
            except ValidationError as exc:
                self.error.setText(exc.message)
                if exc.field == "password":
                    self.admin_password.clear()
                    self.admin_confirm.clear()
                    self.admin_password.setFocus()
                return
            self.choice = self.NEW
        elif self.demo_radio.isChecked():
            self.choice = self.DEMO
        elif self.restore_radio.isChecked():
            path, _ = QFileDialog.getOpenFileName(self, "选择备份文件", str(self.db_path.parent / "backups"),
                                                  "gridapp 数据库备份 (*.sqlite *.db);;所有文件 (*)")
            if not path:
                return
            self.choice, self.open_path = self.RESTORE, Path(path)
        else:
            path, _ = QFileDialog.getOpenFileName(self, "打开数据库", str(self.db_path.parent),
                                                  "gridapp 数据库 (*.sqlite *.db);;所有文件 (*)")
            if not path:
                return
            self.choice, self.open_path = self.OPEN, Path(path)
        self.accept()


class RecoveryKeyDialog(QDialog):
    """The recovery key of a newly encrypted database, shown once: copied or written down, then confirmed."""

    def __init__(self, code: str, db_path: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("恢复密钥（只显示这一次）")
        self.setWindowIcon(app_icon())
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(
            f"数据库 {db_path.name} 已加密保存，密钥文件 {db_path.name}.keys 须与数据库放在一起。\n"
            "忘记所有管理员密码时，只有用下面的恢复密钥才能重设管理员密码、打开数据库。\n"
            "请把它抄写或打印下来，封存在办公室保险柜中；程序不会保存它，也不会再显示。"))
        self.code_label = QLabel(code)
        self.code_label.setObjectName("recoveryKey")
        self.code_label.setStyleSheet("font-family: monospace; font-size: 18pt; padding: 8px;")
        self.code_label.setTextInteractionFlags(self.code_label.textInteractionFlags() | Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.code_label)
        self.copy_button = QPushButton("复制到剪贴板")
        self.copy_button.clicked.connect(lambda: QGuiApplication.clipboard().setText(code))
        layout.addWidget(self.copy_button)
        self.saved = QCheckBox("我已抄写保存恢复密钥")
        layout.addWidget(self.saved)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(False)
        self.saved.toggled.connect(self.buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled)
        self.buttons.accepted.connect(self.accept)
        layout.addWidget(self.buttons)

    def reject(self) -> None:  # closing without confirming would lose the key: only the confirmed OK ends it
        if self.saved.isChecked():
            super().reject()

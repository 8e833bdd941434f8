"""登录: who is at the desk, asked before a database with accounts is shown (at start, after 注销, on 打开数据库)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from gridapp import APP_TITLE
from gridapp.core.codes import ORG_LEVEL
from gridapp.core.errors import DomainError
from gridapp.core.store import Store
from gridapp.ui.icons import app_icon


class LoginDialog(QDialog):
    """Accepted once ``store`` is logged in; a refused login (wrong password, unknown, disabled or locked
    account) is said in the dialog, which stays open with the password cleared."""

    def __init__(self, store: Store, parent: QWidget | None = None, *, cancel_text: str = "退出"):
        super().__init__(parent)
        self.store = store
        self.setWindowTitle(f"登录 — {APP_TITLE}")
        self.setWindowIcon(app_icon())
        self.setModal(True)

        site = store.site
        where = f"{site.name}（{ORG_LEVEL.name(site.level)}）" if site else "未建立站点"
        intro = QLabel(f"<h3>{APP_TITLE}</h3><p>{where}的数据库已设置账号，请登录。</p>")
        self.db_label = QLabel(f"数据库：{store.path}")
        self.db_label.setWordWrap(True)
        self.db_label.setObjectName("cardLabel")

        self.account = QLineEdit(placeholderText="账号名称")
        self.password = QLineEdit(placeholderText="密码")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        form.addRow("账号：", self.account)
        form.addRow("密码：", self.password)

        self.error = QLabel()
        self.error.setObjectName("error")  # red (resources/styles/app.qss)
        self.error.setWordWrap(True)

        buttons = QDialogButtonBox()
        self.login_button = buttons.addButton("登录", QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = buttons.addButton(cancel_text, QDialogButtonBox.ButtonRole.RejectRole)
        self.login_button.setDefault(True)  # Enter in either field logs in
        buttons.accepted.connect(self._login)
        buttons.rejected.connect(self.reject)

        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(self.error)
        lay.addWidget(self.db_label)
        lay.addWidget(buttons)
        self.setMinimumWidth(420)
        self.account.setFocus()

    def _login(self) -> None:
        try:
            self.store.login(self.account.text(), self.password.text())
        except DomainError as exc:  # PermissionDenied with the reason; a StoreError (the file) too
            self.error.setText(exc.message)
            self.password.clear()
            (self.account if not self.account.text().strip() else self.password).setFocus()
            return
        self.password.clear()  # the password is not kept in the widget once it served
        self.accept()


def log_in(store: Store, parent: QWidget | None = None, *, cancel_text: str = "退出") -> bool:
    """Whether ``store`` may be shown: at once without accounts, otherwise once someone has logged in."""
    if not store.has_accounts or store.account is not None:
        return True
    dialog = LoginDialog(store, parent, cancel_text=cancel_text)
    try:
        return dialog.exec() == QDialog.DialogCode.Accepted and store.account is not None
    finally:
        dialog.deleteLater()

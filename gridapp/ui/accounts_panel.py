"""系统设置 → 账号管理 (管理员): the accounts of this database and what an administrator does with them.
Each change goes through ``core.accounts``; a refusal (the last administrator, a weak password) is said in
the dialog, which stays open with what was typed."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from gridapp.core import accounts
from gridapp.core.clock import local
from gridapp.core.codes import ACCOUNT_ROLE
from gridapp.core.errors import DomainError
from gridapp.core.store import Store
from gridapp.ui.errors import show_error
from gridapp.ui.pages.base import add_button

ROLES = (accounts.ADMIN, accounts.CLERK, accounts.VIEWER)
COLUMNS = ("账号", "姓名", "角色", "状态", "锁定到", "上次登录")


class AccountDialog(QDialog):
    """新建账号 (name, display name, role, password) or 重置密码 (the password only)."""

    def __init__(self, store: Store, parent: QWidget | None = None, *, reset: str | None = None):
        super().__init__(parent)
        self.store, self.reset = store, reset
        self.setWindowTitle(f"重置密码 — {reset}" if reset else "新建账号")
        self.name, self.display = QLineEdit(), QLineEdit()
        self.role = QComboBox()
        for r in ROLES:
            self.role.addItem(ACCOUNT_ROLE.name(r), r)
        self.role.setCurrentIndex(1)
        self.password, self.confirm = QLineEdit(), QLineEdit()
        for f in (self.password, self.confirm):
            f.setEchoMode(QLineEdit.EchoMode.Password)
        form = QFormLayout()
        if not reset:
            form.addRow("账号名称：", self.name)
            form.addRow("姓名：", self.display)
            form.addRow("角色：", self.role)
        form.addRow("新密码：" if reset else "密码：", self.password)
        form.addRow("再输一遍：", self.confirm)
        hint = QLabel("密码至少 8 个字符，包含大写字母、小写字母、数字、其他符号中的至少三种。")
        hint.setWordWrap(True)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("重置" if reset else "新建")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("取消")
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(hint)
        lay.addWidget(self.error)
        lay.addWidget(buttons)
        self.setMinimumWidth(420)

    def _save(self) -> None:
        if self.password.text() != self.confirm.text():
            self.error.setText("两次输入的密码不一致，请重新输入")
            return
        try:
            if self.reset:
                accounts.reset_password(self.store, self.reset, self.password.text())
            else:
                accounts.add_account(self.store, self.name.text(), self.password.text(),
                                     role=self.role.currentData(), display_name=self.display.text())
        except DomainError as exc:
            self.error.setText(exc.message)
            return
        self.accept()


class AccountsPanel(QWidget):
    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        bar = QHBoxLayout()
        self.add_button = add_button(bar, "add", "新建账号", self.add)
        self.reset_button = add_button(bar, "key", "重置密码", self.reset_password)
        self.role_button = add_button(bar, "edit", "修改角色", self.change_role)
        self.enable_button = add_button(bar, "stop", "停用 / 启用", self.toggle)
        bar.addStretch(1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(bar)
        lay.addWidget(self.table)
        self.refresh()

    def refresh(self) -> None:
        self.rows = accounts.list_accounts(self.store)
        self.table.setRowCount(len(self.rows))
        for i, a in enumerate(self.rows):
            for j, text in enumerate((a.name, a.display_name, a.role_name, "启用" if a.enabled else "已停用",
                                      local(a.locked_until) if a.locked_until else "",
                                      local(a.last_login_at) if a.last_login_at else "从未登录")):
                self.table.setItem(i, j, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()

    def selected(self) -> accounts.AccountInfo | None:
        row = self.table.currentRow()
        if row < 0 or row >= len(self.rows):
            QMessageBox.information(self, "请选择账号", "请先在账号列表中选中一个账号。")
            return None
        return self.rows[row]

    def _run(self, fn) -> None:
        try:
            fn()
        except DomainError as exc:
            show_error(self, exc, "账号未修改")
        self.refresh()

    def add(self) -> None:
        if AccountDialog(self.store, self).exec() == QDialog.DialogCode.Accepted:
            self.refresh()

    def reset_password(self) -> None:
        a = self.selected()
        if a and AccountDialog(self.store, self, reset=a.name).exec() == QDialog.DialogCode.Accepted:
            self.refresh()

    def change_role(self) -> None:
        a = self.selected()
        if a is None:
            return
        names = [ACCOUNT_ROLE.name(r) for r in ROLES]
        name, ok = QInputDialog.getItem(self, "修改角色", f"账号 {a.name} 的新角色：", names,
                                        names.index(a.role_name), False)
        if ok:
            self._run(lambda: accounts.set_role(self.store, a.name, ROLES[names.index(name)]))

    def toggle(self) -> None:
        a = self.selected()
        if a is not None:
            self._run(lambda: accounts.set_enabled(self.store, a.name, not a.enabled))

"""锁定: after some minutes without keyboard or mouse input the window is covered and asks the password of
the account that is logged in again (or 注销). Open forms are hidden behind the lock, not closed: what was
typed in them is there after unlocking.

The minutes are the setting ``idle_lock_minutes`` (default 15, 0 = never), read when the window shows a
database with accounts. ``IdleLock.interval_ms`` lets a test use milliseconds.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QWidget

from gridapp.core import audit
from gridapp.core.errors import DomainError
from gridapp.core.store import Store
from gridapp.ui.login_dialog import LoginDialog

SETTING = "idle_lock_minutes"
DEFAULT_MINUTES = 15
_INPUT = frozenset({QEvent.Type.KeyPress, QEvent.Type.MouseButtonPress, QEvent.Type.MouseMove,
                    QEvent.Type.Wheel, QEvent.Type.TouchBegin, QEvent.Type.ShortcutOverride})


def minutes(store: Store) -> int:
    try:
        return max(0, int(store.get_setting(SETTING, DEFAULT_MINUTES)))
    except (TypeError, ValueError, DomainError):
        return DEFAULT_MINUTES


class UnlockDialog(LoginDialog):
    """The login dialog for the account already logged in: only its password is asked. 注销 ends the session
    (the window then asks for any account)."""

    def __init__(self, store: Store, parent: QWidget | None = None):
        super().__init__(store, parent, cancel_text="注销")
        me = store.account
        self.setWindowTitle("已锁定 — 请输入密码解锁")
        self.account.setText(me.name if me else "")
        self.account.setReadOnly(True)
        self.error.setText(f"程序已在 {minutes(store)} 分钟无操作后锁定。请输入上面这个账号的密码解锁，"
                           "未保存的内容都还在；或点“注销”换一个账号登录。")
        self.login_button.setText("解锁")
        for label in self.findChildren(QLabel):  # the greeting says why the password is asked again
            if label.text().startswith("<h3>"):
                label.setText(label.text().replace("的数据库已设置账号，请登录。", "：程序已锁定。"))
        self.password.setFocus()

    def _login(self) -> None:
        me = self.store.account
        try:  # the core's own check: a wrong password counts towards the lockout and is audited
            from gridapp.core import accounts

            info = accounts.authenticate(self.store, me.name, self.password.text())
        except DomainError as exc:
            audit.record(self.store, "unlock", f"账号 {me.name} 解锁", ok=False, reason=exc.message, account=me.name)
            self.error.setText(exc.message)
            self.password.clear()
            self.password.setFocus()
            return
        self.store.account = info
        audit.record(self.store, "unlock", f"{info.label} 解锁")
        self.password.clear()
        self.accept()


class IdleLock(QObject):
    """Watches the application's input; after ``interval_ms`` without any, ``lock()``. ``on_logout`` is called
    when the user chooses 注销 at the lock."""

    def __init__(self, window: QWidget, store: Store, on_logout):
        super().__init__(window)
        self.window, self.store, self.on_logout = window, store, on_logout
        self.timer = QTimer(self, singleShot=True)
        self.timer.timeout.connect(self.lock)
        self.locked = False
        self.dialog: UnlockDialog | None = None
        self.interval_ms = 0
        QApplication.instance().installEventFilter(self)

    def start(self, store: Store, interval_ms: int | None = None) -> None:
        """Watch for ``store`` (its setting unless ``interval_ms`` is given; nothing without accounts)."""
        self.store = store
        if interval_ms is None:  # logged out: nothing to lock (and the setting may not be read)
            interval_ms = minutes(store) * 60_000 if store.has_accounts and store.account is not None else 0
        self.interval_ms = interval_ms
        self.timer.stop()
        if interval_ms > 0 and store.has_accounts and store.account is not None:
            self.timer.start(interval_ms)

    def stop(self) -> None:
        self.timer.stop()
        self.interval_ms = 0

    def eventFilter(self, watched, event) -> bool:
        if not self.locked and self.interval_ms > 0 and event.type() in _INPUT:
            self.timer.start(self.interval_ms)
        return False

    def lock(self) -> None:
        if self.locked or self.store.account is None:
            return
        self.locked = True
        audit.record(self.store, "lock", f"{self.store.account.label} 无操作 {minutes(self.store)} 分钟，程序锁定")
        # open dialogs (a half-filled form) are made invisible and inert, not closed (hiding a dialog would end
        # its exec() as if cancelled); they come back as they were after unlocking
        hidden = [(w, w.windowOpacity()) for w in QApplication.topLevelWidgets()
                  if w.isVisible() and w is not self.window and isinstance(w, QDialog)]
        for w, _opacity in hidden:
            w.setWindowOpacity(0.0)
            w.setEnabled(False)
        self.window.centralWidget().setVisible(False)
        self.window.menuBar().setEnabled(False)
        self.dialog = UnlockDialog(self.store, self.window)
        try:
            unlocked = self.dialog.exec() == QDialog.DialogCode.Accepted
        finally:
            self.dialog.deleteLater()
            self.dialog = None
            self.locked = False
        self.window.menuBar().setEnabled(True)
        self.window.centralWidget().setVisible(True)
        for w, opacity in hidden:
            w.setEnabled(True)
            w.setWindowOpacity(opacity)
        if unlocked:
            self.start(self.store, self.interval_ms)
            return
        for w, _opacity in hidden:  # 注销: what was open goes, with the session
            w.reject()
        self.on_logout()

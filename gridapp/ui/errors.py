"""What a user sees when something goes wrong: a Chinese message, never a traceback.

Unexpected errors go to a log file in the user data folder, and the message names it. Neither the log
nor the message carries an ID number or a phone number (``core.redact``).
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QMessageBox, QWidget

from gridapp.core import logs
from gridapp.core.errors import Cancelled, DomainError

log = logs.log
log_path = logs.log_path
setup_logging = logs.setup_logging


def unexpected_text(exc: BaseException) -> str:
    """The dialog's text for an error no rule foresaw: what happened to the data, where the details are,
    and one masked line of what went wrong (for the person on the support phone)."""
    return (f"程序遇到了意外错误，当前操作没有完成，已保存的数据不受影响。\n\n"
            f"错误详情已记录在：\n{log_path()}\n\n请把这个文件发给技术支持人员。\n\n"
            f"错误摘要：{logs.summary(exc)}")


def show_error(parent: QWidget | None, exc: BaseException, title: str = "操作未完成") -> None:
    if isinstance(exc, Cancelled):
        QMessageBox.information(parent, title, "已取消，数据没有任何改动。")
    elif isinstance(exc, DomainError):
        QMessageBox.warning(parent, title, exc.message)
    else:
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
        QMessageBox.critical(parent, "程序出错", unexpected_text(exc))


def install_excepthook() -> None:
    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        exc = exc if exc is not None else exc_type()
        exc.__traceback__ = tb
        if isinstance(exc, DomainError):  # a rule's refusal (a role without the right) a slot let through
            log.warning("uncaught domain error: %s", logs.format_exception(exc))
            QMessageBox.warning(None, "操作未完成", exc.message)
            return
        log.error("uncaught: %s", logs.format_exception(exc))
        QMessageBox.critical(None, "程序出错", unexpected_text(exc))

    sys.excepthook = hook

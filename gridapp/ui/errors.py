"""What a user sees when something goes wrong: a Chinese message, never a traceback.

Unexpected errors go to a log file in the user data folder, and the message names it.
"""

from __future__ import annotations

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget

from gridapp.core.errors import Cancelled, DomainError

log = logging.getLogger("gridapp")


def log_path() -> Path:
    from gridapp.core.paths import user_data_dir

    folder = user_data_dir() / "logs"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "gridapp.log"


def setup_logging() -> None:
    if any(isinstance(h, RotatingFileHandler) for h in log.handlers):
        return
    handler = RotatingFileHandler(log_path(), maxBytes=2_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    log.addHandler(handler)
    log.setLevel(logging.INFO)


def show_error(parent: QWidget | None, exc: BaseException, title: str = "操作未完成") -> None:
    if isinstance(exc, Cancelled):
        QMessageBox.information(parent, title, "已取消，数据没有任何改动。")
    elif isinstance(exc, DomainError):
        QMessageBox.warning(parent, title, exc.message)
    else:
        log.error("unexpected error", exc_info=(type(exc), exc, exc.__traceback__))
        QMessageBox.critical(
            parent, "程序出错",
            f"程序遇到了意外错误，当前操作没有完成，已保存的数据不受影响。\n\n"
            f"错误详情已记录在：\n{log_path()}\n\n请把这个文件发给技术支持人员。",
        )


def install_excepthook() -> None:
    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        log.error("uncaught: %s", "".join(traceback.format_exception(exc_type, exc, tb)))
        show_error(None, exc)

    sys.excepthook = hook

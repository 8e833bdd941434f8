"""The program's log: one rotating file in the user data folder, the user's alone, with ID numbers and
phone numbers masked in every record, its message and its traceback alike."""

from __future__ import annotations

import logging
import os
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from gridapp.core.redact import redact

log = logging.getLogger("gridapp")

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def log_path() -> Path:
    from gridapp.core.paths import private_dir, user_data_dir

    return private_dir(user_data_dir() / "logs") / "gridapp.log"


class RedactingFormatter(logging.Formatter):
    """Formats as usual, then masks personal numbers in the whole text (message, exception, stack)."""

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


class PrivateFileHandler(RotatingFileHandler):
    """A rotating log file created 0600 whatever the process umask (rotation renames, keeping the mode)."""

    def _open(self):
        return open(self.baseFilename, self.mode, encoding=self.encoding, errors=self.errors,
                    opener=lambda path, flags: os.open(path, flags, 0o600))


def setup_logging() -> Path:
    """Log INFO and above of the ``gridapp`` loggers to the log file (made on the first record); its path."""
    for h in log.handlers:
        if isinstance(h, PrivateFileHandler):
            return Path(h.baseFilename)
    path = log_path()
    handler = PrivateFileHandler(path, maxBytes=2_000_000, backupCount=3, encoding="utf-8", delay=True)
    handler.setFormatter(RedactingFormatter(FORMAT))
    log.addHandler(handler)
    log.setLevel(logging.INFO)
    return path


def format_exception(exc: BaseException) -> str:
    """A traceback as text, personal numbers masked."""
    return redact("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)))


def summary(exc: BaseException, limit: int = 300) -> str:
    """``ValueError: …``: one line for a dialog, personal numbers masked."""
    first = (str(exc).strip().splitlines() or [""])[0]
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return redact(text if len(text) <= limit else text[: limit - 1] + "…")


def install_console_excepthook() -> None:
    """Headless runs: an unexpected error is logged and printed with its traceback, personal numbers masked."""

    def hook(exc_type, exc, tb) -> None:
        if issubclass(exc_type, KeyboardInterrupt):
            sys.__excepthook__(exc_type, exc, tb)
            return
        exc = exc if exc is not None else exc_type()
        exc.__traceback__ = tb
        text = format_exception(exc)
        try:
            path = setup_logging()
            log.error("uncaught: %s", text)
        except OSError:
            path = None
        if sys.stderr is not None:
            sys.stderr.write(text)
            if path is not None:
                sys.stderr.write(f"程序出错，错误详情已记录在：{path}\n")

    sys.excepthook = hook

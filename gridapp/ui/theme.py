"""Fonts and style: a CJK font on every PC (the shipped one when Windows' are absent)."""

from __future__ import annotations

import logging

from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import QApplication

from gridapp.core.paths import resources_dir

log = logging.getLogger(__name__)

# In order of preference: what Windows has, then the font shipped in resources/fonts.
PREFERRED_FAMILIES = ("Microsoft YaHei UI", "Microsoft YaHei", "WenQuanYi Micro Hei", "Noto Sans CJK SC", "SimSun")
SHIPPED_FAMILY = "WenQuanYi Micro Hei"

_loaded = False


def load_fonts() -> None:
    global _loaded
    if _loaded:
        return
    for path in sorted((resources_dir() / "fonts").glob("*.tt[cf]")):
        if QFontDatabase.addApplicationFont(str(path)) < 0:
            log.warning("could not load font %s", path)
    _loaded = True


def ui_family() -> str:
    load_fonts()
    families = set(QFontDatabase.families())
    return next((f for f in PREFERRED_FAMILIES if f in families), SHIPPED_FAMILY)


def apply(app: QApplication) -> None:
    from gridapp.ui import qt_chinese

    qt_chinese.install(app)  # Qt's own buttons and dialogs in Chinese
    font = QFont(ui_family())
    font.setPointSize(10)
    app.setFont(font)
    qss = resources_dir() / "styles" / "app.qss"
    if qss.exists():
        app.setStyleSheet(qss.read_text(encoding="utf-8"))

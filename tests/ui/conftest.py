import pytest
from PySide6.QtWidgets import QMessageBox

from gridapp.ui import theme


@pytest.fixture
def window(qtbot, qapp, demo_db):
    from gridapp.core.store import Store
    from gridapp.ui.main_window import MainWindow

    theme.apply(qapp)
    win = MainWindow(Store(demo_db))
    qtbot.addWidget(win)
    win.show()
    yield win
    win.close()


@pytest.fixture(autouse=True)
def messages(monkeypatch):
    """Message boxes recorded instead of shown: a modal box would block an offscreen test forever."""
    seen: list[tuple[str, str]] = []
    for kind in ("information", "warning", "critical", "about"):
        monkeypatch.setattr(QMessageBox, kind, staticmethod(lambda _p, title, text, *a, k=kind: seen.append((k, text))))
    return seen

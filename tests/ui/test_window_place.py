"""The main window fits the screen's free area and comes back where the user left it."""

from __future__ import annotations

from PySide6.QtCore import QRect

from gridapp.core.store import Store
from gridapp.ui.main_window import MainWindow, window_settings


def _open(qtbot, demo_db) -> MainWindow:
    win = MainWindow(Store(demo_db))
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    qtbot.wait(20)
    return win


def test_first_start_fits_and_a_moved_window_comes_back(qtbot, demo_db):
    win = _open(qtbot, demo_db)
    screen = win.screen().availableGeometry()
    assert screen.contains(win.frameGeometry())
    assert win.statusBar().isVisible()
    win.setGeometry(QRect(screen.x() + 40, screen.y() + 50, 1100, 700))
    qtbot.wait(20)
    placed = win.geometry()
    win.close()

    again = _open(qtbot, demo_db)
    assert again.geometry().size() == placed.size()
    assert again.geometry().topLeft() == placed.topLeft()
    again.close()


def test_a_place_saved_on_a_bigger_screen_is_pulled_onto_this_one(qtbot, demo_db):
    win = _open(qtbot, demo_db)
    screen = win.screen().availableGeometry()
    win.setGeometry(QRect(screen.right() - 200, screen.bottom() - 100, screen.width() + 400, screen.height() + 300))
    win.close()
    assert window_settings().value("main/geometry") is not None

    again = _open(qtbot, demo_db)
    assert screen.contains(again.frameGeometry()), (again.frameGeometry(), screen)
    again.close()

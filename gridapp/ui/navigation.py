"""Going from a figure to the records behind it: the page (and tab) that holds a list, with filters chosen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStackedWidget, QTabWidget, QWidget

from gridapp.core.services.overview import Target
from gridapp.ui.list_panel import ListPanel
from gridapp.ui.pages.baodao_page import BaodaoPage
from gridapp.ui.pages.base import Page
from gridapp.ui.pages.grids_page import GridsPage
from gridapp.ui.pages.property_page import PropertyPage
from gridapp.ui.pages.requests_page import RequestsPage
from gridapp.ui.pages.workers_page import WorkersPage
from gridapp.ui.people_dialog import PeopleDialog

if TYPE_CHECKING:
    from gridapp.ui.main_window import MainWindow

# The page each list lives on (pages are built when first shown, so this cannot be found by looking).
LIST_PAGES: dict[str, type[Page]] = {
    "org_units": GridsPage,
    "workers": WorkersPage,
    "members": BaodaoPage,
    "units": BaodaoPage,
    "activities": BaodaoPage,
    "participations": BaodaoPage,
    "needs": BaodaoPage,
    "resources": BaodaoPage,
    "projects": BaodaoPage,
    "firms": PropertyPage,
    "compounds": PropertyPage,
    "contracts": PropertyPage,
    "appointments": PropertyPage,
    "requests": RequestsPage,
}


def reveal(widget: QWidget) -> None:
    """Make every tab that holds ``widget`` the current one, outermost last."""
    child = widget
    while (parent := child.parentWidget()) is not None:
        tabs = parent.parentWidget()
        if isinstance(parent, QStackedWidget) and isinstance(tabs, QTabWidget):
            tabs.setCurrentWidget(child)
        child = parent


def panel_of(page: QWidget, list_key: str) -> ListPanel:
    """The list panel on ``page`` that shows the list ``list_key``."""
    for panel in page.findChildren(ListPanel):
        if panel.spec.key == list_key:
            return panel
    raise LookupError(f"{type(page).__name__} has no list {list_key!r}")


def open_target(window: MainWindow, target: Target) -> ListPanel:
    """Show the list ``target`` names with only its filters chosen, and return it."""
    if target.list_key == "persons":
        # Window-modal: no other database can be opened under it while it lists this one's people.
        dialog = PeopleDialog(window.store, window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.list.show_only(target.filters)
        dialog.open()
        return dialog.list
    page = window.page(LIST_PAGES[target.list_key])
    panel = panel_of(page, target.list_key)
    reveal(panel)
    panel.show_only(target.filters)
    panel.table.setFocus()
    return panel


def go(window: MainWindow, where: Target | type[Page]) -> QWidget:
    """Follow a page's request to navigate: to a page, or to the records behind a figure."""
    if isinstance(where, Target):
        return open_target(window, where)
    return window.page(where)

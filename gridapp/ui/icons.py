"""One registry of icons: pages name what they mean, never a glyph."""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

GLYPHS = {
    "overview": "mdi6.view-dashboard-outline",
    "grids": "mdi6.sitemap-outline",
    "workers": "mdi6.account-group-outline",
    "baodao": "mdi6.flag-variant-outline",
    "property": "mdi6.office-building-outline",
    "sync": "mdi6.swap-horizontal-bold",
    "settings": "mdi6.cog-outline",
    "about": "mdi6.information-outline",
    "backup": "mdi6.content-save-move-outline",
    "open": "mdi6.folder-open-outline",
    "new": "mdi6.plus-circle-outline",
    "demo": "mdi6.database-eye-outline",
    "search": "mdi6.magnify",
    "refresh": "mdi6.refresh",
    "warning": "mdi6.alert-outline",
    "quit": "mdi6.exit-to-app",
    "logout": "mdi6.logout",
    "street": "mdi6.city-variant-outline",
    "community": "mdi6.home-group",
    "grid": "mdi6.grid",
    "microgrid": "mdi6.grid-large",
    "district": "mdi6.map-outline",
    "firm": "mdi6.domain",
    "member": "mdi6.account-star-outline",
    "activity": "mdi6.hand-heart-outline",
    "key": "mdi6.key-variant",
    "print": "mdi6.printer-outline",
    "import": "mdi6.file-import-outline",
    "export": "mdi6.file-export-outline",
    "add": "mdi6.account-plus-outline",
    "edit": "mdi6.pencil-outline",
    "transfer": "mdi6.account-switch-outline",
    "leave": "mdi6.account-off-outline",
    "retire": "mdi6.archive-arrow-down-outline",
    "move": "mdi6.file-tree-outline",
    "split": "mdi6.call-split",
    "merge": "mdi6.call-merge",
    "add_unit": "mdi6.plus-box-outline",
    "photo": "mdi6.camera-outline",
    "compound": "mdi6.home-city-outline",
    "star": "mdi6.star-outline",
    "delete": "mdi6.delete-outline",
    "contract": "mdi6.file-sign",
    "chart": "mdi6.chart-bar",
    "appointment": "mdi6.account-tie-outline",
    "template": "mdi6.clipboard-list-outline",
    "change": "mdi6.swap-horizontal",
    "stop": "mdi6.stop-circle-outline",
    "quarter": "mdi6.calendar-month-outline",
    "requests": "mdi6.message-alert-outline",
    "handle": "mdi6.clipboard-check-outline",
    "copy": "mdi6.content-copy",
    "kinds": "mdi6.shape-outline",
    "restore": "mdi6.restore",
}

ACCENT = "#b71c1c"


@cache
def icon(name: str, color: str = "#37474f") -> QIcon:
    import qtawesome as qta

    return qta.icon(GLYPHS[name], color=color)


def app_icon() -> QIcon:
    from gridapp.core.paths import resources_dir

    path = resources_dir() / "icons" / "gridapp.svg"
    return QIcon(str(path)) if path.exists() else icon("grids", ACCENT)

"""Where the program's files live: shipped resources, the Alembic scripts, the user data folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path


def install_root() -> Path:
    """The folder holding ``db/`` and ``resources/``: the bundle folder when frozen, else the source tree."""
    if getattr(sys, "frozen", False):
        return Path(getattr(sys, "_MEIPASS", Path(sys.executable).parent))
    return Path(__file__).resolve().parents[2]


def migrations_dir() -> Path:
    return install_root() / "db"


def resources_dir() -> Path:
    return install_root() / "resources"


def user_data_dir() -> Path:
    """Per-user data folder (``GRIDAPP_HOME`` overrides it, for tests and portable installs)."""
    override = os.environ.get("GRIDAPP_HOME")
    if override:
        path = Path(override)
    else:
        from platformdirs import user_data_path

        path = user_data_path("gridapp", appauthor=False, roaming=False)
    path.mkdir(parents=True, exist_ok=True)
    return path


def default_db_path() -> Path:
    return user_data_dir() / "gridapp.sqlite"


def demo_db_path() -> Path:
    return user_data_dir() / "demo.sqlite"


def backups_dir(db_path: Path) -> Path:
    path = db_path.parent / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path

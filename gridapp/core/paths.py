"""Where the program's files live: shipped resources, the Alembic scripts, the user data folder.

Everything the program writes about people (the database and SQLite's own -wal/-shm, backups, identity
files, sync packages, exports, PDFs, error reports, logs) is for the user alone: on Linux and macOS each
entry point sets a process umask of 0o077, so files come out 0600 and folders 0700 whoever creates them
(SQLite, openpyxl, Qt); the folders the program makes itself are 0700 explicitly. On Windows the data
folder is the per-user one under the profile (%LOCALAPPDATA%\\gridapp), which only that user can read.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

PRIVATE_UMASK = 0o077  # new files rw------- and folders rwx------
PRIVATE_DIR_MODE = 0o700


def restrict_new_files() -> None:
    """From now on, files and folders this process creates are readable by the user alone (POSIX)."""
    if os.name == "posix":
        os.umask(PRIVATE_UMASK)


def private_dir(path: Path, *, tighten: bool = False) -> Path:
    """``path`` as a folder, made 0700 if it is new; ``tighten`` also takes group and other access off an
    existing one of the user's (the program's own data folder, made looser by an older version)."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR_MODE)
    if tighten and os.name == "posix":
        st = path.stat()
        if st.st_uid == os.getuid() and st.st_mode & 0o077:
            path.chmod(st.st_mode & 0o700 | PRIVATE_DIR_MODE)
    return path


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
    """Per-user data folder, the user's alone (``GRIDAPP_HOME`` overrides it, for tests and portable installs:
    a folder named so is made private when new, but an existing one is left as the user set it)."""
    override = os.environ.get("GRIDAPP_HOME")
    if override:
        return private_dir(Path(override))
    from platformdirs import user_data_path

    # Windows: %LOCALAPPDATA%\gridapp (not roaming: a database must not follow the user across PCs);
    # Linux: ~/.local/share/gridapp; macOS: ~/Library/Application Support/gridapp.
    return private_dir(user_data_path("gridapp", appauthor=False, roaming=False), tighten=True)


def default_db_path() -> Path:
    return user_data_dir() / "gridapp.sqlite"


def demo_db_path() -> Path:
    return user_data_dir() / "demo.sqlite"


def backups_dir(db_path: Path) -> Path:
    return private_dir(db_path.parent / "backups", tighten=True)

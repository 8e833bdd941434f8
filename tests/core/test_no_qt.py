"""The core never imports Qt: the CLI, the importer and sync run without a display."""

import pkgutil
import subprocess
import sys

import gridapp


def test_core_modules_do_not_load_qt():
    core_modules = [
        m.name for m in pkgutil.walk_packages(gridapp.__path__, "gridapp.")
        if not m.name.startswith("gridapp.ui")
    ]
    assert "gridapp.core.store" in core_modules
    code = (
        "import importlib, sys\n"
        f"for name in {core_modules!r}:\n"
        "    if name != 'gridapp.__main__':\n"
        "        importlib.import_module(name)\n"
        "bad = sorted(m for m in sys.modules if m.startswith(('PySide6', 'shiboken6', 'qtawesome')))\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)

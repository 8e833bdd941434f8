import os
import sys

# The windowed gridapp.exe has no console: sys.stdout and sys.stderr are None there, and a stray
# print would end the program. Text goes nowhere instead (errors are logged to the user data folder).
for _name in ("stdout", "stderr"):
    if getattr(sys, _name) is None:
        setattr(sys, _name, open(os.devnull, "w", encoding="utf-8"))  # noqa: SIM115 - lives as long as the process

from gridapp.cli import main  # noqa: E402

raise SystemExit(main())

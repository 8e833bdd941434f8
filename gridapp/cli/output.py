"""How sub-commands report: one line of text or JSON on stdout; errors as one line on stderr."""

from __future__ import annotations

import json
import sys
from typing import Any


def emit(as_json: bool, data: dict[str, Any], text: str) -> None:
    if as_json:
        print(json.dumps({"ok": True, **data}, ensure_ascii=False, indent=2, default=str))
    else:
        print(text)


def fail(as_json: bool, message: str, code: int = 1) -> int:
    if as_json:
        print(json.dumps({"ok": False, "error": message}, ensure_ascii=False))
    else:
        print(f"错误：{message}", file=sys.stderr)
    return code


class TextProgress:
    """Progress as text on stderr, one line per tenth, so logs stay readable."""

    def __init__(self, quiet: bool = False):
        self.quiet = quiet
        self._last = -1

    def __call__(self, done: int, total: int, what: str) -> None:
        if self.quiet or total <= 0:
            return
        tenth = done * 10 // total
        if tenth != self._last:
            self._last = tenth
            print(f"{what}… {tenth * 10}%", file=sys.stderr, flush=True)

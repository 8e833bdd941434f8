"""Argument types with Chinese messages: a value argparse refuses before any file is opened."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from gridapp.core.models.base import YEAR


def year_between(low: int, high: int) -> Callable[[str], int]:
    """A year from ``low`` to ``high``; anything else (10^20, 2026.5, 二〇二六) is a usage error saying so."""

    def year(text: str) -> int:
        value = text.strip()
        if not (value.isascii() and value.lstrip("-").isdigit()) or len(value) > 6 or not low <= int(value) <= high:
            raise argparse.ArgumentTypeError(f"年度应为 {low}–{high} 之间的四位整数，而不是“{text[:30]}”")
        return int(value)

    year.__name__ = "年度"  # what argparse calls the type in its own messages
    return year


YEAR_ARG = year_between(YEAR["min"], YEAR["max"])
DEMO_YEAR_ARG = year_between(2000, 2100)  # the demo's dates are spread over the ten years before it

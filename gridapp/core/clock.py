"""Hybrid logical clock stamps: ``<ms since epoch>-<counter>-<site code>``, sortable as text.

A stamp is never smaller than the last one this site issued or saw, so a PC whose wall clock goes
backwards still orders its own changes correctly.
"""

from __future__ import annotations

import datetime as dt
import time


def local(when: dt.datetime | None, *, seconds: bool = False) -> str:
    """A stored UTC time as this PC's local time, for people (“” when there is none)."""
    if when is None:
        return ""
    return when.replace(tzinfo=dt.UTC).astimezone().strftime("%Y-%m-%d %H:%M" + (":%S" if seconds else ""))


def make(ms: int, counter: int, site: str) -> str:
    return f"{ms:015d}-{counter:05d}-{site}"


def parse(stamp: str) -> tuple[int, int, str]:
    ms, counter, site = stamp.split("-", 2)
    return int(ms), int(counter), site


def tick(last: str | None, site: str, now_ms: int | None = None) -> str:
    """The next stamp after ``last`` for a local event at wall time ``now_ms``."""
    now_ms = int(time.time() * 1000) if now_ms is None else now_ms
    if last:
        last_ms, last_counter, _ = parse(last)
        if last_ms >= now_ms:
            return make(last_ms, last_counter + 1, site)
    return make(now_ms, 0, site)


def ticks(last: str | None, site: str, n: int) -> list[str]:
    """The next ``n`` stamps after ``last``, each made as ``tick`` makes it from the one before."""
    suffix = f"-{site}"
    ms, counter = (parse(last)[:2]) if last else (-1, 0)
    out = []
    now = time.time
    for _ in range(n):
        now_ms = int(now() * 1000)
        if ms >= now_ms:
            counter += 1
        else:
            ms, counter = now_ms, 0
        out.append(f"{ms:015d}-{counter:05d}{suffix}")
    return out

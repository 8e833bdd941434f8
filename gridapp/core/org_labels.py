"""Org units as people tell them apart: a name, with as much of its path as it takes to be unique.

A name that no other current unit of its level has in this database stands alone (云溪社区), so a
street site looks as it always did. A name several share (a district with eight 福安社区) says its
street: 福安社区（永宁山街道）. A grid's name means little without its community, which is read as
part of it, the way people say it: 云溪社区第一网格; where the community's name is shared too, the
street comes first: 永宁山街道福安社区第一网格.

The labels of a whole database come from one query and are kept until a unit of work commits, so
list columns can ask for them row by row through the SQL function ``org_label(id)``.
"""

from __future__ import annotations

import sqlite3
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

# Every unit, deleted and retired ones too (old records still name them); only current units clash.
UNITS_SQL = ("SELECT id, name, level, parent_id, deleted_at IS NULL AND retired_on IS NULL "
             "FROM org_unit")
# Levels whose label is a path, outer units first, rather than a name with its context in brackets.
PATH_LEVELS = ("grid", "microgrid")


@dataclass(frozen=True)
class Unit:
    id: str
    name: str
    level: str
    parent_id: str | None
    current: bool = True


def _ancestors(unit: Unit, by_id: dict[str, Unit]) -> list[str]:
    """Names of the unit's parent, grandparent … up to the root (a cycle stops the walk)."""
    names: list[str] = []
    seen = {unit.id}
    parent = by_id.get(unit.parent_id or "")
    while parent is not None and parent.id not in seen:
        names.append(parent.name)
        seen.add(parent.id)
        parent = by_id.get(parent.parent_id or "")
    return names


def render(unit: Unit, qualifiers: Sequence[str]) -> str:
    """A name with its nearest ``qualifiers`` (parent first): 福安社区（永宁山街道）, 云溪社区第一网格."""
    if not qualifiers:
        return unit.name
    if unit.level in PATH_LEVELS:
        return "".join(reversed(qualifiers)) + unit.name
    return f"{unit.name}（{'·'.join(qualifiers)}）"


def shortest_labels(units: Iterable[Unit]) -> dict[str, str]:
    """id → label of every unit: the fewest ancestors' names that tell it from the other current units
    of its level (a grid always names its community). An ancestor a label names is itself named so it
    is told apart: 第二网格 of one of two 福安社区 says its street even if the other has no 第二网格.
    Where no path tells two units apart (two siblings of one name), the short label stays."""
    by_id = {u.id: u for u in units}
    paths = {u.id: _ancestors(u, by_id) for u in by_id.values()}
    taken: Counter[tuple[str, ...]] = Counter()
    for u in by_id.values():
        if u.current:
            path = paths[u.id]
            for depth in range(len(path) + 1):
                taken[(u.level, u.name, *path[:depth])] += 1
    depths: dict[str, int] = {}

    def depth_of(u: Unit) -> int:
        if u.id not in depths:
            depths[u.id] = 0  # a cycle in the parents ends here
            path = paths[u.id]
            least = 1 if u.level in PATH_LEVELS and path else 0
            depth = next((d for d in range(least, len(path) + 1)
                          if taken[(u.level, u.name, *path[:d])] <= int(u.current)), least)
            parent = by_id.get(u.parent_id or "")
            if depth and parent is not None:
                depth = min(max(depth, 1 + depth_of(parent)), len(path))
            depths[u.id] = depth
        return depths[u.id]

    return {u.id: render(u, paths[u.id][:depth_of(u)]) for u in by_id.values()}


def read_units(rows: Iterable[Sequence]) -> list[Unit]:
    """Units from rows of ``UNITS_SQL``."""
    return [Unit(r[0], r[1], r[2], r[3], bool(r[4])) for r in rows]


class LabelCache:
    """The labels of one database, read again once ``generation()`` has moved on (a commit)."""

    def __init__(self, generation: Callable[[], int]):
        self._generation = generation
        self._built_at: int | None = None
        self._labels: dict[str, str] = {}
        self._lock = threading.Lock()

    def labels(self, rows: Callable[[], Iterable[Sequence]]) -> dict[str, str]:
        """The current labels; ``rows()`` runs ``UNITS_SQL`` when they have to be read again."""
        generation = self._generation()
        with self._lock:
            if self._built_at != generation:
                self._labels = shortest_labels(read_units(rows()))
                self._built_at = generation
            return self._labels

    def install(self, dbapi_conn: sqlite3.Connection, _record: object = None) -> None:
        """Give a new connection the SQL function ``org_label(id)`` (a SQLAlchemy "connect" listener)."""

        def org_label(unit_id: str | None) -> str | None:
            if unit_id is None:
                return None
            return self.labels(lambda: dbapi_conn.execute(UNITS_SQL).fetchall()).get(unit_id)

        dbapi_conn.create_function("org_label", 1, org_label)

"""一张网 by grid type: grids, households and workers in post per 网格类型 and per 专属网格类别, for an org subtree."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import text

from gridapp.core import codes
from gridapp.core.list_specs import KIND_FILTER
from gridapp.core.services import special_kinds
from gridapp.core.store import Store

UNKNOWN_TYPE = "未填网格类型"
UNKNOWN_KIND = "未填类别"


@dataclass(frozen=True)
class TypeRow:
    """One line of the figures: a grid type, or (``kind`` set) a kind of 专属网格 under it."""

    grid_type: str | None
    kind: str | None
    label: str
    grids: int
    households: int
    workers: int  # distinct workers in post in these grids and their micro-grids

    @property
    def is_kind(self) -> bool:
        return self.grid_type == "special" and self.kind is not None

    def filters(self) -> tuple[tuple[str, Any], ...]:
        """The unit list's filters that show exactly these grids."""
        out: tuple[tuple[str, Any], ...] = (("level", "grid"),)
        if self.kind:
            out += (("grid_type", KIND_FILTER + self.kind),)
        elif self.grid_type:
            out += (("grid_type", self.grid_type),)
        return out


_GRIDS = text("""
    SELECT g.id, g.grid_type, g.special_kind, coalesce(g.households, 0) FROM org_unit g
    WHERE g.level = 'grid' AND g.retired_on IS NULL AND g.deleted_at IS NULL AND g.code LIKE :p || '%'
""")
# A worker in post in a grid or in one of its micro-grids counts for the grid.
_IN_POST = text("""
    SELECT DISTINCT CASE WHEN u.level = 'microgrid' THEN u.parent_id ELSE u.id END, a.worker_id
    FROM grid_assignment a JOIN grid_worker w ON w.id = a.worker_id JOIN org_unit u ON u.id = a.org_unit_id
    WHERE a.end_date IS NULL AND a.deleted_at IS NULL AND w.status = 'active' AND w.deleted_at IS NULL
      AND u.level IN ('grid', 'microgrid') AND u.code LIKE :p || '%'
""")


def by_type(store: Store, org_code: str | None = None) -> list[TypeRow]:
    """Per 网格类型 (in the code table's order), each 专属网格 kind that has grids beneath 专属网格, and a total
    last; ``org_code`` (default: this site) limits them to its subtree."""
    prefix = org_code or (store.site.code if store.site else "")
    with store.read() as s:
        grids = s.execute(_GRIDS, {"p": prefix}).all()
        in_post: dict[str, set[str]] = {}
        for grid_id, worker_id in s.execute(_IN_POST, {"p": prefix}):
            in_post.setdefault(grid_id, set()).add(worker_id)
        names = special_kinds.names_in(s)
        order = {c: i for i, c in enumerate(names)}

    def row(gtype: str | None, kind: str | None, label: str, members: list) -> TypeRow:
        workers: set[str] = set()
        for g in members:
            workers |= in_post.get(g[0], set())
        return TypeRow(gtype, kind, label, len(members), sum(g[3] for g in members), len(workers))

    out: list[TypeRow] = []
    types = codes.GRID_TYPE.codes() + sorted({g[1] or "" for g in grids} - set(codes.GRID_TYPE.codes()))
    for gtype in types:
        members = [g for g in grids if (g[1] or "") == gtype]
        if not members and gtype not in codes.GRID_TYPE.codes():
            continue
        out.append(row(gtype or None, None, codes.GRID_TYPE.name(gtype) or UNKNOWN_TYPE, members))
        if gtype == "special":
            kinds = sorted({g[2] or "" for g in members}, key=lambda k: (k == "", order.get(k, len(order)), k))
            for kind in kinds:
                label = names.get(kind, kind) if kind else UNKNOWN_KIND
                out.append(row("special", kind or "", label, [g for g in members if (g[2] or "") == kind]))
    out.append(row(None, None, "合计", list(grids)))
    return out

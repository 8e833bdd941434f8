"""专属网格类别: the standard kinds (codes.SPECIAL_KIND) and the ones a site adds, renames and retires.

An added kind is a synced record scoped to the site that added it; grids store its id as their kind. A
grid may use a standard kind or one added at its own level or above (the street's kinds reach its
communities, never a neighbour's), so a package that carries a grid always carries its kind too.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridapp.core import codes
from gridapp.core.errors import ConflictError, NotFoundError, ValidationError
from gridapp.core.models import OrgUnit, SpecialKind
from gridapp.core.models.base import utcnow
from gridapp.core.store import Store
from gridapp.core.validation import strip_invisible

STANDARD = codes.SPECIAL_KIND
TITLE = STANDARD.title


@dataclass(frozen=True)
class KindInfo:
    code: str  # the standard code, or the added kind's id
    name: str
    standard: bool
    retired_on: dt.date | None = None
    grids: int = 0  # live grids of this kind
    scope_code: str | None = None  # who added it (added kinds)

    @property
    def retired(self) -> bool:
        return self.retired_on is not None


def _added(s: Session, *, scope: str | None = None) -> list[SpecialKind]:
    """Live added kinds; with ``scope``, those a grid of that code may use (added at it or above it)."""
    rows = s.execute(select(SpecialKind).where(SpecialKind.deleted_at.is_(None))
                     .order_by(SpecialKind.sort_order, SpecialKind.name)).scalars()
    return [k for k in rows if scope is None or scope.startswith(k.scope_code or "")]


def _in_use(s: Session) -> dict[str, int]:
    return dict(s.execute(select(OrgUnit.special_kind, func.count()).where(
        OrgUnit.special_kind.is_not(None), OrgUnit.deleted_at.is_(None), OrgUnit.retired_on.is_(None))
        .group_by(OrgUnit.special_kind)).all())


def kinds(store: Store, *, include_retired: bool = True) -> list[KindInfo]:
    """Every kind: the standard ones, then the added ones in their order, each with how many grids use it."""
    with store.read() as s:
        used = _in_use(s)
        out = [KindInfo(c, n, True, grids=used.get(c, 0)) for c, n in STANDARD.items]
        out += [KindInfo(k.id, k.name, False, k.retired_on, used.get(k.id, 0), k.scope_code) for k in _added(s)
                if include_retired or k.retired_on is None]
    return out


def choices(store: Store, scope: str | None = None, *, keep: str | None = None) -> list[tuple[str, str]]:
    """(code, name) to offer where a kind is chosen: current kinds a grid of ``scope`` may use, and ``keep``
    (the grid's own kind) even if it has been retired since."""
    with store.read() as s:
        added = [(k.id, k.name) for k in _added(s, scope=scope) if k.retired_on is None or k.id == keep]
    return list(STANDARD.items) + added


def table_in(s: Session, scope: str | None = None) -> codes.CodeTable:
    """The kinds as a code table for reading sheets: standard and added (retired ones too, so an exported
    sheet reads back), matched loosely like every code table."""
    added = tuple((k.id, k.name) for k in _added(s, scope=scope))
    return codes.CodeTable(STANDARD.key, TITLE, "", STANDARD.items + added, dict(STANDARD.synonyms))


def names_in(s: Session) -> dict[str, str]:
    """code → name of every kind, added ones whatever their scope (for lists and printouts)."""
    return {**dict(STANDARD.items), **{k.id: k.name for k in _added(s)}}


def name_of(s: Session, code: str | None) -> str:
    if not code:
        return ""
    return names_in(s).get(code, code)


def type_label(grid_type: str | None, kind_name: str = "") -> str:
    """网格类型 as printed: “城镇社区网格”, “专属网格（学校）”."""
    name = codes.GRID_TYPE.name(grid_type)
    return f"{name}（{kind_name}）" if grid_type == "special" and kind_name else name


# -- the rule on grids ------------------------------------------------------------------------------


def check_grid(s: Session, unit: OrgUnit, *, was: str | None = None) -> None:
    """A grid's kind fits its type: only a 专属网格 has one, a known kind it may use, not one retired
    (unless it had it already, ``was``)."""
    kind = unit.special_kind or None
    if kind is None:
        if unit.special_unit and unit.grid_type != "special":
            raise ValidationError(f"只有专属网格才填写所属单位，“{unit.name}”是{codes.GRID_TYPE.name(unit.grid_type)}",
                                  field="special_unit")
        return
    if unit.grid_type != "special":
        what = codes.GRID_TYPE.name(unit.grid_type) if unit.grid_type else codes.ORG_LEVEL.name(unit.level)
        raise ValidationError(f"只有专属网格才有专属网格类别，“{unit.name}”是{what}，请清空类别或把网格类型改为专属网格",
                              field="special_kind")
    if kind in STANDARD.codes():
        return
    added = s.get(SpecialKind, kind)
    if added is None or added.deleted_at is not None:
        raise ValidationError(f"专属网格类别“{kind}”不存在，请从列表中选择", field="special_kind")
    if not (unit.code or "").startswith(added.scope_code or ""):
        raise ValidationError(f"专属网格类别“{added.name}”由其他单位（{added.scope_code}）添加，不能用于“{unit.name}”",
                              field="special_kind")
    if added.retired_on is not None and kind != was:
        raise ValidationError(f"专属网格类别“{added.name}”已于 {added.retired_on} 停用，请选择其他类别",
                              field="special_kind")


# -- managing the added kinds ------------------------------------------------------------------------


def _clean_name(name: object) -> str:
    text = " ".join(strip_invisible(str(name or "")).split())
    if not text:
        raise ValidationError(f"{TITLE}名称不能为空", field="name")
    return text


def _check_unique(s: Session, name: str, except_id: str | None = None) -> None:
    standard = STANDARD.parse(name)
    if standard is not None and codes.normalise(name) == codes.normalise(STANDARD.name(standard)):
        raise ConflictError(f"“{name}”是标准的{TITLE}，无需添加", field="name")
    clash = next((k for k in _added(s) if k.id != except_id and codes.normalise(k.name) == codes.normalise(name)),
                 None)
    if clash is not None:
        state = "（已停用，可重新启用）" if clash.retired_on else ""
        raise ConflictError(f"已有名为“{clash.name}”的{TITLE}{state}", field="name")


def _kind(s: Session, code: str) -> SpecialKind:
    if code in STANDARD.codes():
        raise ValidationError(f"“{STANDARD.name(code)}”是标准的{TITLE}，不能修改、停用或删除")
    kind = s.get(SpecialKind, code)
    if kind is None or kind.deleted_at is not None:
        raise NotFoundError(f"找不到该{TITLE}（可能已被删除）")
    return kind


def _info(s: Session, k: SpecialKind) -> KindInfo:
    return KindInfo(k.id, k.name, False, k.retired_on, _in_use(s).get(k.id, 0), k.scope_code)


def add(store: Store, name: str) -> KindInfo:
    """A new kind of this site, offered from now on wherever kinds are chosen."""
    if store.site is None:
        raise ValidationError("数据库尚未建立站点，请先初始化")
    with store.session() as s:
        text = _clean_name(name)
        _check_unique(s, text)
        last = s.execute(select(func.max(SpecialKind.sort_order)).where(SpecialKind.deleted_at.is_(None))).scalar()
        kind = SpecialKind(name=text, sort_order=(last or 0) + 1, scope_code=store.site.code)
        s.add(kind)
        s.flush()
        return _info(s, kind)


def rename(store: Store, code: str, name: str) -> KindInfo:
    """A new name for an added kind; the grids of that kind keep it."""
    with store.session() as s:
        kind = _kind(s, code)
        text = _clean_name(name)
        _check_unique(s, text, kind.id)
        kind.name = text
        s.flush()
        return _info(s, kind)


def retire(store: Store, code: str, on: dt.date | None = None) -> KindInfo:
    """停用: no longer offered; the grids of that kind keep it until they are changed."""
    with store.session() as s:
        kind = _kind(s, code)
        if kind.retired_on is not None:
            raise ValidationError(f"{TITLE}“{kind.name}”已于 {kind.retired_on} 停用")
        kind.retired_on = on or dt.date.today()
        s.flush()
        return _info(s, kind)


def reinstate(store: Store, code: str) -> KindInfo:
    """恢复启用 a retired kind."""
    with store.session() as s:
        kind = _kind(s, code)
        if kind.retired_on is None:
            raise ValidationError(f"{TITLE}“{kind.name}”正在使用中，无需恢复")
        kind.retired_on = None
        s.flush()
        return _info(s, kind)


def delete(store: Store, code: str) -> None:
    """Delete an added kind no grid uses (a tombstone, so the deletion travels)."""
    with store.session() as s:
        kind = _kind(s, code)
        used = s.execute(select(func.count()).select_from(OrgUnit).where(
            OrgUnit.special_kind == kind.id, OrgUnit.deleted_at.is_(None))).scalar()
        if used:
            raise ConflictError(f"有 {used} 个网格（含已撤销的）属于“{kind.name}”，不能删除；可以停用它，不再供选择")
        kind.deleted_at = utcnow()

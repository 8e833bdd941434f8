"""评星定级: yearly star ratings of property firms from a scoring template held as data.

A template has indicators with a weight and a maximum score and four star lines. A firm's total is
the weighted share of the maximum, on a 100-point scale (with weights 1 and maxima adding up to 100
it is simply the sum of the scores), and the total gives 1–5 stars: one star, plus one for each line
reached. The template that applies to a year is the newest one whose year is not after it. A
template already used for ratings keeps its scoring: the street copies it for a new year to change it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gridapp.core.errors import ConflictError, NotFoundError, ValidationError
from gridapp.core.models import (
    Compound,
    FirmRating,
    OrgUnit,
    PropertyFirm,
    RatingIndicator,
    RatingScore,
    RatingTemplate,
    ServiceContract,
)
from gridapp.core.models.base import live, utcnow
from gridapp.core.store import Store

DEFAULT_NAME = "红色物业评星定级标准"
DEFAULT_THRESHOLDS = (60.0, 70.0, 80.0, 90.0)
DEFAULT_INDICATORS = (
    ("党组织建设", 1.0, 20.0, "党组织组建、党员发挥作用、党建指导员履职"),
    ("服务质量", 1.0, 25.0, "保洁、绿化、秩序维护、设施设备维护"),
    ("居民满意度", 1.0, 25.0, "按季度居民满意度测评"),
    ("投诉处理", 1.0, 15.0, "投诉件数、办结率和及时性"),
    ("参与社区治理", 1.0, 15.0, "交叉任职、参加联席会议、参与志愿服务"),
)
STAR_TEXT = {1: "★", 2: "★★", 3: "★★★", 4: "★★★★", 5: "★★★★★"}


def stars_text(stars: int | None) -> str:
    return STAR_TEXT.get(stars or 0, "")


@dataclass(frozen=True)
class Indicator:
    id: str
    name: str
    weight: float
    max_score: float
    description: str


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    year: int | None
    thresholds: tuple[float, float, float, float]
    indicators: tuple[Indicator, ...]
    used: int  # ratings made with it

    def total(self, scores: dict[str, float]) -> float:
        return total_for(self.indicators, scores)

    def stars(self, total: float) -> int:
        return stars_for(total, self.thresholds)


def parse_thresholds(text: object) -> tuple[float, float, float, float]:
    """“60,70,80,90” (the totals for 2, 3, 4 and 5 stars), rising, between 0 and 100."""
    parts = [p for p in re.split(r"[,，、;；/\s]+", str(text or "").strip()) if p]
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        raise ValidationError(f"星级分数线“{text}”应为 4 个数字，如 60,70,80,90", field="thresholds") from None
    if len(values) != 4:
        raise ValidationError(f"星级分数线应为 4 个数字（二至五星），现有 {len(values)} 个", field="thresholds")
    if any(not 0 < v <= 100 for v in values) or any(b <= a for a, b in itertools.pairwise(values)):
        raise ValidationError("星级分数线须在 0–100 之间且逐级升高，如 60,70,80,90", field="thresholds")
    return values  # type: ignore[return-value]


def format_thresholds(values: tuple[float, ...]) -> str:
    return ",".join(f"{v:g}" for v in values)


def stars_for(total: float, thresholds: tuple[float, ...]) -> int:
    return 1 + sum(total >= t for t in thresholds)


def total_for(indicators: tuple[Indicator, ...], scores: dict[str, float]) -> float:
    full = sum(i.weight * i.max_score for i in indicators)
    if not full:
        return 0.0
    return round(sum(i.weight * scores.get(i.id, 0.0) for i in indicators) / full * 100, 1)


# -- templates -----------------------------------------------------------------------------------------------

def _template(s: Session, t: RatingTemplate) -> Template:
    inds = s.execute(select(RatingIndicator).where(RatingIndicator.template_id == t.id,
                                                   RatingIndicator.deleted_at.is_(None))
                     .order_by(RatingIndicator.sort_order, RatingIndicator.name)).scalars()
    used = s.execute(select(func.count()).select_from(FirmRating).where(
        FirmRating.template_id == t.id, FirmRating.deleted_at.is_(None))).scalar_one()
    return Template(t.id, t.name, t.year, parse_thresholds(t.star_thresholds),
                    tuple(Indicator(i.id, i.name, i.weight, i.max_score, i.description or "") for i in inds), used)


def _template_row_for(s: Session, year: int) -> RatingTemplate | None:
    live = select(RatingTemplate).where(RatingTemplate.deleted_at.is_(None))
    row = s.execute(live.where(RatingTemplate.year <= year).order_by(RatingTemplate.year.desc())).scalars().first()
    if row is None:  # only templates for later years (or none with a year): the earliest serves
        row = s.execute(live.order_by(RatingTemplate.year)).scalars().first()
    return row


def _applicable(s: Session, store: Store, year: int, *, create: bool) -> Template:
    row = _template_row_for(s, year)
    if row is not None:
        return _template(s, row)
    standard = [{"name": n, "weight": w, "max_score": m, "description": d} for n, w, m, d in DEFAULT_INDICATORS]
    if create:
        return _template(s, _create(s, store, DEFAULT_NAME, year, DEFAULT_THRESHOLDS, standard))
    # Reading on a site that never rated: show the standard template without writing it.
    return Template("", DEFAULT_NAME, year, DEFAULT_THRESHOLDS,
                    tuple(Indicator("", i["name"], i["weight"], i["max_score"], i["description"]) for i in standard), 0)


def template_for(store: Store, year: int, *, create: bool = True) -> Template:
    """The template that applies to ``year``; the standard one is made first on a new site (or, with
    ``create=False``, shown without an id)."""
    if not create:
        with store.read() as s:
            return _applicable(s, store, year, create=False)
    with store.session() as s:
        return _applicable(s, store, year, create=True)


def templates(store: Store) -> list[Template]:
    with store.read() as s:
        rows = s.execute(select(RatingTemplate).where(RatingTemplate.deleted_at.is_(None))
                         .order_by(RatingTemplate.year.desc())).scalars().all()
        return [_template(s, t) for t in rows]


def _clean_indicators(indicators: list[dict[str, Any]]) -> list[dict[str, Any]]:
    if not indicators:
        raise ValidationError("评星标准至少要有一项指标", field="indicators")
    seen: set[str] = set()
    out = []
    for n, ind in enumerate(indicators, 1):
        name = (ind.get("name") or "").strip()
        if not name:
            raise ValidationError(f"第 {n} 项指标没有名称", field="indicators")
        if name in seen:
            raise ValidationError(f"指标“{name}”重复", field="indicators")
        seen.add(name)
        weight, max_score = float(ind.get("weight") or 0), float(ind.get("max_score") or 0)
        if weight <= 0:
            raise ValidationError(f"指标“{name}”的权重须大于 0", field="indicators")
        if max_score <= 0:
            raise ValidationError(f"指标“{name}”的满分须大于 0", field="indicators")
        out.append({"id": ind.get("id"), "name": name, "weight": weight, "max_score": max_score,
                    "description": (ind.get("description") or "").strip() or None})
    return out


def _create(s: Session, store: Store, name: str, year: int | None, thresholds: tuple[float, ...],
            indicators: list[dict[str, Any]]) -> RatingTemplate:
    scope = store.site.code if store.site else None
    t = RatingTemplate(name=name, year=year, star_thresholds=format_thresholds(thresholds), scope_code=scope)
    s.add(t)
    s.flush()
    for k, ind in enumerate(_clean_indicators(indicators)):
        s.add(RatingIndicator(template_id=t.id, name=ind["name"], weight=ind["weight"], max_score=ind["max_score"],
                              description=ind["description"], sort_order=k, scope_code=scope))
    s.flush()
    return t


def save_template(store: Store, template_id: str | None, *, name: str, year: int | None, thresholds: object,
                  indicators: list[dict[str, Any]]) -> str:
    """Create or edit a template. Once used for ratings only names and descriptions may change."""
    name = (name or "").strip()
    if not name:
        raise ValidationError("请填写评星标准名称", field="name")
    values = parse_thresholds(thresholds)
    clean = _clean_indicators(indicators)
    with store.session() as s:
        if year is not None and s.execute(select(RatingTemplate.id).where(
                RatingTemplate.year == year, RatingTemplate.deleted_at.is_(None),
                RatingTemplate.id != (template_id or ""))).first():
            raise ConflictError(f"{year} 年度已有评星标准，请直接修改它", field="year")
        if template_id is None:
            return _create(s, store, name, year, values, clean).id
        t = live(s, RatingTemplate, template_id, "评星标准")
        current = _template(s, t)
        if current.used:
            scoring = [(i.name, i.weight, i.max_score) for i in current.indicators]
            wanted = [(i["name"], i["weight"], i["max_score"]) for i in clean]
            if (values != current.thresholds or year != t.year
                    or [w[1:] for w in wanted] != [x[1:] for x in scoring]
                    or [i["id"] for i in clean] != [i.id for i in current.indicators]):
                raise ConflictError(f"该标准已用于 {current.used} 家企业的评定，不能再改年度、指标、权重、满分或星级线；"
                                    "请“复制为新年度标准”后修改", field="indicators")
        t.name, t.year, t.star_thresholds = name, year, format_thresholds(values)
        existing = {i.id: i for i in s.execute(select(RatingIndicator).where(
            RatingIndicator.template_id == t.id, RatingIndicator.deleted_at.is_(None))).scalars()}
        for k, ind in enumerate(clean):
            row = existing.pop(ind["id"], None) if ind["id"] else None
            if row is None:
                s.add(RatingIndicator(template_id=t.id, sort_order=k, scope_code=t.scope_code,
                                      **{f: ind[f] for f in ("name", "weight", "max_score", "description")}))
            else:
                for f in ("name", "weight", "max_score", "description"):
                    if getattr(row, f) != ind[f]:
                        setattr(row, f, ind[f])
                if row.sort_order != k:
                    row.sort_order = k
        for row in existing.values():
            row.deleted_at = utcnow()
        return t.id


def copy_template(store: Store, template_id: str, year: int) -> str:
    """A new template for ``year`` with the same indicators, to be changed for that year."""
    with store.session() as s:
        t = live(s, RatingTemplate, template_id, "评星标准")
        if s.execute(select(RatingTemplate.id).where(RatingTemplate.year == year,
                                                     RatingTemplate.deleted_at.is_(None))).first():
            raise ConflictError(f"{year} 年度已有评星标准", field="year")
        src = _template(s, t)
        return _create(s, store, re.sub(r"（\d{4}年度）$", "", t.name) + f"（{year}年度）", year, src.thresholds,
                       [{"name": i.name, "weight": i.weight, "max_score": i.max_score, "description": i.description}
                        for i in src.indicators]).id


# -- rating a firm -------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rating:
    id: str
    firm_id: str
    year: int
    template_id: str
    scores: dict[str, float]  # indicator id → score
    total: float
    stars: int
    rated_on: dt.date | None
    notes: str | None
    changed: bool = True  # False when the same scores were recorded again


def rating_of_in(s: Session, firm_id: str, year: int) -> FirmRating | None:
    """The firm's rating record for the year, inside an open session."""
    return _rating_row(s, firm_id, year)


def _rating_row(s: Session, firm_id: str, year: int) -> FirmRating | None:
    return s.execute(select(FirmRating).where(FirmRating.firm_id == firm_id, FirmRating.year == year,
                                              FirmRating.deleted_at.is_(None))).scalars().first()


def rate_firm(store: Store, firm_id: str, year: int, scores: dict[str, float], *, rated_on: dt.date | None = None,
              notes: str | None = None, template_id: str | None = None) -> Rating:
    """评星定级: score every indicator of the year's template; the total and stars follow from them.

    Rating a firm again for the same year replaces its scores.
    """
    with store.session() as s:
        if template_id is None:
            template = _applicable(s, store, year, create=True)
        else:
            template = _template(s, live(s, RatingTemplate, template_id, "评星标准"))
        firm = live(s, PropertyFirm, firm_id, "物业企业", field="firm")
        return rate(s, firm, year, template, scores, rated_on=rated_on, notes=notes)


def applicable_template(s: Session, store: Store, year: int) -> Template:
    """The year's template inside an open transaction (made there on a site that has none)."""
    return _applicable(s, store, year, create=True)


def rate(s: Session, firm: PropertyFirm, year: int, template: Template, scores: dict[str, float], *,
         rated_on: dt.date | None = None, notes: str | None = None) -> Rating:
    """Record a rating inside an open transaction (the form and the import both end here)."""
    if not 2000 <= year <= 2100:
        raise ValidationError(f"年度 {year} 无效", field="year")
    clean: dict[str, float] = {}
    for ind in template.indicators:
        value = scores.get(ind.id)
        if value is None:
            raise ValidationError(f"“{ind.name}”没有打分", field=ind.id)
        value = float(value)
        if not 0 <= value <= ind.max_score:
            raise ValidationError(f"“{ind.name}”得分 {value:g} 超出 0–{ind.max_score:g} 分", field=ind.id)
        clean[ind.id] = value
    if set(scores) - set(clean):
        raise ValidationError("有得分不属于该评星标准的指标", field="scores")
    total = template.total(clean)
    stars = template.stars(total)
    rating = _rating_row(s, firm.id, year)
    changed = rating is None
    if rating is None:
        rating = FirmRating(firm_id=firm.id, year=year, template_id=template.id, scope_code=firm.scope_code)
        s.add(rating)
        s.flush()
    for key, value in (("template_id", template.id), ("total", total), ("stars", stars),
                       ("rated_on", rated_on or rating.rated_on or dt.date.today()),
                       ("notes", (notes or "").strip() or None)):
        if getattr(rating, key) != value:
            setattr(rating, key, value)
            changed = True
    old = {r.indicator_id: r for r in s.execute(select(RatingScore).where(
        RatingScore.rating_id == rating.id, RatingScore.deleted_at.is_(None))).scalars()}
    for ind_id, value in clean.items():
        row = old.pop(ind_id, None)
        if row is None:
            s.add(RatingScore(rating_id=rating.id, indicator_id=ind_id, score=value, scope_code=rating.scope_code))
            changed = True
        elif row.score != value:
            row.score = value
            changed = True
    for row in old.values():
        row.deleted_at = utcnow()
        changed = True
    return Rating(rating.id, firm.id, year, template.id, clean, total, stars, rating.rated_on, rating.notes, changed)


def rating_of(store: Store, firm_id: str, year: int) -> Rating | None:
    with store.read() as s:
        row = _rating_row(s, firm_id, year)
        if row is None:
            return None
        scores = dict(s.execute(select(RatingScore.indicator_id, RatingScore.score).where(
            RatingScore.rating_id == row.id, RatingScore.deleted_at.is_(None))).all())
        return Rating(row.id, firm_id, year, row.template_id, scores, row.total or 0.0, row.stars or 1,
                      row.rated_on, row.notes)


def delete_rating(store: Store, firm_id: str, year: int) -> None:
    with store.session() as s:
        row = _rating_row(s, firm_id, year)
        if row is None:
            raise NotFoundError(f"该企业没有 {year} 年度的评定")
        row.deleted_at = utcnow()


# -- the ranking list (晾晒评比) ------------------------------------------------------------------------------

@dataclass(frozen=True)
class RankRow:
    rank: int
    firm_id: str
    name: str
    credit_code: str
    compounds: tuple[str, ...]
    scores: tuple[float | None, ...]  # in the template's indicator order
    total: float
    stars: int
    previous_stars: int | None


@dataclass(frozen=True)
class Ranking:
    year: int
    org_name: str
    template: Template
    rows: tuple[RankRow, ...]
    unrated: tuple[str, ...]  # firms in scope without a rating that year

    def star_counts(self) -> dict[int, int]:
        out = dict.fromkeys(range(5, 0, -1), 0)
        for r in self.rows:
            out[r.stars] += 1
        return out


def firms_in(s: Session, org_code: str | None) -> dict[str, str]:
    """Firm id → name of the firms registered in ``org_code``'s subtree, serving a compound there now or led
    by a community there; every firm when no unit is given."""
    q = select(PropertyFirm.id, PropertyFirm.name).where(PropertyFirm.deleted_at.is_(None))
    if org_code:
        serving = (select(ServiceContract.firm_id).join(Compound, Compound.id == ServiceContract.compound_id)
                   .join(OrgUnit, OrgUnit.id == Compound.grid_id)
                   .where(ServiceContract.end_date.is_(None), ServiceContract.deleted_at.is_(None),
                          Compound.deleted_at.is_(None), OrgUnit.code.like(org_code + "%")))
        led = select(OrgUnit.id).where(OrgUnit.code.like(org_code + "%"))
        q = q.where(PropertyFirm.scope_code.like(org_code + "%") | PropertyFirm.id.in_(serving)
                    | PropertyFirm.leading_community_id.in_(led))
    return dict(s.execute(q).all())


def ranking(store: Store, year: int, org_code: str | None = None) -> Ranking:
    """The year's ratings from the highest total down; equal totals share a rank."""
    with store.read() as s:
        template = _applicable(s, store, year, create=False)
        org_name = ""
        if org_code:
            unit = s.execute(select(OrgUnit).where(OrgUnit.code == org_code, OrgUnit.deleted_at.is_(None))).scalar()
            if unit is None:
                raise NotFoundError(f"找不到编码为 {org_code} 的组织单位")
            org_name = unit.name
        elif store.site:
            org_name = store.site.name
        firms = firms_in(s, org_code)
        ratings = s.execute(select(FirmRating).where(FirmRating.year == year, FirmRating.deleted_at.is_(None),
                                                     FirmRating.firm_id.in_(list(firms)))).scalars().all()
        previous = dict(s.execute(select(FirmRating.firm_id, FirmRating.stars).where(
            FirmRating.year == year - 1, FirmRating.deleted_at.is_(None))).all())
        scores: dict[str, dict[str, float]] = {}
        for rid, ind, value in s.execute(select(RatingScore.rating_id, RatingScore.indicator_id, RatingScore.score)
                                         .where(RatingScore.rating_id.in_([r.id for r in ratings]),
                                                RatingScore.deleted_at.is_(None))):
            scores.setdefault(rid, {})[ind] = value
        served: dict[str, list[str]] = {}
        for fid, name in s.execute(select(ServiceContract.firm_id, Compound.name)
                                   .join(Compound, Compound.id == ServiceContract.compound_id)
                                   .where(ServiceContract.end_date.is_(None), ServiceContract.deleted_at.is_(None),
                                          Compound.deleted_at.is_(None)).order_by(Compound.name)):
            served.setdefault(fid, []).append(name)
        codes_ = dict(s.execute(select(PropertyFirm.id, PropertyFirm.credit_code)).all())
    ratings.sort(key=lambda r: (-(r.total or 0), firms[r.firm_id]))
    rows, rank = [], 0
    for i, r in enumerate(ratings):
        if i == 0 or (r.total or 0) != (ratings[i - 1].total or 0):
            rank = i + 1
        mine = scores.get(r.id, {})
        rows.append(RankRow(rank, r.firm_id, firms[r.firm_id], codes_.get(r.firm_id) or "",
                            tuple(served.get(r.firm_id, ())),
                            tuple(mine.get(ind.id) for ind in template.indicators) if r.template_id == template.id
                            else tuple(None for _ in template.indicators),
                            r.total or 0.0, r.stars or 1, previous.get(r.firm_id)))
    rated = {r.firm_id for r in ratings}
    unrated = tuple(sorted(name for fid, name in firms.items() if fid not in rated))
    return Ranking(year, org_name, template, tuple(rows), unrated)


def years(store: Store) -> list[int]:
    """Years that have ratings, newest first."""
    with store.read() as s:
        return list(s.execute(select(FirmRating.year).where(FirmRating.deleted_at.is_(None)).distinct()
                              .order_by(FirmRating.year.desc())).scalars())

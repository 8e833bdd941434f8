"""红色物业 coverage (覆盖情况) by community and for the whole unit.

A firm belongs to a community when it serves a compound there now or the community's Party
organisation leads it; a firm serving several communities counts once in the total.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from gridapp.core.errors import NotFoundError
from gridapp.core.models import Compound, FirmRating, OrgUnit, OwnersCommittee, PropertyFirm, ServiceContract
from gridapp.core.services.firms import WITH_ORGANISATION, WITH_PARTY_WORK
from gridapp.core.store import Store

GOOD_STARS = 3


@dataclass
class CoverageRow:
    code: str
    name: str
    firm_ids: set[str] = field(default_factory=set)
    with_org: set[str] = field(default_factory=set)  # 单独组建 or 联合组建
    with_work: set[str] = field(default_factory=set)  # … or a 党建指导员 sent in
    led: set[str] = field(default_factory=set)  # 社区党组织领办
    alliance: set[str] = field(default_factory=set)
    compounds: int = 0
    with_firm: int = 0
    good_firm: int = 0  # served by a firm rated GOOD_STARS or more in the year
    committee: int = 0
    party_covered: int = 0

    @property
    def firms(self) -> int:
        return len(self.firm_ids)

    def rate(self, key: str) -> float | None:
        """The share shown on the page: org, work, led, alliance (of firms); firm, good, committee, party
        (of compounds)."""
        if key in ("org", "work", "led", "alliance"):
            part = {"org": self.with_org, "work": self.with_work, "led": self.led, "alliance": self.alliance}[key]
            return len(part) / self.firms if self.firms else None
        part = {"firm": self.with_firm, "good": self.good_firm, "committee": self.committee,
                "party": self.party_covered}[key]
        return part / self.compounds if self.compounds else None


@dataclass(frozen=True)
class Coverage:
    year: int
    unit_name: str
    rows: tuple[CoverageRow, ...]  # one per community
    total: CoverageRow
    streets: tuple[CoverageRow, ...] = ()  # one per street, when the unit spans several (a district)

    def grouped(self) -> list[tuple[CoverageRow, bool]]:
        """Rows in reading order: each street's communities then the street's subtotal (flagged True)."""
        if not self.streets:
            return [(r, False) for r in self.rows]
        out = []
        for street in self.streets:
            out += [(r, False) for r in self.rows if r.code.startswith(street.code)]
            out.append((street, True))
        return out


def coverage(store: Store, year: int, org_code: str | None = None) -> Coverage:
    """The shares of firms with a Party organisation, of compounds with a firm, of compounds served by a
    firm rated 3 stars or more in ``year`` and of firms led by the community, per community and in total."""
    with store.read() as s:
        code = org_code or (store.site.code if store.site else "")
        unit = s.execute(select(OrgUnit).where(OrgUnit.code == code, OrgUnit.deleted_at.is_(None))).scalar() \
            if code else None
        if code and unit is None:
            raise NotFoundError(f"找不到编码为 {code} 的组织单位")
        units = s.execute(select(OrgUnit.id, OrgUnit.code, OrgUnit.name, OrgUnit.level, OrgUnit.parent_id).where(
            OrgUnit.deleted_at.is_(None), OrgUnit.code.like(code + "%"))).all()
        by_id = {u.id: u for u in units}
        comms = [u for u in units if u.level == "community"]
        # Over several streets (a district) the same community name recurs: say which street.
        several = len({u.parent_id for u in comms}) > 1
        communities = {u.id: CoverageRow(u.code, (by_id[u.parent_id].name if several and u.parent_id in by_id else "")
                                         + u.name) for u in comms}

        streets = {u.id: CoverageRow(u.code, f"{u.name}小计") for u in units if u.level == "street"} if several else {}

        def community_of(unit_id: str | None) -> str | None:
            while unit_id and unit_id in by_id:
                if unit_id in communities:
                    return unit_id
                unit_id = by_id[unit_id].parent_id
            return None

        firms = {f.id: f for f in s.execute(select(PropertyFirm.id, PropertyFirm.party_org_status,
                                                   PropertyFirm.led_by_community, PropertyFirm.leading_community_id,
                                                   PropertyFirm.alliance_member, PropertyFirm.scope_code)
                                            .where(PropertyFirm.deleted_at.is_(None))).all()}
        stars = dict(s.execute(select(FirmRating.firm_id, FirmRating.stars).where(
            FirmRating.year == year, FirmRating.deleted_at.is_(None))).all())
        current = dict(s.execute(select(ServiceContract.compound_id, ServiceContract.firm_id).where(
            ServiceContract.end_date.is_(None), ServiceContract.deleted_at.is_(None))).all())
        committees = set(s.execute(select(OwnersCommittee.compound_id).where(
            OwnersCommittee.established.is_(True), OwnersCommittee.deleted_at.is_(None))).scalars())
        compounds = s.execute(select(Compound.id, Compound.grid_id, Compound.party_org_covered, Compound.scope_code).where(
            Compound.deleted_at.is_(None))).all()

    total = CoverageRow(code, unit.name if unit else (store.site.name if store.site else "全部"))
    members: dict[str, set[str]] = defaultdict(set)  # community or street id → firm ids
    for c in compounds:
        community = community_of(c.grid_id)
        if community is None and not (c.scope_code or "").startswith(code):
            continue  # outside the unit (a compound without a grid counts in the total of its owner)
        street = by_id[community].parent_id if community and by_id[community].parent_id in streets else None
        rows = [total] + ([communities[community]] if community else []) + ([streets[street]] if street else [])
        firm_id = current.get(c.id)
        for row in rows:
            row.compounds += 1
            row.with_firm += firm_id is not None and firm_id in firms
            row.good_firm += (stars.get(firm_id) or 0) >= GOOD_STARS
            row.committee += c.id in committees
            row.party_covered += bool(c.party_org_covered)
        if firm_id in firms:
            total.firm_ids.add(firm_id)
            for place in (community, street):
                if place:
                    members[place].add(firm_id)
    street_codes = {st.code: sid for sid, st in streets.items()}
    for fid, f in firms.items():
        led_here = f.led_by_community and f.leading_community_id in communities
        if led_here:
            members[f.leading_community_id].add(fid)
            if by_id[f.leading_community_id].parent_id in streets:
                members[by_id[f.leading_community_id].parent_id].add(fid)
        if led_here or (f.scope_code or "").startswith(code):
            total.firm_ids.add(fid)
        if f.scope_code in street_codes:  # registered by a street
            members[street_codes[f.scope_code]].add(fid)
    for place, ids in members.items():
        _firm_shares(communities.get(place) or streets[place], ids, firms)
    _firm_shares(total, total.firm_ids, firms)
    rows = tuple(sorted(communities.values(), key=lambda r: r.code))
    return Coverage(year, total.name, rows, total, tuple(sorted(streets.values(), key=lambda r: r.code)))


def _firm_shares(row: CoverageRow, ids: set[str], firms: dict) -> None:
    """The firm shares of a row. Being led by a community's Party organisation is the firm's own standing:
    a firm serving here counts as led whichever community leads it, so subtotals agree with totals."""
    row.firm_ids = set(ids)
    for fid in ids:
        f = firms[fid]
        if f.party_org_status in WITH_ORGANISATION:
            row.with_org.add(fid)
        if f.party_org_status in WITH_PARTY_WORK:
            row.with_work.add(fid)
        if f.led_by_community:
            row.led.add(fid)
        if f.alliance_member:
            row.alliance.add(fid)

"""A request escalated by a community (吹哨报到) travels to the street by package, is handled there and comes
back with its whole history; steps taken at both sites merge."""

from gridapp.core.models import GridRequest, OrgUnit
from gridapp.core.services import grids, orgs, requests
from gridapp.core.services.requests import NewRequest


def _state(store, rid):
    with store.read() as s:
        req = s.get(GridRequest, rid)
        return req.state, req.handled_by_org_id


def test_escalated_at_the_community_handled_at_the_street_closed_at_the_community(chain):
    street, community_pc = chain.street, chain.community
    with street.session() as s:
        orgs.add_unit(s, code="370203012001", name="云溪社区", site_code="370203012")
    unit = orgs.get(street, "370203012001")
    grids.add_child(street, unit.id, "第一网格", households=320)
    report = chain.deliver(chain.send(street, community_pc, full=True), community_pc)
    assert not report.rejected, report.rejected
    here = orgs.get(community_pc, "370203012001")
    grid = next(g for g in orgs.children(community_pc, here.id) if g.name == "第一网格")
    rid = requests.raise_request(community_pc, NewRequest(
        community_id=here.id, grid_id=grid.id, category="hazard", description="小区东门路面塌陷", source="visit"))
    requests.act(community_pc, rid, "accept")
    assert requests.escalate(community_pc, rid, "需街道协调住建部门") == "海泉路街道"

    report = chain.exchange(community_pc, street)
    assert not report.rejected, report.rejected
    with street.read() as s:
        street_unit = s.query(OrgUnit).filter_by(code="370203012").one()
    assert _state(street, rid) == ("escalated", street_unit.id)
    requests.act(street, rid, "accept")
    requests.assign(street, rid, "department", assignee_name="街道城建办")
    requests.act(street, rid, "start")
    requests.act(street, rid, "resolve", note="已修复路面")

    report = chain.exchange(street, community_pc)
    assert not report.rejected, report.rejected
    assert _state(community_pc, rid)[0] == "resolved"
    requests.act(community_pc, rid, "verify")
    requests.evaluate(community_pc, rid, "satisfied")
    requests.act(community_pc, rid, "close")
    chain.exchange(community_pc, street)
    steps = requests.history(street, rid)
    assert [(s.action, s.site_code) for s in steps] == [
        ("report", "370203012001"), ("accept", "370203012001"), ("escalate", "370203012001"),
        ("accept", "370203012"), ("assign", "370203012"), ("start", "370203012"), ("resolve", "370203012"),
        ("verify", "370203012001"), ("evaluate", "370203012001"), ("close", "370203012001")]
    assert _state(street, rid)[0] == "closed"
    # The district, two levels up, receives it too (its scope is inside the district's).
    chain.exchange(street, chain.district)
    assert _state(chain.district, rid)[0] == "closed"

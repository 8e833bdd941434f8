"""A 专属网格类别 a site adds travels with the grids that use it, renames follow, and the lists above name it."""

from gridapp.core import list_specs, lists
from gridapp.core.services import grid_types, grids, orgs, special_kinds


def _kind_names(store):
    with store.engine.connect() as conn:
        spec = list_specs.ORG_UNITS
        q = lists.Query(filters=(("grid_type", "special"),))
        ids = lists.query_rowids(conn, spec, q)
        rows = lists.fetch_rows(conn, spec, ids)
    at = spec.index_of("special_kind"), spec.index_of("name")
    return {rows[i][at[1]]: rows[i][at[0]] for i in ids}


def test_a_kind_added_at_the_street_arrives_with_its_grids_at_the_district(chain):
    street = chain.street
    community = grids.add_child(street, street.site.org_unit_id, "云溪社区")
    home = special_kinds.add(street, "养老机构")
    grid = grids.add_child(street, community.id, "颐和网格", grid_type="special", special_kind=home.code,
                           special_unit="颐和养老院", households=40)
    grids.add_child(street, community.id, "三中网格", grid_type="special", special_kind="school")
    report = chain.exchange(street, chain.district)
    assert not report.rejected, report.rejected
    assert report.tables["special_kind"]["new"] == 1
    assert _kind_names(chain.district) == {"颐和网格": "养老机构", "三中网格": "学校"}
    at_district = orgs.get(chain.district, grid.code)
    assert (at_district.special_kind, at_district.special_unit) == (home.code, "颐和养老院")
    figures = {r.label: r.grids for r in grid_types.by_type(chain.district)}
    assert figures["养老机构"] == 1 and figures["学校"] == 1
    # Renamed and retired at the street: the district follows; a second import changes nothing.
    special_kinds.rename(street, home.code, "养老服务机构")
    special_kinds.retire(street, home.code)
    path = chain.send(street, chain.district)
    chain.deliver(path, chain.district)
    kind = next(k for k in special_kinds.kinds(chain.district) if k.code == home.code)
    assert (kind.name, kind.retired, kind.grids, kind.scope_code) == ("养老服务机构", True, 1, street.site.code)
    assert chain.deliver(path, chain.district).already


def test_the_streets_kinds_reach_its_communities_and_come_back_with_their_grids(chain):
    street, community_pc = chain.street, chain.community
    with street.session() as s:
        from gridapp.core.services.orgs import add_unit

        add_unit(s, code="370203012001", name="云溪社区", site_code="370203012")
    market = special_kinds.add(street, "早市")
    report = chain.deliver(chain.send(street, community_pc, full=True), community_pc)
    assert not report.rejected, report.rejected
    # The community offers the street's kind and uses it for a grid of its own.
    assert market.code in dict(special_kinds.choices(community_pc, "370203012001"))
    unit = orgs.get(community_pc, "370203012001")
    grid = grids.add_child(community_pc, unit.id, "早市网格", grid_type="special", special_kind=market.code)
    report = chain.exchange(community_pc, street)
    assert not report.rejected, report.rejected
    assert orgs.get(street, grid.code).special_kind == market.code
    assert _kind_names(street) == {"早市网格": "早市"}

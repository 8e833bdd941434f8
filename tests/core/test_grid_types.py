"""Figures by 网格类型 and 专属网格类别: real counts of grids, households and workers in post."""

import datetime as dt

from gridapp.core.services import grid_types, grids, special_kinds, workers


def _worker(store, name, id_number, grid_id, role="fulltime"):
    data = {"name": name, "id_number": id_number, "worker_type": "fulltime", "hired_on": dt.date(2026, 1, 1)}
    return workers.create_or_update(store, data, grid_id=grid_id, role=role)


def test_figures_by_type_and_kind(street_store):
    community = grids.add_child(street_store, street_store.site.org_unit_id, "福安社区")
    home = special_kinds.add(street_store, "养老机构")
    urban = grids.add_child(street_store, community.id, "第一网格", households=300)
    grids.add_child(street_store, community.id, "第二网格", households=200)
    grids.add_child(street_store, community.id, "南村网格", grid_type="rural", households=80)
    school = grids.add_child(street_store, community.id, "三中网格", grid_type="special", special_kind="school",
                             households=5)
    grids.add_child(street_store, community.id, "颐和网格", grid_type="special", special_kind=home.code, households=40)
    grids.add_child(street_store, community.id, "新网格", grid_type="special")
    _worker(street_store, "张三", "110101199003070011", urban.id)
    _worker(street_store, "李四", "110101199003070038", school.id)
    rows = {(r.grid_type, r.kind): r for r in grid_types.by_type(street_store)}
    assert [(r.label, r.grids, r.households, r.workers) for r in grid_types.by_type(street_store)] == [
        ("城镇社区网格", 2, 500, 1), ("农村网格", 1, 80, 0), ("专属网格", 3, 45, 1),
        ("学校", 1, 5, 1), ("养老机构", 1, 40, 0), ("未填类别", 1, 0, 0), ("合计", 6, 625, 2)]
    assert rows[("special", "school")].filters() == (("level", "grid"), ("grid_type", "kind:school"))
    # Limited to a subtree: another community's grids do not count.
    other = grids.add_child(street_store, street_store.site.org_unit_id, "云溪社区")
    grids.add_child(street_store, other.id, "一中网格", grid_type="special", special_kind="school", households=9)
    mine = {r.label: r.grids for r in grid_types.by_type(street_store, community.code)}
    assert mine["学校"] == 1 and mine["合计"] == 6
    assert {r.label: r.grids for r in grid_types.by_type(street_store)}["学校"] == 2


def test_the_figures_equal_the_lists_they_lead_to(street_store):
    from gridapp.core.services.overview import Target

    community = grids.add_child(street_store, street_store.site.org_unit_id, "福安社区")
    for name, gtype, kind in (("第一网格", "urban", None), ("市场网格", "special", "market"),
                              ("医院网格", "special", "hospital"), ("东市场网格", "special", "market")):
        grids.add_child(street_store, community.id, name, grid_type=gtype, special_kind=kind)
    for r in grid_types.by_type(street_store):
        if r.kind != "":
            assert Target("org_units", r.filters()).count(street_store) == r.grids, r.label

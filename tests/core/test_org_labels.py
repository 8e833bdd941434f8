"""Same-named communities told apart: labels by the shortest unambiguous path, in choices and lists."""

from gridapp.core import list_specs, lists
from gridapp.core.org_labels import Unit, shortest_labels
from gridapp.core.services import grids, orgs


def _by_label(store, level: str) -> dict[str, str]:
    return {label: unit_id for unit_id, label in orgs.choices(store, level)}


def test_unique_names_stand_alone_and_shared_ones_say_their_parent():
    units = [Unit("d", "市北区", "district", None), Unit("s1", "永宁山街道", "street", "d"),
             Unit("s2", "海泉路街道", "street", "d"), Unit("c1", "福安社区", "community", "s1"),
             Unit("c2", "云溪社区", "community", "s1"), Unit("c3", "福安社区", "community", "s2"),
             Unit("g1", "第一网格", "grid", "c1"), Unit("g2", "第一网格", "grid", "c2"),
             Unit("g3", "第一网格", "grid", "c3"), Unit("g4", "滨海网格", "grid", "c3")]
    labels = shortest_labels(units)
    assert labels["s1"] == "永宁山街道" and labels["c2"] == "云溪社区"
    assert labels["c1"] == "福安社区（永宁山街道）" and labels["c3"] == "福安社区（海泉路街道）"
    # A grid always names its community, and the street when the community's name is shared.
    assert labels["g2"] == "云溪社区第一网格"
    assert labels["g1"] == "永宁山街道福安社区第一网格" and labels["g3"] == "海泉路街道福安社区第一网格"
    # Its community is named so it is told apart, though no other 福安社区 has a 滨海网格.
    assert labels["g4"] == "海泉路街道福安社区滨海网格"


def test_retired_units_do_not_make_current_ones_ambiguous():
    units = [Unit("s1", "永宁山街道", "street", None), Unit("s2", "海泉路街道", "street", None),
             Unit("c1", "福安社区", "community", "s1"), Unit("c3", "福安社区", "community", "s2", current=False),
             Unit("old", "第五网格", "grid", "c1", current=False), Unit("new", "第五网格", "grid", "c1")]
    labels = shortest_labels(units)
    assert labels["c1"] == "福安社区"
    # The retired one is told apart from the current one of that name.
    assert labels["c3"] == "福安社区（海泉路街道）"
    # Siblings of one name: no path tells them apart, so both keep the short label.
    assert labels["old"] == labels["new"] == "福安社区第五网格"


def test_district_choices_name_the_street(district_store):
    communities = _by_label(district_store, "community")
    assert set(communities) == {"福安社区（永宁山街道）", "云溪社区", "福安社区（海泉路街道）"}
    grid_labels = [label for _id, label in orgs.choices(district_store, "grid")]
    assert grid_labels == ["永宁山街道福安社区第一网格", "云溪社区第一网格", "海泉路街道福安社区第一网格",
                           "海泉路街道福安社区第二网格"]
    by_code = dict(orgs.choices(district_store, "community", by="code"))
    assert by_code[orgs.code_of(district_store, communities["云溪社区"])] == "云溪社区"


def test_street_site_keeps_the_short_names(street_store):
    site = street_store.site
    for name in ("云溪社区", "海泉社区"):
        community = grids.add_child(street_store, site.org_unit_id, name)
        grids.add_child(street_store, community.id, "第一网格")
    assert [label for _i, label in orgs.choices(street_store, "community")] == ["云溪社区", "海泉社区"]
    assert [label for _i, label in orgs.choices(street_store, "grid")] == ["云溪社区第一网格", "海泉社区第一网格"]


def test_picks_are_found_by_name_initials_and_code(district_store):
    picks = {p.label: p for p in orgs.picks(district_store, "community")}
    fuan = picks["福安社区（永宁山街道）"]
    code = orgs.code_of(district_store, fuan.value)
    assert len(code) == 12
    for typed in ("fa", "FA", "永宁山", "福安 永宁", code, code[:9], "fasq", "ynsjd"):
        assert fuan.key.matches(typed), typed
    assert [p.label for p in picks.values() if p.key.matches("fa")] == ["福安社区（永宁山街道）", "福安社区（海泉路街道）"]
    assert not fuan.key.matches("海泉") and not fuan.key.matches("yx")


def test_list_columns_show_labels_and_follow_a_rename(district_store):
    spec = list_specs.GRIDS
    col = spec.index_of("community")

    def shown() -> list[str]:
        with district_store.engine.connect() as conn:
            ids = lists.query_rowids(conn, spec, lists.Query())
            rows = lists.fetch_rows(conn, spec, ids)
        return [rows[i][col] for i in ids]

    assert shown() == ["福安社区（永宁山街道）", "云溪社区", "福安社区（海泉路街道）", "福安社区（海泉路街道）"]
    other = _by_label(district_store, "community")["福安社区（海泉路街道）"]
    grids.update(district_store, other, name="福海社区")
    # The committed rename reaches labels in Python and in SQL alike: neither 福安社区 needs its street now.
    assert shown() == ["福安社区", "云溪社区", "福海社区", "福海社区"]
    assert set(_by_label(district_store, "community")) == {"福安社区", "云溪社区", "福海社区"}
    assert orgs.label(district_store, other) == "福海社区"


def test_sorting_by_a_community_column_sorts_by_label(district_store):
    spec = list_specs.GRIDS
    with district_store.engine.connect() as conn:
        ids = lists.query_rowids(conn, spec, lists.Query(sort="community", descending=True))
        rows = lists.fetch_rows(conn, spec, ids)
    shown = [rows[i][spec.index_of("community")] for i in ids]
    assert shown == sorted(shown, reverse=True) and len(set(shown)) == 3


def test_services_name_communities_by_label(district_store):
    import datetime as dt

    from gridapp.core.services import baodao, compounds, needs

    grid_ids = {label: gid for gid, label in orgs.choices(district_store, "grid")}
    communities = _by_label(district_store, "community")
    for grid in ("永宁山街道福安社区第一网格", "海泉路街道福安社区第二网格"):
        compounds.save_compound(district_store, {"name": "阳光花园", "grid_id": grid_ids[grid]})
    assert sorted(label for _i, label in compounds.choices(district_store)) == [
        "福安社区（永宁山街道）·阳光花园", "福安社区（海泉路街道）·阳光花园"]
    assert sorted(label for _i, label in baodao.compound_choices(district_store)) == [
        "永宁山街道福安社区第一网格　阳光花园", "海泉路街道福安社区第二网格　阳光花园"]
    needs.raise_need(district_store, communities["福安社区（海泉路街道）"], "楼道照明", None, dt.date(2026, 3, 1))
    assert [label for _n, _c, label in baodao.open_needs(district_store)] == ["福安社区（海泉路街道）：楼道照明"]

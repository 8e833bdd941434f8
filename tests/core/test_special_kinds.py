"""专属网格类别: the standard kinds, the ones a street adds, and the rule that only a 专属网格 has one."""

import pytest

from gridapp.core.errors import ConflictError, DomainError, ValidationError
from gridapp.core.services import grids, orgs, special_kinds


def _community(store):
    return grids.add_child(store, store.site.org_unit_id, "福安社区")


def test_only_a_special_grid_has_a_kind(street_store):
    community = _community(street_store)
    school = grids.add_child(street_store, community.id, "三中网格", grid_type="special", special_kind="school",
                             special_unit="青岛市第三中学")
    assert (school.special_kind, school.special_unit) == ("school", "青岛市第三中学")
    with pytest.raises(ValidationError, match=r"只有专属网格才有专属网格类别.*城镇社区网格"):
        grids.add_child(street_store, community.id, "第一网格", grid_type="urban", special_kind="school")
    basic = grids.add_child(street_store, community.id, "第一网格")
    with pytest.raises(ValidationError, match="只有专属网格才有专属网格类别"):
        grids.update(street_store, basic.id, special_kind="hospital")
    with pytest.raises(ValidationError, match="只有专属网格才填写所属单位"):
        grids.update(street_store, basic.id, special_unit="某医院")
    with pytest.raises(ValidationError, match="不存在"):
        grids.update(street_store, school.id, special_kind="nonsense")
    # A grid that stops being 专属 loses its kind.
    assert grids.update(street_store, school.id, grid_type="urban").special_kind is None


def test_added_kinds_are_named_once_renamed_retired_and_deleted_only_when_unused(street_store):
    community = _community(street_store)
    with pytest.raises(ValidationError, match="名称不能为空"):
        special_kinds.add(street_store, "  \u200b ")
    with pytest.raises(ConflictError, match="是标准的专属网格类别"):
        special_kinds.add(street_store, "学校")
    home = special_kinds.add(street_store, "养老机构")
    with pytest.raises(ConflictError, match="已有名为“养老机构”"):
        special_kinds.add(street_store, " 养老机构 ")
    other = special_kinds.add(street_store, "宗教场所")
    with pytest.raises(ConflictError, match="已有名为“养老机构”"):
        special_kinds.rename(street_store, other.code, "养老机构")
    with pytest.raises(ValidationError, match="不能修改"):
        special_kinds.rename(street_store, "school", "中小学校")
    assert special_kinds.rename(street_store, home.code, "养老服务机构").name == "养老服务机构"
    grid = grids.add_child(street_store, community.id, "颐养院网格", grid_type="special", special_kind=home.code)
    assert [k.grids for k in special_kinds.kinds(street_store) if k.code == home.code] == [1]
    with pytest.raises(ConflictError, match=r"有 1 个网格.*不能删除"):
        special_kinds.delete(street_store, home.code)
    special_kinds.retire(street_store, home.code)
    assert home.code not in dict(special_kinds.choices(street_store, grid.code))
    assert home.code in dict(special_kinds.choices(street_store, grid.code, keep=home.code))
    # The grid keeps its retired kind; a new grid cannot take it.
    assert grids.update(street_store, grid.id, households=20).special_kind == home.code
    with pytest.raises(ValidationError, match=r"已于 .* 停用"):
        grids.add_child(street_store, community.id, "敬老院网格", grid_type="special", special_kind=home.code)
    special_kinds.reinstate(street_store, home.code)
    special_kinds.delete(street_store, other.code)
    assert [k.name for k in special_kinds.kinds(street_store) if not k.standard] == ["养老服务机构"]


def test_a_kind_added_below_is_not_offered_to_a_neighbour(district_store):
    """A community's own kind is for its grids: the street's neighbours never receive it with a package."""
    units = {u.code: u for u in orgs.tree(district_store)}
    grid_a = next(u for u in units.values() if u.level == "grid")
    grid_b = next(u for u in units.values() if u.level == "grid" and u.parent_id != grid_a.parent_id)
    kind = special_kinds.add(district_store, "口岸")  # the district's own: every grid below may use it
    grids.update(district_store, grid_a.id, grid_type="special", special_kind=kind.code)
    with district_store.session() as s:
        from gridapp.core.models import SpecialKind

        s.get(SpecialKind, kind.code).scope_code = units[grid_a.code].code[:12]  # as if added by A's community
    with pytest.raises(DomainError, match=r"由其他单位.*添加"):
        grids.update(district_store, grid_b.id, grid_type="special", special_kind=kind.code)
    assert kind.code not in dict(special_kinds.choices(district_store, grid_b.code))
    assert kind.code in dict(special_kinds.choices(district_store, grid_a.code))


def test_split_and_merge_keep_the_kind(street_store):
    community = _community(street_store)
    a = grids.add_child(street_store, community.id, "东院网格", grid_type="special", special_kind="hospital",
                        special_unit="市立医院")
    b = grids.add_child(street_store, community.id, "西院网格", grid_type="special", special_kind="hospital")
    import datetime as dt

    merged = grids.merge(street_store, (a.id, b.id), "市立医院网格", dt.date(2026, 6, 1))
    assert (merged.grid_type, merged.special_kind, merged.special_unit) == ("special", "hospital", "市立医院")
    parts = grids.split(street_store, merged.id, (grids.NewGrid("门诊网格"), grids.NewGrid("住院网格")),
                        workers={}, compounds={}, on=dt.date(2026, 7, 1))
    assert {p.special_kind for p in parts} == {"hospital"}


def test_the_log_names_standard_and_added_kinds(street_store):
    from gridapp.core import oplog

    community = _community(street_store)
    home = special_kinds.add(street_store, "养老机构")
    grid = grids.add_child(street_store, community.id, "三中网格", grid_type="special", special_kind="school")
    grids.update(street_store, grid.id, special_kind=home.code)
    latest = next(iter(oplog.entries(street_store)))
    assert [(c.label, c.old, c.new) for c in latest.changes] == [("专属网格类别", "学校", "养老机构")]
    added = next(e for e in oplog.entries(street_store) if e.table == "special_kind")
    assert (added.kind, added.name) == ("专属网格类别", "养老机构")


def test_check_finds_a_kind_that_breaks_the_rule(street_store):
    from gridapp.core.models import OrgUnit
    from gridapp.core.services import overview

    community = _community(street_store)
    basic = grids.add_child(street_store, community.id, "第一网格")
    special = grids.add_child(street_store, community.id, "三中网格", grid_type="special", special_kind="school")
    assert overview.check(street_store).ok
    with street_store.session() as s:  # as an older program or an altered package might have left them
        s.get(OrgUnit, basic.id).special_kind = "school"
        s.get(OrgUnit, special.id).special_kind = "gone"
    problems = overview.check(street_store).problems
    assert "网格“第一网格”（370203012001001）不是专属网格，却填有专属网格类别" in problems
    assert "网格“三中网格”（370203012001002）的专属网格类别已不存在" in problems

"""GB/T 2260 with its history: what ID numbers and new sites are checked against, and how an office updates it."""

import openpyxl
import pytest

from gridapp.core import regions
from gridapp.core.errors import ValidationError
from gridapp.core.services.site import check_new_site_code
from gridapp.core.validation import id_check_digit, parse_id_number
from gridapp.io.region_list import plan_update, read_region_list


def _id(prefix: str, birth: str = "19800101", seq: str = "123") -> str:
    first = prefix + birth + seq
    return first + id_check_digit(first)


def test_the_shipped_table_has_every_province_and_its_history():
    t = regions.table()
    assert t.edition >= 2024 and t.path == regions.shipped_path()
    assert len(t.regions) > 6000 and t.counties() > 5500
    assert {c[:2] for c in t.regions} >= {"11", "31", "37", "44", "46", "50", "65", "71", "81", "82", "83"}
    # 崇文区 and 宣武区 were merged into 东城区 and 西城区 in 2010: known, not current.
    assert t.known("110103") and t.current("110103") is None and t.last("110103").end == 2010
    assert t.current("110101").name == "东城区"
    assert t.full_name("370203") == "山东省青岛市市北区"
    # A code that changed its name keeps both, in order (天津 东郊区 → 东丽区).
    assert [r.name for r in t.regions["120110"]] == ["东郊区", "东丽区"]


@pytest.mark.parametrize("prefix", ["370203", "110103", "370205", "441900", "810000", "820000", "830000", "460400"])
def test_id_numbers_with_any_code_ever_valid_have_no_note(prefix):
    number = parse_id_number(_id(prefix)).number
    assert regions.id_region_note(number) is None


def test_a_person_born_after_the_county_was_abolished_is_not_refused():
    # 四方区 (370205) was merged into 市北区 in 2012; someone registered there earlier may have a later-dated
    # reissue, and a child registered at the old office keeps its code: accepted, no note.
    number = parse_id_number(_id("370205", "20150301")).number
    assert regions.id_region_note(number) is None


def test_a_made_up_county_is_noted_not_refused():
    number = parse_id_number(_id("434889")).number  # the check digit is right: the number itself is accepted
    note = regions.id_region_note(number)
    assert note and "434889" in note and "核对" in note


@pytest.mark.parametrize("code", ["441900003", "442000001", "460400500", "620200001", "370203012", "110101001"])
def test_current_counties_and_cities_without_counties_start_a_site(code):
    level = {9: "street", 12: "community"}[len(code)]
    assert check_new_site_code(code, level) == code


@pytest.mark.parametrize(("code", "words"), [
    ("110103001", ("已撤销", "北京市崇文区", "2010")),
    ("370201001", ("市辖区",)),
    ("370200001", ("县级行政区划代码",)),
    ("434889001", ("不在行政区划代码表", "更新")),
])
def test_codes_a_new_site_cannot_start_from(code, words):
    with pytest.raises(ValidationError) as exc:
        check_new_site_code(code, "street")
    assert all(w in exc.value.message for w in words), exc.value.message


def _national_list(t: regions.RegionTable) -> list[tuple[str, str]]:
    """This year's national list as 民政部 publishes it: the codes in use now, without the residence-permit ones."""
    return [(c, t.current(c).name) for c in sorted(t.regions) if t.current(c) and not c.startswith("83")]


def _write_xlsx(path, pairs, title):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append([title])
    ws.append(["行政区划代码", "单位名称"])
    for code, name in pairs:
        ws.append([int(code), "\u3000" + name])  # codes stored as numbers, names indented as on the web page
    wb.save(path)


def test_an_office_updates_the_table_from_a_later_years_list(tmp_path):
    base = regions.table()
    year = base.edition + 1
    pairs = [p for p in _national_list(base) if p[0] != "370214"]  # 城阳区 gone
    pairs = [(c, "新名区" if c == "370211" else n) for c, n in pairs]  # 黄岛区 renamed
    pairs.append(("370299", "新设区"))
    source = tmp_path / f"{year}年县以上行政区划代码.xlsx"
    _write_xlsx(source, pairs, f"{year}年中华人民共和国县以上行政区划代码")

    assert check_new_site_code("370214001", "street")
    with pytest.raises(ValidationError):
        check_new_site_code("370299001", "street")
    assert regions.id_region_note(_id("370299"))

    update = plan_update(source)  # the year read from the title
    assert update.year == year
    assert [(r.code, r.name) for r in update.added] == [("370299", "新设区")]
    assert [(o.name, n.name) for o, n in update.renamed] == [("黄岛区", "新名区")]
    assert [r.code for r in update.retired] == ["370214"]
    assert regions.table().edition == base.edition  # planning writes nothing

    regions.save_update(update)
    t = regions.table()
    assert t.edition == year and t.path == regions.update_path()
    assert check_new_site_code("370299001", "street") == "370299001"
    assert regions.id_region_note(_id("370299")) is None
    assert regions.id_region_note(_id("370214")) is None  # abolished, still a real place of registration
    with pytest.raises(ValidationError, match="已撤销"):
        check_new_site_code("370214001", "street")
    assert [(r.name, r.start, r.end) for r in t.regions["370211"]][-2:] == [("黄岛区", 1983, year - 1),
                                                                          ("新名区", year, None)]

    # An older list, or the same table read again as gridapp's own file, does not go backwards.
    older = tmp_path / "old.txt"
    older.write_text("\n".join(f"{c} {n}" for c, n in _national_list(base)), encoding="gbk")
    with pytest.raises(ValidationError, match="早于"):
        plan_update(older, year - 1)


def test_a_partial_list_would_retire_every_other_county_and_is_refused(tmp_path):
    source = tmp_path / "山东2030.txt"
    t = regions.table()
    source.write_text("\n".join(f"{c}\t{n}" for c, n in _national_list(t) if c.startswith("37")), encoding="utf-8")
    assert read_region_list(source).year == 2030
    with pytest.raises(ValidationError, match="不是完整的全国"):
        plan_update(source)


def test_a_list_without_a_year_asks_for_one(tmp_path):
    source = tmp_path / "codes.csv"
    source.write_text("行政区划代码,单位名称\n" + "\n".join(f"{c},{n}" for c, n in _national_list(regions.table())),
                      encoding="utf-8-sig")
    with pytest.raises(ValidationError, match="年份"):
        plan_update(source)
    assert plan_update(source, regions.table().edition + 2).year == regions.table().edition + 2


def test_a_broken_updated_table_is_ignored_for_the_shipped_one(tmp_path):
    path = regions.update_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("# edition: 2099\ncode\tname\tfrom\tto\n110000\t北京市\t\t\n", encoding="utf-8")
    assert regions.table().path == regions.shipped_path()


def test_a_bad_row_in_a_list_is_named(tmp_path):
    source = tmp_path / "2030.xlsx"
    pairs = _national_list(regions.table())
    pairs[5] = ("11010X", "某区")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["行政区划代码", "单位名称"])
    for c, n in pairs:
        ws.append([c, n])
    wb.save(source)
    with pytest.raises(ValidationError, match=r"第 7 行.*11010X"):
        plan_update(source)


def test_the_check_names_unknown_regions_without_calling_them_problems(street_store):
    from gridapp.core.services import overview, people

    with street_store.session() as s:
        people.upsert_person(s, {"name": "王五", "id_number": _id("434889")}, scope_code=None)
    report = overview.check(street_store)
    assert report.ok
    # Named, with the number masked (its first four and last four digits only).
    assert any("434889" not in n and "1 个身份证号码" in n and "王五 4348" in n for n in report.notes), report.notes


@pytest.mark.parametrize("make", ["folder", "empty", "pdf", "missing"])
def test_what_is_not_a_list_gets_a_sentence(tmp_path, make):
    path = tmp_path / "2030.xlsx"
    if make == "folder":
        path.mkdir()
    elif make == "empty":
        path.write_bytes(b"")
    elif make == "pdf":
        path.write_bytes(b"%PDF-1.4\n%%EOF\n")
    with pytest.raises(ValidationError) as exc:
        plan_update(path)
    assert "2030.xlsx" in exc.value.message
    assert regions.table().path == regions.shipped_path()


def test_credit_codes_with_an_unknown_registering_region_are_noted():
    from gridapp.core.validation import credit_check_char, parse_credit_code

    known = parse_credit_code("914403001922038216")  # 440300 深圳市
    central = parse_credit_code("91100000" + "100005220" + credit_check_char("91100000100005220"))
    made_up = parse_credit_code("91434889MA0000000" + credit_check_char("91434889MA0000000"))
    assert regions.credit_region_note(known) is None and regions.credit_region_note(central) is None
    assert "434889" in regions.credit_region_note(made_up)


def test_the_cities_without_counties_are_the_tables_own():
    from gridapp.core.validation import CITIES_WITHOUT_COUNTIES

    assert regions.table().without_counties == CITIES_WITHOUT_COUNTIES


def test_an_update_that_makes_a_city_without_counties_lets_its_streets_start_a_site(tmp_path):
    base = regions.table()
    year = base.edition + 1
    # 嘉峪关-like: a new prefecture-level city 370900's counties all abolished (泰安 here, for the test).
    listed = [(c, base.current(c).name) for c in sorted(base.regions)
              if base.current(c) and not c.startswith("83") and not (c.startswith("3709") and c != "370900")]
    source = tmp_path / f"{year}.txt"
    source.write_text("\n".join(f"{c} {n}" for c, n in listed), encoding="utf-8")
    with pytest.raises(ValidationError):
        check_new_site_code("370900001", "street")
    regions.save_update(plan_update(source))
    assert "370900" in regions.table().without_counties
    assert check_new_site_code("370900001", "street") == "370900001"

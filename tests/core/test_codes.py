import pytest

from gridapp.core import codes
from gridapp.core.errors import ValidationError


def test_ethnicity_table_has_the_56_nationalities():
    eth = codes.ETHNICITY
    named = [c for c in eth.codes() if int(c) <= 56]
    assert len(named) == 56
    assert eth.name("01") == "汉族"
    assert eth.name("56") == "基诺族"
    assert eth.parse("回") == "03"
    assert eth.parse("维吾尔族") == "05"


def test_political_status_parses_what_people_write():
    p = codes.POLITICAL
    assert p.parse("党员") == "01"
    assert p.parse("中共预备党员") == "02"
    assert p.parse("共青团员") == "03"
    assert p.parse("群众") == "13"
    assert p.parse("１３") == "13"
    assert p.parse("外星人") is None


def test_education_and_gender():
    assert codes.EDUCATION.parse("大学本科") == "20"
    assert codes.EDUCATION.parse("本科") == "20"
    assert codes.EDUCATION.parse("大专") == "30"
    assert codes.EDUCATION.parse("研究生") == "10"
    assert codes.GENDER.parse("女") == "2"
    assert codes.GENDER.parse(1) == "1"
    assert codes.name("gender", None) == ""


def test_worker_enumerations():
    assert codes.WORKER_TYPE.parse("专职网格员") == "fulltime"
    assert codes.WORKER_ROLE.parse("网格长") == "leader"
    assert codes.WORKER_ROLE.parse("兼职") == "parttime"


@pytest.mark.parametrize(("table", "written", "code"), [
    (codes.GENDER, "男性", "1"), (codes.GENDER, "女性", "2"), (codes.GENDER, "未知", "0"), (codes.GENDER, 2.0, "2"),
    (codes.POLITICAL, "中共党员（预备）", "02"), (codes.POLITICAL, "党员(预备)", "02"),
    (codes.POLITICAL, "预备党员", "02"), (codes.POLITICAL, "团员", "03"), (codes.POLITICAL, "中国共产党员", "01"),
    (codes.POLITICAL, "民盟", "05"), (codes.POLITICAL, "“群众”", "13"),
    (codes.ETHNICITY, "汉", "01"), (codes.ETHNICITY, "维族", "05"), (codes.ETHNICITY, "汉族人", "01"),
    (codes.ETHNICITY, 1.0, "01"), (codes.ETHNICITY, "其它", "97"),
    (codes.EDUCATION, "大专", "30"), (codes.EDUCATION, "本科", "20"), (codes.EDUCATION, "研究生", "10"),
    (codes.EDUCATION, "本科学历", "20"), (codes.EDUCATION, "研究生（硕士）", "14"), (codes.EDUCATION, "普高", "60"),
    (codes.EDUCATION, "大学专科", "30"), (codes.EDUCATION, "职业高中", "40"),
    (codes.WORKER_ROLE, "网格员（专职）", "fulltime"), (codes.WORKER_ROLE, "专职人员", "fulltime"),
    (codes.WORKER_TYPE, "专职人员", "fulltime"), (codes.WORKER_TYPE, "兼职", "parttime"),
    (codes.COMPOUND_KIND, "无物业管理", "none"), (codes.APPOINTMENT_DIRECTION, "社区到物业", "community_to_firm"),
    (codes.POLITICAL, "党\u200b员", "01"),  # a zero-width space pasted along
])
def test_the_common_ways_of_writing_one_choice(table, written, code):
    assert table.parse(written) == code


@pytest.mark.parametrize(("table", "written", "found"), [
    (codes.ETHNICITY, "哈族", ("16", "17")),  # 哈尼族 or 哈萨克族
    (codes.GENDER, "男女", ()),
    (codes.POLITICAL, "非党员", ()),  # says "not": never 党员
    (codes.COMPOUND_KIND, "物业", ()),  # not 无物业
    (codes.UNIT_TYPE, "非国有企业", ()),
    (codes.ETHNICITY, "水电工", ()),  # one-character names only match exactly
    (codes.EDUCATION, "文盲", ()),
])
def test_nothing_or_several_fit(table, written, found):
    assert table.candidates(written) == found
    assert table.parse(written) is None


def test_refusals_name_the_value_and_the_choices():
    with pytest.raises(ValidationError) as none:
        codes.POLITICAL.require("外星人")
    assert none.value.message == ("政治面貌“外星人”不是有效值，可选：中共党员、中共预备党员、共青团员、民革会员、民盟盟员、"
                                  "民建会员、民进会员、农工党党员、致公党党员、九三学社社员、台盟盟员、无党派人士、群众")
    with pytest.raises(ValidationError) as several:
        codes.ETHNICITY.require("哈族")
    assert several.value.message.startswith("民族“哈族”可能是哈尼族、哈萨克族，请只填其中一项；可选：汉族、蒙古族、回族")
    assert several.value.message.endswith("等 58 项")


def test_stored_values_as_people_read_them():
    from gridapp.core.labels import value_text

    assert value_text("person", "education", "20") == "大学本科教育"
    assert value_text("grid_assignment", "role", "leader") == "网格长"
    assert value_text("cross_appointment", "role", "业委会主任") == "业委会主任"  # free text there
    assert value_text("grid_worker", "status", "left") == "离岗"
    assert value_text("member_registration", "status", "moved_out") == "已转出"
    assert value_text("property_firm", "alliance_member", True) == "是"
    assert value_text("person", "phone", None) == "（空）"


def test_political_status_follows_gb_t_4762():
    """04 is 民革会员; the full names the standard gives are read; 民主党派 names eight parties, so it is a
    row error listing them, never 12 (无党派人士, its opposite)."""
    from gridapp.core.codes import POLITICAL

    assert POLITICAL.name("04") == "民革会员"
    for text, code in (("民革会员", "04"), ("中国国民党革命委员会会员", "04"), ("民革党员", "04"), ("民盟", "05"),
                       ("中国民主同盟盟员", "05"), ("台湾民主自治同盟盟员", "11"), ("台盟", "11"),
                       ("九三学社", "10"), ("无党派民主人士", "12")):
        assert POLITICAL.require(text) == code, text
    with pytest.raises(ValidationError) as refused:
        POLITICAL.require("民主党派")
    assert "民革会员" in refused.value.message and "台盟盟员" in refused.value.message


GB_T_4658 = {  # GB/T 4658-2006 学历代码, in full
    "10": "研究生教育", "11": "博士研究生毕业", "12": "博士研究生结业", "13": "博士研究生肄业", "14": "硕士研究生毕业",
    "15": "硕士研究生结业", "16": "硕士研究生肄业", "17": "研究生班毕业", "18": "研究生班结业", "19": "研究生班肄业",
    "20": "大学本科教育", "21": "大学本科毕业", "22": "大学本科结业", "23": "大学本科肄业", "28": "大学普通班毕业",
    "30": "大学专科教育", "31": "大学专科毕业", "32": "大学专科结业", "33": "大学专科肄业", "40": "中等职业教育",
    "41": "中等专科毕业", "42": "中等专科结业", "43": "中等专科肄业", "44": "职业高中毕业", "45": "职业高中结业",
    "46": "职业高中肄业", "47": "技工学校毕业", "48": "技工学校结业", "49": "技工学校肄业", "60": "普通高级中学教育",
    "61": "普通高中毕业", "62": "普通高中结业", "63": "普通高中肄业", "70": "初级中学教育", "71": "初中毕业",
    "73": "初中肄业", "80": "小学教育", "81": "小学毕业", "83": "小学肄业", "90": "其他",
}


def test_education_holds_gb_t_4658_in_full():
    assert dict(codes.EDUCATION.items) == GB_T_4658
    for code, name in GB_T_4658.items():
        assert codes.EDUCATION.require(name) == code, name
        assert codes.EDUCATION.require(code) == code


@pytest.mark.parametrize(("written", "code"), [
    ("本科毕业", "21"), ("大学本科毕业", "21"), ("高中毕业", "61"), ("硕士研究生毕业", "14"), ("本科", "20"),
    ("大专", "30"), ("中专", "40"), ("研究生", "10"), ("大专毕业", "31"), ("中专毕业", "41"), ("初中毕业", "71"),
])
def test_education_reads_what_people_write(written, code):
    assert codes.EDUCATION.require(written) == code

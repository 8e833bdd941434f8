from gridapp.core import codes


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

"""The main forms, filled and saved the way a user does, in the real program (one child per page).

Each form is tried once with one invalid field — it must stay open, say in Chinese what is wrong, and
write nothing — and once with valid data — it must close, and the list (its “共 N 条”, its search
box) or the tree must show the new record. The journeys are in tests/journeys/forms.py.
"""

from __future__ import annotations

import json
import re
import sqlite3

from tests.journeys.forms import credit_code, id_number
from tests.journeys.runner import run_journey


def _journey(script: str, demo_db, tmp_path) -> dict:
    out = tmp_path / "run"
    outcome = run_journey(f"tests.journeys.forms:{script}", out, db=demo_db)
    problems = outcome.problems()
    assert not problems, "\n\n".join(problems)
    return json.loads((out / "seen.json").read_text(encoding="utf-8"))


def count(label: str) -> int:
    """“共 1,234 条” → 1234."""
    m = re.fullmatch(r"共 ([\d,]+) 条", label)
    assert m, label
    return int(m.group(1).replace(",", ""))


def refused(attempt: dict, *words: str) -> None:
    """The form stayed open and told the user, in Chinese, what is wrong (in a message or under the field)."""
    assert attempt["opened"], attempt
    assert attempt["left_open"], f"the form closed on invalid data: {attempt}"
    said = " ".join(attempt["messages"]) + " " + str(attempt.get("note", ""))
    assert all(w in said for w in words), f"expected {words} in: {said}"
    assert not re.search(r"[A-Za-z]{4,}", re.sub(r"[0-9A-Z]{15,18}", "", said)), f"English in: {said}"


def saved(attempt: dict, *, message: str | None = None) -> None:
    """The form closed without an error (only the expected confirmation, if any, was shown)."""
    assert attempt["opened"] and attempt["ok_enabled"], attempt
    assert not attempt["left_open"], f"the form stayed open: {attempt}"
    said = attempt["messages"]
    assert (len(said) == 1 and message in said[0]) if message else said == [], said


def nothing_found(look: dict) -> None:
    assert look["count"] == "共 0 条" and look["rows"] == [], look


def one_found(look: dict) -> dict:
    assert look["count"] == "共 1 条" and len(look["rows"]) == 1, look
    return look["rows"][0]


def test_identifiers_the_journeys_type_are_valid():
    from gridapp.core.validation import parse_credit_code, parse_id_number

    # the computed check characters agree with the standards' worked examples
    assert id_number("110105", "19491231", "002") == "11010519491231002X"
    assert credit_code("91350100M000100Y4") == "91350100M000100Y43"
    assert parse_id_number(id_number("370203", "19920315", "442")).gender == "2"
    assert parse_credit_code(credit_code("91370203MA3D2L6H5"))


def test_new_grid_under_a_community(demo_db, tmp_path):
    seen = _journey("grid_forms", demo_db, tmp_path)
    s = seen["新建下级"]
    before = s["children_before"]
    refused(s["empty_name"], "名称不能为空")
    refused(s["same_name"], "已有名为", before[0])
    refused(s["bad_phone"], "区号")
    assert s["children_after_invalid"] == before and s["count_after_invalid"] == s["count_before"]

    saved(s["valid"])
    assert s["children_after"] == [*before, s["name"]]  # the tree shows it under its community
    shown = s["selected"]  # and selects it: the details panel is the new grid's
    assert shown["name"] == s["name"] and shown["level"] == "网格" and shown["code"].endswith("005")
    assert (shown["households"], shown["population"], shown["grid_type"]) == ("820", "2150", "城镇社区网格")
    assert shown["boundary"].startswith("东至海泉路") and shown["party_org_name"].endswith("党支部")
    assert count(s["count_after"]) == count(s["count_before"]) + 1
    # the 监督电话 typed in the form is kept (the save crashed) and shown again by 编辑 (it was empty there)
    assert s["edit_shows"] == {"name": s["name"], "phone": "0532-83801234"}
    saved(s["edit"])
    with sqlite3.connect(demo_db) as db:
        phone = db.execute("SELECT supervision_phone FROM org_unit WHERE code = ?", (shown["code"],)).fetchone()
    assert phone == ("0532-83807788",)


def test_grid_worker_forms(demo_db, tmp_path):
    seen = _journey("worker_forms", demo_db, tmp_path)
    home, other, free = seen["grids"]["home"], seen["grids"]["other"], seen["grids"]["free"]

    s = seen["登记网格员"]
    bad = s["bad_id"]
    assert not bad["ok_enabled"]  # 保存 stays greyed out while the hint under the number says why
    refused(bad, "身份证号码校验位错误", f"最后一位应为 {s['id_number'][-1]}")
    refused(s["second_leader"], home[1], f"已有网格长“{home[2]}”")
    nothing_found(s["after_invalid"])
    saved(s["valid"])
    row = one_found(s["found"])
    assert (row["所属社区"], row["所属网格"], row["网格职务"]) == (free[0], free[1], "网格长")
    assert (row["性别"], row["人员类别"], row["联系电话"]) == ("女", "专职", "13969801234")  # 性别 from the number
    assert row["身份证号码"].endswith(s["id_number"][-4:]) and "*" in row["身份证号码"]
    assert count(s["count_after"]) == count(s["count_before"]) + 1

    s = seen["编辑"]
    refused(s["empty_name"], "姓名不能为空")
    assert one_found(s["after_invalid"])["姓名"] == s["who"]
    saved(s["valid"])
    assert one_found(s["found"])["姓名"] == s["who"]  # found by the new phone number

    s = seen["调动"]
    refused(s["no_grid"], "请选择调入的网格")
    refused(s["second_leader"], other[1], f"已有网格长“{other[2]}”")
    row = one_found(s["after_invalid"])
    assert (row["所属社区"], row["所属网格"]) == (home[0], home[1])
    saved(s["valid"])
    row = one_found(s["found"])
    assert (row["所属社区"], row["所属网格"], row["网格职务"]) == (other[0], other[1], "兼职网格员")

    s = seen["兼任网格"]
    refused(s["no_grid"], "请选择兼任的网格")
    assert s["in_grid_after_invalid"] == s["in_grid_before"] and s["who"] not in s["in_grid_before"]
    saved(s["valid"])
    assert sorted(s["in_grid_after"]) == sorted([*s["in_grid_before"], s["who"]])
    assert s["who"] in s["in_home_grid_after"]

    s = seen["离岗"]
    refused(s["no_reason"], "请填写离岗原因")
    assert one_found(s["after_invalid"])["状态"] == "在岗"
    saved(s["valid"])
    row = one_found(s["left"])
    assert (row["状态"], row["所属网格"]) == ("离岗", "")  # every grid it held ends that day
    saved(s["back"])
    assert one_found(s["found"])["状态"] == "在岗"


def test_baodao_forms(demo_db, tmp_path):
    seen = _journey("baodao_forms", demo_db, tmp_path)
    community, grid = seen["grid"]

    s = seen["登记报到单位"]
    refused(s["bad_code"], "统一社会信用代码校验位错误", f"最后一位应为 {s['credit_code'][-1]}")
    nothing_found(s["after_invalid"])
    saved(s["valid"])
    row = one_found(s["found"])
    assert (row["统一社会信用代码"], row["单位类型"], row["在职党员数"]) == (s["credit_code"], "非公企业", "18")
    assert count(s["count_after"]) == count(s["count_before"]) + 1

    s = seen["在职党员报到登记"]
    refused(s["bad_id"], "身份证号码校验位错误")
    refused(s["no_grid"], "请选择居住网格")
    nothing_found(s["after_invalid"])
    saved(s["valid"])
    row = one_found(s["found"])
    assert (row["报到社区"], row["所在网格"], row["工作单位"]) == (community, grid, "青岛海泉数据科技有限公司")
    assert (row["性别"], row["状态"], row["服务岗位"]) == ("男", "已报到", "政策宣传")
    assert count(s["count_after"]) == count(s["count_before"]) + 1

    s = seen["新建服务活动"]
    refused(s["empty_title"], "活动名称不能为空")
    assert s["count_after_invalid"] == s["count_before"]
    saved(s["valid"])
    row = one_found(s["found"])
    assert (row["社区"], row["网格"], row["活动类型"], row["参加人数"]) == (community, grid, "环境整治", "0")
    assert count(s["count_after"]) == count(s["count_before"]) + 1

    s = seen["活动签到"]
    assert s["empty_count"] == "已签到 0 人"
    refused(s["nobody"], "签到名单还是空的")
    assert s["signed_count"] == "已签到 2 人（本次新增 2 人）"  # a new activity: everyone listed is new
    saved(s["valid"], message="新签到 2 人")
    assert one_found(s["activity"])["参加人数"] == "2"
    assert s["found"]["count"] == "共 2 条"
    assert sorted(r["姓名"] for r in s["found"]["rows"]) == sorted(s["members"])
    assert all((r["服务时长"], r["评价"]) == ("2.5", "优秀") for r in s["found"]["rows"])
    assert count(s["count_after"]) == count(s["count_before"]) + 2

    s = seen["提出需求"]
    refused(s["empty_title"], "需求名称不能为空")
    assert s["count_after_invalid"] == s["count_before"]
    saved(s["valid"])
    row = one_found(s["found"])
    assert (row["社区"], row["状态"]) == (community, "待认领")
    assert count(s["count_after"]) == count(s["count_before"]) + 1

    s = seen["认领与办结"]
    refused(s["close_unclaimed"], "尚未被认领")
    refused(s["no_unit"], "请选择认领单位")
    assert one_found(s["after_invalid"])["状态"] == "待认领"
    saved(s["claimed"])
    row = one_found(s["after_claim"])
    assert (row["状态"], row["认领方"]) == ("已认领", "青岛海泉数据科技有限公司")
    refused(s["no_result"], "请填写办理结果")
    saved(s["closed"])
    row = one_found(s["found"])
    assert row["状态"] == "已办结" and row["办理结果"].startswith("已邀请区住建局")


def test_property_forms(demo_db, tmp_path):
    seen = _journey("property_forms", demo_db, tmp_path)
    community, grid = seen["grid"]
    firm = "青岛海润物业服务有限公司"

    s = seen["登记物业企业"]
    refused(s["bad_code"], "统一社会信用代码校验位错误", f"最后一位应为 {s['credit_code'][-1]}")
    assert "校验位错误" in s["bad_code"]["note"]  # said under the field as it was typed, too
    nothing_found(s["after_invalid"])
    saved(s["valid"])
    row = one_found(s["found"])
    assert (row["统一社会信用代码"], row["党组织建立情况"], row["党员人数"]) == (s["credit_code"], "单独组建", "5")
    assert row["联盟成员"] == "是" and row["加入联盟日期"]
    assert count(s["count_after"]) == count(s["count_before"]) + 1

    s = seen["季度投诉与满意度"]
    refused(s["more_resolved"], "办结件数 5 多于投诉件数 3")
    saved(s["valid"])
    page = s["firm_page"]  # 企业详情 shows the quarter just entered
    assert "季度投诉与满意度" in page and "100%" in page and "95.5%" in page

    s = seen["登记小区"]
    refused(s["built_in_future"], "建成年份", s["future_year"])
    nothing_found(s["after_invalid"])
    saved(s["valid"])
    row = one_found(s["found"])
    assert (row["所在社区"], row["所在网格"], row["建成年份"], row["户数"]) == (community, grid, "2008", "860")
    assert (row["业委会"], row["业委会主任"], row["业委会党员数"], row["党组织覆盖"]) == ("是", "周建华", "4", "是")
    assert count(s["count_after"]) == count(s["count_before"]) + 1

    s = seen["更换物业"]
    old_firm, old_start = s["current"]
    refused(s["before_current"], "新合同开始日期须晚于现合同开始日期", old_start)
    assert one_found(s["after_invalid"])["物业企业"] == old_firm
    saved(s["valid"])
    row = one_found(s["found"])
    assert row["物业企业"] == firm and row["服务起始日期"] > old_start
    assert count(s["contracts_after"]) == count(s["contracts_before"]) + 1  # the old contract is kept, ended

    s = seen["登记交叉任职"]
    refused(s["bad_id"], "身份证号码校验位错误")
    nothing_found(s["after_invalid"])
    saved(s["valid"])
    row = one_found(s["found"])
    assert (row["社区"], row["任职单位"], row["所任职务"]) == (community, firm, "物业企业党支部兼职副书记")
    assert count(s["count_after"]) == count(s["count_before"]) + 1

    s = seen["评星定级"]
    assert "尚无评定" in s["summary_before"] and s["count_before"] == "共 0 条"
    refused(s["no_firm"], "请选择物业企业")
    assert s["count_after_invalid"] == "共 0 条"
    saved(s["valid"])
    assert s["totals"][-1].startswith("90 分") and "5星" in s["totals"][-1]  # the total followed the scores
    assert "已评定 1 家" in s["summary_after"]
    row = one_found(s["found"])
    assert (row["总分"], row["名次"], row["备注"]) == ("90", "1", "年度考核")
    assert s["count_after"] == "共 1 条"

"""Code tables: national standards (GB/T 2261.1, 3304, 4762, 4658) and the product's own enumerations.

Records store codes; screens, sheets and printouts show names. ``parse`` turns what people type in
spreadsheets back into codes: the names, the codes, the synonyms of each table and, when nothing is
written exactly so, the common loose ways of writing one choice (“网格员（专职）”, “中共党员（预备）”,
“本科学历”, “维族”): a value is matched only when exactly one code of the table fits it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property

from gridapp.core.errors import ValidationError
from gridapp.core.validation import strip_invisible

# Brackets, quotes, marks and separators people decorate a choice with; their content stays.
_DECORATION = re.compile(r"[\s()\[\]{}<>【】〔〕〖〗《》「」『』\"'“”‘’*#:;,、。!?·•・/\\|_~-]+")
_SPELLINGS = (("其它", "其他"),)
# A value that says “not” fits only a term that says it too (“非党员” is not 党员, “物业” is not 无物业).
_NEGATIONS = frozenset("非无未不没否")
_LISTED = 16  # a longer table (民族) is listed by its first entries and its size
_MEMO = 10_000


def normalise(value: object) -> str:
    """A typed value reduced for matching: half-width, lower case, no spaces or decorations."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    s = unicodedata.normalize("NFKC", strip_invisible(str(value))).casefold()
    for variant, usual in _SPELLINGS:
        s = s.replace(variant, usual)
    return _DECORATION.sub("", s)


@dataclass(frozen=True)
class _Term:
    code: str
    text: str
    chars: Counter
    negations: frozenset[str]


class _Index:
    """A table's spellings for matching: exact ones, loose terms, and the answers already worked out."""

    def __init__(self, table: CodeTable) -> None:
        self.order = {code: i for i, (code, _n) in enumerate(table.items)}
        self.exact: dict[str, str] = {}
        for code, _name in table.items:
            self.exact.setdefault(normalise(code), code)
            if len(code) == 2 and code.startswith("0") and code[1:] not in self.order:
                self.exact.setdefault(code[1:], code)  # "1" for "01"
        spellings = [(code, name) for code, name in table.items] + [(c, t) for t, c in table.synonyms.items()]
        for code, text in spellings:
            self.exact.setdefault(normalise(text), code)
        self.terms = [_Term(code, t, Counter(t), _NEGATIONS & set(t))
                      for code, t in ((c, normalise(x)) for c, x in spellings) if len(t) >= 2 and not t.isdigit()]
        self.memo: dict[str, tuple[str, ...]] = {}

    def candidates(self, s: str) -> tuple[str, ...]:
        if s in self.exact:
            return (self.exact[s],)
        found = self.memo.get(s)
        if found is None:
            found = self._loose(s)
            if len(self.memo) < _MEMO:  # a sheet of distinct junk must not grow it without end
                self.memo[s] = found
        return found

    def _loose(self, s: str) -> tuple[str, ...]:
        chars, negations = Counter(s), _NEGATIONS & set(s)
        terms = [t for t in self.terms if t.negations == negations]
        # A term written within the value, in any order: “网格员（专职）” holds 专职, “中共党员（预备）” 中共预备党员.
        fits: dict[str, list[Counter]] = {}
        for t in terms:
            if not t.chars - chars:
                fits.setdefault(t.code, []).append(t.chars)
        # Of codes that fit, one whose term holds another's (中共预备党员 ⊃ 中共党员) is the one meant.
        found = [c for c in fits if not any(_holds(fits[o], fits[c]) for o in fits if o != c)]
        if not found and len(s) >= 2:
            # An abbreviation: the value's characters in order within one term (“维族”, “普高”, “大专”).
            found = list(dict.fromkeys(t.code for t in terms if _in_order(s, t.text)))
        return tuple(sorted(found, key=self.order.__getitem__))


def _holds(bigger: list[Counter], smaller: list[Counter]) -> bool:
    """Some term in ``bigger`` strictly contains every term in ``smaller``."""
    return any(all(not (t - b) and b.total() > t.total() for t in smaller) for b in bigger)


def _in_order(short: str, long: str) -> bool:
    rest = iter(long)
    return all(ch in rest for ch in short)


@dataclass(frozen=True)
class CodeTable:
    key: str
    title: str  # Chinese name of the table, used in messages
    standard: str  # the standard it comes from, or "" for the product's own tables
    items: tuple[tuple[str, str], ...]
    synonyms: dict[str, str] = field(default_factory=dict)  # extra spelling -> code

    def name(self, code: str | None) -> str:
        if code is None or code == "":
            return ""
        return self._names().get(code, code)

    def codes(self) -> list[str]:
        return [c for c, _ in self.items]

    def _names(self) -> dict[str, str]:
        return dict(self.items)

    @cached_property
    def _index(self) -> _Index:
        return _Index(self)

    def candidates(self, text: object) -> tuple[str, ...]:
        """Every code the typed value may mean, in table order: none, one, or several."""
        if text is None:
            return ()
        s = normalise(text)
        return self._index.candidates(s) if s else ()

    def parse(self, text: object) -> str | None:
        """Code for a typed value, or None when it matches nothing or more than one code."""
        found = self.candidates(text)
        return found[0] if len(found) == 1 else None

    def require(self, text: object, title: str | None = None) -> str:
        """The one code a typed value means; a ValidationError naming it and the choices otherwise."""
        found = self.candidates(text)
        if len(found) == 1:
            return found[0]
        raise self.refusal(text, found, title)

    def refusal(self, text: object, found: tuple[str, ...] = (), title: str | None = None) -> ValidationError:
        """The error for a value that means no code, or several (``found``)."""
        shown = " ".join(strip_invisible(str(text)).split())
        what = title or self.title
        if found:
            maybe = "、".join(self.name(c) for c in found)
            return ValidationError(f"{what}“{shown}”可能是{maybe}，请只填其中一项；可选：{self.choices()}")
        return ValidationError(f"{what}“{shown}”不是有效值，可选：{self.choices()}")

    def choices(self) -> str:
        """The names to offer, all of them for a short table."""
        names = [n for _c, n in self.items]
        if len(names) <= _LISTED:
            return "、".join(names)
        return "、".join(names[:10]) + f"等 {len(names)} 项"


GENDER = CodeTable(
    "gender", "性别", "GB/T 2261.1-2003",
    (("0", "未知的性别"), ("1", "男"), ("2", "女"), ("9", "未说明的性别")),
    {"男性": "1", "女性": "2", "M": "1", "F": "2"},
)

_ETHNIC_NAMES = ["汉族", "蒙古族", "回族", "藏族", "维吾尔族", "苗族", "彝族", "壮族", "布依族", "朝鲜族", "满族", "侗族", "瑶族", "白族", "土家族", "哈尼族", "哈萨克族", "傣族", "黎族", "傈僳族", "佤族", "畲族", "高山族", "拉祜族", "水族", "东乡族", "纳西族", "景颇族", "柯尔克孜族", "土族", "达斡尔族", "仫佬族", "羌族", "布朗族", "撒拉族", "毛南族", "仡佬族", "锡伯族", "阿昌族", "普米族", "塔吉克族", "怒族", "乌孜别克族", "俄罗斯族", "鄂温克族", "德昂族", "保安族", "裕固族", "京族", "塔塔尔族", "独龙族", "鄂伦春族", "赫哲族", "门巴族", "珞巴族", "基诺族"]
assert len(_ETHNIC_NAMES) == 56

ETHNICITY = CodeTable(
    "ethnicity", "民族", "GB/T 3304-1991",
    (*((f"{i:02d}", n) for i, n in enumerate(_ETHNIC_NAMES, 1)), ("97", "其他"), ("98", "外国血统中国籍人士")),
    # People often drop the 族 suffix ("汉", "蒙古").
    {n.removesuffix("族"): f"{i:02d}" for i, n in enumerate(_ETHNIC_NAMES, 1)},
)

POLITICAL = CodeTable(
    "political", "政治面貌", "GB/T 4762-1984",
    (
        ("01", "中共党员"), ("02", "中共预备党员"), ("03", "共青团员"), ("04", "民革会员"),
        ("05", "民盟盟员"), ("06", "民建会员"), ("07", "民进会员"), ("08", "农工党党员"),
        ("09", "致公党党员"), ("10", "九三学社社员"), ("11", "台盟盟员"), ("12", "无党派人士"),
        ("13", "群众"),
    ),
    {
        "中国共产党党员": "01", "党员": "01", "共产党员": "01", "中共": "01",
        "中国共产党预备党员": "02", "预备党员": "02",
        "中国共产主义青年团团员": "03", "团员": "03", "共青团": "03",
        # The standard's full names (GB/T 4762 names each party); "民主党派" names eight of them, so it is
        # no synonym: the row says which to choose.
        "中国国民党革命委员会会员": "04", "民革党员": "04", "中国民主同盟盟员": "05", "中国民主建国会会员": "06",
        "中国民主促进会会员": "07", "中国农工民主党党员": "08", "中国致公党党员": "09", "台湾民主自治同盟盟员": "11",
        "民革": "04", "民盟": "05", "民建": "06", "民进": "07", "农工党": "08", "致公党": "09", "九三学社": "10",
        "台盟": "11", "无党派": "12", "无党派民主人士": "12", "普通群众": "13", "无": "13",
    },
)

EDUCATION = CodeTable(
    "education", "文化程度", "GB/T 4658-2006",
    # The whole table: the coarse codes (x0) and the fine ones (毕业/结业/肄业) beneath them.
    (
        ("10", "研究生教育"), ("11", "博士研究生毕业"), ("12", "博士研究生结业"), ("13", "博士研究生肄业"),
        ("14", "硕士研究生毕业"), ("15", "硕士研究生结业"), ("16", "硕士研究生肄业"), ("17", "研究生班毕业"),
        ("18", "研究生班结业"), ("19", "研究生班肄业"),
        ("20", "大学本科教育"), ("21", "大学本科毕业"), ("22", "大学本科结业"), ("23", "大学本科肄业"),
        ("28", "大学普通班毕业"),
        ("30", "大学专科教育"), ("31", "大学专科毕业"), ("32", "大学专科结业"), ("33", "大学专科肄业"),
        ("40", "中等职业教育"), ("41", "中等专科毕业"), ("42", "中等专科结业"), ("43", "中等专科肄业"),
        ("44", "职业高中毕业"), ("45", "职业高中结业"), ("46", "职业高中肄业"), ("47", "技工学校毕业"),
        ("48", "技工学校结业"), ("49", "技工学校肄业"),
        ("60", "普通高级中学教育"), ("61", "普通高中毕业"), ("62", "普通高中结业"), ("63", "普通高中肄业"),
        ("70", "初级中学教育"), ("71", "初中毕业"), ("73", "初中肄业"),
        ("80", "小学教育"), ("81", "小学毕业"), ("83", "小学肄业"),
        ("90", "其他"),
    ),
    {
        # What people write: the level alone is the coarse code, "…毕业" the fine one.
        "研究生": "10", "博士研究生": "11", "博士": "11", "硕士研究生": "14", "硕士": "14",
        "研究生毕业": "10", "大学本科": "20", "本科": "20", "大学": "20", "学士": "20", "本科毕业": "21",
        "大学毕业": "21", "大学专科": "30", "大专": "30", "专科": "30", "高职": "30", "大专毕业": "31",
        "专科毕业": "31", "中专": "40", "职高": "40", "技校": "40", "中技": "40", "职业高中": "40",
        "中专毕业": "41", "中等专科": "41", "技校毕业": "47", "普通高中": "60", "高中": "60", "普高": "60",
        "高中毕业": "61", "初中": "70", "初中及以下": "70", "初级中学": "70", "小学": "80", "小学及以下": "80",
    },
)

# --- the product's own enumerations -------------------------------------------------------------

ORG_LEVEL = CodeTable(
    "org_level", "层级", "",
    (("district", "区"), ("street", "街道"), ("community", "社区"), ("grid", "网格"), ("microgrid", "微网格")),
    {"县": "district", "区县": "district", "乡镇": "street", "镇": "street", "村": "community"},
)

GRID_TYPE = CodeTable(
    "grid_type", "网格类型", "",
    (("urban", "城镇社区网格"), ("rural", "农村网格"), ("special", "专属网格")),
    {"城镇网格": "urban", "社区网格": "urban", "农村": "rural", "专属": "special"},
)

# 专属网格 kinds (Xi'an DB6101/T 3185-2024 names these); a site adds its own (services/special_kinds), whose
# codes are their record ids.
SPECIAL_KIND = CodeTable(
    "special_kind", "专属网格类别", "",
    (("gov", "党政机关"), ("school", "学校"), ("hospital", "医院"), ("enterprise", "企业"), ("park", "园区"),
     ("business", "商圈"), ("market", "市场"), ("scenic", "景区"), ("other", "其他")),
    {"机关": "gov", "机关单位": "gov", "党政机关单位": "gov", "中小学": "school", "高校": "school", "卫生院": "hospital",
     "企事业单位": "enterprise", "工业园区": "park", "产业园区": "park", "商业街区": "business", "商务楼宇": "business",
     "农贸市场": "market", "集贸市场": "market", "旅游景区": "scenic", "景点": "scenic"},
)

WORKER_TYPE = CodeTable(
    "worker_type", "人员类别", "",
    (("fulltime", "专职"), ("parttime", "兼职")),
    {"专职网格员": "fulltime", "兼职网格员": "parttime", "全职": "fulltime"},
)

WORKER_ROLE = CodeTable(
    "worker_role", "网格职务", "",
    (("leader", "网格长"), ("fulltime", "专职网格员"), ("parttime", "兼职网格员"),
     ("instructor", "网格指导员"), ("building", "楼栋长")),
    {"专职": "fulltime", "兼职": "parttime", "指导员": "instructor", "楼长": "building", "单元长": "building"},
)

WORKER_STATUS = CodeTable("worker_status", "在岗状态", "", (("active", "在岗"), ("left", "离岗")),
                          {"离职": "left", "在职": "active"})

UNIT_TYPE = CodeTable(
    "unit_type", "单位类型", "",
    (("organ", "机关"), ("institution", "事业单位"), ("soe", "国有企业"), ("private", "非公企业"),
     ("social", "社会组织")),
    {"党政机关": "organ", "国企": "soe", "民营企业": "private", "民企": "private", "私营企业": "private", "私企": "private",
     "非公有制企业": "private", "社会团体": "social"},
)

PARTY_ORG_TYPE = CodeTable(
    "party_org_type", "党组织类型", "",
    (("committee", "党委"), ("general_branch", "党总支"), ("branch", "党支部"), ("group", "党小组")),
)

SERVICE_POST = CodeTable(
    "service_post", "服务岗位", "",
    (("policy", "政策宣传"), ("environment", "环境整治"), ("mediation", "矛盾调解"), ("care", "关爱帮扶"),
     ("patrol", "平安巡逻"), ("civility", "文明实践"), ("other", "其他")),
)

MEMBER_STATUS = CodeTable(
    "member_status", "报到状态", "",
    (("registered", "已报到"), ("moved_out", "已转出"), ("retired", "已退休"), ("transferred", "已调离")),
)

COMPOUND_KIND = CodeTable(
    "compound_kind", "小区类型", "",
    (("commercial", "商品房小区"), ("old", "老旧小区"), ("self_managed", "单位自管"), ("none", "无物业")),
)

FIRM_PARTY_STATUS = CodeTable(
    "firm_party_status", "党组织建立情况", "",
    (("own", "单独组建"), ("joint", "联合组建"), ("none", "未建立"), ("instructor", "派驻党建指导员")),
    {"独立组建": "own", "未组建": "none", "未成立": "none", "党建指导员": "instructor"},
)

CONTRACT_END = CodeTable(
    "contract_end", "合同终止方式", "",
    (("expired", "到期终止"), ("dismissed", "业主解聘"), ("withdrew", "企业退出"), ("other", "其他")),
)

ACTIVITY_TYPE = CodeTable(
    "activity_type", "活动类型", "",
    (("volunteer", "志愿服务"), ("policy", "政策宣传"), ("environment", "环境整治"), ("mediation", "矛盾调解"),
     ("care", "关爱帮扶"), ("patrol", "平安巡逻"), ("civility", "文明实践"), ("other", "其他")),
)

NEED_STATUS = CodeTable(
    "need_status", "需求状态", "",
    (("open", "待认领"), ("claimed", "已认领"), ("in_progress", "实施中"), ("closed", "已办结")),
)

EVALUATION = CodeTable(
    "evaluation", "评价", "",
    (("excellent", "优秀"), ("good", "良好"), ("fair", "一般"), ("poor", "较差")),
)

APPOINTMENT_DIRECTION = CodeTable(
    "appointment_direction", "交叉任职方向", "",
    (("community_to_firm", "社区党组织成员到物业企业任职"),
     ("community_to_committee", "社区党组织成员到业委会任职"),
     ("firm_to_community", "物业企业党员任社区兼职委员")),
)

ACCOUNT_ROLE = CodeTable(
    "account_role", "账号角色", "",
    (("admin", "管理员"), ("clerk", "经办人"), ("viewer", "查看")),
    {"系统管理员": "admin", "操作员": "clerk", "只读": "viewer", "查看人": "viewer"},
)

# 网格日常工作: the people's requests (民情诉求) and their handling to the end.
REQUEST_SOURCE = CodeTable(
    "request_source", "诉求来源", "",
    (("visit", "走访发现"), ("walk_in", "群众来访"), ("phone", "电话"), ("hotline", "12345转办"),
     ("member", "在职党员反映"), ("property", "物业反映"), ("other", "其他")),
    {"12345": "hotline", "热线": "hotline", "来访": "walk_in", "走访": "visit"},
)

REQUEST_CATEGORY = CodeTable(
    "request_category", "诉求类别", "",
    (("dispute", "矛盾纠纷"), ("hazard", "安全隐患"), ("sanitation", "环境卫生"), ("property", "物业服务"),
     ("livelihood", "民生服务"), ("other", "其他")),
)

# Days a request of each category has to be handled in (the deadline counts from the day it is raised).
REQUEST_TIME_LIMIT_DAYS = {"dispute": 7, "hazard": 3, "sanitation": 5, "property": 7, "livelihood": 10,
                           "other": 15}

URGENCY = CodeTable(
    "urgency", "紧急程度", "",
    (("normal", "一般"), ("urgent", "紧急"), ("critical", "特急")),
    {"普通": "normal", "加急": "urgent", "特别紧急": "critical"},
)

# The most days an urgent request may take, whatever its category allows.
URGENCY_LIMIT_DAYS = {"urgent": 2, "critical": 1}

REQUEST_STATE = CodeTable(
    "request_state", "办理状态", "",
    (("reported", "上报"), ("accepted", "受理"), ("assigned", "分派"), ("in_progress", "处置中"),
     ("resolved", "已处置"), ("verified", "验证"), ("evaluated", "回访评价"), ("closed", "办结"),
     ("returned", "退回"), ("escalated", "上报上级")),
)

REQUEST_ACTION = CodeTable(
    "request_action", "办理环节", "",
    (("report", "上报"), ("accept", "受理"), ("assign", "分派"), ("start", "开始处置"), ("resolve", "处置完成"),
     ("verify", "验证通过"), ("reject", "验证未通过"), ("evaluate", "回访评价"), ("close", "办结"),
     ("return", "退回"), ("resubmit", "重新上报"), ("escalate", "上报上级"), ("extend", "延期申请"),
     ("grant", "同意延期"), ("refuse", "不同意延期"), ("supervise", "督办")),
)

ASSIGNEE_KIND = CodeTable(
    "assignee_kind", "承办方", "",
    (("worker", "网格员"), ("community", "社区"), ("department", "街道部门"), ("unit", "报到单位"),
     ("member", "在职党员"), ("firm", "物业企业")),
)

SUPERVISION = CodeTable(
    "supervision", "督办等级", "",
    (("normal", "普通"), ("yellow", "黄牌"), ("red", "红牌")),
    {"普通督办": "normal", "黄牌督办": "yellow", "红牌督办": "red"},
)

EXTENSION_STATE = CodeTable(
    "extension_state", "延期申请", "",
    (("pending", "审核中"), ("granted", "同意"), ("refused", "不同意")),
)

SATISFACTION = CodeTable(
    "satisfaction", "满意度", "",
    (("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意")),
    {"非常满意": "satisfied", "一般": "basic"},
)

ALL: dict[str, CodeTable] = {
    t.key: t
    for t in (
        GENDER, ETHNICITY, POLITICAL, EDUCATION, ORG_LEVEL, GRID_TYPE, SPECIAL_KIND, WORKER_TYPE, WORKER_ROLE,
        WORKER_STATUS, UNIT_TYPE, PARTY_ORG_TYPE, SERVICE_POST, MEMBER_STATUS, COMPOUND_KIND,
        FIRM_PARTY_STATUS, CONTRACT_END, ACTIVITY_TYPE, NEED_STATUS, EVALUATION, APPOINTMENT_DIRECTION,
        ACCOUNT_ROLE, REQUEST_SOURCE, REQUEST_CATEGORY, URGENCY, REQUEST_STATE, REQUEST_ACTION, ASSIGNEE_KIND,
        SUPERVISION, EXTENSION_STATE, SATISFACTION,
    )
}

PARTY_MEMBER_CODES = frozenset({"01", "02"})


def table(key: str) -> CodeTable:
    return ALL[key]


def name(key: str, code: str | None) -> str:
    return ALL[key].name(code)

"""Realistic, fully valid demo data at three scales, deterministic for a seed.

Rows are written with the database driver's ``executemany`` in one transaction (all or nothing),
bypassing the ORM: district scale is about 900,000 rows. Demo rows carry no change-journal
entries: they are a starting state, not edits.
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from gridapp.core import codes, pinyin
from gridapp.core.errors import Cancelled, StoreError
from gridapp.core.models import Base
from gridapp.core.services.site import init_site
from gridapp.core.store import Store
from gridapp.core.validation import credit_check_char, id_check_digit

Progress = Callable[[int, int, str], None]  # done, total, what


@dataclass(frozen=True)
class Scale:
    streets: int
    communities_per_street: int
    grids_per_community: int
    compounds: int
    workers: int
    members: int
    units: int
    activities: int
    participations: int
    firms: int
    site_level: str


SCALES: dict[str, Scale] = {
    "small": Scale(1, 3, 4, 12, 40, 300, 12, 60, 900, 6, "street"),
    "street": Scale(1, 12, 10, 200, 330, 6_700, 60, 1_300, 33_000, 40, "street"),
    "district": Scale(15, 12, 10, 3_000, 5_000, 100_000, 900, 20_000, 500_000, 600, "district"),
}

DISTRICT_CODE, DISTRICT_NAME = "370203", "市北区"
_NUMERALS = "一二三四五六七八九十"
_SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任"
    "沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国志文博鸿晨"
_FEMALE = "芳娜敏静丽艳娟霞秀燕玲桂丹萍红玉兰琳雪梅莉倩婷颖慧佳欣悦怡晶璐琪月彤洁蕾"
_PLACE = "海泉云溪松柏福安永宁和美嘉禾瑞祥金山银河东方明珠春华秋实翠湖枫林锦绣长青光明幸福康乐兴隆阳光"
_STREET_SUFFIX = ("路", "街", "道", "里", "山", "湾")
_COMPOUND_SUFFIX = ("花园", "家园", "小区", "苑", "名都", "公寓", "新村", "雅居", "华庭", "嘉园")
_MOBILE_PREFIXES = ["130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157", "158", "159", "177", "180", "181", "182", "183", "185", "186", "187", "188", "189", "199"]
_OTHER_REGIONS = ("370202", "370211", "370212", "370213", "370214", "370281", "370283", "370102", "371002",
                  "370602", "370702", "370783", "410105", "130104", "220102")
_UNIT_KINDS = (("organ", "区{}局", "committee"), ("institution", "{}中心", "general_branch"),
               ("soe", "青岛{}集团有限公司", "committee"), ("private", "青岛{}科技有限公司", "branch"),
               ("social", "{}志愿者协会", "branch"))
_UNIT_WORDS = ["财政", "教育", "民政", "商务", "统计", "审计", "卫生健康", "人社", "城管", "文旅", "科技", "应急", "市场监管", "住建", "交通", "水务", "园林", "档案"]
_ACTIVITY_TITLES = {
    "policy": "政策宣讲进小区", "environment": "楼道环境集中清理", "mediation": "邻里矛盾调解会",
    "care": "走访慰问独居老人", "patrol": "平安巡逻", "civility": "文明实践志愿服务", "volunteer": "志愿服务日",
}
_RATING_INDICATORS = (("党组织建设", 20), ("服务质量", 25), ("居民满意度", 25), ("投诉处理", 15),
                      ("参与社区治理", 15))


class _Writer:
    """Buffered inserts for one table, filling the columns every synced record carries."""

    COMMON = ("id", "created_at", "updated_at", "changed_by_site", "scope_code", "deleted_at")

    def __init__(self, gen: _Generator, table: str, cols: Sequence[str]):
        known = set(Base.metadata.tables[table].c.keys())
        unknown = set(cols) - known
        if unknown:
            raise ValueError(f"{table}: no columns {unknown}")
        self.gen, self.table = gen, table
        all_cols = self.COMMON + tuple(cols)
        self.sql = f"INSERT INTO {table} ({', '.join(all_cols)}) VALUES ({', '.join('?' * len(all_cols))})"
        self.buf: list[tuple] = []
        self.count = 0

    def add(self, scope: str, *values: object, rid: str | None = None) -> str:
        rid = rid or self.gen.uuid()
        self.buf.append((rid, self.gen.stamp, self.gen.stamp, self.gen.site_code, scope, None, *values))
        if len(self.buf) >= 5000:
            self.flush()
        return rid

    def flush(self) -> None:
        if self.buf:
            self.gen.cur.executemany(self.sql, self.buf)
            self.count += len(self.buf)
            self.buf.clear()
            self.gen.tick()


class _Generator:
    def __init__(self, cur, scale: Scale, seed: int, site_code: str, year: int,
                 progress: Progress | None, cancel: threading.Event | None):
        self.cur, self.scale, self.site_code, self.year = cur, scale, site_code, year
        self.rng = random.Random(seed)
        self.stamp = f"{year}-01-05 08:00:00.000000"
        self.progress, self.cancel = progress, cancel
        self.ids_used: set[str] = set()
        self.codes_used: set[str] = set()
        self.total = (scale.members * 2 + scale.participations + scale.activities + scale.compounds * 12
                      + scale.workers * 3)
        self.done = 0
        self.writers: dict[str, _Writer] = {}

    # -- plumbing --------------------------------------------------------------------------------
    def uuid(self) -> str:
        return str(uuid.UUID(int=self.rng.getrandbits(128), version=4))

    def w(self, table: str, cols: Sequence[str]) -> _Writer:
        if table not in self.writers:
            self.writers[table] = _Writer(self, table, cols)
        return self.writers[table]

    def tick(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled()
        self.done = sum(w.count for w in self.writers.values())
        if self.progress:
            self.progress(min(self.done, self.total), self.total, "正在生成演示数据")

    def flush_all(self) -> None:
        for w in self.writers.values():
            w.flush()

    # -- values ----------------------------------------------------------------------------------
    def date_between(self, start: dt.date, end: dt.date) -> dt.date:
        return start + dt.timedelta(days=self.rng.randrange(max((end - start).days, 1)))

    def person_name(self, gender: str) -> str:
        given = _MALE if gender == "1" else _FEMALE
        n = 1 if self.rng.random() < 0.35 else 2
        return self.rng.choice(_SURNAMES) + "".join(self.rng.choice(given) for _ in range(n))

    def id_number(self, birth: dt.date, gender: str) -> str:
        region = DISTRICT_CODE if self.rng.random() < 0.6 else self.rng.choice(_OTHER_REGIONS)
        while True:
            seq = self.rng.randrange(0, 100)
            gender_digit = self.rng.randrange(1, 10, 2) if gender == "1" else self.rng.randrange(0, 10, 2)
            body = f"{region}{birth:%Y%m%d}{seq:02d}{gender_digit}"
            number = body + id_check_digit(body)
            if number not in self.ids_used:
                self.ids_used.add(number)
                return number

    def phone(self) -> str:
        return self.rng.choice(_MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"

    def credit_code(self) -> str:
        while True:
            body = "".join(str(self.rng.randrange(10)) for _ in range(8))
            total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
            c9 = 11 - total % 11
            org = body + {10: "X", 11: "0"}.get(c9, str(c9))
            first17 = "91" + DISTRICT_CODE + org
            code = first17 + credit_check_char(first17)
            if code not in self.codes_used:
                self.codes_used.add(code)
                return code

    def unique(self, used: set[str], make: Callable[[], str]) -> str:
        """A name not in ``used``: a few fresh tries, then a numbered variant (二期, 三期 …)."""
        name = make()
        for _ in range(5):
            if name not in used:
                break
            name = make()
        base, n = name, 2
        while name in used:
            name = _with_number(base, n)
            n += 1
        used.add(name)
        return name

    def place_name(self, n: int = 2) -> str:
        i = self.rng.randrange(0, len(_PLACE) - n)
        return _PLACE[i : i + n]


def _with_number(name: str, n: int) -> str:
    """海泉花园 → 海泉花园二期; 海泉社区 → 海泉二社区; 区财政局 → 区财政二局."""
    for suffix in ("有限公司", "社区", "街道", "局", "中心", "协会"):
        if name.endswith(suffix):
            return name[: -len(suffix)] + _numeral(n) + suffix
    return f"{name}{_numeral(n)}期"


_SPECIAL_GRIDS = (("school", "{}小学"), ("added", "{}颐养中心"), ("hospital", "{}社区卫生服务中心"),
                  ("market", "{}农贸市场"), ("gov", "{}街道机关"), ("enterprise", "{}食品有限公司"),
                  ("park", "{}创业园"), ("business", "{}商业街"), ("scenic", "{}公园"))


def _special_grid(n: int, community: str, added_kind: str) -> tuple[str, str] | None:
    """The kind and unit of the 专属网格 of the ``n``-th community (odd ones have one), the same for every seed."""
    if n % 2 == 0:
        return None
    kind, unit = _SPECIAL_GRIDS[(n // 2) % len(_SPECIAL_GRIDS)]
    return (added_kind if kind == "added" else kind), unit.format(community.removesuffix("社区"))


def _numeral(i: int) -> str:
    if i <= 10:
        return _NUMERALS[i - 1]
    if i < 20:
        return "十" + _NUMERALS[i - 11]
    tens, ones = divmod(i, 10)
    return _NUMERALS[tens - 1] + "十" + (_NUMERALS[ones - 1] if ones else "")


def generate(path: Path | str, scale: str = "small", *, seed: int = 1, year: int | None = None,
             progress: Progress | None = None, cancel: threading.Event | None = None) -> dict[str, int]:
    """Create a new database at ``path`` filled with demo data; returns row counts per table.

    The file must not exist (or be empty). On failure or cancel the new file is removed.
    """
    if scale not in SCALES:
        raise StoreError(f"规模应为 small、street 或 district，而不是“{scale}”")
    path = Path(path)
    if path.exists() and path.stat().st_size > 0:
        raise StoreError(f"文件 {path} 已存在；演示数据只能生成到新的数据库文件")
    sc = SCALES[scale]
    year = year or dt.date.today().year
    try:
        with Store(path, create=True, actor="demo") as store:
            code, name = (DISTRICT_CODE, DISTRICT_NAME) if sc.site_level == "district" else (
                DISTRICT_CODE + "012", "海泉路街道")
            root_id = str(uuid.UUID(int=random.Random(f"root-{seed}").getrandbits(128), version=4))
            init_site(store, level=sc.site_level, code=code, name=name, today=dt.date(year - 3, 1, 1),
                      unit_id=root_id, stamp=dt.datetime(year, 1, 5, 8))
            raw = store.engine.raw_connection()
            try:
                cur = raw.cursor()
                # Rows are buffered per table; check references once, at commit.
                cur.execute("BEGIN")
                cur.execute("PRAGMA defer_foreign_keys = ON")
                gen = _Generator(cur, sc, seed, store.site.code, year, progress, cancel)
                _fill(gen, store.site.org_unit_id)
                gen.flush_all()
                raw.commit()
                cur.close()
                counts = {t: w.count for t, w in gen.writers.items()}
            except BaseException:
                raw.rollback()
                raise
            finally:
                raw.close()
    except BaseException:
        for suffix in ("", "-wal", "-shm", ".lock"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        raise
    return counts


def _fill(g: _Generator, root_id: str) -> None:
    sc, rng, year = g.scale, g.rng, g.year
    today = dt.date(year, 11, 1)
    org = g.w("org_unit", ("code", "name", "level", "parent_id", "grid_type", "households", "population",
                           "boundary", "party_org_name", "supervision_phone", "active_from", "special_kind",
                           "special_unit"))
    # One kind the street added; its id drawn apart from the generator's, so the rest of the data stays as it was.
    added_kind = str(uuid.UUID(int=random.Random(f"kind-{g.site_code}").getrandbits(128), version=4))
    g.w("special_kind", ("name", "sort_order", "retired_on")).add(g.site_code, "养老机构", 1, None, rid=added_kind)

    # -- the org tree ------------------------------------------------------------------------------
    streets: list[tuple[str, str, str]] = []  # (id, code, name)
    if sc.site_level == "district":
        used: set[str] = set()
        for i in range(1, sc.streets + 1):
            name = g.unique(used, lambda: g.place_name() + rng.choice(_STREET_SUFFIX) + "街道")
            code = f"{DISTRICT_CODE}{i:03d}"
            streets.append((org.add(code, code, name, "street", root_id, None, None, None, None, None, None,
                                    f"{year - 10}-01-01", None, None), code, name))
    else:
        streets.append((root_id, g.site_code, "海泉路街道"))

    communities: list[tuple[str, str, str]] = []
    grids: list[tuple[str, str, str, str]] = []  # (id, code, community_id, community_code)
    for sid, scode, _sname in streets:
        names: set[str] = set()
        for c in range(1, sc.communities_per_street + 1):
            cname = g.unique(names, lambda: g.place_name() + "社区")
            ccode = f"{scode}{c:03d}"
            cid = org.add(ccode, ccode, cname, "community", sid, None, None, None, None, f"{cname}党委",
                          f"0532-8{rng.randrange(10**6):06d}{rng.randrange(10)}", f"{year - 8}-01-01", None, None)
            communities.append((cid, ccode, cname))
            # Every other community's last grid is a 专属网格 (a school, the added 养老机构, a hospital …).
            special = _special_grid(len(communities), cname, added_kind)
            for n in range(1, sc.grids_per_community + 1):
                gcode = f"{ccode}{n:03d}"
                hh = rng.randrange(300, 520)
                roads = [g.place_name(1) + s for s in ("路", "路", "街", "路")]
                boundary = f"东至{roads[0]}，西至{roads[1]}，南至{roads[2]}，北至{roads[3]}"
                gtype, kind, unit = ("special", *special) if special and n == sc.grids_per_community else (
                    "urban", None, None)
                gid = org.add(gcode, gcode, f"第{_numeral(n)}网格", "grid", cid, gtype, hh,
                              int(hh * rng.uniform(2.3, 2.9)), boundary, f"第{_numeral(n)}网格党支部", None,
                              f"{year - 5}-03-01", kind, unit)
                grids.append((gid, gcode, cid, ccode))

    grids_by_comm: dict[str, list[tuple[str, str, str, str]]] = {}
    for grid in grids:
        grids_by_comm.setdefault(grid[2], []).append(grid)

    # -- compounds and buildings -------------------------------------------------------------------
    comp = g.w("compound", ("name", "address", "grid_id", "kind", "households", "building_count", "built_year",
                            "party_org_covered", "party_org_name"))
    bld = g.w("building", ("compound_id", "name", "units", "households", "microgrid_id"))
    compounds: list[tuple[str, str, str, str]] = []  # (id, grid code, community id, kind)
    kinds = ("commercial",) * 6 + ("old",) * 3 + ("self_managed", "none")
    comp_names: set[str] = set()
    for i in range(sc.compounds):
        gid, gcode, cid, _ccode = grids[i % len(grids)] if i < len(grids) else rng.choice(grids)
        name = g.unique(comp_names, lambda: g.place_name() + rng.choice(_COMPOUND_SUFFIX))
        nb = rng.randrange(4, 20)
        kind = rng.choice(kinds)
        covered = rng.random() < 0.7
        cpid = comp.add(gcode, name, f"{g.place_name(1)}{rng.choice('路街')}{rng.randrange(1, 300)}号", gid, kind,
                        nb * 24, nb, rng.randrange(1985, year - 1), int(covered),
                        f"{name}党支部" if covered else None)
        compounds.append((cpid, gcode, cid, kind))
        for b in range(1, nb + 1):
            bld.add(gcode, cpid, f"{b}号楼", rng.choice((2, 3, 4)), 24, None)

    compounds_by_grid: dict[str, list[str]] = {}
    for cpid, gcode, _c, _k in compounds:
        compounds_by_grid.setdefault(gcode, []).append(cpid)

    person = g.w("person", ("name", "name_initials", "gender", "id_number", "birth_date", "ethnicity",
                            "political_status", "education", "phone", "address"))

    def add_person(scope: str, min_age: int, max_age: int, political: str | None = None) -> tuple[str, str]:
        gender = rng.choice("12")
        birth = g.date_between(dt.date(year - max_age, 1, 1), dt.date(year - min_age, 1, 1))
        name = g.person_name(gender)
        ethnicity = "01" if rng.random() < 0.95 else rng.choice(("03", "11", "02", "10", "08"))
        pol = political or rng.choice(("13", "13", "13", "01", "03", "01"))
        edu = rng.choice(("20", "20", "30", "30", "14", "60", "40"))
        pid = person.add(scope, name, pinyin.initials(name), gender, g.id_number(birth, gender), birth.isoformat(),
                         ethnicity, pol, edu, g.phone(), None)
        return pid, pol

    # -- grid workers --------------------------------------------------------------------------------
    worker = g.w("grid_worker", ("person_id", "worker_type", "status", "status_date", "status_reason", "hired_on"))
    assign = g.w("grid_assignment", ("worker_id", "org_unit_id", "role", "start_date", "end_date", "end_reason"))
    left_reasons = ("辞职", "退休", "调动", "合同到期")
    made = 0
    for gi, (gid, gcode, _cid, _ccode) in enumerate(grids):
        if made >= sc.workers:
            break
        # Most grids: one full-time worker who leads the grid, part-timers beside; a few miss one.
        plan = []
        if gi % 33 != 7:
            plan.append(("fulltime", "leader" if gi % 19 != 3 else "fulltime"))
        extra = max(0, round((sc.workers - made) / max(len(grids) - gi, 1)) - len(plan))
        plan += [("parttime", "parttime")] * min(extra, 3)
        if gi % 11 == 0:
            plan.append(("parttime", "building"))
        for wtype, role in plan:
            pid, _ = add_person(gcode, 24, 58)
            hired = g.date_between(dt.date(year - 8, 1, 1), dt.date(year - 1, 1, 1))
            left = rng.random() < 0.04
            wid = worker.add(gcode, pid, wtype, "left" if left else "active",
                             g.date_between(hired, today).isoformat() if left else None,
                             rng.choice(left_reasons) if left else None, hired.isoformat())
            assign.add(gcode, wid, gid, role, hired.isoformat(),
                       g.date_between(hired, today).isoformat() if left else None,
                       "离岗" if left else None)
            made += 1

    # -- units and pairings --------------------------------------------------------------------------
    unit = g.w("unit", ("name", "credit_code", "unit_type", "party_org_type", "party_org_name", "secretary",
                        "contact_name", "contact_phone", "reported_member_count"))
    pairing = g.w("unit_pairing", ("unit_id", "community_id", "agreement_date", "content"))
    units: list[str] = []
    unit_names: set[str] = set()
    for i in range(sc.units):
        kind, pattern, party = _UNIT_KINDS[i % len(_UNIT_KINDS)]
        word = rng.choice(_UNIT_WORDS) if kind in ("organ", "institution") else g.place_name()
        name = g.unique(unit_names, lambda p=pattern, w=word: p.format(w))
        party_name = name + {"committee": "党委", "general_branch": "党总支", "branch": "党支部"}[party]
        uid = unit.add(g.site_code, name, g.credit_code(), kind, party, party_name,
                       g.person_name(rng.choice("12")), g.person_name(rng.choice("12")), g.phone(), 0)
        units.append(uid)
        for cid, ccode, _ in rng.sample(communities, k=min(len(communities), rng.choice((1, 1, 2)))):
            pairing.add(ccode, uid, cid, g.date_between(dt.date(year - 4, 1, 1), today).isoformat(),
                        "结对共建：党建联建、志愿服务、资源共享")

    # -- in-service members ----------------------------------------------------------------------------
    reg = g.w("member_registration", ("person_id", "unit_id", "position", "is_leading_cadre", "community_id",
                                      "grid_id", "compound_id", "registered_on", "service_post", "status",
                                      "status_date"))
    posts = ("policy", "environment", "mediation", "care", "patrol", "civility")
    positions = ("科员", "主任科员", "副科长", "科长", "副处长", "处长", "工程师", "教师", "医生", "职员")
    members_by_comm: dict[str, list[str]] = {}
    unit_count: dict[str, int] = {}
    for i in range(sc.members):
        gid, gcode, cid, _ccode = grids[rng.randrange(len(grids))]
        pid, _ = add_person(gcode, 23, 60, political=rng.choice(("01",) * 15 + ("02",)))
        uid = units[i % len(units)] if rng.random() < 0.8 else rng.choice(units)
        unit_count[uid] = unit_count.get(uid, 0) + 1
        position = rng.choice(positions)
        status = "registered" if rng.random() < 0.93 else rng.choice(("moved_out", "retired", "transferred"))
        registered = g.date_between(dt.date(year - 4, 1, 1), today)
        comps = compounds_by_grid.get(gcode)
        mid = reg.add(gcode, pid, uid, position, int(position in ("副处长", "处长")), cid, gid,
                      rng.choice(comps) if comps else None, registered.isoformat(), rng.choice(posts), status,
                      g.date_between(registered, today).isoformat() if status != "registered" else None)
        if status == "registered":
            members_by_comm.setdefault(cid, []).append(mid)
    g.flush_all()
    # Units report a few more members than have registered (registration rate below 100 %).
    g.cur.executemany("UPDATE unit SET reported_member_count = ? WHERE id = ?",
                      [(n + rng.randrange(0, max(n // 5, 1) + 1), uid) for uid, n in unit_count.items()])

    # -- needs, projects, resources ----------------------------------------------------------------------
    need = g.w("need", ("community_id", "title", "description", "raised_on", "status", "claimed_by_unit_id",
                        "claimed_on", "closed_on", "result"))
    project = g.w("project", ("title", "community_id", "need_id", "unit_id", "start_date", "end_date", "status",
                              "result"))
    resource = g.w("resource", ("unit_id", "title", "category", "description"))
    need_titles = ("老旧小区楼道照明改造", "独居老人助餐服务", "青少年暑期托管", "社区健康义诊", "垃圾分类宣传",
                   "停车位规划协调", "四点半课堂", "法律咨询进社区")
    for cid, ccode, _ in communities:
        for k in range(3):
            raised = g.date_between(dt.date(year, 1, 1), today)
            status = ("open", "claimed", "closed")[k]
            uid = rng.choice(units) if status != "open" else None
            nid = need.add(ccode, cid, rng.choice(need_titles), "居民反映需求，社区梳理后列入需求清单",
                           raised.isoformat(), status, uid, raised.isoformat() if uid else None,
                           today.isoformat() if status == "closed" else None,
                           "已完成，居民满意" if status == "closed" else None)
            if uid:
                project.add(ccode, rng.choice(need_titles) + "项目", cid, nid, uid, raised.isoformat(),
                            today.isoformat() if status == "closed" else None,
                            "closed" if status == "closed" else "in_progress", None)
    for uid in units:
        resource.add(g.site_code, uid, rng.choice(("场地", "专业技术", "志愿服务队", "资金物资")) + "资源",
                     rng.choice(("场地", "人才", "资金", "物资")), "可为结对社区提供支持")

    # -- activities and participations -------------------------------------------------------------------
    rule = g.w("points_rule", ("activity_type", "points_per_hour", "bonus_per_activity", "max_points_per_activity",
                               "valid_from"))
    rule.add(g.site_code, None, 1.0, 0.0, 8.0, f"{year - 4}-01-01")
    act = g.w("activity", ("title", "date", "activity_type", "place", "community_id", "grid_id",
                           "organiser_unit_id", "description"))
    part = g.w("participation", ("activity_id", "member_id", "hours", "points", "evaluation"))
    per_activity = max(1, sc.participations // max(sc.activities, 1))
    remaining = sc.participations
    comm_grids = {cid: [gr[0] for gr in gl] for cid, gl in grids_by_comm.items()}
    for i in range(sc.activities):
        cid, ccode, cname = communities[i % len(communities)]
        atype = rng.choice(tuple(_ACTIVITY_TITLES))
        date = g.date_between(dt.date(year - 1, 1, 1), today)
        organiser = rng.choice(units) if rng.random() < 0.3 else None
        aid = act.add(ccode, _ACTIVITY_TITLES[atype], date.isoformat(), atype, f"{cname}党群服务中心", cid,
                      rng.choice(comm_grids[cid]), organiser, None)
        pool = members_by_comm.get(cid) or []
        n = min(len(pool), per_activity if i < sc.activities - 1 else remaining, remaining)
        for mid in rng.sample(pool, k=n):
            hours = rng.choice((1.0, 1.5, 2.0, 2.0, 3.0, 4.0))
            part.add(ccode, aid, mid, hours, hours, rng.choice(("excellent", "good", "good", "fair")))
        remaining -= n

    # -- 红色物业 ---------------------------------------------------------------------------------------------
    firm = g.w("property_firm", ("name", "credit_code", "legal_rep", "contact_name", "contact_phone",
                                 "qualification", "staff_count", "party_member_count", "party_org_status",
                                 "party_org_name", "party_secretary", "led_by_community", "leading_community_id",
                                 "alliance_member", "alliance_joined_on"))
    firms: list[str] = []
    firm_names: set[str] = set()
    for _ in range(sc.firms):
        name = g.unique(firm_names, lambda: f"青岛{g.place_name()}物业{rng.choice(('服务有限公司', '管理有限公司'))}")
        status = rng.choice(("own", "own", "joint", "none", "instructor"))
        members = rng.randrange(3, 15) if status in ("own", "joint") else rng.randrange(0, 3)
        led_comm = rng.choice(communities) if rng.random() < 0.1 else None
        alliance = rng.random() < 0.6
        firms.append(firm.add(g.site_code, name, g.credit_code(), g.person_name(rng.choice("12")),
                              g.person_name(rng.choice("12")), g.phone(), rng.choice(("一级", "二级", "三级", None)),
                              rng.randrange(20, 300), members, status,
                              f"{name}党支部" if status in ("own", "joint") else None,
                              g.person_name(rng.choice("12")) if status in ("own", "joint") else None,
                              int(led_comm is not None), led_comm[0] if led_comm else None, int(alliance),
                              f"{year - 2}-06-30" if alliance else None))
    contract = g.w("service_contract", ("firm_id", "compound_id", "start_date", "end_date", "end_reason"))
    committee = g.w("owners_committee", ("compound_id", "established", "term_start", "term_end", "director_name",
                                         "member_count", "party_member_count"))
    appointment = g.w("cross_appointment", ("person_id", "direction", "community_id", "firm_id", "committee_id",
                                            "role", "start_date", "end_date"))
    community_code = {cid: ccode for cid, ccode, _n in communities}
    for cpid, gcode, cid, kind in compounds:
        ccode = community_code[cid]
        firm_id = None
        if kind != "none" and rng.random() < 0.95:
            start = g.date_between(dt.date(year - 6, 1, 1), dt.date(year - 1, 1, 1))
            if rng.random() < 0.15:  # an earlier firm that was dismissed
                contract.add(gcode, rng.choice(firms), cpid, (start - dt.timedelta(days=1500)).isoformat(),
                             start.isoformat(), "dismissed")
            firm_id = rng.choice(firms)
            contract.add(gcode, firm_id, cpid, start.isoformat(), None, None)
        committee_id = None
        if rng.random() < 0.6:
            ts = g.date_between(dt.date(year - 4, 1, 1), dt.date(year, 1, 1))
            n = rng.choice((5, 7, 9))
            committee_id = committee.add(gcode, cpid, 1, ts.isoformat(), (ts + dt.timedelta(days=5 * 365)).isoformat(),
                                         g.person_name(rng.choice("12")), n, rng.randrange(1, n))
        since = g.date_between(dt.date(year - 3, 1, 1), dt.date(year, 1, 1)).isoformat()
        if firm_id and rng.random() < 0.3:  # 双向进入、交叉任职
            pid, _p = add_person(ccode, 30, 55, "01")
            appointment.add(ccode, pid, "community_to_firm", cid, firm_id, None, "物业企业党支部兼职副书记", since, None)
        if firm_id and rng.random() < 0.2:
            pid, _p = add_person(ccode, 28, 50, "01")
            appointment.add(ccode, pid, "firm_to_community", cid, firm_id, None, "社区党委兼职委员", since, None)
        if committee_id and rng.random() < 0.3:
            pid, _p = add_person(ccode, 35, 65, "01")
            appointment.add(ccode, pid, "community_to_committee", cid, None, committee_id, "业委会委员", since, None)
    quarterly = g.w("firm_quarterly", ("firm_id", "year", "quarter", "complaints", "complaints_resolved",
                                       "satisfaction"))
    for fid in firms:  # last year's four quarters and this year's first three
        for y, q in [(year - 1, q) for q in range(1, 5)] + [(year, q) for q in range(1, 4)]:
            complaints = rng.randrange(0, 30)
            quarterly.add(g.site_code, fid, y, q, complaints, complaints - rng.randrange(0, min(complaints, 3) + 1),
                          round(rng.uniform(70, 99), 1))
    template = g.w("rating_template", ("name", "year", "star_thresholds", "notes"))
    indicator = g.w("rating_indicator", ("template_id", "name", "weight", "max_score", "sort_order"))
    tid = template.add(g.site_code, "红色物业评星定级标准", year - 2, "60,70,80,90", "街道党工委制定")
    indicators = [indicator.add(g.site_code, tid, n, 1.0, float(m), k) for k, (n, m) in enumerate(_RATING_INDICATORS)]
    rating = g.w("firm_rating", ("firm_id", "year", "template_id", "total", "stars", "rated_on"))
    score = g.w("rating_score", ("rating_id", "indicator_id", "score"))
    for fid in firms:  # two years of ratings, so the ranking shows how each firm moved
        level = rng.uniform(0.55, 0.95)
        for y in (year - 2, year - 1):
            scores = [round(m * min(1.0, max(0.4, level + rng.uniform(-0.08, 0.08))), 1) for _n, m in _RATING_INDICATORS]
            total = round(sum(scores), 1)
            stars = 1 + sum(total >= t for t in (60, 70, 80, 90))
            rid = rating.add(g.site_code, fid, y, tid, total, stars, f"{y + 1}-01-20")
            for ind, sc_ in zip(indicators, scores, strict=True):
                score.add(g.site_code, rid, ind, sc_)
    g.flush_all()
    _requests(g, communities, grids_by_comm, today)
    g.flush_all()


# 民情诉求 of the demo: what residents raise, by category, and how the street's line handles them.
_REQUEST_TEXTS = {
    "dispute": ("楼上漏水与邻居发生纠纷", "因停车位归属发生争执", "装修噪音影响休息引发矛盾"),
    "hazard": ("楼道堆放杂物堵塞消防通道", "小区东门路面塌陷", "电动车在楼道内充电"),
    "sanitation": ("垃圾桶满溢未及时清运", "绿化带内积存建筑垃圾", "化粪池外溢"),
    "property": ("电梯经常停运", "物业未按约定维修屋面渗漏", "小区门禁损坏"),
    "livelihood": ("独居老人需要助餐服务", "咨询城乡居民医保缴费", "申请临时救助"),
    "other": ("建议增设健身器材", "反映流浪犬扰民", "咨询社区活动安排"),
}
_LINE = (("accept", "accepted"), ("assign", "assigned"), ("start", "in_progress"), ("resolve", "resolved"),
         ("verify", "verified"), ("evaluate", "evaluated"), ("close", "closed"))
# The state each of a community's demo requests ends in: most closed, some on the way, one sent back.
_REQUEST_ENDS = ("closed", "closed", "closed", "closed", "in_progress", "assigned", "reported", "returned")


def _ts(at: dt.datetime) -> str:
    """A time as SQLAlchemy stores a DateTime in SQLite (the microseconds written out)."""
    return at.strftime("%Y-%m-%d %H:%M:%S.%f")


def _requests(g: _Generator, communities, grids_by_comm, today: dt.date) -> None:
    from gridapp.core.services.requests import deadline_for

    rng = g.rng
    req = g.w("grid_request", ("number", "source", "category", "urgency", "community_id", "grid_id", "place",
                               "raiser_name", "raiser_phone", "description", "raised_at", "deadline", "state",
                               "handled_by_org_id", "assignee_kind", "assignee_name", "supervision",
                               "supervision_count", "return_count", "rejection_count", "resolved_at", "result",
                               "satisfaction", "closed_at", "extension_state"))
    step = g.w("request_step", ("request_id", "at", "action", "from_state", "to_state", "actor", "site_code",
                                "note"))
    per_day: dict[dt.date, int] = {}
    for cid, _ccode, cname in communities:
        for end in _REQUEST_ENDS:
            gid, gcode, _c, _cc = rng.choice(grids_by_comm[cid])
            category = rng.choice(tuple(_REQUEST_TEXTS))
            urgency = "urgent" if rng.random() < 0.1 else "normal"
            raised = dt.datetime.combine(g.date_between(dt.date(g.year, 1, 6), today - dt.timedelta(days=1)),
                                         dt.time(rng.randrange(8, 18), rng.randrange(60)))
            per_day[raised.date()] = n = per_day.get(raised.date(), 0) + 1
            deadline = deadline_for(category, urgency, raised.date())
            path = [] if end in ("reported", "returned") else list(_LINE[:[s for _a, s in _LINE].index(end) + 1])
            if end == "returned":
                path = [("return", "returned")]
            late = rng.random() < 0.2  # handled after its deadline
            days = (deadline - raised.date()).days + (rng.randrange(1, 4) if late else -rng.randrange(0, 2))
            at, steps = raised, []
            for i, (action, to_state) in enumerate(path):
                at = at + (dt.timedelta(days=max(days, 1)) if action == "resolve" else
                           dt.timedelta(hours=rng.randrange(1, 30)))
                steps.append((at, action, path[i - 1][1] if i else "reported", to_state))
            resolved = next((a for a, act, _f, _t in steps if act == "resolve"), None)
            closed = next((a for a, act, _f, _t in steps if act == "close"), None)
            sat = rng.choice(("satisfied", "satisfied", "basic")) if closed else None
            supervised = "yellow" if end != "closed" and (today - deadline).days > 3 else None
            rid = req.add(gcode, f"{g.site_code}-{raised:%Y%m%d}-{n:04d}", rng.choice(("visit", "visit", "walk_in",
                          "phone", "hotline")), category, urgency, cid, gid, f"{cname}{rng.randrange(1, 30)}号楼",
                          g.person_name(rng.choice("12")), g.phone(), rng.choice(_REQUEST_TEXTS[category]),
                          _ts(raised), deadline.isoformat(), end, cid,
                          "department" if len(path) > 1 else None, "街道城管科" if len(path) > 1 else None,
                          supervised, int(supervised is not None), int(end == "returned"), 0,
                          _ts(resolved) if resolved else None, "已处置完毕" if resolved else None,
                          sat,
                          _ts(closed) if closed else None, None)
            step.add(gcode, rid, _ts(raised), "report", None, "reported", "网格员", g.site_code, None)
            for at, action, from_state, to_state in steps:
                note = {"assign": "分派给街道部门：街道城管科", "resolve": "已处置完毕", "return": "不属于本社区受理范围",
                        "evaluate": codes.SATISFACTION.name(sat)}.get(action)
                step.add(gcode, rid, _ts(at), action, from_state, to_state, "社区工作人员", g.site_code, note)

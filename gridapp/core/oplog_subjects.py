"""What the 操作记录 calls each record and each field: the record's kind and name, field labels, code tables.

Field labels and code tables are read off the lists' column descriptions (``list_specs*``), so a field reads
the same in the log as in the list; ``labels`` names the rest. Names are SQL per table, run for a
page of records at once (``names``); a record no longer in its table is named from its journalled values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache

from sqlalchemy import Column, Connection, text

from gridapp.core import codes, labels, list_specs
from gridapp.core.journal import PACKED, decode_value, fields_of
from gridapp.core.list_specs_property import ratings_spec
from gridapp.core.list_sql import Dialect
from gridapp.core.models import SYNCED_MODELS, Base
from gridapp.core.models.base import BOOKKEEPING_COLUMNS
from gridapp.core.packing import Unpacker

# Fields people never typed and the log leaves out: search keys, the sync scope; a delete is the 操作 itself.
TECHNICAL = frozenset({"name_initials", "scope_code", "deleted_at"})
ID_NUMBER_FIELDS = frozenset({"id_number"})  # shown masked, as in lists and printouts


@cache
def columns(table: str) -> dict[str, Column]:
    """The journalled columns of a synced table (not its id or bookkeeping stamps)."""
    if table not in {m.__tablename__ for m in SYNCED_MODELS}:
        return {}
    return {c.name: c for c in Base.metadata.tables[table].columns if c.name not in BOOKKEEPING_COLUMNS}


# Fields that hold either a code or a record's id (a 专属网格's kind: standard, or one a site added).
SOFT_REFERENCES = {("org_unit", "special_kind"): "special_kind"}


@cache
def references(table: str) -> dict[str, str]:
    """Field → the table it refers to (a soft reference too: ``show`` falls back to the code table)."""
    out = {c.name: fk.column.table.name for c in columns(table).values() for fk in c.foreign_keys}
    out.update({f: t for (tt, f), t in SOFT_REFERENCES.items() if tt == table})
    return out


def _code_sql(table_key: str, expr: str) -> str:
    """SQL naming the code in ``expr`` from a code table (the names are the program's own, never input)."""
    cases = " ".join(f"WHEN '{c}' THEN '{n}'" for c, n in codes.table(table_key).items)
    return f"(CASE {expr} {cases} ELSE {expr} END)"


def _not_district(alias: str) -> str:
    return f"coalesce(CASE WHEN {alias}.level != 'district' THEN {alias}.name END, '')"


_PERSON_ROLE = ("(CASE WHEN EXISTS (SELECT 1 FROM grid_worker w WHERE w.person_id = t.id) THEN '网格员' "
                "WHEN EXISTS (SELECT 1 FROM member_registration m WHERE m.person_id = t.id) THEN '在职党员' "
                "ELSE '人员' END)")
_PERSON_SUBJECT = ("coalesce((SELECT w.id FROM grid_worker w WHERE w.person_id = t.id), (SELECT m.id FROM "
                   "member_registration m WHERE m.person_id = t.id ORDER BY m.deleted_at IS NOT NULL LIMIT 1), t.id)")


@dataclass(frozen=True)
class Subject:
    """How the records of one table are named: SQL over the record ``t`` (and ``joins``)."""

    title: str  # SQL: the kind of record (网格员, 网格, 物业企业)
    name: str  # SQL: its name (王娟, 海泉路街道云溪社区第一网格)
    joins: str = ""
    subject: str = "t.id"  # the record an entry is about: a person's changes are their worker's
    # Found by name: a condition on ``t`` (``:n`` a LIKE pattern, ``:ini`` a pinyin GLOB; None: its name LIKE :n;
    # "": nothing of its own), or through the references whose records' names make up its name.
    search: str | None = None
    named_by: tuple[str, ...] = ()
    via: str | None = None  # the field whose record names this one, when this one is gone from its table
    implied: tuple[str, ...] = ()  # fields the name already says, left out of a new record's changes
    fallback_title: str = ""  # the kind of a record gone from its table


def _part_of(*fields: str) -> dict:
    """A record named after the records these fields refer to, and found through them."""
    return {"search": "", "named_by": fields, "via": fields[0], "implied": fields}


SUBJECTS: dict[str, Subject] = {
    "org_unit": Subject(
        _code_sql("org_level", "t.level"),
        f"{_not_district('a3')} || {_not_district('a2')} || {_not_district('a1')} || t.name",
        "LEFT JOIN org_unit a1 ON a1.id = t.parent_id LEFT JOIN org_unit a2 ON a2.id = a1.parent_id "
        "LEFT JOIN org_unit a3 ON a3.id = a2.parent_id", fallback_title="组织单位"),
    "person": Subject(_PERSON_ROLE, "t.name", subject=_PERSON_SUBJECT, search=f"t.name LIKE :n OR {Dialect.prefix('t.name_initials', 'ini')}",
                      fallback_title="人员"),
    "grid_worker": Subject("'网格员'", "p.name", "LEFT JOIN person p ON p.id = t.person_id", **_part_of("person_id")),
    "grid_assignment": Subject(
        "'网格员'", "p.name || '（' || coalesce(g.name, '') || ' ' || " + _code_sql("worker_role", "t.role") + " || '）'",
        "LEFT JOIN grid_worker w ON w.id = t.worker_id LEFT JOIN person p ON p.id = w.person_id "
        "LEFT JOIN org_unit g ON g.id = t.org_unit_id", subject="t.worker_id", **_part_of("worker_id")),
    "member_registration": Subject("'在职党员'", "p.name", "LEFT JOIN person p ON p.id = t.person_id",
                                   **_part_of("person_id")),
    "unit": Subject("'报到单位'", "t.name"),
    "unit_pairing": Subject("'结对共建'", "coalesce(u.name, '') || '—' || coalesce(c.name, '')",
                            "LEFT JOIN unit u ON u.id = t.unit_id LEFT JOIN org_unit c ON c.id = t.community_id",
                            **_part_of("unit_id", "community_id")),
    "need": Subject("'需求'", "t.title"),
    "resource": Subject("'资源'", "t.title"),
    "project": Subject("'项目'", "t.title"),
    "activity": Subject("'服务活动'", "t.title || '（' || t.date || '）'"),
    "participation": Subject(
        "'活动签到'", "coalesce(p.name, '') || '（' || coalesce(a.title, '') || '）'",
        "LEFT JOIN member_registration m ON m.id = t.member_id LEFT JOIN person p ON p.id = m.person_id "
        "LEFT JOIN activity a ON a.id = t.activity_id", **_part_of("member_id", "activity_id")),
    "points_rule": Subject("'积分规则'", f"coalesce({_code_sql('activity_type', 't.activity_type')}, '全部活动类型')"),
    "property_firm": Subject("'物业企业'", "t.name"),
    "compound": Subject("'小区'", "t.name"),
    "building": Subject("'楼栋'", "coalesce(cp.name, '') || t.name", "LEFT JOIN compound cp ON cp.id = t.compound_id",
                        **{**_part_of("compound_id"), "search": "t.name LIKE :n"}),
    "service_contract": Subject("'物业服务合同'", "coalesce(cp.name, '') || '（' || coalesce(f.name, '') || '）'",
                                "LEFT JOIN compound cp ON cp.id = t.compound_id "
                                "LEFT JOIN property_firm f ON f.id = t.firm_id", **_part_of("compound_id", "firm_id")),
    "owners_committee": Subject("'业主委员会'", "coalesce(cp.name, '') || '业主委员会'",
                                "LEFT JOIN compound cp ON cp.id = t.compound_id", **_part_of("compound_id")),
    "cross_appointment": Subject("'交叉任职'", "p.name", "LEFT JOIN person p ON p.id = t.person_id",
                                 **_part_of("person_id")),
    "firm_quarterly": Subject("'季度投诉与满意度'",
                              "coalesce(f.name, '') || ' ' || t.year || '年第' || t.quarter || '季度'",
                              "LEFT JOIN property_firm f ON f.id = t.firm_id", **_part_of("firm_id")),
    "rating_template": Subject("'评星标准'", "t.name"),
    "special_kind": Subject("'专属网格类别'", "t.name"),
    "rating_indicator": Subject("'评星指标'", "t.name"),
    "firm_rating": Subject("'评星结果'", "coalesce(f.name, '') || ' ' || t.year || '年度'",
                           "LEFT JOIN property_firm f ON f.id = t.firm_id", **_part_of("firm_id")),
    "rating_score": Subject("'指标得分'", "coalesce(f.name, '') || ' ' || coalesce(r.year, '') || '年度 ' || "
                            "coalesce(i.name, '')",
                            "LEFT JOIN firm_rating r ON r.id = t.rating_id LEFT JOIN property_firm f ON f.id = r.firm_id "
                            "LEFT JOIN rating_indicator i ON i.id = t.indicator_id",
                            **_part_of("rating_id", "indicator_id")),
    "grid_request": Subject("'民情诉求'", "t.number || ' ' || substr(t.description, 1, 20)", search="t.number LIKE :n OR t.description LIKE :n"),
    "request_step": Subject("'诉求办理'", "coalesce(r.number, '') || ' ' || " + _code_sql("request_action", "t.action"),
                            "LEFT JOIN grid_request r ON r.id = t.request_id", **_part_of("request_id")),
}


# -- kinds to filter by ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Kind:
    """A kind of record people look for in the log; ``sql`` is a condition on the journal row ``j``."""

    key: str
    title: str
    sql: str


def _tables(*names: str) -> str:
    return "j.table_name IN (" + ", ".join(f"'{n}'" for n in names) + ")"


def _org_levels(*levels: str) -> str:
    # A list of the units (a few thousand at most) reads their rows by the record index: faster than a test per row.
    return ("(j.table_name = 'org_unit' AND j.record_id IN (SELECT id FROM org_unit WHERE level IN ("
            + ", ".join(f"'{lv}'" for lv in levels) + ")))")


_IS_WORKER = "EXISTS (SELECT 1 FROM grid_worker w WHERE w.person_id = j.record_id)"
_IS_MEMBER = "EXISTS (SELECT 1 FROM member_registration m WHERE m.person_id = j.record_id)"

KINDS: tuple[Kind, ...] = (
    Kind("orgs", "街道与社区", _org_levels("district", "street", "community")),
    Kind("grids", "网格", f"({_org_levels('grid', 'microgrid')} OR {_tables('special_kind')})"),
    Kind("workers", "网格员", f"({_tables('grid_worker', 'grid_assignment')} OR (j.table_name = 'person' AND {_IS_WORKER}))"),
    Kind("members", "在职党员", f"({_tables('member_registration')} OR (j.table_name = 'person' AND NOT {_IS_WORKER} "
                               f"AND {_IS_MEMBER}))"),
    Kind("people", "其他人员", f"(j.table_name = 'person' AND NOT {_IS_WORKER} AND NOT {_IS_MEMBER})"),
    Kind("units", "报到单位与结对共建", _tables("unit", "unit_pairing")),
    Kind("activities", "服务活动与签到", _tables("activity", "participation", "points_rule")),
    Kind("lists", "需求、资源、项目清单", _tables("need", "resource", "project")),
    Kind("compounds", "小区与业委会", _tables("compound", "building", "owners_committee")),
    Kind("firms", "物业企业与服务合同", _tables("property_firm", "service_contract", "firm_quarterly")),
    Kind("appointments", "交叉任职", _tables("cross_appointment")),
    Kind("ratings", "评星定级", _tables("rating_template", "rating_indicator", "firm_rating", "rating_score")),
    Kind("requests", "民情诉求", _tables("grid_request", "request_step")),
)
KIND_BY_KEY = {k.key: k for k in KINDS}


# -- field labels and code tables, read off the lists ---------------------------------------------------------------

# Where a list column and the generic label both miss what a field means for its table.
_OWN_LABELS: dict[tuple[str, str], str] = {
    ("grid_assignment", "org_unit_id"): "所属网格",
    ("grid_assignment", "role"): "网格职务",
    ("grid_worker", "employer"): "工作单位",
    ("org_unit", "parent_id"): "上级单位",
    ("resource", "unit_id"): "提供单位",
    ("unit_pairing", "community_id"): "结对社区",
    ("cross_appointment", "role"): "所任职务",
    ("member_registration", "compound_id"): "居住小区",
}
# Lists whose columns label their tables' fields. 网格 is left out: its “网格名称” would also name communities.
_LISTS = (list_specs.WORKERS, list_specs.MEMBERS, list_specs.UNITS, list_specs.ACTIVITIES, list_specs.PARTICIPATIONS,
          list_specs.NEEDS, list_specs.RESOURCES, list_specs.PROJECTS, list_specs.FIRMS, list_specs.COMPOUNDS,
          list_specs.CONTRACTS, list_specs.APPOINTMENTS, ratings_spec(2000, ()))
_TABLE_ALIAS = re.compile(r"(?:^|JOIN)\s*(\w+)\s+(\w+)")
_JOIN_ON = re.compile(r"JOIN\s+(\w+)\s+(\w+)\s+ON\s+(\w+)\.id\s*=\s*(\w+)\.(\w+)")
_PLAIN = re.compile(r"(\w+)\.(\w+)")


@dataclass(frozen=True)
class FieldInfo:
    label: str
    code_table: str | None = None  # codes.ALL key
    display_map: str | None = None  # labels.<NAME> (stars)


@cache
def _from_lists() -> dict[tuple[str, str], FieldInfo]:
    """Labels (and code tables) of ``(table, field)`` from the list columns that show that very field: the
    main table's own columns and a joined person's, and for a reference, the name column of the joined record."""
    out: dict[tuple[str, str], FieldInfo] = {}
    for spec in _LISTS:
        main = spec.rowid.split(".")[0]
        aliases = {alias: table for table, alias in _TABLE_ALIAS.findall(spec.from_sql)}
        refs = {alias: field for _t, alias, _a, src, field in _JOIN_ON.findall(spec.from_sql) if src == main}
        for col in spec.columns:
            m = _PLAIN.fullmatch(col.sql)
            if not m or m.group(1) not in aliases:
                continue
            alias, field = m.groups()
            table = aliases[alias]
            if (alias == main or table == "person") and field in columns(table):
                code = col.kind[5:] if col.kind.startswith("code:") else None
                shown = col.kind[4:] if col.kind.startswith("map:") else None
                out.setdefault((table, field), FieldInfo(col.title, code, shown))
            elif alias in refs and field in ("name", "title"):
                out.setdefault((aliases[main], refs[alias]), FieldInfo(col.title))
    return out


@cache
def field_info(table: str, field: str) -> FieldInfo:
    """How ``field`` of ``table`` is labelled and its values named in the log."""
    listed = _from_lists().get((table, field))
    label = _OWN_LABELS.get((table, field)) or (listed.label if listed else None) or labels.FIELDS.get(field, field)
    code = ((listed.code_table if listed else None) or labels.TABLE_FIELD_CODES.get((table, field))
            or labels.FIELD_CODES.get(field))
    return FieldInfo(label, code, listed.display_map if listed else None)


# -- names of a page of records, and records by name ----------------------------------------------------------------

@dataclass(frozen=True)
class Named:
    title: str  # 网格员
    name: str  # 王娟
    subject: str  # id of the record an entry is about


def _chunks(ids: list[str], size: int = 500) -> Iterable[list[str]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _marks(n: int) -> str:
    return ", ".join("?" * n)


def names(conn: Connection, wanted: dict[str, set[str]], *, depth: int = 0) -> dict[tuple[str, str], Named]:
    """Kind and name of each ``(table, id)`` wanted, one query per table; a record gone from its table is named
    from the journal (its last name or title, or the record its ``via`` field pointed at)."""
    out: dict[tuple[str, str], Named] = {}
    for table, ids in wanted.items():
        subject = SUBJECTS.get(table)
        if subject is None or not ids:
            continue
        for chunk in _chunks(sorted(ids)):
            sql = (f"SELECT t.id, {subject.title}, {subject.name}, {subject.subject} FROM {table} t {subject.joins} "
                   f"WHERE t.id IN ({_marks(len(chunk))})")
            for rid, title, name, subject_id in conn.exec_driver_sql(sql, tuple(chunk)):
                out[(table, rid)] = Named(title or "", name or "", subject_id or rid)
    missing = {t: {i for i in ids if (t, i) not in out} for t, ids in wanted.items() if t in SUBJECTS}
    missing = {t: ids for t, ids in missing.items() if ids}
    if missing and depth < 3:
        out.update(_journal_names(conn, missing, depth))
    return out


_NAMING_FIELDS = ("name", "title", "level", *sorted({s.via for s in SUBJECTS.values() if s.via}))


def _journal_names(conn: Connection, missing: dict[str, set[str]], depth: int) -> dict[tuple[str, str], Named]:
    ids = sorted({i for group in missing.values() for i in group})
    last: dict[tuple[str, str], object] = {}
    fields = ", ".join(f"'{f}'" for f in _NAMING_FIELDS)
    unpacker = Unpacker(conn)
    for chunk in _chunks(ids):
        for rid, field, value, packed in conn.exec_driver_sql(
                f"SELECT record_id, field, new_value, packed FROM change_journal WHERE record_id IN ({_marks(len(chunk))}) "
                f"AND field IN ({fields}, '{PACKED}') ORDER BY hlc", tuple(chunk)):
            for f, v in fields_of(field, unpacker.text(value, packed)):
                if v is not None and f in _NAMING_FIELDS:
                    last[(rid, f)] = decode_value(v)
    via: dict[str, set[str]] = {}
    for table, group in missing.items():
        s = SUBJECTS[table]
        for rid in group:
            if s.via and last.get((rid, s.via)):
                via.setdefault(references(table)[s.via], set()).add(str(last[(rid, s.via)]))
    pointed = names(conn, via, depth=depth + 1) if via else {}
    out: dict[tuple[str, str], Named] = {}
    for table, group in missing.items():
        s = SUBJECTS[table]
        for rid in group:
            title = s.fallback_title or s.title.strip("'")
            if table == "org_unit" and last.get((rid, "level")):
                title = codes.ORG_LEVEL.name(str(last[(rid, "level")]))
            name = last.get((rid, "name")) or last.get((rid, "title"))
            if not name and s.via and last.get((rid, s.via)):
                ref = pointed.get((references(table)[s.via], str(last[(rid, s.via)])))
                name = ref.name if ref else ""
            out[(table, rid)] = Named(title, str(name or ""), rid)
    return out


@cache
def _search_order() -> tuple[str, ...]:
    """The named tables, each after the tables its name is made of."""
    return tuple(t.name for t in Base.metadata.sorted_tables if t.name in SUBJECTS)


def find(conn: Connection, term: str) -> set[str]:
    """Ids of the records whose name, as the log shows it, contains ``term`` (a person also by pinyin initials):
    each table by its own name, then the records named after those (a worker after their person)."""
    params = {"n": f"%{term}%",
              "ini": Dialect.prefix_pattern(term.lower()) if re.fullmatch(r"[A-Za-z]+", term) else "~"}
    found: dict[str, set[str]] = {}
    for table in _search_order():
        s = SUBJECTS[table]
        ids: set[str] = set()
        if s.search != "":
            cond = s.search or f"({s.name}) LIKE :n"
            ids.update(conn.execute(text(f"SELECT t.id FROM {table} t {s.joins} WHERE {cond}"), params).scalars())
        for field in s.named_by:
            parents = sorted(found.get(references(table)[field], ()))
            for chunk in _chunks(parents):
                ids.update(r[0] for r in conn.exec_driver_sql(
                    f"SELECT id FROM {table} WHERE {field} IN ({_marks(len(chunk))})", tuple(chunk)))
        found[table] = ids
    return set().union(*found.values())

"""操作记录: changes made through the services read back as an officer reads them."""

import datetime as dt
import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import text

from gridapp.core import codes, oplog, oplog_subjects
from gridapp.core.errors import Cancelled
from gridapp.core.models import SYNCED_MODELS
from gridapp.core.services import compounds, firms, grids, orgs, workers
from gridapp.core.validation import id_check_digit

WANG = "37020319900202002" + id_check_digit("37020319900202002")  # a woman born 1990-02-02
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-")
D = dt.date(2026, 6, 1)


@pytest.fixture
def office(street_store):
    """A street with 云溪社区 and two grids, and 王娟 registered, edited, moved to the second grid and left."""
    store = street_store
    c = orgs.create_unit(store, code="370203012002", name="云溪社区")
    g1, g2 = grids.add_child(store, c.id, "第一网格"), grids.add_child(store, c.id, "第二网格")
    w = workers.create_or_update(store, {"name": "王娟", "id_number": WANG, "worker_type": "parttime",
                                         "phone": "13800001111", "political_status": "03", "ethnicity": "01",
                                         "education": "20"}, grid_id=g1.id, role="leader")
    workers.create_or_update(store, {"name": "王娟", "id_number": WANG, "worker_type": "fulltime",
                                     "phone": "13800002222", "political_status": "01", "ethnicity": "01",
                                     "education": "20", "notes": "兼任楼栋长"}, worker_id=w.id)
    workers.transfer_worker(store, w.id, g2.id, "fulltime", D)
    workers.worker_leaves(store, w.id, dt.date(2026, 7, 1), "调离本街道")
    return store


def _all(store, query=None) -> list[oplog.Entry]:
    reader = oplog.LogReader(store, query)
    out = reader.page(10_000)
    assert reader.exhausted
    return out


def _find(entries, subject, op=None) -> oplog.Entry:
    found = [e for e in entries if e.subject == subject and (op is None or e.op_name == op)]
    assert found, (subject, op, [(e.op_name, e.subject) for e in entries])
    return found[-1]  # the oldest such entry (newest first)


def test_a_worker_reads_by_name_with_labels_and_code_names(office):
    entries = _all(office)
    new = _find(entries, "网格员 王娟", "新增")
    shown = [str(c) for c in new.changes]
    # The person's fields and the worker's, saved together, are one entry.
    for expected in ("姓名：王娟", "性别：女", "身份证号码：3702**********" + WANG[-4:], "出生日期：1990-02-02",
                     "民族：汉族", "政治面貌：共青团员", "文化程度：大学本科教育", "联系电话：13800001111", "人员类别：兼职",
                     "状态：在岗"):
        assert expected in shown
    assert new.actor == "tester" and new.when.startswith(str(dt.date.today().year))
    edit = next(e for e in entries if e.subject == "网格员 王娟" and "人员类别：兼职 → 专职" in e.summary)
    assert edit.op_name == "修改"
    assert {"政治面貌：共青团员 → 中共党员", "联系电话：13800001111 → 13800002222", "备注：（空） → 兼任楼栋长"} <= set(
        map(str, edit.changes))
    left = next(e for e in entries if "状态：在岗 → 离岗" in e.summary)
    assert "状态原因：（空） → 调离本街道" in left.summary and "状态日期：（空） → 2026-07-01" in left.summary


def test_assignments_name_the_grid_and_role(office):
    entries = _all(office)
    first = _find(entries, "网格员 王娟（第一网格 网格长）", "新增")
    assert str(first.changes[0]) == "所属网格：海泉路街道云溪社区第一网格" and "网格职务：网格长" in first.summary
    ended = _find(entries, "网格员 王娟（第一网格 网格长）", "修改")
    assert "结束日期：（空） → 2026-06-01" in ended.summary and "结束原因：（空） → 调动至第二网格" in ended.summary
    moved = _find(entries, "网格员 王娟（第二网格 专职网格员）", "新增")
    assert "所属网格：海泉路街道云溪社区第二网格" in moved.summary and "开始日期：2026-06-01" in moved.summary
    grid = _find(entries, "网格 海泉路街道云溪社区第一网格", "新增")
    assert "上级单位：海泉路街道云溪社区" in grid.summary and "网格类型：城镇社区网格" in grid.summary
    assert _find(entries, "社区 海泉路街道云溪社区").op_name == "新增"


def test_nothing_technical_or_raw_is_shown(office):
    everything = "\n".join(f"{e.actor} {e.op_name} {e.subject} {e.summary}" for e in _all(office))
    for raw in ("parttime", "fulltime", "leader", "active", "拼音首字母", "所属范围", "删除时间", "name_initials",
                "scope_code", "person_id", "worker_id", WANG, "370203012002001-"):
        assert raw not in everything
    assert not UUID.search(everything)
    assert "政治面貌：共青团员" in everything  # a code, as its name


def test_deleted_records_keep_their_names(street_store):
    firm = firms.save_firm(street_store, {"name": "海泉物业服务有限公司", "party_org_status": "own", "staff_count": 20})
    compound = compounds.save_compound(street_store, {"name": "海泉花园", "households": 300})
    firms.delete_firm(street_store, firm)
    compounds.delete_compound(street_store, compound)
    entries = _all(street_store)
    assert [(e.op_name, e.subject) for e in entries[:2]] == [("删除", "小区 海泉花园"), ("删除", "物业企业 海泉物业服务有限公司")]
    new = _find(entries, "物业企业 海泉物业服务有限公司", "新增")
    assert {"企业名称：海泉物业服务有限公司", "党组织建立情况：单独组建", "从业人数：20"} <= set(map(str, new.changes))
    # A record gone from its table altogether is named from what the journal last recorded of it.
    with street_store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM property_firm")
    assert _all(street_store)[1].subject == "物业企业 海泉物业服务有限公司"


def test_filters_kind_actor_dates_and_search(office):
    firms.save_firm(office, {"name": "云溪物业"})
    office.actor = "lisi"
    orgs.create_unit(office, code="370203012003", name="松柏社区")
    everything = _all(office)
    assert {e.actor for e in everything} == {"tester", "lisi"}
    lisi = _all(office, oplog.LogQuery(actor="lisi"))
    assert [e.subject for e in lisi] == ["社区 海泉路街道松柏社区"]
    assert {e.kind for e in _all(office, oplog.LogQuery(kind="workers"))} == {"网格员"}
    assert {e.kind for e in _all(office, oplog.LogQuery(kind="grids"))} == {"网格"}
    assert {e.subject for e in _all(office, oplog.LogQuery(kind="firms"))} == {"物业企业 云溪物业"}
    today = dt.date.today()
    assert len(_all(office, oplog.LogQuery(since=today, until=today))) == len(everything)
    assert _all(office, oplog.LogQuery(until=today - dt.timedelta(days=1))) == []
    assert _all(office, oplog.LogQuery(since=today + dt.timedelta(days=1))) == []
    by_name = _all(office, oplog.LogQuery(search="王娟"))
    assert by_name and {e.name.split("（")[0] for e in by_name} == {"王娟"}
    assert [e.id for e in _all(office, oplog.LogQuery(search="wj"))] == [e.id for e in by_name]  # pinyin initials
    yunxi = {e.subject for e in _all(office, oplog.LogQuery(search="云溪"))}
    assert {"社区 海泉路街道云溪社区", "网格 海泉路街道云溪社区第二网格", "物业企业 云溪物业"} <= yunxi
    assert _all(office, oplog.LogQuery(search="云溪", kind="grids", actor="tester"))
    assert _all(office, oplog.LogQuery(search="没有这个名字")) == []


def test_pages_continue_where_they_stopped(office):
    for i in range(12):
        firms.save_firm(office, {"name": f"第{i}物业", "staff_count": i + 1})
    whole = _all(office)
    reader, paged = oplog.LogReader(office), []
    while not reader.exhausted:
        page = reader.page(5)
        assert len(page) <= 5
        paged += page
    assert [(e.id, e.summary) for e in paged] == [(e.id, e.summary) for e in whole]
    assert reader.rows_read == oplog.count_rows(office, oplog.LogQuery())
    assert [e.at for e in whole] == sorted((e.at for e in whole), reverse=True)


def test_entries_report_progress_and_stop_on_cancel(office):
    seen = []
    got = list(oplog.entries(office, page=3, progress=lambda d, t, w: seen.append((d, t))))
    assert len(got) == len(_all(office)) and seen[-1][0] == seen[-1][1] > 0
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled):
        list(oplog.entries(office, cancel=cancel))
    assert oplog.actors(office) == ["tester"]


def test_changes_from_another_site_name_that_site(tmp_path):
    from tests.sync.conftest import make_chain

    chain = make_chain(tmp_path / "sites")
    try:
        orgs.create_unit(chain.community, code="370203012001001", name="第一网格")
        chain.exchange(chain.community, chain.street)
        entry = _find(_all(chain.street), "网格 云溪社区第一网格", "新增")
        assert entry.actor == "community（云溪社区）"
        assert "编码：370203012001001" in entry.summary
    finally:
        for s in (chain.district, chain.street, chain.community):
            s.close()


def test_every_field_has_a_label_and_every_coded_field_its_code_table():
    for model in SYNCED_MODELS:
        table = model.__tablename__
        assert table in oplog_subjects.SUBJECTS
        for field in oplog_subjects.columns(table):
            info = oplog_subjects.field_info(table, field)
            assert re.search(r"[\u4e00-\u9fff]", info.label), (table, field, info.label)
    # The models note their code tables as ``# codes.X``: each such field is named from that table (by a list
    # column or labels.FIELD_CODES).
    models = Path(oplog_subjects.__file__).parent / "models"
    noted = 0
    for source in models.glob("*.py"):
        table = None
        for line in source.read_text(encoding="utf-8").splitlines():
            if m := re.search(r'__tablename__ = "(\w+)"', line):
                table = m.group(1)
            elif (m := re.match(r"\s+(\w+): Mapped.*# codes\.(\w+)", line)) and table in oplog_subjects.SUBJECTS:
                field, const = m.groups()
                expected = getattr(codes, const).key
                assert oplog_subjects.field_info(table, field).code_table == expected, (table, field)
                noted += 1
    assert noted > 15


def test_every_table_is_in_one_kind_to_filter_by():
    for model in SYNCED_MODELS:
        table = model.__tablename__
        kinds = [k.key for k in oplog.KINDS if f"'{table}'" in k.sql]
        assert kinds, table
        assert len(kinds) == 1 or table in ("org_unit", "person"), (table, kinds)


def test_a_page_is_named_in_a_few_queries(office):
    """Names are resolved per table for a whole page, not per entry."""
    statements = []
    from sqlalchemy import event

    event.listen(office.engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    entries = oplog.LogReader(office).page()
    assert len(entries) > 10
    journal_reads = [s for s in statements if "FROM change_journal j" in s]
    assert len(journal_reads) == 1 and len(statements) < 12, statements


def test_the_journal_itself_is_untouched(office):
    with office.engine.connect() as conn:
        before = conn.execute(text("SELECT count(*), max(id) FROM change_journal")).one()
    _all(office, oplog.LogQuery(search="王娟"))
    with office.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*), max(id) FROM change_journal")).one() == before

"""The 操作记录 tab of 数据交换: readable entries, filters, paging as the view scrolls, export to a real .xlsx."""

import datetime as dt
import re

import openpyxl
import pytest
from PySide6.QtCore import QDate

from gridapp.core.services import firms, orgs, workers
from gridapp.core.validation import id_check_digit
from gridapp.ui.oplog_model import OpLogModel
from gridapp.ui.pages.sync_page import SyncPage

WANG = "37020319900202002" + id_check_digit("37020319900202002")


@pytest.fixture
def panel(window, qtbot):
    store = window.store
    store.actor = "wangli"
    grid_id = orgs.choices(store, "grid")[0][0]
    w = workers.create_or_update(store, {"name": "王娟", "id_number": WANG, "worker_type": "parttime",
                                         "political_status": "03"}, grid_id=grid_id)
    workers.create_or_update(store, {"name": "王娟", "id_number": WANG, "worker_type": "fulltime",
                                     "political_status": "01"}, worker_id=w.id)
    store.actor = "lisi"
    firm = firms.save_firm(store, {"name": "青岛海泉物业服务有限公司", "party_org_status": "own"})
    firms.delete_firm(store, firm)
    page = window.page(SyncPage)
    titles = [page.tabs.tabText(i) for i in range(page.tabs.count())]
    assert "操作记录" in titles and "变更日志" not in titles
    page.tabs.setCurrentWidget(page.journal)
    qtbot.waitUntil(lambda: page.journal.model.rowCount() > 0, timeout=5000)
    return page.journal


def _rows(panel) -> list[list[str]]:
    m = panel.model
    return [[m.index(r, c).data() for c in range(m.columnCount())] for r in range(m.rowCount())]


def test_entries_read_as_an_officer_reads_them(panel):
    rows = _rows(panel)
    assert rows[0][1:4] == ["lisi", "删除", "物业企业 青岛海泉物业服务有限公司"]
    assert rows[1][1:4] == ["lisi", "新增", "物业企业 青岛海泉物业服务有限公司"]
    edit = rows[2]
    assert edit[1:4] == ["wangli", "修改", "网格员 王娟"]
    assert "政治面貌：共青团员 → 中共党员" in edit[4] and "人员类别：兼职 → 专职" in edit[4]
    new = next(r for r in rows if r[2] == "新增" and r[3] == "网格员 王娟")
    assert f"身份证号码：3702**********{WANG[-4:]}" in new[4]
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", new[0])
    shown = "\n".join(" ".join(r) for r in rows)
    assert WANG not in shown and "parttime" not in shown and not re.search(r"[0-9a-f]{8}-[0-9a-f]{4}-", shown)
    panel.table.selectRow(2)
    assert "人员类别：兼职 → 专职" in panel.detail.toPlainText()
    assert panel.count_label.text() == f"共 {len(rows)} 条"


def test_filters_by_kind_actor_date_and_name(panel, qtbot):
    everything = panel.model.rowCount()
    panel.kind.setCurrentIndex(panel.kind.findData("firms"))
    assert {r[3] for r in _rows(panel)} == {"物业企业 青岛海泉物业服务有限公司"}
    panel.kind.setCurrentIndex(0)
    panel.actor.showPopup()  # the list of people is read when it is first opened
    panel.actor.hidePopup()
    assert panel.actor.findData("wangli") > 0 and panel.actor.findData("demo") > 0
    panel.actor.setCurrentIndex(panel.actor.findData("wangli"))
    assert {r[1] for r in _rows(panel)} == {"wangli"}
    panel.actor.setCurrentIndex(0)
    panel.range.setCurrentIndex(panel.range.findText("今天"))
    assert panel.model.rowCount() == everything  # the demo database was made today too
    panel.until.setDate(QDate(dt.date.today() - dt.timedelta(days=1)))
    panel.since.setDate(QDate(dt.date.today() - dt.timedelta(days=5)))
    assert panel.range.currentText() == "指定日期" and panel.model.rowCount() == 0
    assert panel.count_label.text() == "共 0 条"
    panel.range.setCurrentIndex(0)
    qtbot.keyClicks(panel.search, "wj")  # pinyin initials, typed (Qt's test keyboard has no Chinese)
    qtbot.waitUntil(lambda: 0 < panel.model.rowCount() < everything, timeout=3000)
    assert {r[3].split("（")[0] for r in _rows(panel)} == {"网格员 王娟"}
    by_initials = _rows(panel)
    panel.search.setText("王娟")
    qtbot.waitUntil(lambda: panel.model.query.search == "王娟", timeout=3000)
    assert _rows(panel) == by_initials
    panel.search.setText("海泉物业")
    qtbot.waitUntil(lambda: panel.model.query.search == "海泉物业", timeout=3000)
    assert [r[2] for r in _rows(panel)] == ["删除", "新增"]


def test_more_entries_load_as_the_view_scrolls(panel, qtbot, monkeypatch):
    monkeypatch.setattr(OpLogModel, "PAGE", 3)
    panel.refresh()
    assert panel.model.rowCount() == 3 and panel.count_label.text().startswith("已显示最新的 3 条")
    panel.table.scrollToBottom()
    qtbot.waitUntil(lambda: panel.model.rowCount() > 3, timeout=3000)
    while panel.model.canFetchMore():
        panel.model.fetchMore()
    assert panel.count_label.text() == f"共 {panel.model.rowCount()} 条"


def test_export_what_is_shown_to_excel(panel, qtbot, messages, tmp_path):
    panel.kind.setCurrentIndex(panel.kind.findData("workers"))
    shown = _rows(panel)
    path = tmp_path / "操作记录.xlsx"
    panel.export(path=path)
    qtbot.waitUntil(lambda: any("导出完成" in m[1] or "已导出" in m[1] for m in messages), timeout=20000)
    assert f"已导出 {len(shown)} 条" in messages[-1][1]
    ws = openpyxl.load_workbook(path).active
    values = [[c if c is not None else "" for c in row] for row in ws.iter_rows(values_only=True)]
    assert "操作记录（网格员）" in values[0][0]
    assert values[1] == ["时间", "操作人", "操作", "类别", "对象", "变更内容"]
    body = values[2 : 2 + len(shown)]
    assert [[r[0], r[1], r[2], f"{r[3]} {r[4]}"] for r in body] == [r[:4] for r in shown]
    assert [r[5].replace("\n", "；") for r in body] == [r[4] for r in shown]
    assert f"共 {len(shown)} 条" in values[2 + len(shown) + 1][0]

"""GUI tests for 双报到: registration, the fast sign-in screen and the feedback dialog."""

import datetime as dt

import openpyxl
from pypdf import PdfReader
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from gridapp.core.services import baodao
from gridapp.core.validation import id_check_digit
from gridapp.ui.baodao_dialogs import ActivityDialog, FeedbackDialog, MemberDialog, SignInDialog
from gridapp.ui.pages.baodao_page import BaodaoPage

NEW_ID = "37020319900505011" + id_check_digit("37020319900505011")


def test_register_a_member(qtbot, window):
    page = window.page(BaodaoPage)
    before = page.members.model.rowCount()
    dialog = MemberDialog(window.store)
    qtbot.addWidget(dialog)
    dialog.name.setText("新党员")
    qtbot.keyClicks(dialog.id_number, NEW_ID[:-1] + "0" if NEW_ID[-1] != "0" else NEW_ID[:-1] + "1")
    assert "校验位错误" in dialog.id_hint.text()
    dialog.id_number.setText(NEW_ID)
    assert "1990-05-05" in dialog.id_hint.text()
    dialog.accept()  # no unit chosen: refused, stays open
    assert dialog.result() != MemberDialog.DialogCode.Accepted
    dialog.unit.setCurrentIndex(1)
    dialog.grid.setCurrentIndex(1)
    dialog.accept()
    assert dialog.result() == MemberDialog.DialogCode.Accepted
    page.refresh()
    assert page.members.model.rowCount() == before + 1


def test_fast_sign_in_by_initials_and_enter(qtbot, window):
    store = window.store
    dialog = ActivityDialog(store)
    qtbot.addWidget(dialog)
    dialog.title.setText("周末义诊")
    dialog.accept()
    activity_id = dialog.result_value
    from gridapp.core import list_specs, lists
    from gridapp.core.pinyin import initials

    with store.engine.connect() as conn:
        ids = lists.query_rowids(conn, list_specs.MEMBERS, lists.Query(filters=(("status", "registered"),)))[:3]
        names = [lists.fetch_rows(conn, list_specs.MEMBERS, [i])[i][0] for i in ids]
    sign = SignInDialog(store, activity_id, "周末义诊")
    qtbot.addWidget(sign)
    sign.show()
    for name in names:
        qtbot.keyClicks(sign.search, initials(name))
        assert sign.matches.count() >= 1
        for row in range(sign.matches.count()):  # pick the right one among same initials
            if sign.matches.item(row).text().startswith(name):
                sign.matches.setCurrentRow(row)
                break
        qtbot.keyClick(sign.search, Qt.Key.Key_Return)
        assert sign.search.text() == ""
    assert sign.signed.count() == len(set(names)) and "已签到" in sign.count.text()
    sign.hours.setValue(1.5)
    sign.save()
    assert sign.result_value.added == len(set(names))
    summary = store.engine.connect().exec_driver_sql(
        f"SELECT count(*), sum(hours) FROM participation WHERE activity_id = '{activity_id}'").one()
    assert summary[0] == len(set(names)) and summary[1] == 1.5 * len(set(names))


def _registered_names(store, n: int) -> list[tuple[str, str]]:
    """(member id, name) of the first ``n`` registered members with names no other member shares."""
    from gridapp.core import list_specs, lists

    spec = list_specs.MEMBERS
    with store.engine.connect() as conn:
        ids = lists.query_rowids(conn, spec, lists.Query(filters=(("status", "registered"),)))
        rows, uuids = lists.fetch_rows(conn, spec, ids), lists.record_ids(conn, spec, ids)
    names = [rows[i][0] for i in ids]
    return [(uuids[i], rows[i][0]) for i in ids if names.count(rows[i][0]) == 1][:n]


def _type_and_enter(qtbot, sign: SignInDialog, name: str) -> None:
    from gridapp.core.pinyin import initials

    qtbot.keyClicks(sign.search, initials(name))
    for row in range(sign.matches.count()):
        if sign.matches.item(row).text().startswith(name):
            sign.matches.setCurrentRow(row)
            break
    else:
        raise AssertionError(f"{name} not among the matches")
    qtbot.keyClick(sign.search, Qt.Key.Key_Return)


def test_sign_in_lists_everyone_already_signed_in(qtbot, window, messages):
    store = window.store
    community = store.engine.connect().exec_driver_sql(
        "SELECT id FROM org_unit WHERE level = 'community' ORDER BY code LIMIT 1").scalar()
    activity = baodao.create_activity(store, {"title": "周末义诊", "date": dt.date(2026, 6, 6),
                                              "community_id": community})
    (m1, first), (m2, second), (m3, third) = _registered_names(store, 3)
    baodao.sign_in(store, activity, [m1, m2], 2.5)  # signed in earlier, e.g. on another day's screen
    points = baodao.points_preview(store, activity, 2.5)

    sign = SignInDialog(store, activity, "周末义诊")
    qtbot.addWidget(sign)
    sign.show()
    shown = [sign.signed.item(r).text() for r in range(sign.signed.count())]
    assert [t.split("　")[0] for t in shown] == [first, second]
    assert all(f"2.5 小时 · {points:g} 分" in t for t in shown)
    assert sign.count.text() == "已签到 2 人"

    sign.hours.setValue(1.5)
    _type_and_enter(qtbot, sign, third)
    assert sign.signed.count() == 3 and sign.count.text() == "已签到 3 人（本次新增 1 人）"
    assert sign.new_member_ids() == [m3] and sign.member_ids() == [m1, m2, m3]
    new = sign.signed.item(2).text()
    assert new.startswith(third) and f"1.5 小时 · {baodao.points_preview(store, activity, 1.5):g} 分" in new
    _type_and_enter(qtbot, sign, first)  # already signed in: not listed twice
    assert sign.signed.count() == 3 and sign.signed.currentRow() == 0 and first in sign.hint.text()

    sign.signed.setCurrentRow(0)
    next(b for b in sign.findChildren(QPushButton) if b.text() == "移出名单").click()
    assert sign.signed.count() == 3 and messages and first in messages[-1][1]  # saved ones stay

    sign.save()
    assert sign.result_value == baodao.SignIn(1, 0)
    assert [(p.name, p.hours) for p in baodao.participants(store, activity)] == [
        (first, 2.5), (second, 2.5), (third, 1.5)]
    again = SignInDialog(store, activity, "周末义诊")
    qtbot.addWidget(again)
    assert again.count.text() == "已签到 3 人" and again.signed.item(2).text().startswith(third)


def test_feedback_dialog_saves_pdf_and_excel(qtbot, window, tmp_path):
    dialog = FeedbackDialog(window.store)
    qtbot.addWidget(dialog)
    dialog.year.setValue(dt.date.today().year)
    pdf = tmp_path / "fb.pdf"
    op = dialog.save_pdf(pdf)
    with qtbot.waitSignal(op.finished, timeout=20000):
        pass
    letters = len(baodao.units_with_members(window.store))
    text = "".join(p.extract_text() for p in PdfReader(pdf).pages)
    assert text.count("反馈函") >= letters
    xlsx = tmp_path / "fb.xlsx"
    dialog.save_xlsx(xlsx)
    assert openpyxl.load_workbook(xlsx).active["A2"].value == "报到单位"


def test_statistics_tab(qtbot, window):
    page = window.page(BaodaoPage)
    page.tabs.setCurrentWidget(page.stats)
    page.stats.compute()
    qtbot.waitUntil(lambda: "已报到在职党员" in page.stats.view.toPlainText(), timeout=10000)
    assert "各社区报到人数" in page.stats.view.toPlainText()


def test_unit_page_and_member_filters(qtbot, window):
    from gridapp.ui.baodao_dialogs import UnitPageDialog

    unit_id, _name = baodao.units_with_members(window.store)[0]
    dialog = UnitPageDialog(window.store, unit_id)
    qtbot.addWidget(dialog)
    assert dialog.members.model.rowCount() == 0 and not dialog.members.model.loaded  # loads when shown
    dialog.show()
    s = dialog.summary
    assert dialog.members.model.rowCount() >= s.registered  # its registered and former members
    dialog.members.set_filter("status", "registered")
    assert dialog.members.model.rowCount() == s.registered
    page = window.page(BaodaoPage)
    total = page.members.model.rowCount()
    page.members.set_filter("idle", 1)
    idle = page.members.model.rowCount()
    page.members.set_filter("idle", 0)
    busy = page.members.model.rowCount()
    assert idle + busy == total and busy > 0


def test_points_rules_tab(qtbot, window):
    from gridapp.ui.baodao_dialogs import RuleDialog

    page = window.page(BaodaoPage)
    rules_before = page.rules.table.rowCount()
    dialog = RuleDialog(window.store)
    qtbot.addWidget(dialog)
    dialog.type.setCurrentIndex(dialog.type.findData("care"))
    dialog.per_hour.setValue(1.5)
    dialog.bonus.setValue(2)
    dialog.accept()
    assert dialog.result() == RuleDialog.DialogCode.Accepted
    page.rules.refresh()
    assert page.rules.table.rowCount() == rules_before + 1
    texts = {page.rules.table.item(r, 0).text() for r in range(page.rules.table.rowCount())}
    assert "关爱帮扶" in texts

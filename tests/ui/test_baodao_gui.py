"""GUI tests for 双报到: registration, the fast sign-in screen and the feedback dialog."""

import datetime as dt

import openpyxl
from pypdf import PdfReader
from PySide6.QtCore import Qt

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

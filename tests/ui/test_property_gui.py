"""GUI tests for 红色物业: the firm form, a compound's change of firm, rating entry, the template and the
coverage view, driven through the real widgets offscreen."""

from PySide6.QtWidgets import QLabel

from gridapp.core.services import compounds, coverage, firms, ratings
from gridapp.core.validation import credit_check_char
from gridapp.ui.compound_dialogs import ChangeFirmDialog, CompoundDialog
from gridapp.ui.firm_dialogs import AppointmentDialog, FirmDialog, FirmPageDialog, QuarterDialog
from gridapp.ui.pages.property_page import PropertyPage
from gridapp.ui.rating_dialogs import RatingDialog, TemplateDialog

CODE = "91370203MA3C00009" + credit_check_char("91370203MA3C00009")


def test_firm_form_checks_as_typed_and_saves(qtbot, window, messages):
    page = window.page(PropertyPage)
    before = page.firms.model.rowCount()
    dialog = FirmDialog(window.store)
    qtbot.addWidget(dialog)
    dialog.fields["name"].setText("青岛新城物业服务有限公司")
    wrong = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
    qtbot.keyClicks(dialog.fields["credit_code"], wrong)
    assert "校验" in dialog.code_hint.text() and "通过" not in dialog.code_hint.text()
    dialog.fields["credit_code"].setText(CODE)
    assert "校验通过" in dialog.code_hint.text()
    dialog.status.setCurrentIndex(dialog.status.findData("own"))
    assert dialog.fields["party_org_name"].isEnabled()
    dialog.members.setValue(2)
    dialog.accept()  # 单独组建 with two members: refused, the form stays open with the reason
    assert dialog.result() != FirmDialog.DialogCode.Accepted
    assert messages and "3 名以上党员" in messages[-1][1]
    dialog.members.setValue(6)
    dialog.fields["party_org_name"].setText("青岛新城物业服务有限公司党支部")
    dialog.alliance.setChecked(True)
    dialog.accept()
    assert dialog.result() == FirmDialog.DialogCode.Accepted
    page.refresh()
    assert page.firms.model.rowCount() == before + 1
    d = firms.details(window.store, dialog.result_value)
    assert d.values["credit_code"] == CODE and d.values["alliance_member"] and d.values["party_member_count"] == 6
    # Switching to “未建立” empties and locks the organisation's fields.
    edit = FirmDialog(window.store, dialog.result_value)
    qtbot.addWidget(edit)
    assert edit.fields["party_org_name"].text() == "青岛新城物业服务有限公司党支部"
    edit.status.setCurrentIndex(edit.status.findData("none"))
    assert not edit.fields["party_org_name"].isEnabled() and edit.fields["party_org_name"].text() == ""
    edit.accept()
    assert firms.details(window.store, dialog.result_value).values["party_org_name"] is None
    quarter = QuarterDialog(window.store, dialog.result_value, "青岛新城物业服务有限公司")
    qtbot.addWidget(quarter)
    quarter.complaints.setValue(3)
    quarter.resolved.setValue(4)
    quarter.accept()
    assert quarter.result() != QuarterDialog.DialogCode.Accepted and "多于投诉件数" in messages[-1][1]
    quarter.resolved.setValue(2)
    quarter.satisfaction.setValue(92.5)
    quarter.accept()
    info = FirmPageDialog(window.store, dialog.result_value)
    qtbot.addWidget(info)
    html = info.view.toPlainText()
    assert "青岛新城物业服务有限公司" in html and "92.5%" in html and "派驻" not in html


def test_compound_form_and_change_of_firm(qtbot, window, messages):
    store = window.store
    dialog = CompoundDialog(store)
    qtbot.addWidget(dialog)
    dialog.name.setText("新建小区")
    dialog.accept()
    assert dialog.result() != CompoundDialog.DialogCode.Accepted and "网格" in messages[-1][1]
    dialog.grid.setCurrentIndex(1)
    dialog.established.setChecked(True)
    dialog.members.setValue(5)
    dialog.party_members.setValue(3)
    dialog.accept()
    assert dialog.result() == CompoundDialog.DialogCode.Accepted
    cid = dialog.result_value
    assert compounds.details(store, cid).committee.party_member_count == 3
    change = ChangeFirmDialog(store, cid)
    qtbot.addWidget(change)
    change.firm.setCurrentIndex(1)
    chosen = change.firm.currentText()
    change.accept()
    assert compounds.details(store, cid).current.firm_name == chosen
    again = CompoundDialog(store, cid)
    qtbot.addWidget(again)
    assert chosen in again.findChild(QLabel, "contractHistory").text()


def test_rating_entry_shows_total_and_stars_as_typed(qtbot, window):
    store = window.store
    year = 2026
    firm_id = firms.choices(store)[0][0]
    dialog = RatingDialog(store, year, firm_id)
    qtbot.addWidget(dialog)
    spins = list(dialog.spins.values())
    assert len(spins) == 5 and "0 分" in dialog.total.text()
    for spin, value in zip(spins, (18, 22, 23, 13, 14), strict=True):
        spin.setValue(value)
    assert "90 分" in dialog.total.text() and "★★★★★" in dialog.total.text()
    spins[4].setValue(13.5)
    assert "89.5 分" in dialog.total.text() and "4星" in dialog.total.text()
    dialog.accept()
    assert dialog.result() == RatingDialog.DialogCode.Accepted
    r = ratings.rating_of(store, firm_id, year)
    assert (r.total, r.stars) == (89.5, 4)
    page = window.page(PropertyPage)
    page.tabs.setCurrentWidget(page.ratings)
    page.ratings.year.setValue(year)
    assert page.ratings.panel.model.rowCount() == 1
    assert "已评定 1 家" in page.ratings.summary.text()
    again = RatingDialog(store, year, firm_id)  # opening it again shows the saved scores
    qtbot.addWidget(again)
    assert [s.value() for s in again.spins.values()] == [18, 22, 23, 13, 13.5]


def test_template_dialog_refuses_to_rescore_a_used_template(qtbot, window, messages):
    store = window.store
    dialog = TemplateDialog(store, 2025)  # the demo rated 2025 with this template
    qtbot.addWidget(dialog)
    assert "已用于" in dialog.used.text()
    dialog.table.item(0, 2).setText("30")
    dialog.accept()
    assert dialog.result() != TemplateDialog.DialogCode.Accepted and "复制为新年度标准" in messages[-1][1]
    dialog.table.item(0, 2).setText("20")
    dialog.name.setText("红色物业评星定级标准（修订）")
    dialog.accept()
    assert dialog.result() == TemplateDialog.DialogCode.Accepted
    assert ratings.template_for(store, 2025).name == "红色物业评星定级标准（修订）"


def test_coverage_view_matches_the_service(qtbot, window):
    page = window.page(PropertyPage)
    page.tabs.setCurrentWidget(page.coverage)
    view = page.coverage
    view.year.setValue(2025)
    cov = coverage.coverage(window.store, 2025)
    assert view.table.rowCount() == len(cov.rows) + 1
    last = view.table.rowCount() - 1
    assert view.table.item(last, 0).text().endswith("合计")
    assert view.table.item(last, 1).text() == str(cov.total.firms)
    value, detail = view.cards["org"]
    assert value.text() == f"{cov.total.rate('org'):.0%}"
    assert detail.text() == f"{len(cov.total.with_org)} / {cov.total.firms} 家企业"
    for r, row in enumerate(cov.rows):
        assert view.table.item(r, 0).text() == row.name and view.table.item(r, 8).text() == str(row.compounds)


def test_cross_appointment_form_follows_the_direction(qtbot, window):
    dialog = AppointmentDialog(window.store)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.firm.isVisible() and not dialog.compound.isVisible()
    dialog.direction.setCurrentIndex(dialog.direction.findData("community_to_committee"))
    assert not dialog.firm.isVisible() and dialog.compound.isVisible()

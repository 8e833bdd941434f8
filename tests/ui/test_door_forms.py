"""The forms take their limits from the model's field rules, and what they refuse they say in Chinese."""

from __future__ import annotations

from gridapp.core import fields
from gridapp.core.models import Compound, OrgUnit, OwnersCommittee, Person, PropertyFirm, Unit
from gridapp.core.services import orgs
from gridapp.ui.baodao_dialogs import UnitFormDialog
from gridapp.ui.compound_dialogs import CompoundDialog
from gridapp.ui.firm_dialogs import FirmDialog
from gridapp.ui.grid_dialogs import UnitDialog
from gridapp.ui.worker_dialog import WorkerDialog


def test_line_edits_and_spin_boxes_follow_the_rules(qtbot, gridded):
    community = orgs.get(gridded, "370203012002")
    grid = UnitDialog(gridded, parent_unit=community)
    qtbot.addWidget(grid)
    assert grid.name.maxLength() == fields.rule(OrgUnit.name).max_length == 100
    assert grid.households.maximum() == 100_000 and grid.population.maximum() == 1_000_000
    assert grid.households.minimum() == -1 and grid.households.specialValueText() == "未填"  # “not given” stays
    compound = CompoundDialog(gridded)
    qtbot.addWidget(compound)
    assert compound.name.maxLength() == fields.rule(Compound.name).max_length
    assert compound.buildings.maximum() == fields.rule(Compound.building_count).maximum
    assert compound.members.maximum() == fields.rule(OwnersCommittee.member_count).maximum
    firm = FirmDialog(gridded)
    qtbot.addWidget(firm)
    assert firm.fields["legal_rep"].maxLength() == fields.rule(PropertyFirm.legal_rep).max_length
    assert firm.staff.maximum() == fields.rule(PropertyFirm.staff_count).maximum
    unit = UnitFormDialog(gridded)
    qtbot.addWidget(unit)
    assert unit.reported.maximum() == fields.rule(Unit.reported_member_count).maximum
    worker = WorkerDialog(gridded)
    qtbot.addWidget(worker)
    assert worker.name.maxLength() == fields.rule(Person.name).max_length


def test_a_hostile_name_in_a_form_is_refused_and_the_form_stays_open(qtbot, gridded, messages):
    community = orgs.get(gridded, "370203012002")
    for name, words in (("第五\u202e网格", "U+202E"), ("\u200b\u200b", "只由不可见字符组成")):
        dialog = UnitDialog(gridded, parent_unit=community)
        qtbot.addWidget(dialog)
        dialog.name.setText(name)
        dialog.accept()
        assert dialog.result() != UnitDialog.DialogCode.Accepted
        assert words in messages[-1][1] and messages[-1][0] == "warning"
    assert "第五网格" not in [u.name for u in orgs.children(gridded, community.id)]

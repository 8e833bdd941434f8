import datetime as dt

import pytest

from gridapp.core.errors import DomainError
from gridapp.core.services import baodao, needs, orgs


def test_need_claimed_carried_out_and_closed(gridded):
    community = orgs.get(gridded, "370203012002")
    unit = baodao.save_unit(gridded, {"name": "市北区民政局", "unit_type": "organ"})
    nid = needs.raise_need(gridded, community.id, "独居老人助餐", on=dt.date(2026, 3, 1))
    with pytest.raises(DomainError, match="尚未被认领"):
        needs.close(gridded, nid, "已完成")
    with pytest.raises(DomainError, match="只有已认领"):
        needs.start_project(gridded, nid)
    with pytest.raises(DomainError, match="二选一"):
        needs.claim(gridded, nid)
    needs.claim(gridded, nid, unit_id=unit, on=dt.date(2026, 3, 5))
    with pytest.raises(DomainError, match="不能重复认领"):
        needs.claim(gridded, nid, unit_id=unit)
    pid = needs.start_project(gridded, nid, on=dt.date(2026, 3, 10))
    with pytest.raises(DomainError, match="办理结果"):
        needs.close(gridded, nid, " ")
    needs.close(gridded, nid, "每周三次送餐上门", on=dt.date(2026, 6, 30))
    with gridded.read() as s:
        from gridapp.core.models import Need, Project

        need, project = s.get(Need, nid), s.get(Project, pid)
        assert (need.status, need.result, need.claimed_by_unit_id) == ("closed", "每周三次送餐上门", unit)
        assert (project.status, project.end_date, project.unit_id) == ("closed", dt.date(2026, 6, 30), unit)
    with pytest.raises(DomainError, match="已办结"):
        needs.close(gridded, nid, "again")
    assert needs.add_resource(gridded, unit, "会议室", "场地")
    with pytest.raises(DomainError, match="须由社区提出"):
        needs.raise_need(gridded, orgs.get(gridded, "370203012002001").id, "x")

"""需求清单、资源清单、项目清单: a need raised by a community, claimed by a unit or a member,
carried out as a project, closed with a result; and what units offer."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from gridapp.core.errors import NotFoundError, ValidationError
from gridapp.core.models import MemberRegistration, Need, OrgUnit, Project, Resource, Unit
from gridapp.core.store import Store


def _need(s, need_id: str) -> Need:
    need = s.get(Need, need_id)
    if need is None or need.deleted_at is not None:
        raise NotFoundError("找不到该需求")
    return need


def raise_need(store: Store, community_id: str, title: str, description: str | None = None,
               on: dt.date | None = None) -> str:
    if not (title or "").strip():
        raise ValidationError("需求名称不能为空", field="title")
    with store.session() as s:
        community = s.get(OrgUnit, community_id)
        if community is None or community.level != "community":
            raise ValidationError("需求须由社区提出", field="community")
        need = Need(community_id=community.id, title=title.strip(), description=description, status="open",
                    raised_on=on or dt.date.today(), scope_code=community.code)
        s.add(need)
        s.flush()
        return need.id


def claim(store: Store, need_id: str, *, unit_id: str | None = None, member_id: str | None = None,
          on: dt.date | None = None) -> None:
    """认领: by a unit or an in-service member; a need is claimed once."""
    if bool(unit_id) == bool(member_id):
        raise ValidationError("请选择认领的单位或党员（二选一）")
    with store.session() as s:
        need = _need(s, need_id)
        if need.status != "open":
            raise ValidationError(f"需求“{need.title}”已被认领或已办结，不能重复认领")
        if unit_id and s.get(Unit, unit_id) is None:
            raise NotFoundError("找不到认领单位")
        if member_id:
            reg = s.get(MemberRegistration, member_id)
            if reg is None or reg.status != "registered":
                raise ValidationError("认领人须为已报到的在职党员")
        need.claimed_by_unit_id, need.claimed_by_member_id = unit_id, member_id
        need.claimed_on, need.status = on or dt.date.today(), "claimed"


def start_project(store: Store, need_id: str, title: str | None = None, on: dt.date | None = None) -> str:
    """立项: the claimed need becomes a project of the claiming unit."""
    with store.session() as s:
        need = _need(s, need_id)
        if need.status != "claimed":
            raise ValidationError("只有已认领的需求才能立项实施")
        project = Project(title=(title or need.title + "项目").strip(), community_id=need.community_id,
                          need_id=need.id, unit_id=need.claimed_by_unit_id, start_date=on or dt.date.today(),
                          status="in_progress", scope_code=need.scope_code)
        s.add(project)
        need.status = "in_progress"
        s.flush()
        return project.id


def close(store: Store, need_id: str, result: str, on: dt.date | None = None) -> None:
    """办结 with a result; its project (if any) closes with it."""
    if not (result or "").strip():
        raise ValidationError("请填写办理结果", field="result")
    with store.session() as s:
        need = _need(s, need_id)
        if need.status == "open":
            raise ValidationError("需求尚未被认领，不能办结")
        if need.status == "closed":
            raise ValidationError("该需求已办结")
        on = on or dt.date.today()
        need.status, need.closed_on, need.result = "closed", on, result.strip()
        for project in s.execute(select(Project).where(Project.need_id == need.id, Project.status != "closed")).scalars():
            project.status, project.end_date, project.result = "closed", on, result.strip()


def add_resource(store: Store, unit_id: str, title: str, category: str | None = None,
                 description: str | None = None) -> str:
    if not (title or "").strip():
        raise ValidationError("资源名称不能为空", field="title")
    with store.session() as s:
        if s.get(Unit, unit_id) is None:
            raise NotFoundError("找不到该单位")
        res = Resource(unit_id=unit_id, title=title.strip(), category=category, description=description,
                       scope_code=store.site.code if store.site else None)
        s.add(res)
        s.flush()
        return res.id

"""民情诉求 handled to the end (事件闭环): raised, accepted, assigned, handled, verified, evaluated, closed.

The states a street office uses, and the one table of which step may follow which (``STEPS``). Every step is
one transaction writing the request's new state and a ``RequestStep`` saying who, when, from which state to
which and what was said; a step out of order is refused with the states named and nothing is written.

Besides the main line: 退回 (to the sender, with the reason; 重新上报 sends it again), 上报上级 (a community hands
it to its street, 吹哨报到: the street's PC receives it by the monthly package and accepts it there), 验证未通过
(back to 处置中), 延期申请 with the street's 同意/不同意, and 督办 (普通/黄牌/红牌) by the street or district.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select

from gridapp.core import codes
from gridapp.core.errors import NotFoundError, PermissionDenied, ValidationError
from gridapp.core.models import (
    GridAssignment,
    GridRequest,
    GridWorker,
    MemberRegistration,
    OrgUnit,
    PropertyFirm,
    RequestStep,
    Unit,
)
from gridapp.core.models.base import utcnow
from gridapp.core.store import Store

# State → the steps that may be taken from it and the state each leads to.
STEPS: dict[str, dict[str, str]] = {
    "reported": {"accept": "accepted", "return": "returned", "escalate": "escalated"},
    "returned": {"resubmit": "reported"},
    "escalated": {"accept": "accepted", "return": "returned"},
    "accepted": {"assign": "assigned", "return": "returned", "escalate": "escalated"},
    "assigned": {"assign": "assigned", "start": "in_progress", "return": "accepted"},
    "in_progress": {"resolve": "resolved", "assign": "assigned"},
    "resolved": {"verify": "verified", "reject": "in_progress"},
    "verified": {"evaluate": "evaluated"},
    "evaluated": {"close": "closed"},
    "closed": {},
}
OPEN = frozenset(STEPS) - {"resolved", "verified", "evaluated", "closed"}  # not yet handled: the deadline runs
# Steps that need words: a reason to send back or refuse, what was done, why more time.
NEEDS_NOTE = {"return": "退回原因", "reject": "验证未通过的原因", "resolve": "处置结果", "escalate": "上报上级的理由",
              "extend": "延期理由"}
DUE_SOON_DAYS = 2  # 即将超期: the deadline is this many days away or fewer
SUPERVISING_LEVELS = frozenset({"street", "district"})
_SUPERVISION_ORDER = {code: i for i, code in enumerate(codes.SUPERVISION.codes())}


def deadline_for(category: str, urgency: str, raised_on: dt.date) -> dt.date:
    """办结时限: the category's days from the day raised, no more than the urgency allows."""
    days = codes.REQUEST_TIME_LIMIT_DAYS.get(category, codes.REQUEST_TIME_LIMIT_DAYS["other"])
    days = min(days, codes.URGENCY_LIMIT_DAYS.get(urgency, days))
    return raised_on + dt.timedelta(days=days)


def actor_of(store: Store) -> str:
    return store.account.label if store.account is not None else store.actor


def _request(s, request_id: str) -> GridRequest:
    req = s.get(GridRequest, request_id)
    if req is None or req.deleted_at is not None:
        raise NotFoundError("找不到该诉求（可能已被删除）")
    return req


def _step(s, store: Store, req: GridRequest, action: str, to_state: str, note: str | None, at: dt.datetime) -> None:
    s.add(RequestStep(request_id=req.id, at=at, action=action, from_state=req.state, to_state=to_state,
                      actor=actor_of(store), site_code=store.site.code if store.site else None,
                      note=(note or "").strip() or None, scope_code=req.scope_code))
    req.state = to_state


def _refuse_step(req: GridRequest, action: str) -> ValidationError:
    allowed = "、".join(codes.REQUEST_ACTION.name(a) for a in STEPS.get(req.state, {})) or "无（已办结）"
    return ValidationError(f"诉求 {req.number} 当前为“{codes.REQUEST_STATE.name(req.state)}”，不能“"
                           f"{codes.REQUEST_ACTION.name(action)}”；此时可以：{allowed}", field="state")


def _next_number(s, site_code: str, on: dt.date) -> str:
    prefix = f"{site_code}-{on:%Y%m%d}-"
    last = s.execute(select(func.max(GridRequest.number)).where(GridRequest.number.like(prefix + "%"))).scalar()
    n = int(last[len(prefix):]) + 1 if last and last[len(prefix):].isdigit() else 1
    return f"{prefix}{n:04d}"


@dataclass(frozen=True)
class NewRequest:
    """What a request is raised with; the rest follows from the category, the grid and the day."""

    community_id: str | None  # None: the grid's community
    category: str
    description: str
    source: str = "visit"
    urgency: str = "normal"
    grid_id: str | None = None
    place: str | None = None
    raiser_name: str | None = None
    raiser_phone: str | None = None
    raised_at: dt.datetime | None = None  # local time; now when not given
    raised_by_worker_id: str | None = None
    hotline_number: str | None = None
    deadline: dt.date | None = None  # a hotline order's own 办结时限; else from the category


def _check_new(s, data: NewRequest, now: dt.datetime) -> tuple[OrgUnit, OrgUnit | None, dt.datetime]:
    for table, value in ((codes.REQUEST_CATEGORY, data.category), (codes.REQUEST_SOURCE, data.source),
                         (codes.URGENCY, data.urgency)):
        if value not in table.codes():
            raise ValidationError(f"{table.title}“{value}”不是有效值，可选：{table.choices()}", field=table.key)
    if not (data.description or "").strip():
        raise ValidationError("请填写诉求内容", field="description")
    community_id = data.community_id
    if not community_id and data.grid_id:  # the grid's community (a micro-grid's, one level further up)
        unit = s.get(OrgUnit, data.grid_id)
        while unit is not None and unit.level != "community" and unit.parent_id:
            unit = s.get(OrgUnit, unit.parent_id)
        community_id = unit.id if unit is not None else None
    community = s.get(OrgUnit, community_id) if community_id else None
    if community is None or community.deleted_at is not None or community.level != "community":
        raise ValidationError("诉求须属于一个社区，请选择社区", field="community")
    grid = None
    if data.grid_id:
        grid = s.get(OrgUnit, data.grid_id)
        if grid is None or grid.deleted_at is not None or grid.level not in ("grid", "microgrid"):
            raise ValidationError("找不到所选网格", field="grid")
        parent = s.get(OrgUnit, grid.parent_id) if grid.parent_id else None
        if grid.parent_id != community.id and (parent is None or parent.parent_id != community.id):
            raise ValidationError(f"网格“{grid.name}”不属于社区“{community.name}”", field="grid")
    raised_at = data.raised_at or now
    if raised_at > now + dt.timedelta(minutes=5):
        raise ValidationError(f"诉求时间 {raised_at:%Y-%m-%d %H:%M} 晚于现在，请检查日期", field="raised_at")
    if data.raised_by_worker_id:
        worker = s.get(GridWorker, data.raised_by_worker_id)
        if worker is None or worker.deleted_at is not None:
            raise ValidationError("找不到上报的网格员", field="worker")
        if grid is not None and not _serves(s, worker.id, grid.id, raised_at.date()):
            raise ValidationError(f"该网格员在 {raised_at:%Y-%m-%d} 不在网格“{grid.name}”任职", field="worker")
    return community, grid, raised_at


def _serves(s, worker_id: str, grid_id: str, on: dt.date) -> bool:
    return s.execute(select(GridAssignment.id).where(
        GridAssignment.worker_id == worker_id, GridAssignment.org_unit_id == grid_id,
        GridAssignment.deleted_at.is_(None),
        (GridAssignment.start_date.is_(None)) | (GridAssignment.start_date <= on),
        (GridAssignment.end_date.is_(None)) | (GridAssignment.end_date >= on)).limit(1)).first() is not None


def raise_request(store: Store, data: NewRequest) -> str:
    """上报: a new request in its community (and grid), numbered by this site and the day; its id."""
    now = dt.datetime.now().replace(microsecond=0)
    with store.session() as s:
        community, grid, raised_at = _check_new(s, data, now)
        if data.hotline_number and s.execute(select(GridRequest.id).where(
                GridRequest.hotline_number == data.hotline_number)).first():
            raise ValidationError(f"12345 工单 {data.hotline_number} 已登记，不能重复登记", field="hotline_number")
        site_code = store.site.code if store.site else community.code
        req = GridRequest(
            number=_next_number(s, site_code, raised_at.date()), hotline_number=data.hotline_number,
            source=data.source, category=data.category, urgency=data.urgency, community_id=community.id,
            grid_id=grid.id if grid else None, place=data.place, raiser_name=data.raiser_name,
            raiser_phone=data.raiser_phone, description=data.description.strip(), raised_at=raised_at,
            raised_by_worker_id=data.raised_by_worker_id,
            deadline=data.deadline or deadline_for(data.category, data.urgency, raised_at.date()),
            state="reported", handled_by_org_id=community.id, scope_code=(grid or community).code)
        s.add(req)
        s.flush()
        s.add(RequestStep(request_id=req.id, at=utcnow(), action="report", from_state=None, to_state="reported",
                          actor=actor_of(store), site_code=store.site.code if store.site else None,
                          note=None, scope_code=req.scope_code))
        return req.id


def act(store: Store, request_id: str, action: str, note: str | None = None) -> str:
    """Take one step of the main line (受理, 开始处置, 处置完成, 验证通过, 验证未通过, 办结, 退回, 重新上报); the new
    state. 分派, 上报上级, 回访评价, 延期 and 督办 have functions of their own (they carry more than words)."""
    if action in ("assign", "escalate", "evaluate", "extend", "grant", "refuse", "supervise"):
        raise ValueError(f"use the function for {action}")
    if action in NEEDS_NOTE and not (note or "").strip():
        raise ValidationError(f"请填写{NEEDS_NOTE[action]}", field="note")
    with store.session() as s:
        req = _request(s, request_id)
        to_state = STEPS.get(req.state, {}).get(action)
        if to_state is None:
            raise _refuse_step(req, action)
        now = utcnow()
        if action == "resolve":
            req.resolved_at, req.result = now, note.strip()
        elif action == "reject":
            req.rejection_count += 1
            req.resolved_at = None
        elif action == "return":
            req.return_count += 1
            if req.state in ("assigned",):
                req.assignee_kind = req.assignee_id = req.assignee_name = None
        elif action == "close":
            req.closed_at = now
        _step(s, store, req, action, to_state, note, now)
        return to_state


_ASSIGNEE_MODELS = {"worker": GridWorker, "community": OrgUnit, "unit": Unit, "member": MemberRegistration,
                    "firm": PropertyFirm}


def assign(store: Store, request_id: str, kind: str, *, assignee_id: str | None = None,
           assignee_name: str | None = None, note: str | None = None) -> None:
    """分派 to a grid worker, the community, a street department (by name), a 双报到 unit or member, or a firm."""
    if kind not in codes.ASSIGNEE_KIND.codes():
        raise ValidationError(f"承办方“{kind}”不是有效值，可选：{codes.ASSIGNEE_KIND.choices()}", field="assignee_kind")
    with store.session() as s:
        req = _request(s, request_id)
        if "assign" not in STEPS.get(req.state, {}):
            raise _refuse_step(req, "assign")
        if kind == "department":
            if not (assignee_name or "").strip():
                raise ValidationError("请填写承办的街道部门名称", field="assignee_name")
            name = assignee_name.strip()
            assignee_id = None
        else:
            model = _ASSIGNEE_MODELS[kind]
            target = s.get(model, assignee_id) if assignee_id else None
            if target is None or target.deleted_at is not None:
                raise NotFoundError(f"找不到承办的{codes.ASSIGNEE_KIND.name(kind)}")
            if kind == "community" and target.level != "community":
                raise ValidationError("承办社区须是社区", field="assignee_id")
            if kind == "member" and target.status != "registered":
                raise ValidationError("承办的在职党员须为已报到状态", field="assignee_id")
            name = _assignee_label(s, kind, target)
        req.assignee_kind, req.assignee_id, req.assignee_name = kind, assignee_id, name
        said = f"分派给{codes.ASSIGNEE_KIND.name(kind)}：{name}" + (f"；{note.strip()}" if (note or "").strip() else "")
        _step(s, store, req, "assign", "assigned", said, utcnow())


def _assignee_label(s, kind: str, target) -> str:
    if kind in ("worker", "member"):
        from gridapp.core.models import Person

        person = s.get(Person, target.person_id)
        return person.name if person else ""
    return target.name


def escalate(store: Store, request_id: str, note: str) -> str:
    """上报上级: the request goes to the organisation above the one handling it (a community's street)."""
    if not (note or "").strip():
        raise ValidationError(f"请填写{NEEDS_NOTE['escalate']}", field="note")
    with store.session() as s:
        req = _request(s, request_id)
        if "escalate" not in STEPS.get(req.state, {}):
            raise _refuse_step(req, "escalate")
        here = s.get(OrgUnit, req.handled_by_org_id or req.community_id)
        above = s.get(OrgUnit, here.parent_id) if here is not None and here.parent_id else None
        if above is None or above.deleted_at is not None:
            name = here.name if here else "本单位"
            hint = "（社区、街道请先导入上级发来的数据包）" if here is not None and here.level != "district" else ""
            raise ValidationError(f"本机数据中“{name}”没有上级组织{hint}，不能上报上级", field="state")
        req.handled_by_org_id = above.id
        _step(s, store, req, "escalate", "escalated", f"上报至{above.name}：{note.strip()}", utcnow())
        return above.name


def evaluate(store: Store, request_id: str, satisfaction: str, note: str | None = None) -> None:
    """回访评价: the resident's verdict on the verified handling."""
    if satisfaction not in codes.SATISFACTION.codes():
        raise ValidationError(f"满意度“{satisfaction}”不是有效值，可选：{codes.SATISFACTION.choices()}",
                              field="satisfaction")
    with store.session() as s:
        req = _request(s, request_id)
        if "evaluate" not in STEPS.get(req.state, {}):
            raise _refuse_step(req, "evaluate")
        req.satisfaction = satisfaction
        said = codes.SATISFACTION.name(satisfaction) + (f"；{note.strip()}" if (note or "").strip() else "")
        _step(s, store, req, "evaluate", "evaluated", said, utcnow())


def request_extension(store: Store, request_id: str, new_deadline: dt.date, reason: str) -> None:
    """延期申请 while the request is open: the new deadline waits for the street's answer."""
    if not (reason or "").strip():
        raise ValidationError(f"请填写{NEEDS_NOTE['extend']}", field="note")
    with store.session() as s:
        req = _request(s, request_id)
        if req.state not in OPEN:
            raise ValidationError(f"诉求 {req.number} 已处置或办结，不能申请延期", field="state")
        if req.extension_state == "pending":
            raise ValidationError(f"诉求 {req.number} 已有一项延期申请在审核中", field="extension_state")
        if new_deadline <= req.deadline:
            raise ValidationError(f"延期后的时限 {new_deadline} 须晚于现在的时限 {req.deadline}", field="deadline")
        req.extension_state, req.extension_deadline = "pending", new_deadline
        s.add(RequestStep(request_id=req.id, at=utcnow(), action="extend", from_state=req.state, to_state=req.state,
                          actor=actor_of(store), site_code=store.site.code if store.site else None,
                          note=f"申请延期至 {new_deadline}：{reason.strip()}", scope_code=req.scope_code))


def decide_extension(store: Store, request_id: str, granted: bool, note: str | None = None) -> None:
    """同意 (the deadline moves) or 不同意 (it stays) an extension asked for."""
    with store.session() as s:
        req = _request(s, request_id)
        if req.extension_state != "pending":
            raise ValidationError(f"诉求 {req.number} 没有待审核的延期申请", field="extension_state")
        if granted:
            req.deadline, req.extension_state = req.extension_deadline, "granted"
        else:
            req.extension_state = "refused"
        said = (f"同意延期至 {req.extension_deadline}" if granted else "不同意延期") + (
            f"；{note.strip()}" if (note or "").strip() else "")
        s.add(RequestStep(request_id=req.id, at=utcnow(), action="grant" if granted else "refuse",
                          from_state=req.state, to_state=req.state, actor=actor_of(store),
                          site_code=store.site.code if store.site else None, note=said, scope_code=req.scope_code))


def supervise(store: Store, request_id: str, level: str, note: str | None = None) -> None:
    """督办 by the street or district: 普通, 黄牌 or 红牌; the request keeps the highest it was given."""
    if level not in codes.SUPERVISION.codes():
        raise ValidationError(f"督办等级“{level}”不是有效值，可选：{codes.SUPERVISION.choices()}", field="supervision")
    if store.site is None or store.site.level not in SUPERVISING_LEVELS:
        raise PermissionDenied("督办由街道或区（县）进行，本站点不能督办")
    with store.session() as s:
        req = _request(s, request_id)
        if req.state == "closed":
            raise ValidationError(f"诉求 {req.number} 已办结，不能督办", field="state")
        req.supervision_count += 1
        if req.supervision is None or _SUPERVISION_ORDER[level] > _SUPERVISION_ORDER[req.supervision]:
            req.supervision = level
        said = codes.SUPERVISION.name(level) + "督办" + (f"：{note.strip()}" if (note or "").strip() else "")
        s.add(RequestStep(request_id=req.id, at=utcnow(), action="supervise", from_state=req.state,
                          to_state=req.state, actor=actor_of(store), site_code=store.site.code, note=said,
                          scope_code=req.scope_code))


@dataclass(frozen=True)
class Due:
    """An open request as the 超期/即将超期 list shows it."""

    id: str
    number: str
    community: str
    grid: str | None
    category: str
    state: str
    deadline: dt.date
    days_left: int  # negative: days overdue
    supervision: str | None
    description: str

    @property
    def overdue(self) -> bool:
        return self.days_left < 0


def due(store: Store, org_code: str, *, today: dt.date | None = None, soon_days: int = DUE_SOON_DAYS) -> list[Due]:
    """Open requests within ``org_code`` (a district, street, community or grid code) that are overdue or due
    within ``soon_days``, most overdue first."""
    today = today or dt.date.today()
    grid = OrgUnit.__table__.alias("g")
    community = OrgUnit.__table__.alias("c")
    with store.read() as s:
        rows = s.execute(
            select(GridRequest.id, GridRequest.number, community.c.name, grid.c.name, GridRequest.category,
                   GridRequest.state, GridRequest.deadline, GridRequest.supervision, GridRequest.description)
            .join(community, community.c.id == GridRequest.community_id)
            .outerjoin(grid, grid.c.id == GridRequest.grid_id)
            .where(GridRequest.deleted_at.is_(None), GridRequest.state.in_(sorted(OPEN)),
                   GridRequest.deadline <= today + dt.timedelta(days=soon_days),
                   GridRequest.scope_code.like(org_code + "%"))
            .order_by(GridRequest.deadline, GridRequest.number)).all()
    return [Due(r[0], r[1], r[2], r[3], r[4], r[5], r[6], (r[6] - today).days, r[7], r[8]) for r in rows]


@dataclass(frozen=True)
class Step:
    at: dt.datetime  # UTC
    action: str
    from_state: str | None
    to_state: str
    actor: str | None
    site_code: str | None
    note: str | None


def history(store: Store, request_id: str) -> list[Step]:
    """Every step on the request, oldest first."""
    with store.read() as s:
        _request(s, request_id)
        rows = s.execute(select(RequestStep).where(RequestStep.request_id == request_id,
                                                   RequestStep.deleted_at.is_(None))
                         .order_by(RequestStep.at, RequestStep.created_at)).scalars().all()
        return [Step(r.at, r.action, r.from_state, r.to_state, r.actor, r.site_code, r.note) for r in rows]

"""Grid workers: register, assign to grids with a role, transfer, 离岗. History is kept, never deleted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from gridapp.core import codes, pinyin
from gridapp.core.errors import ConflictError, NotFoundError, ValidationError
from gridapp.core.models import GridAssignment, GridWorker, OrgUnit, Person
from gridapp.core.models.base import new_id, set_fields
from gridapp.core.services.people import PERSON_FIELDS, clean_person, upsert_person
from gridapp.core.services.people import find_by_id_number as find_person
from gridapp.core.store import Store

GRID_LEVELS = ("grid", "microgrid")
WORKER_FIELDS = ("worker_type", "hired_on", "notes", "employer")


def default_role(worker_type: str | None) -> str:
    """The grid role a worker of this kind takes unless chosen otherwise: 专职网格员 or 兼职网格员.

    Never 网格长: a grid has one, so a default of 网格长 fails wherever the grid already has its leader.
    """
    return "parttime" if worker_type == "parttime" else "fulltime"


@dataclass(frozen=True)
class AssignmentInfo:
    id: str
    grid_id: str
    grid_code: str
    grid_name: str
    community_name: str
    role: str
    start_date: dt.date | None
    end_date: dt.date | None
    end_reason: str | None

    @property
    def role_name(self) -> str:
        return codes.WORKER_ROLE.name(self.role)


@dataclass(frozen=True)
class WorkerInfo:
    id: str
    person_id: str
    name: str
    gender: str | None
    id_number: str | None
    birth_date: dt.date | None
    ethnicity: str | None
    political_status: str | None
    education: str | None
    phone: str | None
    phone2: str | None
    address: str | None
    worker_type: str
    status: str
    status_date: dt.date | None
    status_reason: str | None
    hired_on: dt.date | None
    notes: str | None
    has_photo: bool
    assignments: tuple[AssignmentInfo, ...]

    @property
    def current(self) -> tuple[AssignmentInfo, ...]:
        return tuple(a for a in self.assignments if a.end_date is None)


def current_assignments(s: Session, worker_id: str) -> list[GridAssignment]:
    return list(s.execute(
        select(GridAssignment).where(GridAssignment.worker_id == worker_id, GridAssignment.end_date.is_(None),
                                     GridAssignment.deleted_at.is_(None))
    ).scalars())


def _grid(s: Session, grid_id: str) -> OrgUnit:
    grid = s.get(OrgUnit, grid_id)
    if grid is None or grid.deleted_at is not None:
        raise NotFoundError("找不到该网格", field="grid")
    if grid.level not in GRID_LEVELS:
        raise ValidationError(f"“{grid.name}”不是网格，网格员只能分配到网格或微网格", field="grid")
    if grid.retired_on is not None:
        raise ValidationError(f"“{grid.name}”已于 {grid.retired_on} 撤销，不能再分配网格员", field="grid")
    return grid


def _check_single_leader(s: Session, grid: OrgUnit, worker_id: str) -> None:
    other = s.execute(
        select(Person.name).join(GridWorker, GridWorker.person_id == Person.id)
        .join(GridAssignment, GridAssignment.worker_id == GridWorker.id)
        .where(GridAssignment.org_unit_id == grid.id, GridAssignment.role == "leader",
               GridAssignment.end_date.is_(None), GridAssignment.deleted_at.is_(None),
               GridWorker.status == "active", GridWorker.id != worker_id)
    ).scalar()
    if other:
        raise ConflictError(f"{grid.name}已有网格长“{other}”，一个网格只能有一名网格长；请先调整其职务", field="role")


def assign(s: Session, worker: GridWorker, grid_id: str, role: str, since: dt.date | None) -> bool:
    """Put a worker in a grid with a role (an existing assignment there with another role is ended)."""
    if role not in codes.WORKER_ROLE.codes():
        raise ValidationError(f"网格职务“{role}”无效", field="role")
    grid = _grid(s, grid_id)
    if worker.status != "active":
        raise ValidationError("该网格员已离岗，请先恢复在岗再分配网格", field="status")
    if role == "leader":
        _check_single_leader(s, grid, worker.id)
    for a in current_assignments(s, worker.id):
        if a.org_unit_id == grid.id:
            if a.role == role:
                return False
            a.end_date = since or dt.date.today()
            a.end_reason = f"职务调整为{codes.WORKER_ROLE.name(role)}"
    s.add(GridAssignment(worker_id=worker.id, org_unit_id=grid.id, role=role, start_date=since,
                         scope_code=grid.code))
    return True


def end_assignment(s: Session, assignment_id: str, on: dt.date, reason: str) -> None:
    a = s.get(GridAssignment, assignment_id)
    if a is None or a.end_date is not None:
        raise NotFoundError("该任职记录不存在或已结束")
    if a.start_date and on < a.start_date:
        raise ValidationError(f"结束日期 {on} 早于开始日期 {a.start_date}", field="end_date")
    a.end_date, a.end_reason = on, reason


def move_assignments(s: Session, worker: GridWorker, to_grid_id: str, role: str, on: dt.date,
                     reason: str = "调动") -> bool:
    """Transfer: end every current assignment and start one in ``to_grid_id`` (history kept)."""
    current = current_assignments(s, worker.id)
    if len(current) == 1 and current[0].org_unit_id == to_grid_id and current[0].role == role:
        return False
    target = _grid(s, to_grid_id)
    for a in current:
        if a.org_unit_id != target.id or a.role != role:
            a.end_date, a.end_reason = on, f"{reason}至{target.name}" if a.org_unit_id != target.id else reason
    if not any(a.org_unit_id == target.id and a.role == role for a in current):
        if role == "leader":
            _check_single_leader(s, target, worker.id)
        s.add(GridAssignment(worker_id=worker.id, org_unit_id=target.id, role=role, start_date=on,
                             scope_code=target.code))
    return True


def save_worker(s: Session, data: dict[str, Any], *, scope_code: str | None) -> tuple[GridWorker, bool, bool]:
    """Create or update the person and their grid-worker record: (worker, created, changed)."""
    person, _person_created, person_changed = upsert_person(s, data, scope_code=scope_code)
    s.flush()
    worker = s.execute(select(GridWorker).where(GridWorker.person_id == person.id)).scalar_one_or_none()
    worker_type = data.get("worker_type")
    if worker_type is not None and worker_type not in codes.WORKER_TYPE.codes():
        raise ValidationError(f"人员类别“{worker_type}”无效", field="worker_type")
    if worker is None:
        if worker_type is None:
            raise ValidationError("请填写人员类别（专职或兼职）", field="worker_type")
        worker = GridWorker(person_id=person.id, worker_type=worker_type, status="active",
                            hired_on=data.get("hired_on"), notes=data.get("notes") or None,
                            employer=data.get("employer") or None, scope_code=scope_code)
        s.add(worker)
        s.flush()
        return worker, True, person_changed
    changed = person_changed
    if worker.deleted_at is not None:
        worker.deleted_at = None
        changed = True
    changed |= set_fields(worker, {k: data.get(k) for k in WORKER_FIELDS})
    return worker, False, changed


def new_worker_records(data: dict[str, Any], grid: OrgUnit, role: str, since: dt.date | None, *,
                       scope_code: str | None) -> list[tuple[type, dict[str, Any]]]:
    """What ``save_worker`` and ``assign`` create for a person new to the database, as (model, values) for a
    bulk writer: the person, their worker record, their assignment to ``grid``. The grid must be a live grid
    with no other leader when ``role`` is 网格长 (the caller knows); every other rule is checked here."""
    clean = clean_person(data)
    worker_type = data.get("worker_type")
    if worker_type not in codes.WORKER_TYPE.codes():
        raise ValidationError(f"人员类别“{worker_type}”无效", field="worker_type")
    if role not in codes.WORKER_ROLE.codes():
        raise ValidationError(f"网格职务“{role}”无效", field="role")
    person_id, worker_id = new_id(), new_id()
    return [
        (Person, dict(clean, id=person_id, name_initials=pinyin.initials(clean["name"]), scope_code=scope_code)),
        (GridWorker, {"id": worker_id, "person_id": person_id, "worker_type": worker_type, "status": "active",
                      "hired_on": data.get("hired_on"), "notes": data.get("notes") or None,
                      "employer": data.get("employer") or None, "scope_code": scope_code}),
        (GridAssignment, {"id": new_id(), "worker_id": worker_id, "org_unit_id": grid.id, "role": role,
                          "start_date": since, "scope_code": grid.code}),
    ]


def set_left(s: Session, worker: GridWorker, on: dt.date, reason: str) -> bool:
    """离岗: status, date and reason; every current assignment ends that day."""
    if not reason.strip():
        raise ValidationError("请填写离岗原因", field="status_reason")
    if worker.status == "left":
        return False
    worker.status, worker.status_date, worker.status_reason = "left", on, reason.strip()
    for a in current_assignments(s, worker.id):
        a.end_date, a.end_reason = on, f"离岗：{reason.strip()}"
    return True


def set_active(s: Session, worker: GridWorker, on: dt.date) -> bool:
    if worker.status == "active":
        return False
    worker.status, worker.status_date, worker.status_reason = "active", on, None
    return True


# -- one transaction each, for the GUI and the command line ------------------------------------------


def _worker(s: Session, worker_id: str) -> GridWorker:
    worker = s.get(GridWorker, worker_id)
    if worker is None or worker.deleted_at is not None:
        raise NotFoundError("找不到该网格员")
    return worker


KEEP_PHOTO = object()  # create_or_update(photo=KEEP_PHOTO) leaves the photo as it is
MAX_PHOTO_BYTES = 5 * 1024 * 1024


def _edit(s: Session, worker_id: str, data: dict[str, Any]) -> GridWorker:
    """The form's edit: every field as the form shows it (cleared fields are cleared)."""
    worker = _worker(s, worker_id)
    person = s.get(Person, worker.person_id)
    clean = clean_person(data)
    if clean["id_number"] != person.id_number:
        other = find_person(s, clean["id_number"])
        if other is not None:
            raise ConflictError(f"身份证号码 {clean['id_number']} 已登记为“{other.name}”，同一号码不能是两个人",
                                field="id_number")
    set_fields(person, {k: clean[k] for k in PERSON_FIELDS if k in clean}, skip_blank=False)
    person.name_initials = pinyin.initials(person.name)
    if data.get("worker_type") not in codes.WORKER_TYPE.codes():
        raise ValidationError("请选择人员类别（专职或兼职）", field="worker_type")
    set_fields(worker, {k: data[k] for k in WORKER_FIELDS if k in data}, skip_blank=False)
    return worker


def create_or_update(store: Store, data: dict[str, Any], *, worker_id: str | None = None,
                     grid_id: str | None = None, role: str | None = None, photo: Any = KEEP_PHOTO) -> WorkerInfo:
    """The worker form's save: person, worker, photo and (for a new worker) the first assignment."""
    if photo is not KEEP_PHOTO and photo is not None and len(photo) > MAX_PHOTO_BYTES:
        raise ValidationError("照片不能超过 5 MB，请先缩小", field="photo")
    with store.session() as s:
        if worker_id is not None:
            worker, created = _edit(s, worker_id, data), False
        else:
            worker, created, _changed = save_worker(s, data, scope_code=store.site.code if store.site else None)
        if photo is not KEEP_PHOTO:
            s.get(Person, worker.person_id).photo = photo
        if grid_id:
            assign(s, worker, grid_id, role or ("fulltime" if worker.worker_type == "fulltime" else "parttime"),
                   data.get("hired_on"))
        elif created:
            raise ValidationError("新登记的网格员请选择所属网格", field="grid")
        s.flush()
        return _info(s, worker)


def assign_worker(store: Store, worker_id: str, grid_id: str, role: str, since: dt.date | None) -> WorkerInfo:
    with store.session() as s:
        worker = _worker(s, worker_id)
        assign(s, worker, grid_id, role, since)
        s.flush()
        return _info(s, worker)


def transfer_worker(store: Store, worker_id: str, to_grid_id: str, role: str, on: dt.date) -> WorkerInfo:
    with store.session() as s:
        worker = _worker(s, worker_id)
        if worker.status != "active":
            raise ValidationError("该网格员已离岗，不能调动", field="status")
        move_assignments(s, worker, to_grid_id, role, on)
        s.flush()
        return _info(s, worker)


def worker_leaves(store: Store, worker_id: str, on: dt.date, reason: str) -> WorkerInfo:
    with store.session() as s:
        worker = _worker(s, worker_id)
        set_left(s, worker, on, reason)
        s.flush()
        return _info(s, worker)


def worker_returns(store: Store, worker_id: str, on: dt.date) -> WorkerInfo:
    with store.session() as s:
        worker = _worker(s, worker_id)
        set_active(s, worker, on)
        s.flush()
        return _info(s, worker)


def set_photo(store: Store, worker_id: str, photo: bytes | None) -> None:
    if photo is not None and len(photo) > MAX_PHOTO_BYTES:
        raise ValidationError("照片不能超过 5 MB，请先缩小", field="photo")
    with store.session() as s:
        person = s.get(Person, _worker(s, worker_id).person_id)
        person.photo = photo


def photo(store: Store, worker_id: str) -> bytes | None:
    with store.read() as s:
        return s.get(Person, _worker(s, worker_id).person_id).photo


def get(store: Store, worker_id: str) -> WorkerInfo:
    with store.read() as s:
        return _info(s, _worker(s, worker_id))


def find_by_id_number(store: Store, number: str) -> WorkerInfo | None:
    with store.read() as s:
        worker = s.execute(
            select(GridWorker).join(Person, Person.id == GridWorker.person_id).where(Person.id_number == number)
        ).scalar_one_or_none()
        return _info(s, worker) if worker else None


def _info(s: Session, w: GridWorker) -> WorkerInfo:
    p = s.get(Person, w.person_id)
    community = OrgUnit.__table__.alias("community")
    rows = s.execute(
        select(GridAssignment, OrgUnit.code, OrgUnit.name, community.c.name)
        .join(OrgUnit, OrgUnit.id == GridAssignment.org_unit_id)
        .join(community, community.c.id == OrgUnit.parent_id, isouter=True)
        .where(GridAssignment.worker_id == w.id, GridAssignment.deleted_at.is_(None))
        .order_by(GridAssignment.end_date.is_not(None), GridAssignment.start_date.desc())
    ).all()
    has_photo = s.execute(select(Person.photo.is_not(None)).where(Person.id == p.id)).scalar()
    return WorkerInfo(
        w.id, p.id, p.name, p.gender, p.id_number, p.birth_date, p.ethnicity, p.political_status, p.education,
        p.phone, p.phone2, p.address, w.worker_type, w.status, w.status_date, w.status_reason, w.hired_on, w.notes,
        bool(has_photo),
        tuple(AssignmentInfo(a.id, a.org_unit_id, code, name, cname or "", a.role, a.start_date, a.end_date,
                             a.end_reason) for a, code, name, cname in rows),
    )

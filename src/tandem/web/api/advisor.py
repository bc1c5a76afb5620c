"""``/api/v1/advisor``: the advisor workbench JSON API.

Client book, client page, contacts, tasks, assignment, the education track and the WeCom binding code.

Thin handlers: the caller becomes a :class:`tandem.advisor.access.Staff` (investors get 403) and every
client-scoped call goes through the advisor services, whose object-level check makes another advisor's client
a 404.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Path, Query

from tandem.advisor import client_page as pages
from tandem.advisor import education, tasks
from tandem.advisor.access import STAFF_ROLES, Staff
from tandem.advisor.assignments import assign_clients
from tandem.advisor.book import BookQuery, BookRow, client_book
from tandem.advisor.models import WeComContactRow
from tandem.advisor.snapshot import aware
from tandem.advisor.wecom.directory import binding, set_member_userid
from tandem.web.deps import CurrentUser, SessionDep, StateDep, WealthDep
from tandem.web.errors import ForbiddenError
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.schemas.advisor import (
    AssignmentCreate,
    BookPagePublic,
    BookRowPublic,
    ClientPagePublic,
    ContactCreate,
    CourseLessonsUpdate,
    EnrolmentCreate,
    TaskDone,
    TaskPublic,
    TrackPublic,
    WeComBindingPublic,
    WeComMemberUpdate,
)

router = APIRouter(prefix="/api/v1/advisor", tags=["advisor"], responses=PROBLEM_RESPONSES)
ClientId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def get_staff(user: CurrentUser) -> Staff:
    """The caller as staff, or 403 for investors."""
    if user.role not in STAFF_ROLES:
        raise ForbiddenError("the advisor workbench is for staff accounts (advisor, operations, compliance)")
    return Staff(user_id=user.id, role=user.role)


StaffDep = Annotated[Staff, Depends(get_staff)]


def track_public(e: education.TrackEntry) -> TrackPublic:
    """One course on the track (done/total and the next lesson are the entry's own)."""
    return TrackPublic.model_validate(e, from_attributes=True)


def _row(r: BookRow) -> BookRowPublic:
    return BookRowPublic.model_validate(r).model_copy(update={"watch_codes": list(r.watch_codes)})


@router.get("/clients", summary="My client book")
def list_clients(
    staff: StaffDep,
    state: StateDep,
    db: SessionDep,
    search: Annotated[str, Query(max_length=40)] = "",
    category: Annotated[str | None, Query(pattern="^C[1-5]$")] = None,
    expiring_within_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    with_open_tasks: bool = False,
    sort: Literal["expiry", "name", "tasks", "drift"] = "expiry",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
    page_size: Annotated[int, Query(ge=1, le=200)] = 50,
    advisor_id: Annotated[int | None, Query(ge=1)] = None,
) -> BookPagePublic:
    """Advisors get their own clients; operations and compliance may name an advisor."""
    query = BookQuery(
        search=search,
        category=category,
        expiring_within_days=expiring_within_days,
        with_open_tasks=with_open_tasks,
        sort=sort,
        page=page,
        page_size=page_size,
    )
    result = client_book(db, staff, query=query, advisor_id=advisor_id, changes=state.changes)
    return BookPagePublic(
        items=[_row(r) for r in result.rows], total=result.total, page=result.page, page_size=result.page_size
    )


@router.get("/clients/{client_id}", summary="One client's page")
def get_client(client_id: ClientId, staff: StaffDep, state: StateDep, db: SessionDep) -> ClientPagePublic:
    """404 unless the client is in the caller's book (or the caller supervises)."""
    p = pages.client_page(db, staff, state.keys, client_user_id=client_id, changes=state.changes)
    return ClientPagePublic(
        summary=_row(p.summary),
        phone=p.account.phone,
        assessments=[
            {"category": a.category, "assessed_at": a.assessed_at.isoformat(), "valid_until": a.valid_until.isoformat()}
            for a in p.assessments
        ],
        tags=list(p.tags),
        service=[{"at": s.at.isoformat(), "kind": s.kind, "note": s.note} for s in p.service],
        tasks=[TaskPublic.model_validate(t) for t in p.tasks],
        education=[track_public(e) for e in p.education],
    )


@router.post("/clients/{client_id}/contacts", summary="Record a contact", status_code=201)
def add_contact(client_id: ClientId, body: ContactCreate, staff: StaffDep, db: SessionDep) -> dict[str, int]:
    """Adds to the client's service history (own clients only)."""
    row = pages.record_contact(db, staff, client_user_id=client_id, kind=body.kind, note=body.note)
    db.commit()
    return {"id": row.id}


@router.get("/tasks", summary="My task queue")
def list_tasks(staff: StaffDep, db: SessionDep) -> list[TaskPublic]:
    """Open tasks and snoozed ones whose snooze has ended, by due date."""
    return [TaskPublic.model_validate(t) for t in tasks.queue(db, staff)]


@router.post("/tasks/{task_id}/done", summary="Close a task with a note")
def close_task(task_id: ClientId, body: TaskDone, staff: StaffDep, db: SessionDep) -> TaskPublic:
    """404 unless the task is the caller's."""
    task = tasks.complete(db, staff, task_id=task_id, note=body.note)
    db.commit()
    return TaskPublic.model_validate(task)


@router.post("/assignments", summary="Assign clients to an advisor", status_code=201)
def assign(body: AssignmentCreate, staff: StaffDep, db: SessionDep) -> dict[str, int]:
    """Operations only; all-or-nothing; returns how many clients changed advisor."""
    if staff.role not in ("operations", "admin"):
        raise ForbiddenError("only operations assign clients to advisors")
    changes = assign_clients(
        db, staff, client_user_ids=body.client_user_ids, advisor_id=body.advisor_id, reason=body.reason
    )
    db.commit()
    return {"changed": len(changes)}


@router.put("/courses/{course_id}/lessons", summary="Set a course's lessons, in order")
def put_lessons(course_id: ClientId, body: CourseLessonsUpdate, staff: StaffDep, db: SessionDep) -> dict[str, int]:
    """Approved articles within the course's audience level; all checked first, a refusal changes nothing."""
    rows = education.set_lessons(db, staff, course_item_id=course_id, lesson_item_ids=body.lesson_item_ids)
    db.commit()
    return {"lessons": len(rows)}


@router.post("/clients/{client_id}/courses", summary="Enrol a client in a course", status_code=201)
def enrol(
    client_id: ClientId, body: EnrolmentCreate, staff: StaffDep, db: SessionDep, wealth: WealthDep
) -> TrackPublic:
    """Suitability (course audience ≤ client level) is checked and audited; refused: 409 with the reason."""
    row = education.enrol(db, staff, wealth.audit, course_item_id=body.course_item_id, client_user_id=client_id)
    db.commit()
    (entry,) = [e for e in education.track(db, client_user_id=client_id) if e.enrolment_id == row.id]
    return track_public(entry)


@router.get("/clients/{client_id}/education", summary="A client's education track")
def get_education(client_id: ClientId, staff: StaffDep, db: SessionDep) -> list[TrackPublic]:
    """Courses with progress, the next lesson and completion (404 unless the client is the caller's)."""
    return [track_public(e) for e in education.client_track(db, staff, client_user_id=client_id)]


def _binding(row: WeComContactRow) -> WeComBindingPublic:
    return WeComBindingPublic(
        binding_code=row.binding_code,
        bound=row.external_userid is not None,
        member_userid=row.member_userid if row.external_userid else None,
        follow_at=aware(row.follow_at),
    )


@router.post("/clients/{client_id}/wecom-binding", summary="Issue (or show) the client's WeCom binding code")
def post_binding(client_id: ClientId, staff: StaffDep, db: SessionDep) -> WeComBindingPublic:
    """The code goes into the advisor's 联系我 link as ``state``; the directory sync binds the client by it."""
    row = binding(db, staff, client_user_id=client_id)
    out = _binding(row)
    db.commit()
    return out


@router.put("/advisors/{advisor_id}/wecom", summary="Record an advisor's WeCom member account")
def put_member(advisor_id: ClientId, body: WeComMemberUpdate, staff: StaffDep, db: SessionDep) -> dict[str, str]:
    """Operations only; the directory sync lists this member's customers."""
    set_member_userid(db, staff, advisor_id=advisor_id, userid=body.userid)
    db.commit()
    return {"userid": body.userid.strip()}

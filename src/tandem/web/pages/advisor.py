"""The advisor workbench pages: client book, client screen, task queue and the send form (desktop-first).

Thin handlers over the advisor services: every client-scoped read goes through them, so another advisor's client
is the HTML 404 page and a wrong role the HTML 403 page (:mod:`tandem.web.pages.staff_common`). Forms post with
htmx (the CSRF header is on ``<body>``) and re-render the page; ``hx-select`` swaps the changed section only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from tandem.advisor import client_page as pages
from tandem.advisor import send_form, sending, tasks, workbench
from tandem.advisor.book import BookQuery, client_book
from tandem.advisor.wecom.allowance import rule_named
from tandem.advisor.wecom.client import off_reason
from tandem.advisor.wecom.directory import binding
from tandem.core.errors import NotFoundError, UserError, ValidationFailed
from tandem.web.deps import LangDep, SessionDep, StateDep, WealthDep
from tandem.web.pages.staff_common import AdvisorUser, as_staff, error_status, parse_day, parse_id, staff_page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
SORTS = ("expiry", "name", "tasks", "drift")


@router.get("/advisor/clients")
def book(
    request: Request, user: AdvisorUser, state: StateDep, db: SessionDep, lang: LangDep,
    search: Annotated[str, Query(max_length=40)] = "", category: Annotated[str, Query(max_length=4)] = "",
    expiring: Annotated[str, Query(max_length=6)] = "", open_tasks: bool = False,
    sort: Annotated[str, Query(max_length=8)] = "expiry", page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:  # fmt: skip
    """The client book with filters, search and pages of 50; bad filters are named and show no rows."""
    error, result = None, None
    try:
        query = BookQuery(
            search=search, category=category or None, with_open_tasks=open_tasks,
            expiring_within_days=parse_id(expiring, "expiring") if expiring else None,
            sort=sort if sort in SORTS else "expiry", page=page,  # type: ignore[arg-type]
        )  # fmt: skip
        result = client_book(db, as_staff(user), query=query, changes=state.changes)
    except UserError as exc:
        error = str(exc)
    filters = {"search": search, "category": category, "expiring": expiring, "open_tasks": open_tasks, "sort": sort}
    return staff_page(
        request, state, user, lang, "staff/book.html", "advisor-book", 200 if error is None else 400,
        book=result, error=error, f=filters, sorts=SORTS,
    )  # fmt: skip


def _client_context(state: Any, db: SessionDep, user: Any, client_id: int) -> dict[str, Any]:
    staff = as_staff(user)
    page = pages.client_page(db, staff, state.keys, client_user_id=client_id, changes=state.changes)
    return {
        "c": page,
        "plan": workbench.plan_view(db, staff, client_user_id=client_id),
        "wecom": workbench.wecom_binding_view(db, staff, client_user_id=client_id),
    }


@router.get("/advisor/clients/{client_id}")
def client(
    client_id: Id, request: Request, user: AdvisorUser, state: StateDep, db: SessionDep, lang: LangDep
) -> Response:
    """One client: masked profile, assessments, plan and drift, watched stocks, tags, service history, tasks."""
    ctx = _client_context(state, db, user, client_id)
    return staff_page(request, state, user, lang, "staff/client.html", "advisor-book", message=None, **ctx)


@router.post("/advisor/clients/{client_id}/wecom-binding")
def issue_binding(
    client_id: Id, request: Request, user: AdvisorUser, state: StateDep, db: SessionDep, lang: LangDep
) -> Response:
    """Issue (or show again) the client's binding code for the advisor's 联系我 link (own clients only)."""
    binding(db, as_staff(user), client_user_id=client_id)  # another advisor's client: the 404 page
    db.commit()
    ctx = _client_context(state, db, user, client_id)
    message = None if ctx["wecom"].bound else "staff.client.wecom_code_issued"
    return staff_page(request, state, user, lang, "staff/client.html", "advisor-book", message=message, **ctx)


@router.post("/advisor/clients/{client_id}/contacts")
def add_contact(
    client_id: Id, request: Request, user: AdvisorUser, state: StateDep, db: SessionDep, lang: LangDep,
    kind: Annotated[str, Form(max_length=16)] = "call", note: Annotated[str, Form(max_length=600)] = "",
) -> Response:  # fmt: skip
    """Add a contact to the client's service history."""
    _client_context(state, db, user, client_id)  # another advisor's client: the 404 page, before anything
    message, status = "staff.client.contact_saved", 200
    try:
        pages.record_contact(db, as_staff(user), client_user_id=client_id, kind=kind, note=note)
        db.commit()
    except UserError as exc:
        db.rollback()
        message, status = str(exc), error_status(request)
    ctx = _client_context(state, db, user, client_id)
    return staff_page(request, state, user, lang, "staff/client.html", "advisor-book", status, message=message, **ctx)


def _tasks_context(db: SessionDep, user: Any) -> dict[str, Any]:
    staff = as_staff(user)
    mine = tasks.queue(db, staff)
    late = tasks.overdue(db, staff)
    names = workbench.masked_names(db, user_ids=sorted({t.client_user_id for t in [*mine, *late]}))
    return {"tasks": mine, "overdue": late, "names": names}


@router.get("/advisor/tasks")
def task_queue(request: Request, user: AdvisorUser, state: StateDep, db: SessionDep, lang: LangDep) -> Response:
    """The advisor's actionable tasks, and the team's overdue ones for a team lead."""
    ctx = _tasks_context(db, user)
    return staff_page(request, state, user, lang, "staff/tasks.html", "advisor-tasks", message=None, **ctx)


@router.post("/advisor/tasks/{task_id}")
def task_action(
    task_id: Id, request: Request, user: AdvisorUser, state: StateDep, db: SessionDep, lang: LangDep,
    action: Annotated[str, Form(pattern="^(done|snooze)$")], note: Annotated[str, Form(max_length=600)] = "",
    until: Annotated[str, Form(max_length=10)] = "",
) -> Response:  # fmt: skip
    """Close or snooze a task with a note (snooze needs a future date); another advisor's task is not found."""
    message, status = f"staff.tasks.{action}_saved", 200
    try:
        staff = as_staff(user)
        if action == "done":
            tasks.complete(db, staff, task_id=task_id, note=note)
        else:
            day = parse_day(until, "until")
            if day is None:
                raise ValidationFailed("until: pick the date the task should come back (YYYY-MM-DD)")
            tasks.snooze(db, staff, task_id=task_id, until=day, note=note)
        db.commit()
    except UserError as exc:
        db.rollback()
        if isinstance(exc, NotFoundError):  # another advisor's task: the 404 page
            raise
        message, status = str(exc), error_status(request)
    ctx = _tasks_context(db, user)
    return staff_page(request, state, user, lang, "staff/tasks.html", "advisor-tasks", status, message=message, **ctx)


def _send_context(request: Request, state: Any, db: SessionDep, user: Any, client_id: int | None) -> dict[str, Any]:
    codes: tuple[str, ...] = ()
    name = None
    if client_id is not None:
        row = pages.client_page(db, as_staff(user), state.keys, client_user_id=client_id).summary
        codes, name = row.watch_codes, row.name
    return {
        "choices": send_form.choices(db, as_staff(user), client_user_id=client_id, codes=codes),
        "client_id": client_id,
        "client_name": name,
        "segments": workbench.SEGMENTS,
        "wecom_on": request.app.state.wecom is not None,
        "wecom_off_reason": off_reason(state.settings),
    }


@router.get("/advisor/send")
def send_page(
    request: Request, user: AdvisorUser, state: StateDep, db: SessionDep, lang: LangDep,
    client_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
) -> Response:  # fmt: skip
    """The send form: an approved item, a diagnosis brief or the client's plan; one client or a segment."""
    ctx = _send_context(request, state, db, user, client_id)
    return staff_page(request, state, user, lang, "staff/send.html", "advisor-send", result=None, error=None, **ctx)


@router.post("/advisor/send")
def send_submit(
    request: Request, user: AdvisorUser, state: StateDep, db: SessionDep, lang: LangDep, wealth: WealthDep,
    source: Annotated[str, Form(max_length=16)], channel: Annotated[str, Form(max_length=16)] = "wecom",
    item_id: Annotated[str, Form(max_length=12)] = "", code: Annotated[str, Form(max_length=20)] = "",
    client_id: Annotated[str, Form(max_length=12)] = "", segment: Annotated[str, Form(max_length=12)] = "",
) -> Response:  # fmt: skip
    """Send, show each recipient's suitability outcome and (WeCom on) the delivery; bad input sends nothing."""
    staff = as_staff(user)
    delivery = request.app.state.wecom
    result, error, cid = None, None, None
    try:
        cid = parse_id(client_id, "client_id")
    except UserError as exc:
        error = str(exc)
    ctx = _send_context(request, state, db, user, cid)  # another advisor's client: the 404 page, before anything
    if error is None:
        try:
            if channel not in ("wecom", "inapp"):
                raise ValidationFailed(f"channel must be wecom or inapp, not {channel!r}")
            if channel == "wecom" and delivery is None:
                raise ValidationFailed(f"{off_reason(state.settings)}; send in-app, or ask operations to configure it")
            item = send_form.build_item(
                db, staff, state.diagnosis, source=source, item_id=parse_id(item_id, "item_id"), code=code or None,
                client_user_id=cid,
            )  # fmt: skip
            ids = send_form.recipients(db, staff, client_user_id=cid, segment=segment or None)
            report = sending.send(
                db, staff, wealth.audit, item=item, client_user_ids=ids, channel=channel,
                mass_rule=rule_named(state.settings.wecom_mass_send_rule),
            )  # fmt: skip
            db.commit()
            if channel == "wecom" and report.sent:
                delivery.deliver_due()
            result = {"report": report, "rows": send_form.outcome(db, staff, send_id=report.send_id), "item": item}
        except UserError as exc:
            db.rollback()
            error = str(exc)
    status = 200 if error is None else error_status(request)
    return staff_page(
        request, state, user, lang, "staff/send.html", "advisor-send", status, result=result, error=error, **ctx
    )

"""The advisor workbench pages: client book, client screen, task queue and the send form (desktop-first).

Thin handlers over the advisor services (:mod:`tandem.advisor.staff_screens` assembles each screen): every
client-scoped read goes through them, so another advisor's client is the HTML 404 page and a wrong role the HTML
403 page (:mod:`tandem.web.pages.staff_common`). Forms post with htmx (the CSRF header is on ``<body>``) and
re-render the page; ``hx-select`` swaps the changed section only.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query
from fastapi.responses import HTMLResponse, Response

from tandem.advisor import client_page as pages
from tandem.advisor import staff_screens as screens
from tandem.advisor import tasks
from tandem.advisor.book import BookQuery, client_book
from tandem.advisor.form_values import parse_id, snooze_until
from tandem.advisor.wecom.directory import binding
from tandem.core.errors import NotFoundError, UserError
from tandem.web.deps import WealthDep
from tandem.web.pages.staff_common import AdvisorScreen, StaffScreen

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
SORTS = ("expiry", "name", "tasks", "drift")


@router.get("/advisor/clients")
def book(
    s: AdvisorScreen, search: Annotated[str, Query(max_length=40)] = "",
    category: Annotated[str, Query(max_length=4)] = "", expiring: Annotated[str, Query(max_length=6)] = "",
    open_tasks: bool = False, sort: Annotated[str, Query(max_length=8)] = "expiry",
    page: Annotated[int, Query(ge=1, le=10_000)] = 1,
) -> Response:  # fmt: skip
    """The client book with filters, search and pages of 50; bad filters are named and show no rows."""
    error, result = None, None
    try:
        query = BookQuery(
            search=search, category=category or None, with_open_tasks=open_tasks,
            expiring_within_days=parse_id(expiring, "expiring") if expiring else None,
            sort=sort if sort in SORTS else "expiry", page=page,  # type: ignore[arg-type]
        )  # fmt: skip
        result = client_book(s.db, s.staff, query=query, changes=s.state.changes)
    except UserError as exc:
        error = str(exc)
    filters = {"search": search, "category": category, "expiring": expiring, "open_tasks": open_tasks, "sort": sort}
    return s.page(
        "staff/book.html", "advisor-book", 200 if error is None else 400,
        book=result, error=error, f=filters, sorts=SORTS,
    )  # fmt: skip


def _client(s: StaffScreen, client_id: int, message: str | None, status: int = 200) -> Response:
    ctx = screens.client_screen(s.db, s.staff, s.state.keys, client_user_id=client_id, changes=s.state.changes)
    return s.page("staff/client.html", "advisor-book", status, message=message, **ctx)


@router.get("/advisor/clients/{client_id}")
def client(client_id: Id, s: AdvisorScreen) -> Response:
    """One client: masked profile, assessments, plan and drift, watched stocks, tags, service history, tasks."""
    return _client(s, client_id, None)


@router.post("/advisor/clients/{client_id}/wecom-binding")
def issue_binding(client_id: Id, s: AdvisorScreen) -> Response:
    """Issue (or show again) the client's binding code for the advisor's 联系我 link (own clients only)."""
    binding(s.db, s.staff, client_user_id=client_id)  # another advisor's client: the 404 page
    s.db.commit()
    ctx = screens.client_screen(s.db, s.staff, s.state.keys, client_user_id=client_id, changes=s.state.changes)
    message = None if ctx["wecom"].bound else "staff.client.wecom_code_issued"
    return s.page("staff/client.html", "advisor-book", message=message, **ctx)


@router.post("/advisor/clients/{client_id}/contacts")
def add_contact(
    client_id: Id, s: AdvisorScreen, kind: Annotated[str, Form(max_length=16)] = "call",
    note: Annotated[str, Form(max_length=600)] = "",
) -> Response:  # fmt: skip
    """Add a contact to the client's service history."""
    screens.client_screen(s.db, s.staff, s.state.keys, client_user_id=client_id, changes=None)  # 404 before anything
    message, status = "staff.client.contact_saved", 200
    try:
        pages.record_contact(s.db, s.staff, client_user_id=client_id, kind=kind, note=note)
        s.db.commit()
    except UserError as exc:
        s.db.rollback()
        message, status = str(exc), s.error_status()
    return _client(s, client_id, message, status)


@router.get("/advisor/tasks")
def task_queue(s: AdvisorScreen) -> Response:
    """The advisor's actionable tasks, and the team's overdue ones for a team lead."""
    return s.page("staff/tasks.html", "advisor-tasks", message=None, **screens.task_board(s.db, s.staff))


@router.post("/advisor/tasks/{task_id}")
def task_action(
    task_id: Id, s: AdvisorScreen, action: Annotated[str, Form(pattern="^(done|snooze)$")],
    note: Annotated[str, Form(max_length=600)] = "", until: Annotated[str, Form(max_length=10)] = "",
) -> Response:  # fmt: skip
    """Close or snooze a task with a note (snooze needs a future date); another advisor's task is not found."""
    message, status = f"staff.tasks.{action}_saved", 200
    try:
        if action == "done":
            tasks.complete(s.db, s.staff, task_id=task_id, note=note)
        else:
            tasks.snooze(s.db, s.staff, task_id=task_id, until=snooze_until(until), note=note)
        s.db.commit()
    except UserError as exc:
        s.db.rollback()
        if isinstance(exc, NotFoundError):  # another advisor's task: the 404 page
            raise
        message, status = str(exc), s.error_status()
    ctx = screens.task_board(s.db, s.staff)
    return s.page("staff/tasks.html", "advisor-tasks", status, message=message, **ctx)


def _send_form(s: StaffScreen, client_id: int | None) -> dict[str, Any]:
    wecom_on = s.request.app.state.wecom is not None
    st = s.state
    return screens.send_screen(s.db, s.staff, st.keys, st.settings, client_user_id=client_id, wecom_on=wecom_on)


@router.get("/advisor/send")
def send_page(s: AdvisorScreen, client_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None) -> Response:
    """The send form: an approved item, a diagnosis brief or the client's plan; one client or a segment."""
    return s.page("staff/send.html", "advisor-send", result=None, error=None, **_send_form(s, client_id))


@router.post("/advisor/send")
def send_submit(
    s: AdvisorScreen, wealth: WealthDep, source: Annotated[str, Form(max_length=16)],
    channel: Annotated[str, Form(max_length=16)] = "wecom", item_id: Annotated[str, Form(max_length=12)] = "",
    code: Annotated[str, Form(max_length=20)] = "", client_id: Annotated[str, Form(max_length=12)] = "",
    segment: Annotated[str, Form(max_length=12)] = "",
) -> Response:  # fmt: skip
    """Send, show each recipient's suitability outcome and (WeCom on) the delivery; bad input sends nothing."""
    result, error, cid = None, None, None
    try:
        cid = parse_id(client_id, "client_id")
    except UserError as exc:
        error = str(exc)
    ctx = _send_form(s, cid)  # another advisor's client: the 404 page, before anything
    if error is None:
        form = screens.SendRequest(source, channel, item_id, code, cid, segment)
        try:
            result = screens.submit_send(
                s.db, s.staff, wealth.audit, s.state.diagnosis, s.state.settings, form=form,
                delivery=s.request.app.state.wecom,
            )  # fmt: skip
        except UserError as exc:
            s.db.rollback()
            error = str(exc)
    status = 200 if error is None else s.error_status()
    return s.page("staff/send.html", "advisor-send", status, result=result, error=error, **ctx)

"""Operations: every advisor's workload and the assignment form.

Clients are assigned by listed ids or in bulk by segment (one advisor's book or the unassigned investors,
optionally one risk level). All-or-nothing, as the service is.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from tandem.advisor import oversight, workbench
from tandem.advisor.assignments import assign_clients
from tandem.core.errors import UserError, ValidationFailed
from tandem.web.deps import LangDep, SessionDep, StateDep
from tandem.web.pages.staff_common import OpsStaffUser, as_staff, error_status, parse_id, parse_ids, staff_page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _page(request: Request, state: Any, db: SessionDep, user: Any, lang: Any, status: int, **ctx: Any) -> Response:
    staff = as_staff(user)
    return staff_page(
        request, state, user, lang, "staff/workload.html", "ops-workload", status,
        rows=oversight.workload(db, staff), advisors=workbench.advisor_choices(db, staff), **ctx,
    )  # fmt: skip


@router.get("/ops/workload")
def workload(request: Request, user: OpsStaffUser, state: StateDep, db: SessionDep, lang: LangDep) -> Response:
    """Advisors by load (clients, open and overdue tasks, registration number) and the assignment form."""
    return _page(request, state, db, user, lang, 200, message=None, ok=True)


@router.post("/ops/workload/assign")
def assign(
    request: Request, user: OpsStaffUser, state: StateDep, db: SessionDep, lang: LangDep,
    to_advisor: Annotated[str, Form(max_length=12)], reason: Annotated[str, Form(max_length=200)] = "",
    client_ids: Annotated[str, Form(max_length=20_000)] = "", from_book: Annotated[str, Form(max_length=12)] = "",
    category: Annotated[str, Form(max_length=4)] = "",
) -> Response:  # fmt: skip
    """Assign listed clients, or a segment (``from_book``: an advisor id or ``unassigned``), to one advisor."""
    staff = as_staff(user)
    try:
        target = parse_id(to_advisor, "to_advisor")
        if target is None:
            raise ValidationFailed("to_advisor: pick the advisor who takes the clients")
        ids = parse_ids(client_ids, "client_ids")
        if ids and from_book:
            raise ValidationFailed("list client ids or pick a segment, not both")
        if not ids:
            if not from_book:
                raise ValidationFailed("list client ids (e.g. 12, 13) or pick a segment to assign")
            source = None if from_book == "unassigned" else parse_id(from_book, "from_book")
            ids = workbench.assignment_segment(db, staff, from_advisor_id=source, category=category or None)
        changes = assign_clients(db, staff, client_user_ids=ids, advisor_id=target, reason=reason)
        db.commit()
        message, ok, status = f"{len(changes)} / {len(ids)}", True, 200
    except UserError as exc:
        db.rollback()
        message, ok, status = str(exc), False, error_status(request)
    return _page(request, state, db, user, lang, status, message=message, ok=ok)

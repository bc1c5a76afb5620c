"""Operations: every advisor's workload and the assignment form.

Clients are assigned by listed ids or in bulk by segment (one advisor's book or the unassigned investors,
optionally one risk level): :func:`tandem.advisor.form_values.assignment_from_form` reads the form. All-or-nothing,
as the service is.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from tandem.advisor import oversight, workbench
from tandem.advisor.assignments import assign_clients
from tandem.advisor.form_values import assignment_from_form
from tandem.core.errors import UserError
from tandem.web.pages.staff_common import OpsScreen, StaffScreen

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


def _page(s: StaffScreen, status: int, message: str | None, ok: bool) -> Response:
    return s.page(
        "staff/workload.html", "ops-workload", status, rows=oversight.workload(s.db, s.staff),
        advisors=workbench.advisor_choices(s.db, s.staff), message=message, ok=ok,
    )  # fmt: skip


@router.get("/ops/workload")
def workload(s: OpsScreen) -> Response:
    """Advisors by load (clients, open and overdue tasks, registration number) and the assignment form."""
    return _page(s, 200, None, True)


@router.post("/ops/workload/assign")
def assign(
    s: OpsScreen, to_advisor: Annotated[str, Form(max_length=12)], reason: Annotated[str, Form(max_length=200)] = "",
    client_ids: Annotated[str, Form(max_length=20_000)] = "", from_book: Annotated[str, Form(max_length=12)] = "",
    category: Annotated[str, Form(max_length=4)] = "",
) -> Response:  # fmt: skip
    """Assign listed clients, or a segment (``from_book``: an advisor id or ``unassigned``), to one advisor."""
    try:
        a = assignment_from_form(
            s.db, s.staff, to_advisor=to_advisor, client_ids=client_ids, from_book=from_book, category=category
        )
        changes = assign_clients(
            s.db, s.staff, client_user_ids=a.client_user_ids, advisor_id=a.advisor_id, reason=reason
        )
        s.db.commit()
        message, ok, status = f"{len(changes)} / {len(a.client_user_ids)}", True, 200
    except UserError as exc:
        s.db.rollback()
        message, ok, status = str(exc), False, s.error_status()
    return _page(s, status, message, ok)

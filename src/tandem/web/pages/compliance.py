"""Compliance pages: review queue, audit search, send archive with CSV export, sampled review of sent advice.

The review queue shows the phrase guard's findings beside each text and takes approve / reject with reasons; the
sample is seeded so it can be redrawn. Thin handlers over the advisor services.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Path, Query
from fastapi.responses import HTMLResponse, Response

from tandem.advisor import archive, content, review_board, workbench
from tandem.advisor.staff_screens import OversightFilter, archive_rows, audit_rows, sample_rows
from tandem.core.errors import NotFoundError, UserError
from tandem.web.caching import PRIVATE
from tandem.web.deps import SessionDep, WealthDep
from tandem.web.pages.staff_common import ComplianceScreen, ComplianceUser, StaffScreen, as_staff

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Query(max_length=40)]
Day = Annotated[str, Query(max_length=10)]


def oversight_filter(
    client: Text = "", advisor: Text = "", product: Text = "", since: Annotated[Day, Query(alias="from")] = "",
    until: Annotated[Day, Query(alias="to")] = "",
) -> OversightFilter:  # fmt: skip
    """The client, advisor, product and date filters of the audit search and the archive (query parameters)."""
    return OversightFilter(client=client, advisor=advisor, product=product, since=since, until=until)


Filters = Annotated[OversightFilter, Depends(oversight_filter)]


def _shown(f: OversightFilter) -> dict[str, str]:
    return {"client": f.client, "advisor": f.advisor, "product": f.product, "from": f.since, "to": f.until}


def _reviews(s: StaffScreen, status: int, message: str | None, ok: bool) -> Response:
    board = review_board.review_board(s.db, s.staff)
    return s.page("staff/reviews.html", "comp-reviews", status, board=board, message=message, ok=ok)


@router.get("/compliance/reviews")
def reviews(s: ComplianceScreen) -> Response:
    """Submitted versions, oldest first, each with the phrase guard's findings and the two decisions."""
    return _reviews(s, 200, None, True)


@router.post("/compliance/reviews/{version_id}")
def decide(
    version_id: Id, s: ComplianceScreen, wealth: WealthDep,
    decision: Annotated[str, Form(pattern="^(approve|reject)$")], reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:  # fmt: skip
    """Approve, or reject with a reason the author can act on; audited; a rejection without reason changes nothing."""
    try:
        reasons = [r for r in reason.splitlines() if r.strip()]
        v = content.review(
            s.db, s.staff, wealth.audit, version_id=version_id, approve=decision == "approve", reasons=reasons
        )
        s.db.commit()
        message, ok, status = f"staff.reviews.{v.status}", True, 200
    except UserError as exc:
        s.db.rollback()
        if isinstance(exc, NotFoundError):
            raise
        message, ok, status = str(exc), False, s.error_status()
    return _reviews(s, status, message, ok)


@router.get("/compliance/audit")
def audit(s: ComplianceScreen, f: Filters) -> Response:
    """Suitability checks, warnings, confirmations and content reviews by client, advisor, product and date."""
    rows, error = [], None
    try:
        rows = audit_rows(s.db, s.staff, f)
    except UserError as exc:
        error = str(exc)
    status = 200 if error is None else 400
    return s.page("staff/audit.html", "comp-audit", status, rows=rows, error=error, f=_shown(f))


@router.get("/compliance/archive")
def archive_page(s: ComplianceScreen, f: Filters) -> Response:
    """The send archive (newest first, 500 rows on screen; the CSV holds every match) with masked client names."""
    rows, error = [], None
    try:
        rows = archive_rows(s.db, s.staff, f, limit=500)
    except UserError as exc:
        error = str(exc)
    names = workbench.masked_names(s.db, user_ids=sorted({e.row.client_user_id for e in rows}))
    return s.page(
        "staff/archive.html", "comp-archive", 200 if error is None else 400,
        rows=rows, names=names, error=error, f=_shown(f), query=s.request.url.query,
    )  # fmt: skip


@router.get("/compliance/archive.csv")
def archive_csv(user: ComplianceUser, db: SessionDep, f: Filters) -> Response:
    """Every archived recipient matching the filters as CSV (the body is not exported; the version id names it)."""
    rows = archive_rows(db, as_staff(user), f, limit=100_000)
    return Response(
        archive.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="send-archive.csv"', "Cache-Control": PRIVATE},
    )


@router.get("/compliance/sample")
def sample(
    s: ComplianceScreen, since: Annotated[Day, Query(alias="from")] = "", until: Annotated[Day, Query(alias="to")] = "",
    size: Annotated[int, Query(ge=1, le=1000)] = 20, seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 1,
) -> Response:  # fmt: skip
    """A reproducible sample of advice actually sent in the period (same seed, same sample) with the sent text."""
    rows, error = [], None
    try:
        rows = sample_rows(s.db, s.staff, since=since, until=until, size=size, seed=seed)
    except UserError as exc:
        error = str(exc)
    names = workbench.masked_names(s.db, user_ids=sorted({r.client_user_id for r in rows}))
    f = {"from": since, "to": until, "size": size, "seed": seed}
    return s.page(
        "staff/sample.html", "comp-sample", 200 if error is None else 400,
        rows=rows, names=names, error=error, f=f, drawn=bool(since or until),
    )  # fmt: skip

"""Compliance pages: review queue, audit search, send archive with CSV export, sampled review of sent advice.

The review queue shows the phrase guard's findings beside each text and takes approve / reject with reasons; the
sample is seeded so it can be redrawn. Thin handlers over the advisor services.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from tandem.advisor import archive, content, oversight, review_board, workbench
from tandem.core.errors import NotFoundError, UserError
from tandem.web.caching import PRIVATE
from tandem.web.deps import LangDep, SessionDep, StateDep, WealthDep
from tandem.web.pages.staff_common import ComplianceUser, as_staff, error_status, parse_day, parse_id, staff_page

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Query(max_length=40)]
Day = Annotated[str, Query(max_length=10)]


def _reviews(request: Request, state: Any, db: SessionDep, user: Any, lang: Any, status: int, **ctx: Any) -> Response:
    board = review_board.review_board(db, as_staff(user))
    return staff_page(request, state, user, lang, "staff/reviews.html", "comp-reviews", status, board=board, **ctx)


@router.get("/compliance/reviews")
def reviews(request: Request, user: ComplianceUser, state: StateDep, db: SessionDep, lang: LangDep) -> Response:
    """Submitted versions, oldest first, each with the phrase guard's findings and the two decisions."""
    return _reviews(request, state, db, user, lang, 200, message=None, ok=True)


@router.post("/compliance/reviews/{version_id}")
def decide(
    version_id: Id, request: Request, user: ComplianceUser, state: StateDep, db: SessionDep, lang: LangDep,
    wealth: WealthDep, decision: Annotated[str, Form(pattern="^(approve|reject)$")],
    reason: Annotated[str, Form(max_length=500)] = "",
) -> Response:  # fmt: skip
    """Approve, or reject with a reason the author can act on; audited; a rejection without reason changes nothing."""
    try:
        reasons = [r for r in reason.splitlines() if r.strip()]
        v = content.review(
            db, as_staff(user), wealth.audit, version_id=version_id, approve=decision == "approve", reasons=reasons
        )
        db.commit()
        message, ok, status = f"staff.reviews.{v.status}", True, 200
    except UserError as exc:
        db.rollback()
        if isinstance(exc, NotFoundError):
            raise
        message, ok, status = str(exc), False, error_status(request)
    return _reviews(request, state, db, user, lang, status, message=message, ok=ok)


def _filters(client: str, advisor: str, since: str, until: str) -> dict[str, Any]:
    return {
        "client_user_id": parse_id(client, "client"),
        "advisor_id": parse_id(advisor, "advisor"),
        "since": parse_day(since, "from"),
        "until": parse_day(until, "to", end=True),
    }


@router.get("/compliance/audit")
def audit(
    request: Request, user: ComplianceUser, state: StateDep, db: SessionDep, lang: LangDep,
    client: Text = "", advisor: Text = "", product: Text = "", since: Annotated[Day, Query(alias="from")] = "",
    until: Annotated[Day, Query(alias="to")] = "",
) -> Response:  # fmt: skip
    """Suitability checks, warnings, confirmations and content reviews by client, advisor, product and date."""
    rows, error = [], None
    try:
        rows = oversight.audit_search(
            db, as_staff(user), product=product.strip() or None, **_filters(client, advisor, since, until)
        )
    except UserError as exc:
        error = str(exc)
    f = {"client": client, "advisor": advisor, "product": product, "from": since, "to": until}
    return staff_page(
        request, state, user, lang, "staff/audit.html", "comp-audit", 200 if error is None else 400,
        rows=rows, error=error, f=f,
    )  # fmt: skip


def _archive_rows(db: SessionDep, user: Any, client: str, advisor: str, product: str, since: str, until: str,
                  limit: int) -> list[archive.ArchiveEntry]:  # fmt: skip
    return archive.search(
        db, as_staff(user), product=product.strip() or None, limit=limit, **_filters(client, advisor, since, until)
    )


@router.get("/compliance/archive")
def archive_page(
    request: Request, user: ComplianceUser, state: StateDep, db: SessionDep, lang: LangDep,
    client: Text = "", advisor: Text = "", product: Text = "", since: Annotated[Day, Query(alias="from")] = "",
    until: Annotated[Day, Query(alias="to")] = "",
) -> Response:  # fmt: skip
    """The send archive (newest first, 500 rows on screen; the CSV holds every match) with masked client names."""
    rows, error = [], None
    try:
        rows = _archive_rows(db, user, client, advisor, product, since, until, 500)
    except UserError as exc:
        error = str(exc)
    names = workbench.masked_names(db, user_ids=sorted({e.row.client_user_id for e in rows}))
    f = {"client": client, "advisor": advisor, "product": product, "from": since, "to": until}
    return staff_page(
        request, state, user, lang, "staff/archive.html", "comp-archive", 200 if error is None else 400,
        rows=rows, names=names, error=error, f=f, query=request.url.query,
    )  # fmt: skip


@router.get("/compliance/archive.csv")
def archive_csv(
    user: ComplianceUser, db: SessionDep, client: Text = "", advisor: Text = "", product: Text = "",
    since: Annotated[Day, Query(alias="from")] = "",
    until: Annotated[Day, Query(alias="to")] = "",
) -> Response:  # fmt: skip
    """Every archived recipient matching the filters as CSV (the body is not exported; the version id names it)."""
    rows = _archive_rows(db, user, client, advisor, product, since, until, 100_000)
    return Response(
        archive.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="send-archive.csv"', "Cache-Control": PRIVATE},
    )


@router.get("/compliance/sample")
def sample(
    request: Request, user: ComplianceUser, state: StateDep, db: SessionDep, lang: LangDep,
    since: Annotated[Day, Query(alias="from")] = "",
    until: Annotated[Day, Query(alias="to")] = "",
    size: Annotated[int, Query(ge=1, le=1000)] = 20, seed: Annotated[int, Query(ge=0, le=2**31 - 1)] = 1,
) -> Response:  # fmt: skip
    """A reproducible sample of advice actually sent in the period (same seed, same sample) with the sent text."""
    rows, error, drawn = [], None, bool(since or until)
    try:
        start, end = parse_day(since, "from"), parse_day(until, "to", end=True)
        if drawn and (start is None or end is None):
            raise UserError("give both from and to (YYYY-MM-DD) to draw a sample of that period")
        if start is not None and end is not None:
            rows = oversight.sample_sent(db, as_staff(user), since=start, until=end, size=size, seed=seed)
    except UserError as exc:
        error = str(exc)
    names = workbench.masked_names(db, user_ids=sorted({r.client_user_id for r in rows}))
    f = {"from": since, "to": until, "size": size, "seed": seed}
    return staff_page(
        request, state, user, lang, "staff/sample.html", "comp-sample", 200 if error is None else 400,
        rows=rows, names=names, error=error, f=f, drawn=drawn,
    )  # fmt: skip

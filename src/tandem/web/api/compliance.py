"""Content review, sending approved items, the send archive (CSV) and audit search over HTTP.

Authors (advisors, operations) create and submit; compliance reviews, searches the audit log and exports
the archive; advisors send approved items to their own clients. Handlers are thin: the advisor services
check roles, ownership, suitability and compliance rules.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from tandem.advisor import archive, content, oversight, sending
from tandem.advisor.wecom.allowance import rule_named
from tandem.web.api.advisor import StaffDep
from tandem.web.deps import SessionDep, StateDep, WealthDep
from tandem.web.errors import ForbiddenError
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.schemas.advisor import (
    ContentCreate,
    ContentVersionPublic,
    ReviewDecision,
    SendCreate,
    SendReportPublic,
)

router = APIRouter(tags=["compliance"], responses=PROBLEM_RESPONSES)
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


@router.post("/api/v1/content", summary="Create a library item (draft)", status_code=201)
def create_content(body: ContentCreate, staff: StaffDep, db: SessionDep) -> ContentVersionPublic:
    """Advisors and operations write content; it is a draft until submitted."""
    v = content.create_item(db, staff, **body.model_dump())
    db.commit()
    return ContentVersionPublic.model_validate(v)


@router.post("/api/v1/content/{item_id}/submit", summary="Submit a draft for compliance review")
def submit_content(item_id: Id, staff: StaffDep, db: SessionDep) -> ContentVersionPublic:
    """Runs the phrase guard and the disclaimer rule; a failing draft stays a draft (400 lists the problems)."""
    v = content.submit(db, staff, item_id=item_id)
    db.commit()
    return ContentVersionPublic.model_validate(v)


@router.get("/api/v1/compliance/reviews", summary="Review queue")
def review_queue(staff: StaffDep, db: SessionDep) -> list[ContentVersionPublic]:
    """Submitted versions, oldest first (compliance only)."""
    if staff.role not in ("compliance", "admin"):
        raise ForbiddenError("the review queue is for compliance")
    return [ContentVersionPublic.model_validate(v) for _, v in content.review_queue(db)]


@router.post("/api/v1/compliance/reviews/{version_id}", summary="Approve or reject a submitted version")
def decide(
    version_id: Id, body: ReviewDecision, staff: StaffDep, db: SessionDep, wealth: WealthDep
) -> ContentVersionPublic:
    """The decision is audited; an approved version never changes afterwards."""
    v = content.review(db, staff, wealth.audit, version_id=version_id, approve=body.approve, reasons=body.reasons)
    db.commit()
    return ContentVersionPublic.model_validate(v)


@router.post("/api/v1/advisor/sends", summary="Send an approved item to clients", status_code=201)
def send_item(
    body: SendCreate, staff: StaffDep, db: SessionDep, wealth: WealthDep, state: StateDep
) -> SendReportPublic:
    """Suitability, WeCom binding and mass-send allowance per recipient; refused ones are listed with the reason."""
    approved = content.get_approved(db, item_id=body.item_id)
    item = sending.item_from_content(approved, data_date=approved.approved_at.date())
    report = sending.send(
        db,
        staff,
        wealth.audit,
        item=item,
        client_user_ids=body.client_user_ids,
        channel=body.channel,
        mass_rule=rule_named(state.settings.wecom_mass_send_rule),
    )
    db.commit()
    return SendReportPublic(
        send_id=report.send_id,
        sent=list(report.sent),
        rejected=[{"client_user_id": r.client_user_id, "reason": r.reason} for r in report.rejected],
    )


@router.get("/api/v1/compliance/archive.csv", summary="Export the send archive (CSV)")
def export_archive(
    staff: StaffDep,
    db: SessionDep,
    client_user_id: Annotated[int | None, Query(ge=1)] = None,
    advisor_id: Annotated[int | None, Query(ge=1)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Response:
    """Advisors export their own sends; compliance and operations any advisor's."""
    rows = archive.search(
        db, staff, client_user_id=client_user_id, advisor_id=advisor_id, since=since, until=until, limit=100_000
    )
    return Response(
        archive.to_csv(rows),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="send-archive.csv"'},
    )


@router.get("/api/v1/compliance/audit", summary="Audit search")
def audit(
    staff: StaffDep,
    db: SessionDep,
    client_user_id: Annotated[int | None, Query(ge=1)] = None,
    advisor_id: Annotated[int | None, Query(ge=1)] = None,
    product: Annotated[str | None, Query(max_length=32)] = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> list[dict[str, object]]:
    """Suitability checks, warnings, confirmations and content reviews (compliance and operations)."""
    if staff.role not in ("compliance", "operations", "admin"):
        raise ForbiddenError("audit search is for compliance and operations")
    rows = oversight.audit_search(
        db, staff, client_user_id=client_user_id, advisor_id=advisor_id, product=product, since=since, until=until
    )
    return [
        {
            "at": r.at.isoformat(),
            "actor": r.actor,
            "action": r.action,
            "subject": r.subject,
            "decision": r.decision,
            "rule_version": r.rule_version,
            "detail": r.detail,
        }
        for r in rows
    ]

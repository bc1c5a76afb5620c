"""The send form's work: the choices, the chosen item, the recipients and each recipient's outcome.

What an advisor may send, the chosen item as a :class:`~tandem.advisor.sending.SendItem`, the recipients (one
client or a segment of their own book), and the outcome per recipient after delivery.

Three sources, as :mod:`tandem.advisor.sending` defines them: an approved library version (its audience risk is
the bar), a stock's diagnosis brief (machine-written when a model rewrote it, so it carries the AI label), or the
client's own plan (one client only — a plan is personal). Single-stock advice is graded
:data:`SINGLE_STOCK_RISK`: a stock is one issuer's equity, so the firm grades advice on it like an equity fund
(R3) and a C1/C2 client is refused it at send time, with the reason archived.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_client_access, require_role
from tandem.advisor.content import ApprovedContent, get_approved, list_approved
from tandem.advisor.models import SendArchiveRow
from tandem.advisor.sending import SendItem, item_from_brief, item_from_content, item_from_plan
from tandem.advisor.snapshot import wealth_id
from tandem.advisor.workbench import masked_names, segment_ids
from tandem.compliance.suitability import ProductRisk
from tandem.core.errors import NotFoundError, ValidationFailed
from tandem.diagnosis.models import Diagnosis
from tandem.engagement.delivery.models import OutboxRow
from tandem.wealth.models import PlanRow

SINGLE_STOCK_RISK = ProductRisk.R3
SOURCES = ("content", "brief", "plan")


class Diagnoser(Protocol):
    """Today's diagnosis of a stock (:class:`tandem.diagnosis.service.DiagnosisService`)."""

    def diagnose(self, code: str) -> Diagnosis:
        """The latest diagnosis of ``code`` (unknown codes raise a user error with a suggestion)."""
        ...


@dataclass(frozen=True, slots=True)
class SendChoices:
    """What the form offers: approved library items and, for one client, their watched stocks and plan."""

    contents: tuple[ApprovedContent, ...]
    codes: tuple[str, ...]
    plan_id: int | None


def choices(db: Session, staff: Staff, *, client_user_id: int | None, codes: tuple[str, ...] = ()) -> SendChoices:
    """The form's options (a client id is checked first: another advisor's client is not found)."""
    require_role(staff, "advisor")
    plan_id = None
    if client_user_id is not None:
        require_client_access(db, staff, client_user_id=client_user_id)
        plan = _accepted_plan(db, client_user_id)
        plan_id = plan.id if plan is not None else None
    return SendChoices(tuple(list_approved(db)), codes, plan_id)


def _accepted_plan(db: Session, client_user_id: int) -> PlanRow | None:
    return db.scalar(
        select(PlanRow)
        .where(PlanRow.client_id == wealth_id(client_user_id), PlanRow.status == "accepted")
        .order_by(PlanRow.id.desc())
    )


def build_item(
    db: Session,
    staff: Staff,
    diagnoser: Diagnoser,
    *,
    source: str,
    item_id: int | None,
    code: str | None,
    client_user_id: int | None,
) -> SendItem:
    """The item to send, or a :class:`ValidationFailed` / :class:`NotFoundError` saying which field to fix."""
    if source == "content":
        if item_id is None:
            raise ValidationFailed("pick an approved library item to send (field item_id)")
        approved = get_approved(db, item_id=item_id)
        return item_from_content(approved, data_date=approved.approved_at.date())
    if source == "brief":
        if not code or not code.strip():
            raise ValidationFailed("name the stock whose diagnosis brief to send (field code, e.g. 600519)")
        diag = diagnoser.diagnose(code.strip())
        return item_from_brief(
            code=diag.code,
            name=diag.name,
            text=diag.brief.zh,
            data_date=diag.data_date,
            product_risk=SINGLE_STOCK_RISK,
            ai_generated=diag.brief.ai_generated,
        )
    if source == "plan":
        if client_user_id is None:
            raise ValidationFailed("a plan is personal: send it to one client (field client_user_id), not a segment")
        require_client_access(db, staff, client_user_id=client_user_id)
        plan = _accepted_plan(db, client_user_id)
        if plan is None:
            raise NotFoundError(f"client {client_user_id} has no accepted plan to send; propose one on 财富 first")
        return item_from_plan(plan)
    raise ValidationFailed(f"source must be one of {', '.join(SOURCES)}, not {source!r}")


def recipients(db: Session, staff: Staff, *, client_user_id: int | None, segment: str | None) -> list[int]:
    """One client (checked against the advisor's book) or the ids of a segment of it; exactly one must be given."""
    if (client_user_id is None) == (not segment):
        raise ValidationFailed("send to one client (client_user_id) or to a segment of your clients, not both")
    if client_user_id is not None:
        require_client_access(db, staff, client_user_id=client_user_id)
        return [client_user_id]
    return segment_ids(db, staff, segment=segment or "")


@dataclass(frozen=True, slots=True)
class RecipientOutcome:
    """One recipient of a send: masked name, suitability decision and reason, delivery status now."""

    client_user_id: int
    name: str
    category: str | None
    decision: str
    reason: str
    delivery: str


def outcome(db: Session, staff: Staff, *, send_id: str) -> list[RecipientOutcome]:
    """Every recipient of the advisor's send ``send_id`` with the live delivery status (rejected: no delivery)."""
    a = SendArchiveRow
    q = (
        select(a, OutboxRow.status, OutboxRow.last_error)
        .outerjoin(OutboxRow, OutboxRow.idempotency_key == a.outbox_key)
        .where(a.send_id == send_id, a.advisor_id == staff.user_id)
        .order_by(a.id)
    )
    rows = list(db.execute(q))
    names = masked_names(db, user_ids=[r.client_user_id for r, _, _ in rows])
    out = []
    for r, status, error in rows:
        delivery = "rejected" if r.outbox_key is None else (status or "pending")
        if delivery == "dead" and error:
            delivery = f"dead: {error}"
        out.append(
            RecipientOutcome(r.client_user_id, names.get(r.client_user_id, str(r.client_user_id)), r.category,
                             r.decision, r.reason, delivery)
        )  # fmt: skip
    return out

"""Assigning clients to advisors: one advisor per client, every change kept in the history, bulk by segment.

Only operations (or admin) assign. A bulk assignment checks every client and the advisor first and writes
nothing when any is wrong, so a rejected request changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_role
from tandem.advisor.models import AdvisorProfile, AssignmentHistory, ClientAssignment
from tandem.core.db import utcnow
from tandem.core.errors import NotFoundError, ValidationFailed
from tandem.identity import User


@dataclass(frozen=True, slots=True)
class AssignmentChange:
    """One entry of a client's advisor history."""

    client_user_id: int
    from_advisor_id: int | None
    to_advisor_id: int
    at: datetime
    actor: str
    reason: str


def set_registration_no(db: Session, staff: Staff, *, advisor_id: int, registration_no: str) -> AdvisorProfile:
    """Record the advisor's registration number (执业编号), e.g. ``A0123456789012``; operations or the advisor."""
    if staff.user_id != advisor_id:
        require_role(staff, "operations")
    number = registration_no.strip().upper()
    if not (6 <= len(number) <= 32 and number.isalnum()):
        raise ValidationFailed(
            f"registration number {registration_no!r} must be 6–32 letters or digits as issued by the SAC, "
            "e.g. A0123456789012"
        )
    _advisor(db, advisor_id)
    profile = db.get(AdvisorProfile, advisor_id)
    if profile is None:
        profile = AdvisorProfile(user_id=advisor_id, registration_no=number)
        db.add(profile)
    else:
        profile.registration_no = number
        profile.updated_at = utcnow()
    db.flush()
    return profile


def _advisor(db: Session, advisor_id: int) -> User:
    user = db.get(User, advisor_id)
    if user is None or user.role != "advisor":
        raise NotFoundError(f"no advisor with user id {advisor_id}; assign clients to an account with role advisor")
    return user


def assign_clients(
    db: Session, staff: Staff, *, client_user_ids: list[int], advisor_id: int, reason: str, now: datetime | None = None
) -> list[AssignmentChange]:
    """Assign (or reassign) each client to ``advisor_id``; returns the changes made (unchanged clients skipped)."""
    require_role(staff, "operations")
    if not reason.strip():
        raise ValidationFailed("give a reason for the assignment (e.g. 新客户分配, 投顾离职交接)")
    _advisor(db, advisor_id)
    wanted = list(dict.fromkeys(client_user_ids))
    clients = {u.id: u for u in db.scalars(select(User).where(User.id.in_(wanted)))}
    bad = [cid for cid in wanted if cid not in clients or clients[cid].role != "investor"]
    if bad:
        raise ValidationFailed(
            f"cannot assign {len(bad)} of {len(wanted)} clients: user ids {bad[:10]} are not investor accounts; "
            "nothing was assigned",
            [f"client {cid}: not an investor account" for cid in bad],
        )
    t = now or utcnow()
    current = {
        a.client_user_id: a
        for a in db.scalars(select(ClientAssignment).where(ClientAssignment.client_user_id.in_(wanted)))
    }
    changes: list[AssignmentChange] = []
    for cid in wanted:
        row = current.get(cid)
        if row is not None and row.advisor_id == advisor_id:
            continue
        previous = row.advisor_id if row is not None else None
        if row is None:
            db.add(ClientAssignment(client_user_id=cid, advisor_id=advisor_id, assigned_at=t, assigned_by=staff.actor))
        else:
            row.advisor_id, row.assigned_at, row.assigned_by = advisor_id, t, staff.actor
        change = AssignmentChange(cid, previous, advisor_id, t, staff.actor, reason.strip())
        db.add(
            AssignmentHistory(
                client_user_id=cid,
                from_advisor_id=previous,
                to_advisor_id=advisor_id,
                at=t,
                actor=staff.actor,
                reason=change.reason,
            )
        )
        changes.append(change)
    db.flush()
    return changes


def history(db: Session, *, client_user_id: int) -> list[AssignmentChange]:
    """The client's advisor changes, oldest first."""
    rows = db.scalars(
        select(AssignmentHistory)
        .where(AssignmentHistory.client_user_id == client_user_id)
        .order_by(AssignmentHistory.at, AssignmentHistory.id)
    )
    return [
        AssignmentChange(r.client_user_id, r.from_advisor_id, r.to_advisor_id, r.at, r.actor, r.reason) for r in rows
    ]

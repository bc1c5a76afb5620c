"""Compliance and operations views: audit search, sampled review of sent advice, advisor workload.

Audit search reads the append-only audit log (suitability checks, warnings, confirmations, content reviews)
by client, advisor (actor), product and date; product is matched on the entry's ``detail["product"]``.
The sample of sent advice is drawn with a seeded generator from the send archive so a reviewer (and the
regulator) can redraw exactly the same sample. Only compliance, operations and admin see these views.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_role
from tandem.advisor.models import AdvisorProfile, AdvisorTask, ClientAssignment, SendArchiveRow
from tandem.compliance.models import AuditLogRow
from tandem.core.db import utcnow
from tandem.core.errors import ValidationFailed
from tandem.identity import User

AUDIT_ACTIONS = ("suitability.check", "suitability.warning_shown", "suitability.confirmed", "content.review")


def audit_search(
    db: Session,
    staff: Staff,
    *,
    client_user_id: int | None = None,
    advisor_id: int | None = None,
    product: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int = 500,
) -> list[AuditLogRow]:
    """Audit entries matching every filter, newest first (compliance and operations only)."""
    require_role(staff, "compliance", "operations")
    if action is not None and action not in AUDIT_ACTIONS:
        raise ValidationFailed(f"action must be one of {', '.join(AUDIT_ACTIONS)}, not {action!r}")
    q = select(AuditLogRow)
    if client_user_id is not None:
        q = q.where(AuditLogRow.subject == f"client:user:{client_user_id}")
    if advisor_id is not None:
        q = q.where(AuditLogRow.actor == f"user:{advisor_id}")
    if action is not None:
        q = q.where(AuditLogRow.action == action)
    if since is not None:
        q = q.where(AuditLogRow.at >= since)
    if until is not None:
        q = q.where(AuditLogRow.at < until)
    rows = list(db.scalars(q.order_by(AuditLogRow.id.desc()).limit(limit if product is None else 100_000)))
    if product is not None:  # JSON detail: filtered here so SQLite and PostgreSQL agree
        rows = [r for r in rows if (r.detail or {}).get("product") == product][:limit]
    return rows


def sample_sent(
    db: Session, staff: Staff, *, since: datetime, until: datetime, size: int, seed: int
) -> list[SendArchiveRow]:
    """A reproducible random sample of advice actually sent in ``[since, until)`` for compliance review."""
    require_role(staff, "compliance")
    if not 1 <= size <= 1000:
        raise ValidationFailed(f"sample size must be 1–1000, not {size}")
    ids = list(
        db.scalars(
            select(SendArchiveRow.id)
            .where(SendArchiveRow.decision == "sent", SendArchiveRow.at >= since, SendArchiveRow.at < until)
            .order_by(SendArchiveRow.id)
        )
    )
    chosen = sorted(random.Random(seed).sample(ids, min(size, len(ids))))
    return list(db.scalars(select(SendArchiveRow).where(SendArchiveRow.id.in_(chosen)).order_by(SendArchiveRow.id)))


@dataclass(frozen=True, slots=True)
class Workload:
    """One advisor's load: clients, open and overdue tasks, registration number (None: cannot send)."""

    advisor_id: int
    name: str | None
    registration_no: str | None
    clients: int
    open_tasks: int
    overdue_tasks: int


def workload(db: Session, staff: Staff, *, now: datetime | None = None) -> list[Workload]:
    """Every advisor's load, busiest first (operations use it to assign and rebalance books)."""
    require_role(staff, "operations", "compliance")
    t = now or utcnow()

    def counts(q: Any) -> dict[int, int]:
        return {int(k): int(n) for k, n in db.execute(q)}

    clients = counts(select(ClientAssignment.advisor_id, func.count()).group_by(ClientAssignment.advisor_id))
    open_q = select(AdvisorTask.advisor_id, func.count()).where(AdvisorTask.status != "done")
    open_tasks = counts(open_q.group_by(AdvisorTask.advisor_id))
    late = counts(open_q.where(AdvisorTask.due_at < t).group_by(AdvisorTask.advisor_id))
    numbers = {int(u): str(n) for u, n in db.execute(select(AdvisorProfile.user_id, AdvisorProfile.registration_no))}
    out = [
        Workload(
            u.id,
            u.display_name,
            numbers.get(u.id),
            int(clients.get(u.id, 0)),
            int(open_tasks.get(u.id, 0)),
            int(late.get(u.id, 0)),
        )
        for u in db.scalars(select(User).where(User.role == "advisor").order_by(User.id))
    ]
    return sorted(out, key=lambda w: (-w.clients, w.advisor_id))

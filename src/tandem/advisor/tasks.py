"""Follow-up tasks: idempotent rule runs, the advisor's queue, done/snooze with a note, the team lead's overdue view.

A rule run inserts only proposals whose ``rule_key`` is not yet stored, so running the SOP twice (or after a
crash half-way) never duplicates a task; the unique key also stops two concurrent runs. A task belongs to the
advisor it was created for: another advisor's task is not found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff
from tandem.advisor.models import AdvisorProfile, AdvisorTask
from tandem.advisor.snapshot import aware, read_facts
from tandem.advisor.task_rules import Proposal, TaskRule, default_rules
from tandem.core.db import utcnow
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.engagement.score_changes import ScoreChange

KEY_CHUNK = 2000


@dataclass(frozen=True, slots=True)
class RunSummary:
    """What one rule run did: proposals seen, tasks created, proposals already present."""

    proposed: int
    created: int
    existing: int


def run_rules(
    db: Session,
    *,
    now: datetime | None = None,
    rules: Sequence[TaskRule] | None = None,
    changes: dict[str, ScoreChange] | None = None,
    advisor_id: int | None = None,
) -> RunSummary:
    """Evaluate the SOP over every assigned client (or one advisor's) and store the new follow-ups."""
    t = now or utcnow()
    moved = changes or {}
    proposals: dict[str, Proposal] = {}
    for f in read_facts(db, advisor_id=advisor_id).values():
        for rule in rules if rules is not None else default_rules():
            for p in rule.propose(f, now=t, changes=moved):
                proposals.setdefault(p.rule_key, p)
    keys = list(proposals)
    stored: set[str] = set()
    for i in range(0, len(keys), KEY_CHUNK):
        stored.update(db.scalars(select(AdvisorTask.rule_key).where(AdvisorTask.rule_key.in_(keys[i : i + KEY_CHUNK]))))
    new = [p for k, p in proposals.items() if k not in stored]
    db.add_all(
        AdvisorTask(
            rule_key=p.rule_key,
            kind=p.kind,
            client_user_id=p.client_user_id,
            advisor_id=p.advisor_id,
            title=p.title,
            due_at=p.due_at,
            status="open",
            created_at=t,
        )
        for p in new
    )
    db.flush()
    return RunSummary(len(proposals), len(new), len(stored))


def queue(
    db: Session, staff: Staff, *, now: datetime | None = None, client_user_id: int | None = None
) -> list[AdvisorTask]:
    """The advisor's actionable tasks by due date: open ones, and snoozed ones whose snooze has ended."""
    t = now or utcnow()
    q = select(AdvisorTask).where(
        AdvisorTask.advisor_id == staff.user_id,
        or_(AdvisorTask.status == "open", (AdvisorTask.status == "snoozed") & (AdvisorTask.snoozed_until <= t)),
    )
    if client_user_id is not None:
        q = q.where(AdvisorTask.client_user_id == client_user_id)
    return list(db.scalars(q.order_by(AdvisorTask.due_at, AdvisorTask.id)))


def _own_task(db: Session, staff: Staff, task_id: int) -> AdvisorTask:
    task = db.get(AdvisorTask, task_id)
    if task is None or task.advisor_id != staff.user_id:
        raise NotFoundError(f"no task {task_id} in your queue")
    if task.status == "done":
        raise ConflictError(f"task {task_id} is already done ({task.note}); nothing to change")
    return task


def _note(note: str) -> str:
    text = note.strip()
    if not text:
        raise ValidationFailed("write a note saying what was done or why it waits (it goes into the service record)")
    if len(text) > 500:
        raise ValidationFailed(f"the note is {len(text)} characters; keep it to 500")
    return text


def complete(db: Session, staff: Staff, *, task_id: int, note: str, now: datetime | None = None) -> AdvisorTask:
    """Mark the advisor's task done with a note."""
    text = _note(note)
    task = _own_task(db, staff, task_id)
    task.status, task.note, task.closed_at = "done", text, now or utcnow()
    db.flush()
    return task


def snooze(
    db: Session, staff: Staff, *, task_id: int, until: datetime, note: str, now: datetime | None = None
) -> AdvisorTask:
    """Put the task aside until ``until`` (which must be in the future) with a note."""
    text = _note(note)
    t = now or utcnow()
    if until <= t:
        raise ValidationFailed(f"snooze until {until.isoformat()} is not in the future; pick a later time")
    task = _own_task(db, staff, task_id)
    task.status, task.snoozed_until, task.note = "snoozed", until, text
    db.flush()
    return task


def overdue(db: Session, staff: Staff, *, now: datetime | None = None) -> list[AdvisorTask]:
    """Tasks past their due date, not done: of the lead's team (advisors naming them lead), or all for supervisors."""
    t = now or utcnow()
    q = select(AdvisorTask).where(AdvisorTask.status != "done", AdvisorTask.due_at < t)
    if not staff.supervises:
        team = select(AdvisorProfile.user_id).where(AdvisorProfile.team_lead_id == staff.user_id)
        q = q.where(AdvisorTask.advisor_id.in_(team))
    rows = list(db.scalars(q.order_by(AdvisorTask.due_at, AdvisorTask.id)))
    return [r for r in rows if r.status == "open" or (aware(r.snoozed_until) or t) <= t]

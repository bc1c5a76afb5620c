"""Persistence of plans with a history row for every change, each also written to the audit log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tandem.compliance.audit import AuditSink
from tandem.core.db import session_scope, utcnow
from tandem.core.errors import ConflictError, NotFoundError
from tandem.wealth.models import PlanHistoryRow, PlanRow
from tandem.wealth.plans import Plan


@dataclass(frozen=True, slots=True)
class PlanEvent:
    """One entry of a plan's history."""

    plan_id: int
    at: datetime
    event: str
    actor: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class StoredPlan:
    """A persisted plan's header and its payload (``Plan.to_dict()``)."""

    id: int
    client_id: str
    status: str
    payload: dict[str, Any]


class PlanRepository:
    """Save, accept and read plans; keyword-only arguments, one unit of work per call."""

    def __init__(self, *, sessions: sessionmaker[Session], audit: AuditSink) -> None:
        self._sessions = sessions
        self._audit = audit

    def save(self, *, actor: str, plan: Plan) -> int:
        """Persist a proposed plan; earlier open plans of the client are marked superseded."""
        payload = plan.to_dict()
        with session_scope(self._sessions) as s:
            for old in s.scalars(
                select(PlanRow).where(PlanRow.client_id == plan.client_id, PlanRow.status == "proposed")
            ):
                old.status = "superseded"
                old.updated_at = utcnow()
                s.add(PlanHistoryRow(plan_id=old.id, event="superseded", actor=actor, payload={}))
            row = PlanRow(
                client_id=plan.client_id,
                level=plan.level,
                strategy=plan.strategy,
                amount=plan.amount,
                synthetic=plan.synthetic,
                rule_version=plan.rule_version,
                payload=payload,
            )
            s.add(row)
            s.flush()
            s.add(PlanHistoryRow(plan_id=row.id, event="proposed", actor=actor, payload=payload))
            plan_id = row.id
        self._log(actor=actor, plan_id=plan_id, client_id=plan.client_id, event="proposed", rule=plan.rule_version)
        return plan_id

    def accept(self, *, actor: str, plan_id: int) -> StoredPlan:
        """Mark a proposed plan accepted by the client (simulated subscription; no money moves)."""
        with session_scope(self._sessions) as s:
            row = s.get(PlanRow, plan_id)
            if row is None:
                raise NotFoundError(f"no plan {plan_id}")
            if row.status != "proposed":
                raise ConflictError(f"plan {plan_id} is {row.status}; only a proposed plan can be accepted")
            row.status = "accepted"
            row.updated_at = utcnow()
            s.add(PlanHistoryRow(plan_id=plan_id, event="accepted", actor=actor, payload={}))
            stored = StoredPlan(row.id, row.client_id, row.status, dict(row.payload))
        self._log(actor=actor, plan_id=plan_id, client_id=stored.client_id, event="accepted", rule=row.rule_version)
        return stored

    def get(self, *, plan_id: int) -> StoredPlan:
        """One plan by id."""
        with session_scope(self._sessions) as s:
            row = s.get(PlanRow, plan_id)
            if row is None:
                raise NotFoundError(f"no plan {plan_id}")
            return StoredPlan(row.id, row.client_id, row.status, dict(row.payload))

    def latest_for(self, *, client_id: str) -> StoredPlan | None:
        """The client's most recent plan, if any."""
        with session_scope(self._sessions) as s:
            row = s.scalars(
                select(PlanRow).where(PlanRow.client_id == client_id).order_by(PlanRow.id.desc()).limit(1)
            ).first()
            return None if row is None else StoredPlan(row.id, row.client_id, row.status, dict(row.payload))

    def history(self, *, plan_id: int) -> list[PlanEvent]:
        """The plan's events, oldest first."""
        with session_scope(self._sessions) as s:
            rows = s.scalars(
                select(PlanHistoryRow).where(PlanHistoryRow.plan_id == plan_id).order_by(PlanHistoryRow.id)
            )
            return [PlanEvent(r.plan_id, r.at, r.event, r.actor, dict(r.payload)) for r in rows]

    def _log(self, *, actor: str, plan_id: int, client_id: str, event: str, rule: str) -> None:
        self._audit.append(
            actor=actor,
            action=f"plan.{event}",
            subject=f"client:{client_id}",
            decision=event,
            rule_version=rule,
            detail={"plan_id": plan_id},
        )

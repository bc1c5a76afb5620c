"""Submit candidate pushes: load history, run the policy, write decisions and outbox rows in one transaction."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from tandem.engagement.delivery.gcpause import cyclic_gc_paused
from tandem.engagement.delivery.outbox import load_history, write_decisions
from tandem.engagement.delivery.policy import DeliveryPolicy
from tandem.engagement.delivery.records import ClientContext, PolicyDecision, PushCandidate


class PushService:
    """The one entry point triggers use to push; the caller owns the session and its commit."""

    def __init__(self, *, policy: DeliveryPolicy) -> None:
        self._policy = policy

    def submit(
        self,
        session: Session,
        *,
        candidates: Sequence[PushCandidate],
        clients: Mapping[str, ClientContext],
        now: datetime,
    ) -> list[PolicyDecision]:
        """Decide every candidate and stage the rows in ``session`` (commit it with the change that caused them)."""
        if not candidates:
            return []
        with cyclic_gc_paused():
            history = load_history(session, candidates, quiet=self._policy.quiet, now=now)
            decisions = self._policy.decide(candidates=candidates, clients=clients, history=history, now=now)
            write_decisions(session, decisions, quiet=self._policy.quiet, now=now)
        session.flush()
        return decisions

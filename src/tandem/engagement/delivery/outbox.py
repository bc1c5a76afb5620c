"""Writing the outbox and the decision log in the caller's transaction, and reading push history back.

Nothing here commits: :func:`write_decisions` adds rows to the session the caller is already using for the
change that caused the pushes, so both commit or both roll back (the transactional outbox).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import cast

from sqlalchemy import Table, func, insert, select
from sqlalchemy.orm import Session

from tandem.compliance.disclaimers import footer
from tandem.engagement.delivery.models import OutboxRow, PushDecisionRow
from tandem.engagement.delivery.policy import PushHistory, idempotency_key
from tandem.engagement.delivery.quiet import QuietHours
from tandem.engagement.delivery.records import Outcome, PolicyDecision, PushCandidate

_DECISIONS = cast(Table, PushDecisionRow.__table__)
_OUTBOX = cast(Table, OutboxRow.__table__)
_HISTORY_OUTCOMES = (Outcome.ACCEPTED.value, Outcome.DEFERRED.value, Outcome.COLLAPSED.value)
_CHUNK = 500


def message_body(cand: PushCandidate) -> str:
    """The text a client receives: the trigger's body, then risk disclaimer, data date and (if any) AI label."""
    tail = footer(as_of=cand.data_date, kind=cand.kind, ai_generated=cand.ai_generated)
    return f"{cand.body}\n\n{tail}"


def _trace(d: PolicyDecision) -> dict[str, object]:
    c = d.candidate
    return {
        "source_events": list(c.source_events),
        "evidence": dict(c.evidence),
        "data_date": c.data_date.isoformat(),
        "basis": c.basis.value,
        "product": c.product_code,
        "product_risk": c.product_risk.value if c.product_risk else None,
        "deliver_at": d.deliver_at.isoformat() if d.deliver_at else None,
    }


def write_decisions(session: Session, decisions: Sequence[PolicyDecision], *, quiet: QuietHours, now: datetime) -> int:
    """Stage one decision row per decision and one outbox row per enqueued one; returns outbox rows added.

    Bulk ``INSERT … VALUES`` executemany statements in the caller's transaction (a rally session makes hundreds of
    thousands of decisions; ORM objects one by one cost ~20× more).
    """
    decision_rows: list[dict[str, object]] = []
    outbox_rows: list[dict[str, object]] = []
    for d in decisions:
        c = d.candidate
        trace = _trace(d)
        decision_rows.append(
            {
                "at": now,
                "client_id": c.client_id,
                "channel": c.channel,
                "category": c.category,
                "rule": c.rule,
                "dedup_key": c.dedup_key[:200],
                "candidate_key": idempotency_key(c.channel, c.client_id, c.dedup_key),
                "outbox_key": d.idempotency_key,
                "outcome": d.outcome.value,
                "reason": d.reason.value,
                "detail": d.detail,
                "trace": trace,
            }
        )
        if d.enqueued and d.idempotency_key is not None and d.deliver_at is not None:
            outbox_rows.append(
                {
                    "idempotency_key": d.idempotency_key,
                    "client_id": c.client_id,
                    "channel": c.channel,
                    "category": c.category,
                    "rule": c.rule,
                    "title": c.title[:200],
                    "body": message_body(c),
                    "payload": {**trace, "members": [m.rule for m in d.members]},
                    "local_day": quiet.local_day(d.deliver_at),
                    "status": "pending",
                    "attempts": 0,
                    "next_attempt_at": d.deliver_at,
                    "created_at": now,
                }
            )
    # Core inserts on the tables (not the ORM bulk path, which splits rows into one statement per None pattern)
    if decision_rows:
        session.execute(insert(_DECISIONS), decision_rows)
    if outbox_rows:
        session.execute(insert(_OUTBOX), outbox_rows)
    return len(outbox_rows)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def load_history(
    session: Session, candidates: Sequence[PushCandidate], *, quiet: QuietHours, now: datetime
) -> PushHistory:
    """Keys already pushed for these candidates and the per-day counts of their clients around ``now``."""
    history = PushHistory()
    keys = sorted({idempotency_key(c.channel, c.client_id, c.dedup_key) for c in candidates})
    for chunk in _chunks(keys):
        stmt = select(PushDecisionRow.candidate_key).where(
            PushDecisionRow.candidate_key.in_(chunk), PushDecisionRow.outcome.in_(_HISTORY_OUTCOMES)
        )
        history.keys.update(session.scalars(stmt))
    clients = sorted({c.client_id for c in candidates})
    first: date = quiet.local_day(now)
    last: date = quiet.local_day(now.astimezone(UTC) + timedelta(days=1))
    for chunk in _chunks(clients):
        stmt2 = (
            select(OutboxRow.client_id, OutboxRow.channel, OutboxRow.local_day, func.count())
            .where(OutboxRow.client_id.in_(chunk), OutboxRow.local_day >= first, OutboxRow.local_day <= last)
            .group_by(OutboxRow.client_id, OutboxRow.channel, OutboxRow.local_day)
        )
        for client_id, channel, day, n in session.execute(stmt2):
            history.per_client[(client_id, day)] += int(n)
            history.per_channel[(client_id, channel, day)] += int(n)
    return history

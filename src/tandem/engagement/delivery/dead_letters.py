"""Dead letters an operator can list and replay (replay re-queues the outbox row with fresh attempts)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.db import session_scope, utcnow
from tandem.core.errors import ConflictError, NotFoundError
from tandem.engagement.delivery.models import DeadLetterRow, OutboxRow


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """One dead letter as an operator sees it (client id only, no personal data)."""

    id: int
    outbox_id: int
    client_id: str
    channel: str
    category: str
    title: str
    attempts: int
    error: str
    dead_at: datetime
    replayed_at: datetime | None


def list_dead_letters(
    sessions: sessionmaker[Session], *, include_replayed: bool = False, limit: int = 100
) -> list[DeadLetter]:
    """Dead letters, oldest first; replayed ones only when asked."""
    stmt = (
        select(DeadLetterRow, OutboxRow)
        .join(OutboxRow, OutboxRow.id == DeadLetterRow.outbox_id)
        .order_by(DeadLetterRow.id)
        .limit(limit)
    )
    if not include_replayed:
        stmt = stmt.where(DeadLetterRow.replayed_at.is_(None))
    with session_scope(sessions) as s:
        return [
            DeadLetter(
                d.id,
                d.outbox_id,
                d.client_id,
                d.channel,
                o.category,
                o.title,
                d.attempts,
                d.error,
                d.dead_at,
                d.replayed_at,
            )
            for d, o in s.execute(stmt)
        ]


def replay_dead_letters(
    sessions: sessionmaker[Session], *, ids: Sequence[int], actor: str, now: datetime | None = None
) -> int:
    """Re-queue the named dead letters (all or none: an unknown or already replayed id changes nothing)."""
    at = now or utcnow()
    with session_scope(sessions) as s:
        rows = {d.id: d for d in s.scalars(select(DeadLetterRow).where(DeadLetterRow.id.in_(list(ids))))}
        missing = sorted(set(ids) - set(rows))
        if missing:
            raise NotFoundError(f"no dead letter with id {missing}; list them with `tandem engagement dead-letters`")
        done = sorted(i for i, d in rows.items() if d.replayed_at is not None)
        if done:
            raise ConflictError(f"dead letters {done} were already replayed; nothing was changed")
        for d in rows.values():
            out = s.get(OutboxRow, d.outbox_id)
            if out is None or out.status != "dead":
                raise ConflictError(f"dead letter {d.id}: its outbox row is not dead any more; nothing was changed")
            out.status = "pending"
            out.attempts = 0
            out.next_attempt_at = at
            out.last_error = None
            d.replayed_at = at
            d.replayed_by = actor
    return len(ids)

"""Outbox figures for operators: how much waits, how long the oldest due push has waited, dead letters."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.engagement.delivery.models import DeadLetterRow, OutboxRow


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """``pending``: rows not yet delivered; ``lag_seconds``: age of the oldest row already due (0 when none)."""

    pending: int
    lag_seconds: float
    dead_letters: int
    """Dead letters not yet replayed."""


def outbox_stats(db: Session, *, now: datetime | None = None) -> OutboxStats:
    """Current outbox depth and lag (the dispatcher is behind when the lag grows)."""
    now = now or datetime.now(UTC)
    pending = db.scalar(select(func.count()).select_from(OutboxRow).where(OutboxRow.status == "pending")) or 0
    oldest = db.scalar(
        select(func.min(OutboxRow.next_attempt_at)).where(
            OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now
        )
    )
    if oldest is not None and oldest.tzinfo is None:  # SQLite returns naive UTC
        oldest = oldest.replace(tzinfo=UTC)
    dead = db.scalar(select(func.count()).select_from(DeadLetterRow).where(DeadLetterRow.replayed_at.is_(None))) or 0
    lag = max(0.0, (now - oldest).total_seconds()) if oldest is not None else 0.0
    return OutboxStats(int(pending), lag, int(dead))

"""The outbox dispatcher: lease due rows, send each through its channel, retry with backoff, dead-letter.

An attempt is counted when a row is leased, so a push that kills every dispatcher that tries it is
dead-lettered after ``max_attempts`` leases instead of being retried for ever.

At-least-once: a row is leased (``locked_by``/``locked_until``) in one short transaction, sent, then marked
sent in another. A dispatcher killed after sending but before marking leaves a lease that expires; the next
dispatcher sends again and the channel's idempotency on the key makes that a no-op, so nothing is lost and
nothing reaches the same channel key twice.

With ``quiet`` (the policy's :class:`~.quiet.QuietHours`) nothing is delivered inside quiet hours — not a row
that fell due before the window while no dispatcher ran, not a replayed dead letter — and a retry's backoff that
would end inside the window is moved to its end.

Several dispatchers may run at once. The lease is one ``UPDATE … WHERE id IN (SELECT … FOR UPDATE SKIP
LOCKED)`` that re-checks the due condition: on PostgreSQL concurrent dispatchers skip each other's rows; on
SQLite (which ignores ``FOR UPDATE`` and serialises writers) the re-checked condition makes the second writer
lease nothing the first one took.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.sql.elements import ColumnElement

from tandem.core.db import session_scope, utcnow
from tandem.core.errors import UserError
from tandem.engagement.delivery.channels.base import (
    Channel,
    OutgoingMessage,
    PermanentChannelError,
    TransientChannelError,
)
from tandem.engagement.delivery.models import DeadLetterRow, OutboxRow
from tandem.engagement.delivery.quiet import QuietHours

ERROR_CHARS = 500


@dataclass(frozen=True, slots=True)
class DispatchConfig:
    """Retry policy and lease size of one dispatcher."""

    max_attempts: int = 5
    backoff_base: timedelta = timedelta(seconds=30)
    backoff_cap: timedelta = timedelta(hours=2)
    lease: timedelta = timedelta(minutes=2)
    batch: int = 100

    def __post_init__(self) -> None:
        if self.max_attempts < 1 or self.batch < 1:
            raise UserError("dispatch max_attempts and batch must be at least 1")

    def backoff(self, attempts: int) -> timedelta:
        """Delay before attempt ``attempts + 1``: base × 2^(attempts−1), capped."""
        delay: timedelta = self.backoff_base * (2 ** max(0, attempts - 1))
        return min(delay, self.backoff_cap)


@dataclass(slots=True)
class DispatchReport:
    """Counts of one :meth:`Dispatcher.run_once` pass."""

    leased: int = 0
    sent: int = 0
    retried: int = 0
    dead: int = 0
    errors: list[str] = field(default_factory=list)


def _due(now: datetime, channels: list[str]) -> ColumnElement[bool]:
    return and_(
        OutboxRow.channel.in_(channels),
        or_(
            and_(OutboxRow.status == "pending", OutboxRow.next_attempt_at <= now),
            and_(OutboxRow.status == "sending", OutboxRow.locked_until < now),
        ),
    )


class Dispatcher:
    """Deliver due outbox rows through the given channels (only rows of those channels are leased)."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        channels: Mapping[str, Channel],
        config: DispatchConfig | None = None,
        clock: Callable[[], datetime] = utcnow,
        quiet: QuietHours | None = None,
    ) -> None:
        if not channels:
            raise UserError("a dispatcher needs at least one channel")
        self._sessions = sessions
        self._channels = dict(channels)
        self._config = config or DispatchConfig()
        self._clock = clock
        self._quiet = quiet
        self.token = uuid.uuid4().hex

    def lease(self) -> list[OutgoingMessage]:
        """Lease up to ``batch`` due rows for this dispatcher and return them as messages."""
        now = self._clock()
        if self._quiet is not None and self._quiet.contains(now):
            return []  # rows due before the window (dispatcher down, replays) wait for its end too
        names = sorted(self._channels)
        ids = (
            select(OutboxRow.id)
            .where(_due(now, names))
            .order_by(OutboxRow.next_attempt_at, OutboxRow.id)
            .limit(self._config.batch)
            .with_for_update(skip_locked=True)
        )
        with session_scope(self._sessions) as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.id.in_(ids), _due(now, names))
                .values(
                    status="sending",
                    locked_by=self.token,
                    locked_until=now + self._config.lease,
                    attempts=OutboxRow.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            rows = s.scalars(
                select(OutboxRow)
                .where(OutboxRow.locked_by == self.token, OutboxRow.status == "sending")
                .order_by(OutboxRow.id)
            ).all()
            return [
                OutgoingMessage(
                    r.idempotency_key, r.client_id, r.channel, r.category, r.title, r.body, r.payload, r.attempts
                )
                for r in rows
            ]

    def run_once(self, *, on_result: Callable[[OutgoingMessage, str], None] | None = None) -> DispatchReport:
        """Lease one batch and deliver it; ``on_result(message, outcome)`` is told each outcome (progress bars)."""
        report = DispatchReport()
        messages = self.lease()
        report.leased = len(messages)
        for msg in messages:
            outcome = self._deliver(msg, report)
            if on_result is not None:
                on_result(msg, outcome)
        return report

    def _deliver(self, msg: OutgoingMessage, report: DispatchReport) -> str:
        if msg.attempt > self._config.max_attempts:  # leased again and again: each dispatcher died on it
            error = f"lease expired {msg.attempt - 1} times: a dispatcher died while delivering it (poison message?)"
            self._fail(msg, error, permanent=True, report=report)
            return "dead"
        try:
            self._channels[msg.channel].send(msg)
        except PermanentChannelError as exc:
            self._fail(msg, str(exc), permanent=True, report=report)
            return "dead"
        except TransientChannelError as exc:
            return self._fail(msg, str(exc), permanent=False, report=report, retry_after=exc.retry_after)
        except Exception as exc:  # any other failure is retried: the channel may be down
            return self._fail(msg, f"{type(exc).__name__}: {exc}", permanent=False, report=report)
        with session_scope(self._sessions) as s:
            s.execute(
                update(OutboxRow)
                .where(OutboxRow.idempotency_key == msg.idempotency_key, OutboxRow.locked_by == self.token)
                .values(status="sent", sent_at=self._clock(), locked_by=None, locked_until=None)
            )
        report.sent += 1
        return "sent"

    def _fail(
        self,
        msg: OutgoingMessage,
        error: str,
        *,
        permanent: bool,
        report: DispatchReport,
        retry_after: float | None = None,
    ) -> str:
        report.errors.append(f"{msg.channel} {msg.idempotency_key[:12]}: {error}"[:ERROR_CHARS])
        now = self._clock()
        with session_scope(self._sessions) as s:
            row = s.scalar(
                select(OutboxRow).where(
                    OutboxRow.idempotency_key == msg.idempotency_key, OutboxRow.locked_by == self.token
                )
            )
            if row is None:
                return "lost_lease"
            row.last_error = error[:ERROR_CHARS]
            row.locked_by = None
            row.locked_until = None
            if retry_after is not None and not permanent:  # throttled: retry when the far end said, attempt not spent
                row.status = "pending"
                row.attempts = max(0, row.attempts - 1)
                retry_at = now + timedelta(seconds=max(0.0, retry_after))
                row.next_attempt_at = self._quiet.next_open(retry_at) if self._quiet is not None else retry_at
                report.retried += 1
                return "retry"
            if permanent or row.attempts >= self._config.max_attempts:
                row.status = "dead"
                s.add(
                    DeadLetterRow(
                        outbox_id=row.id,
                        client_id=row.client_id,
                        channel=row.channel,
                        attempts=row.attempts,
                        error=error[:ERROR_CHARS],
                        dead_at=now,
                    )
                )
                report.dead += 1
                return "dead"
            row.status = "pending"
            retry_at = now + self._config.backoff(row.attempts)
            row.next_attempt_at = self._quiet.next_open(retry_at) if self._quiet is not None else retry_at
        report.retried += 1
        return "retry"

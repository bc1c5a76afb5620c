"""Claiming a daily job's run for a day, keeping the claim alive, and recording how it ended.

The claim is an ``INSERT`` of the (job, day) primary key: of any number of schedulers on SQLite or PostgreSQL
exactly one insert succeeds, the others get an integrity error and skip the job for that day. A scheduler that
dies mid-run stops renewing ``heartbeat_at``; after ``lease`` seconds without a heartbeat another scheduler may take
the run over with a compare-and-set ``UPDATE`` (again one winner), so a crash delays the day's run but never
loses it, and a live run is never started twice. A scheduler that is being stopped (a deploy) releases the run it
interrupted, so the restarted scheduler runs it again the same day.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tandem.compute.daily.models import DailyRun, RunStatus
from tandem.core.db import session_scope, utcnow

DEFAULT_LEASE_SECONDS = 300.0
"""How long a run may go without a heartbeat before another scheduler takes it over."""


def claim(
    sessions: sessionmaker[Session], *, job: str, day: date, owner: str, lease: float, now: datetime | None = None
) -> bool:
    """True when ``owner`` now holds the (job, day) run: it inserted the row, or took over a lapsed lease."""
    t = now or utcnow()
    try:
        with session_scope(sessions) as s:
            s.add(
                DailyRun(
                    job=job, day=day, status=RunStatus.RUNNING.value, owner=owner, attempts=1,
                    started_at=t, heartbeat_at=t,
                )
            )  # fmt: skip
        return True
    except IntegrityError:
        pass
    with session_scope(sessions) as s:
        taken = s.execute(
            update(DailyRun)
            .where(
                DailyRun.job == job,
                DailyRun.day == day,
                DailyRun.status == RunStatus.RUNNING.value,
                DailyRun.heartbeat_at < t - timedelta(seconds=lease),
            )
            .values(owner=owner, started_at=t, heartbeat_at=t, attempts=DailyRun.attempts + 1)
        )
        return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def renew(sessions: sessionmaker[Session], *, job: str, day: date, owner: str) -> bool:
    """Push the heartbeat of a run ``owner`` holds; False when it lost the run (taken over after a stall)."""
    with session_scope(sessions) as s:
        done = s.execute(
            update(DailyRun)
            .where(DailyRun.job == job, DailyRun.day == day, DailyRun.owner == owner)
            .where(DailyRun.status == RunStatus.RUNNING.value)
            .values(heartbeat_at=utcnow())
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def finish(
    sessions: sessionmaker[Session], *, job: str, day: date, owner: str, ok: bool, detail: str | None = None
) -> bool:
    """Record the end of ``owner``'s run; False (nothing written) when another scheduler holds it now."""
    status = RunStatus.DONE if ok else RunStatus.FAILED
    with session_scope(sessions) as s:
        done = s.execute(
            update(DailyRun)
            .where(DailyRun.job == job, DailyRun.day == day, DailyRun.owner == owner)
            .where(DailyRun.status == RunStatus.RUNNING.value)
            .values(status=status.value, finished_at=utcnow(), detail=detail)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def release(sessions: sessionmaker[Session], *, job: str, day: date, owner: str) -> bool:
    """Give up ``owner``'s unfinished run (its scheduler is stopping): the next scheduler check runs it again."""
    with session_scope(sessions) as s:
        done = s.execute(
            delete(DailyRun)
            .where(DailyRun.job == job, DailyRun.day == day, DailyRun.owner == owner)
            .where(DailyRun.status == RunStatus.RUNNING.value)
        )
        return bool(done.rowcount == 1)  # type: ignore[attr-defined]


def runs_of(sessions: sessionmaker[Session], *, day: date) -> list[DailyRun]:
    """Every run recorded for ``day`` (``tandem scheduler status``), by job."""
    with session_scope(sessions) as s:
        rows = list(s.scalars(select(DailyRun).where(DailyRun.day == day).order_by(DailyRun.job)))
        for r in rows:
            s.expunge(r)
        return rows

"""Queue figures for operators (the ``/metrics`` job-queue gauges)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.backtest.jobs.models import BacktestJob, JobStatus


def queue_depth(db: Session) -> dict[str, int]:
    """Number of backtest jobs queued and running right now."""
    rows = db.execute(
        select(BacktestJob.status, func.count())
        .where(BacktestJob.status.in_([JobStatus.QUEUED.value, JobStatus.RUNNING.value]))
        .group_by(BacktestJob.status)
    ).all()
    found = {str(status): int(n) for status, n in rows}
    return {s.value: found.get(s.value, 0) for s in (JobStatus.QUEUED, JobStatus.RUNNING)}

"""A backtest job worker process for the multi-process tests: runs a JobService until every job finished.

Run as ``python job_worker_proc.py DB_URL MARKET_DIR N``; prints ``{"claimed": [...]}``, the ids this process won.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from sqlalchemy import func, select

from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.jobs.service import JobLimits, JobService
from tandem.core.db import make_engine, make_sessionmaker


class RecordingJobService(JobService):
    """The real service, remembering which jobs this process claimed."""

    claimed: list[int]

    def _claim_next(self) -> tuple[int, str] | None:
        won = super()._claim_next()
        if won is not None:
            self.claimed.append(won[0])
        return won


def main(url: str, market_dir: str, total: int) -> None:
    """Work until ``total`` jobs are finished (by any process), then print what this one claimed."""
    sessions = make_sessionmaker(make_engine(url))
    service = RecordingJobService(sessions, Path(market_dir), limits=JobLimits(seconds=120))
    service.claimed = []
    service.start()
    finished = (JobStatus.DONE.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value)
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        with sessions() as s:
            if s.scalar(select(func.count()).where(BacktestJob.status.in_(finished))) == total:
                break
        time.sleep(0.2)
    service.stop(timeout=30)
    sys.stdout.write(json.dumps({"claimed": service.claimed}) + "\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))

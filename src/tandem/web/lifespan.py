"""The backtest job service's place in the app: one service per server process, started and stopped by the lifespan.

Each uvicorn worker builds its own :class:`JobService`; they share the DB, where a job is claimed atomically, so
``--workers 2`` never runs a job twice (see :mod:`tandem.backtest.jobs.service`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tandem.backtest.jobs.service import JobLimits, JobService

DEFAULT_LIMITS = JobLimits(seconds=300.0, memory_mb=4096)


def job_service(sessions: sessionmaker[Session], market_dir: Path) -> JobService:
    """One job service per server process with one worker thread (the other core keeps serving requests)."""
    return JobService(sessions, market_dir, workers=1, limits=DEFAULT_LIMITS)


def jobs_lifespan(jobs: JobService) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """The app lifespan: start the job workers with the server, stop them and close WeCom's connections on shutdown."""

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        jobs.start()
        try:
            yield
        finally:
            jobs.stop(timeout=5.0)
            wecom = getattr(app.state, "wecom", None)
            if wecom is not None:
                wecom.close()

    return lifespan

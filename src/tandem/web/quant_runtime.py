"""The backtest job service's place in the app: its tables, one service per server process, the lifespan.

Each uvicorn worker builds its own :class:`JobService`; they share the DB, where a job is claimed atomically, so
``--workers 2`` never runs a job twice (see :mod:`tandem.backtest.jobs.service`).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Annotated, Any, cast

from fastapi import Depends, Request
from sqlalchemy import Table, inspect
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tandem.backtest.jobs.models import BacktestJob
from tandem.backtest.jobs.service import JobLimits, JobService
from tandem.backtest.screener.models import SavedScreen
from tandem.core.db import Base

QUANT_TABLES: tuple[Table, ...] = (cast(Table, BacktestJob.__table__), cast(Table, SavedScreen.__table__))
DEFAULT_LIMITS = JobLimits(seconds=300.0, memory_mb=4096)


def ensure_quant_schema(engine: Engine) -> None:
    """Create the backtest and saved-screen tables on a DB that Alembic does not manage yet (fresh dev/test DB).

    A DB with an ``alembic_version`` table is left to the migrations; a missing table there is a deployment error.
    """
    names = set(inspect(engine).get_table_names())
    missing = [t for t in QUANT_TABLES if t.name not in names]
    if not missing:
        return
    if "alembic_version" in names:
        raise RuntimeError(
            f"the database lacks tables {[t.name for t in missing]}; run the Alembic migrations (make run does)"
        )
    try:
        Base.metadata.create_all(engine, tables=list(QUANT_TABLES), checkfirst=True)
    except OperationalError:  # another worker created them at the same moment
        still = set(inspect(engine).get_table_names())
        if any(t.name not in still for t in QUANT_TABLES):
            raise


def job_service(sessions: sessionmaker[Session], market_dir: Path) -> JobService:
    """One job service per server process with one worker thread (the other core keeps serving requests)."""
    return JobService(sessions, market_dir, workers=1, limits=DEFAULT_LIMITS)


def jobs_lifespan(jobs: JobService) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """The app lifespan: start the job workers with the server, stop them on shutdown."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        jobs.start()
        try:
            yield
        finally:
            jobs.stop(timeout=5.0)

    return lifespan


def get_jobs(request: Request) -> JobService:
    """The process's job service (started by the lifespan; started here too when a server runs without it)."""
    jobs: JobService = request.app.state.backtest_jobs
    jobs.start()
    return jobs


JobsDep = Annotated[JobService, Depends(get_jobs)]

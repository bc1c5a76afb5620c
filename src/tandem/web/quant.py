"""The 量化 tab's services for handlers: run screens on the store, submit and read backtest jobs per user.

Backtests run in :class:`~tandem.backtest.jobs.service.JobService` (child processes under time and memory
limits, the DB row is the queue); this module only checks what a user sends before it is queued (codes exist,
not too many active jobs) and turns rows into the public schemas. Only declarative specs ever get here.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from typing import Any

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.jobs.service import JobService
from tandem.backtest.screener.evaluate import run_screen
from tandem.backtest.screener.sources import StoreScreenData
from tandem.backtest.spec import StrategySpec
from tandem.core.errors import ConflictError
from tandem.marketdata.store import MarketStore
from tandem.web.errors import TooManyRequestsError
from tandem.web.schemas.quant import (
    BacktestJobPublic,
    BacktestJobSummary,
    BacktestResultPublic,
    Cell,
    ScreenResultPublic,
)
from tandem.web.state import AppState

MAX_ACTIVE_JOBS = 3
"""Queued + running backtests one user may have at a time (the queue is shared by every client)."""
_COLUMN = re.compile(r"at column (\d+)")


def error_column(message: str) -> int | None:
    """The 1-based column a screen syntax error points at, if its message names one."""
    m = _COLUMN.search(message)
    return int(m.group(1)) if m else None


def last_day(store: MarketStore) -> date:
    """The last trading day in the store (the default screen day)."""
    return date.fromisoformat(str(store.info()["last_date"]))


def _cell(v: object) -> Cell:
    if isinstance(v, float | int) and not isinstance(v, bool):
        f = float(v)
        return round(f, 6) if math.isfinite(f) else None
    return None if v is None else str(v)


def screen(state: AppState, expression: str, day: date | None, limit: int) -> ScreenResultPublic:
    """Evaluate ``expression`` on ``day`` over every stock, with names; raises ScreenSyntaxError on bad input."""
    with state.store_lock:
        d = day or last_day(state.store)
        table = run_screen(expression, d, StoreScreenData(state.store))
        names = state.store.instruments().set_index("code")["name"]
    table.insert(1, "name", table["code"].map(names).fillna(""))
    table = table.drop(columns="date")
    rows = [[_cell(v) for v in r] for r in table.head(limit).itertuples(index=False)]
    return ScreenResultPublic(
        expression=expression, date=d, count=len(table), columns=[str(c) for c in table.columns], rows=rows,
        truncated=len(table) > limit,
    )  # fmt: skip


def check_spec(state: AppState, spec: StrategySpec) -> None:
    """Unknown universe codes fail now (404 with a suggestion) instead of minutes later in the job."""
    if spec.universe:
        with state.store_lock:
            for code in spec.universe:
                state.store.instrument(code)
    if spec.benchmark:
        with state.store_lock:
            state.store.instrument(spec.benchmark)


def submit(db: Session, jobs: JobService, *, user_id: int, spec: StrategySpec) -> BacktestJob:
    """Queue a spec for the user unless they already have :data:`MAX_ACTIVE_JOBS` active."""
    active = db.scalar(
        select(func.count())
        .select_from(BacktestJob)
        .where(
            BacktestJob.owner_user_id == user_id,
            BacktestJob.status.in_((JobStatus.QUEUED.value, JobStatus.RUNNING.value)),
        )
    )
    if (active or 0) >= MAX_ACTIVE_JOBS:
        raise TooManyRequestsError(
            f"you already have {active} backtests queued or running (at most {MAX_ACTIVE_JOBS}); "
            "wait for one to finish or cancel it",
            retry_after=10,
        )
    return jobs.submit(owner_user_id=user_id, spec=spec)


def list_jobs(db: Session, *, user_id: int, offset: int, limit: int) -> tuple[list[BacktestJobSummary], int]:
    """The user's jobs newest first, without loading results (only the total return is read from the JSON)."""
    mine = BacktestJob.owner_user_id == user_id
    total = db.scalar(select(func.count()).select_from(BacktestJob).where(mine)) or 0
    tr = BacktestJob.result["metrics"]["total_return"].as_float()
    q = (
        select(BacktestJob.id, BacktestJob.spec["name"].as_string(), BacktestJob.status, BacktestJob.progress,
               BacktestJob.error, tr, BacktestJob.created_at, BacktestJob.finished_at)
        .where(mine).order_by(BacktestJob.id.desc()).offset(offset).limit(limit)
    )  # fmt: skip
    items = [_summary(*r) for r in db.execute(q)]
    return items, total


def _summary(
    job_id: int, name: str | None, status: str, progress: float, error: str | None, total_return: float | None,
    created_at: datetime, finished_at: datetime | None,
) -> BacktestJobSummary:  # fmt: skip
    tr = total_return if total_return is None or math.isfinite(total_return) else None
    return BacktestJobSummary(
        id=job_id, name=name or "strategy", status=status, progress=progress, error=error, total_return=tr,
        created_at=created_at, finished_at=finished_at,
    )  # fmt: skip


def public_job(job: BacktestJob) -> BacktestJobPublic:
    """The API view of a job (positions and the tear sheet are served by their own endpoints)."""
    result = None
    if job.status == JobStatus.DONE and job.result:
        keep = set(BacktestResultPublic.model_fields)
        result = BacktestResultPublic.model_validate({k: v for k, v in job.result.items() if k in keep})
    return BacktestJobPublic(
        id=job.id, name=str(job.spec.get("name") or "strategy"), status=job.status, progress=job.progress,
        error=job.error, spec=job.spec, created_at=job.created_at, started_at=job.started_at,
        finished_at=job.finished_at, result=result,
    )  # fmt: skip


def finished_result(jobs: JobService, *, user_id: int, job_id: int) -> dict[str, Any]:
    """The stored result of one of the user's finished jobs (404 for other users' jobs, 409 before it is done)."""
    job = jobs.get(owner_user_id=user_id, job_id=job_id)
    if job.status != JobStatus.DONE or not job.result:
        raise ConflictError(f"backtest {job_id} has no result yet (status {job.status}); wait until it is done")
    return job.result


def trades_csv(result: dict[str, Any]) -> str:
    """Trades as CSV: date, code, side, qty, price, fee."""
    cols = ["date", "code", "side", "qty", "price", "fee"]
    return str(pd.DataFrame(result.get("trades") or [], columns=cols).to_csv(index=False))


def positions_csv(result: dict[str, Any]) -> str:
    """Daily holdings as CSV: date, code, shares, close, value, weight."""
    cols = ["date", "code", "shares", "close", "value", "weight"]
    return str(pd.DataFrame(result.get("positions") or [], columns=cols).to_csv(index=False))

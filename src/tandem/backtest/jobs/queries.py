"""Per-user queries over screens and backtest jobs: run a screen with names, check and queue a spec, list jobs.

Backtests run in :class:`~tandem.backtest.jobs.service.JobService` (child processes under time and memory
limits, the DB row is the queue); this module only checks what a user sends before it is queued (codes exist,
not too many active jobs) and reads rows back as records. Only declarative specs ever get here. The web maps
the records to its schemas.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
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
from tandem.core.errors import ConflictError, UserError
from tandem.marketdata.quote import instrument
from tandem.marketdata.store import MarketStore

MAX_ACTIVE_JOBS = 3
"""Queued + running backtests one user may have at a time (the queue is shared by every client)."""
_COLUMN = re.compile(r"at column (\d+)")
Cell = float | str | None


class TooManyActiveJobsError(UserError):
    """The user already has :data:`MAX_ACTIVE_JOBS` backtests queued or running (429, retry after a while)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True, slots=True)
class ScreenResult:
    """A screen's matches on one day: column names and rows of finite numbers or text."""

    expression: str
    date: date
    count: int
    columns: list[str]
    rows: list[list[Cell]]
    truncated: bool


@dataclass(frozen=True, slots=True)
class JobSummary:
    """One job in a list (no result payload; only the total return read from its JSON)."""

    id: int
    name: str
    status: str
    progress: float
    error: str | None
    total_return: float | None
    created_at: datetime
    finished_at: datetime | None


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


def screen(
    store: MarketStore, *, expression: str, day: date | None, limit: int, industry: str | None = None
) -> ScreenResult:
    """Evaluate ``expression`` on ``day`` over every stock (or one industry as of ``day``), with names.

    Raises ScreenSyntaxError on bad input (an unknown industry included).
    """
    d = day or last_day(store)
    table = run_screen(expression, d, StoreScreenData(store), industry=industry)
    names = store.instruments().set_index("code")["name"]
    table.insert(1, "name", table["code"].map(names).fillna(""))
    table = table.drop(columns="date")
    rows = [[_cell(v) for v in r] for r in table.head(limit).itertuples(index=False)]
    return ScreenResult(
        expression=expression, date=d, count=len(table), columns=[str(c) for c in table.columns], rows=rows,
        truncated=len(table) > limit,
    )  # fmt: skip


def check_spec(store: MarketStore, spec: StrategySpec) -> None:
    """Unknown universe codes fail now (404 with a suggestion) instead of minutes later in the job."""
    for code in spec.universe or ():
        instrument(store, code)
    if spec.benchmark:
        instrument(store, spec.benchmark)


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
        raise TooManyActiveJobsError(
            f"you already have {active} backtests queued or running (at most {MAX_ACTIVE_JOBS}); "
            "wait for one to finish or cancel it",
            retry_after=10,
        )
    return jobs.submit(owner_user_id=user_id, spec=spec)


def list_jobs(db: Session, *, user_id: int, offset: int, limit: int) -> tuple[list[JobSummary], int]:
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
) -> JobSummary:  # fmt: skip
    tr = total_return if total_return is None or math.isfinite(total_return) else None
    return JobSummary(
        id=job_id, name=name or "strategy", status=status, progress=progress, error=error, total_return=tr,
        created_at=created_at, finished_at=finished_at,
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

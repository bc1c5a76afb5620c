"""``/api/v1/backtests``: submit a declarative strategy as a job, follow it, cancel it, read and export results.

Only JSON specs (:class:`~tandem.backtest.spec.StrategySpec`, unknown fields rejected) are accepted: user Python
runs only through the local CLI/SDK, never through the web. Every job is visible to its owner only (404 otherwise).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, status
from fastapi.responses import HTMLResponse, Response

from tandem.backtest.jobs import queries as quant
from tandem.backtest.spec import StrategySpec
from tandem.web.deps import CurrentUser, JobsDep, SessionDep, StateDep
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.schemas import Page
from tandem.web.schemas.quant import BacktestJobPublic, BacktestJobSummary
from tandem.web.views.quant import job_summary_public, public_job

router = APIRouter(prefix="/api/v1/backtests", tags=["backtests"], responses=PROBLEM_RESPONSES)
JobId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_HTML: dict[int | str, dict[str, Any]] = {200: {"content": {"text/html": {}}}}
_CSV: dict[int | str, dict[str, Any]] = {200: {"content": {"text/csv": {}}}}
_TOO_MANY: dict[int | str, dict[str, Any]] = {429: PROBLEM_RESPONSES[400] | {"description": "Too many active jobs"}}
_CONFLICT: dict[int | str, dict[str, Any]] = {
    409: PROBLEM_RESPONSES[400] | {"description": "The job is not in a state that allows this"}
}


@router.post(
    "",
    summary="Queue a declarative backtest",
    status_code=status.HTTP_202_ACCEPTED,
    responses=_TOO_MANY,
)
def create_backtest(
    spec: StrategySpec, user: CurrentUser, state: StateDep, db: SessionDep, jobs: JobsDep
) -> BacktestJobPublic:
    """Screen + ranking + rebalance rule + position sizing + dates + benchmark, as JSON (never code).

    The job runs in a separate process with time and memory limits; poll ``GET /api/v1/backtests/{id}``.
    """
    quant.check_spec(state.store, spec)
    return public_job(quant.submit(db, jobs, user_id=user.id, spec=spec))


@router.get("", summary="My backtests, newest first")
def list_backtests(
    user: CurrentUser,
    db: SessionDep,
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[BacktestJobSummary]:
    """Status, progress and total return of each job (results are read one job at a time)."""
    items, total = quant.list_jobs(db, user_id=user.id, offset=offset, limit=limit)
    return Page(items=[job_summary_public(i) for i in items], total=total, offset=offset, limit=limit)


@router.get("/{job_id}", summary="One backtest: status, progress and result")
def get_backtest(job_id: JobId, user: CurrentUser, jobs: JobsDep) -> BacktestJobPublic:
    """``result`` (metrics, equity vs benchmark, trades, rule events) is filled once ``status`` is ``done``."""
    return public_job(jobs.get(owner_user_id=user.id, job_id=job_id))


@router.post("/{job_id}/cancel", summary="Cancel a queued or running backtest", responses=_CONFLICT)
def cancel_backtest(job_id: JobId, user: CurrentUser, jobs: JobsDep) -> BacktestJobPublic:
    """A finished job cannot be cancelled (409)."""
    return public_job(jobs.cancel(owner_user_id=user.id, job_id=job_id))


@router.get(
    "/{job_id}/report",
    summary="HTML tear sheet",
    response_class=HTMLResponse,
    responses=_HTML | _CONFLICT,
)
def get_report(job_id: JobId, user: CurrentUser, jobs: JobsDep) -> HTMLResponse:
    """Equity vs benchmark, drawdown, monthly returns heatmap, rule events and trades (self-contained page)."""
    result = quant.finished_result(jobs, user_id=user.id, job_id=job_id)
    return HTMLResponse(str(result.get("report_html") or ""), headers={"cache-control": "private, max-age=3600"})


def _csv(text: str, name: str) -> Response:
    return Response(
        text.encode("utf-8-sig"),  # the BOM makes Excel read the Chinese-locale CSV as UTF-8
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/{job_id}/trades.csv",
    summary="Trades as CSV",
    response_class=Response,
    responses=_CSV | _CONFLICT,
)
def get_trades_csv(job_id: JobId, user: CurrentUser, jobs: JobsDep) -> Response:
    """date, code, side, qty, price, fee."""
    return _csv(quant.trades_csv(quant.finished_result(jobs, user_id=user.id, job_id=job_id)), f"trades_{job_id}.csv")


@router.get(
    "/{job_id}/positions.csv",
    summary="Daily positions as CSV",
    response_class=Response,
    responses=_CSV | _CONFLICT,
)
def get_positions_csv(job_id: JobId, user: CurrentUser, jobs: JobsDep) -> Response:
    """date, code, shares, close, value, weight for every day a position was held."""
    result = quant.finished_result(jobs, user_id=user.id, job_id=job_id)
    return _csv(quant.positions_csv(result), f"positions_{job_id}.csv")

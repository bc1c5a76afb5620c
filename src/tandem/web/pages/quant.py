"""量化 tab pages: the screener, the declarative backtest builder, job progress (htmx polling) and results.

The builder posts plain form fields; they become a :class:`~tandem.backtest.spec.StrategySpec` in
:func:`tandem.backtest.jobs.form.spec_from_form` (never code),
go through the same checks and job service as ``POST /api/v1/backtests``, and the job partial polls until done.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form
from fastapi.responses import HTMLResponse, Response

from tandem.backtest.jobs import queries as quant
from tandem.backtest.jobs.form import spec_from_form
from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.jobs.result_panel import result_panel
from tandem.backtest.screener.models import list_screens, save_screen
from tandem.core.errors import UserError
from tandem.identity import User
from tandem.operations.server_events import record_backtest
from tandem.web.deps import JobsDep
from tandem.web.pages.base import MemberPage, PageCall, VisitorPage, login_needed
from tandem.web.views.quant import public_job, screen_public

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
EXAMPLES = (
    "pe_ttm > 0 and pe_ttm < 15",
    "pb < 1.5 and roe > 0.02",
    "close > ma(close, 60)",
    "close > ma(close, 20) and pct_change(close, 20) > 0",
)
Text = Annotated[str, Form(max_length=2000)]


@router.get("/quant")
def quant_page(p: VisitorPage) -> Response:
    """量化: screener box with examples, backtest builder, my jobs (a visitor: why it needs login)."""
    if p.user is None:
        return login_needed(p.request, p.state, p.lang, "quant")
    last = quant.last_day(p.state.store)
    jobs, _ = quant.list_jobs(p.db, user_id=p.user.id, offset=0, limit=10)
    return p.render(
        "quant.html", "quant", examples=EXAMPLES, last_day=last, jobs=jobs,
        screens=list_screens(p.db, owner_user_id=p.user.id), default_start=date(last.year - 2, 1, 1),
    )  # fmt: skip


def _error(p: PageCall[User], message: str, status: int = 200) -> Response:
    return p.render("partials/error.html", error=message, status_code=status)


@router.post("/quant/screen")
def run_screen_page(
    p: MemberPage, expression: Text, day: Annotated[str, Form()] = "",
    industry: Annotated[str, Form(max_length=40)] = "",
) -> Response:  # fmt: skip
    """Htmx: the screen's result table (errors show inline with the column); an industry as classified that day."""
    try:
        d = date.fromisoformat(day) if day else None
        found = quant.screen(p.state.store, expression=expression, day=d, limit=200, industry=industry.strip() or None)
    except ValueError:
        return _error(p, f"{day!r} is not a date; use YYYY-MM-DD")
    except UserError as exc:
        return _error(p, str(exc))
    return p.render("partials/quant_screen_results.html", result=screen_public(found))


@router.post("/quant/screens")
def save_screen_page(p: MemberPage, expression: Text, name: Annotated[str, Form(max_length=80)] = "") -> Response:
    """Htmx: keep the screen under a name; returns the refreshed saved list."""
    try:
        save_screen(p.db, owner_user_id=p.user.id, name=name or expression[:40], expression=expression)
        p.db.commit()
    except UserError as exc:
        return _error(p, str(exc))
    return p.render("partials/quant_saved.html", screens=list_screens(p.db, owner_user_id=p.user.id))


@router.post("/quant/backtests")
async def submit_page(p: MemberPage, jobs: JobsDep) -> Response:
    """Htmx: queue the builder's strategy and return the progress partial (which polls itself)."""
    form = {k: str(v).strip() for k, v in (await p.request.form()).items()}
    try:
        spec = spec_from_form(form)
        quant.check_spec(p.state.store, spec)
        job = quant.submit(p.db, jobs, user_id=p.user.id, spec=spec)
    except UserError as exc:
        return _error(p, str(exc))
    record_backtest(p.request.app.state.events, p.user.id, spec.name, job.id)
    resp = _job_partial(p, job)
    resp.headers["HX-Trigger"] = "jobs-changed"
    return resp


def _job_partial(p: PageCall[User], job: BacktestJob) -> Response:
    return p.render("partials/quant_job.html", job=public_job(job), **result_panel(job, p.lang))


@router.get("/quant/backtests/{job_id}")
def job_page(job_id: int, p: MemberPage, jobs: JobsDep) -> Response:
    """Htmx: one job's progress or results (polled every second while it is queued or running)."""
    try:
        job = jobs.get(owner_user_id=p.user.id, job_id=job_id)
    except UserError as exc:
        return _error(p, str(exc), status=404)
    resp = _job_partial(p, job)
    if job.status not in (JobStatus.QUEUED, JobStatus.RUNNING):
        resp.headers["HX-Trigger"] = "jobs-changed"  # the list shows the final state and return
    return resp


@router.post("/quant/backtests/{job_id}/cancel")
def cancel_page(job_id: int, p: MemberPage, jobs: JobsDep) -> Response:
    """Htmx: cancel and show the job's final state."""
    try:
        job = jobs.cancel(owner_user_id=p.user.id, job_id=job_id)
    except UserError as exc:
        return _error(p, str(exc))
    resp = _job_partial(p, job)
    resp.headers["HX-Trigger"] = "jobs-changed"
    return resp


@router.get("/quant/jobs")
def jobs_list(p: MemberPage) -> Response:
    """Htmx: my recent jobs."""
    items, _ = quant.list_jobs(p.db, user_id=p.user.id, offset=0, limit=10)
    return p.render("partials/quant_jobs.html", jobs=items)

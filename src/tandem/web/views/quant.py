"""The 量化 tab's records as the API shows them: jobs and screen results (job panels: ``jobs.result_panel``)."""

from __future__ import annotations

from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.jobs.queries import JobSummary, ScreenResult
from tandem.web.schemas.quant import BacktestJobPublic, BacktestJobSummary, BacktestResultPublic, ScreenResultPublic


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


def job_summary_public(s: JobSummary) -> BacktestJobSummary:
    """A job of a list in the API's shape."""
    return BacktestJobSummary.model_validate(s, from_attributes=True)


def screen_public(r: ScreenResult) -> ScreenResultPublic:
    """A screen result in the API's shape."""
    return ScreenResultPublic.model_validate(r, from_attributes=True)

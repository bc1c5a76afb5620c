"""The 量化 tab's records as the API and pages show them: jobs, screen results, the equity chart, rule events."""

from __future__ import annotations

from typing import Any

from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.jobs.queries import JobSummary, ScreenResult
from tandem.core.i18n import Lang, translate
from tandem.web.schemas.quant import BacktestJobPublic, BacktestJobSummary, BacktestResultPublic, ScreenResultPublic


def equity_chart(result: dict[str, Any], lang: Lang) -> dict[str, Any]:
    """ECharts option: strategy and benchmark, both normalised to 1 on the first day."""
    eq = result.get("equity") or []
    bench = dict(result.get("benchmark_curve") or [])
    base = eq[0][1] if eq and eq[0][1] else 1.0
    b0 = next((bench[d] for d, _ in eq if bench.get(d)), None)
    strategy = [round(v / base, 4) if v is not None else None for _, v in eq]
    series: list[dict[str, Any]] = [
        {"name": translate(lang, "quant.chart.strategy"), "type": "line", "data": strategy, "showSymbol": False,
         "lineStyle": {"width": 2}, "color": "#e03131"},
    ]  # fmt: skip
    if b0:
        data = [round(bench[d] / b0, 4) if bench.get(d) else None for d, _ in eq]
        label = f"{translate(lang, 'quant.chart.benchmark')} {result.get('benchmark') or ''}".strip()
        series.append({"name": label, "type": "line", "data": data, "showSymbol": False, "connectNulls": True,
                       "lineStyle": {"width": 1.5}, "color": "#868e96"})  # fmt: skip
    return {
        "animation": False,
        "legend": {"top": 0},
        "tooltip": {"trigger": "axis", "confine": True},
        "grid": {"left": 44, "right": 12, "top": 30, "bottom": 28},
        "xAxis": {"type": "category", "data": [d for d, _ in eq], "boundaryGap": False},
        "yAxis": {"type": "value", "scale": True, "splitNumber": 4},
        "series": series,
    }


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

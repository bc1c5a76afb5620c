"""The 量化 tab's records as the API and pages show them: jobs, screen results, the equity chart, rule events."""

from __future__ import annotations

from collections import Counter
from typing import Any

from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.jobs.queries import JobSummary, ScreenResult
from tandem.web.i18n import Lang
from tandem.web.schemas.quant import BacktestJobPublic, BacktestJobSummary, BacktestResultPublic, ScreenResultPublic

RULE_LABELS: dict[str, tuple[str, str]] = {
    "limit_up": ("涨停买入受阻", "Buy blocked at limit-up"),
    "limit_down": ("跌停卖出受阻", "Sell blocked at limit-down"),
    "suspended": ("停牌无法交易", "Suspended"),
    "t_plus_one": ("T+1 当日买入不可卖", "T+1: bought today, not sellable"),
    "opened_at_limit": ("开盘封板后打开，收盘成交", "Opened at the limit, filled at close"),
    "volume_cap": ("成交量占比上限", "Volume participation cap"),
    "min_commission": ("佣金按最低5元收取", "5-yuan minimum commission"),
    "lot": ("按整手取整", "Rounded to whole lots"),
    "cash": ("现金不足减少买入", "Reduced by available cash"),
    "dividend": ("现金分红到账", "Cash dividend credited"),
    "bonus_shares": ("送转股到账", "Bonus/split shares credited"),
    "no_price": ("当日无价格", "No price that day"),
}
_NOTABLE = ("limit_up", "limit_down", "suspended", "t_plus_one", "opened_at_limit", "volume_cap")


def equity_chart(result: dict[str, Any], lang: Lang) -> dict[str, Any]:
    """ECharts option: strategy and benchmark, both normalised to 1 on the first day."""
    eq = result.get("equity") or []
    bench = dict(result.get("benchmark_curve") or [])
    base = eq[0][1] if eq and eq[0][1] else 1.0
    b0 = next((bench[d] for d, _ in eq if bench.get(d)), None)
    strategy = [round(v / base, 4) if v is not None else None for _, v in eq]
    series: list[dict[str, Any]] = [
        {"name": "策略" if lang == "zh" else "Strategy", "type": "line", "data": strategy, "showSymbol": False,
         "lineStyle": {"width": 2}, "color": "#e03131"},
    ]  # fmt: skip
    if b0:
        data = [round(bench[d] / b0, 4) if bench.get(d) else None for d, _ in eq]
        label = f"{'基准' if lang == 'zh' else 'Benchmark'} {result.get('benchmark') or ''}".strip()
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


def notable_events(result: dict[str, Any], limit: int = 12) -> tuple[list[dict[str, Any]], list[tuple[str, int]]]:
    """Rule events a user should notice (limits, suspensions, T+1 …) first, and counts of every kind."""
    events = result.get("rule_events") or []
    counts = Counter(e["rule"] for e in events)
    shown = [e for e in events if e["rule"] in _NOTABLE][:limit]
    return shown, counts.most_common()


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

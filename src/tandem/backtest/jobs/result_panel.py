"""What a finished backtest job's panel shows: the equity chart (ECharts option) and the notable rule events.

The job's stored result is plain JSON (``equity`` and ``benchmark_curve`` as ``[day, value]`` pairs); the panel
draws both lines normalised to 1 on the first day so a strategy and its benchmark compare at a glance.
"""

from __future__ import annotations

import json
from typing import Any

from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.rule_events import RULE_LABELS, notable_events
from tandem.core.i18n import Lang, translate


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


def result_panel(job: BacktestJob, lang: Lang) -> dict[str, Any]:
    """The rule labels, and for a finished job the chart (JSON safe inside ``<script>``) and its rule events."""
    ctx: dict[str, Any] = {"rule_labels": RULE_LABELS}
    if job.status == JobStatus.DONE and job.result:
        ctx["chart_json"] = json.dumps(equity_chart(job.result, lang), ensure_ascii=False).replace("<", "\\u003c")
        ctx["events"], ctx["event_counts"] = notable_events(job.result)
    return ctx

"""Tear sheets (HTML, charts embedded as PNG) and CSV exports of trades and daily positions."""

from __future__ import annotations

import base64
import html
from pathlib import Path

import pandas as pd
from jinja2 import Environment, select_autoescape

from tandem.backtest import charts
from tandem.backtest.result import BacktestResult

_TEMPLATE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>回测报告 {{ name }}</title>
<style>
body{font-family:"Noto Sans CJK SC","Microsoft YaHei",sans-serif;margin:2em;color:#222}
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}
th{background:#f4f4f4}td.l,th.l{text-align:left}h2{margin-top:1.6em}
</style></head><body>
<h1>回测报告 Backtest report — {{ name }}</h1>
<p>{{ start }} — {{ end }} · 基准 benchmark: {{ benchmark or "无 none" }}</p>
<h2>指标 Metrics</h2>
<table>{% for k, v in metrics %}<tr><th class="l">{{ k }}</th><td>{{ v }}</td></tr>{% endfor %}</table>
<h2>净值与回撤 Equity and drawdown</h2>
<img alt="equity" src="data:image/png;base64,{{ equity_png }}"><br>
<img alt="drawdown" src="data:image/png;base64,{{ dd_png }}">
<h2>月度收益 Monthly returns</h2>
<img alt="monthly returns" src="data:image/png;base64,{{ monthly_png }}">
<h2>交易规则事件 Rule events ({{ n_events }})</h2>
{{ events | safe }}
<h2>成交 Trades ({{ n_trades }})</h2>
{{ trades | safe }}
<p><small>模拟结果不代表未来收益。Simulated results; past performance does not predict future returns.</small></p>
</body></html>"""


def _fmt(v: object) -> str:
    if isinstance(v, float):
        return f"{v:,.4f}"
    return "—" if v is None else str(v)


def _table(df: pd.DataFrame, limit: int = 500) -> str:
    more = f"<p>… {len(df) - limit} more rows in the CSV export</p>" if len(df) > limit else ""
    return df.head(limit).to_html(index=False, float_format=lambda x: f"{x:,.2f}", border=0, escape=True) + more


def _b64(png: bytes) -> str:
    return base64.b64encode(png).decode("ascii")


def tear_sheet(
    result: BacktestResult,
    metrics: dict[str, float | None],
    benchmark_close: pd.Series | None = None,
    benchmark_code: str | None = None,
) -> str:
    """The HTML tear sheet as a string (self-contained: images are inline)."""
    env = Environment(autoescape=select_autoescape(default=True))
    return env.from_string(_TEMPLATE).render(
        name=html.escape(result.name),
        start=result.equity.index[0].date(),
        end=result.equity.index[-1].date(),
        benchmark=benchmark_code,
        metrics=[(k, _fmt(v)) for k, v in metrics.items()],
        equity_png=_b64(charts.equity_chart(result.equity, benchmark_close)),
        dd_png=_b64(charts.drawdown_chart(result.equity)),
        monthly_png=_b64(charts.monthly_heatmap(result.returns)),
        n_events=len(result.rule_events),
        events=_table(result.rule_events),
        n_trades=len(result.trades),
        trades=_table(result.trades),
    )


def write_csv(result: BacktestResult, directory: Path) -> list[Path]:
    """Write ``trades.csv`` and ``positions.csv`` (daily holdings) into ``directory``; returns the paths."""
    directory.mkdir(parents=True, exist_ok=True)
    trades, positions = directory / "trades.csv", directory / "positions.csv"
    result.trades.to_csv(trades, index=False)
    result.daily_positions().to_csv(positions, index=False)
    result.rule_events.to_csv(directory / "rule_events.csv", index=False)
    return [trades, positions, directory / "rule_events.csv"]

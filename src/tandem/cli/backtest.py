"""``tandem backtest FILE.py|STRATEGY.json`` and ``tandem screen EXPR``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from tandem.backtest.loader import run_file, run_json
from tandem.backtest.report import tear_sheet, write_csv
from tandem.backtest.screener.evaluate import run_screen
from tandem.backtest.screener.sources import StoreScreenData
from tandem.cli.context import console, market_store, print_json
from tandem.cli.display import as_count, count_metrics, import_hint, metric_text
from tandem.core.errors import UserError
from tandem.marketdata.store import MarketStore


def _day(text: str | None, flag: str) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(f"{flag} {text!r} is not a date; use YYYY-MM-DD") from exc


def _session(store: MarketStore, day: date | None) -> date:
    """The screen day: ``day`` if it is a session inside the data, else a user error naming the nearest sessions."""
    info = store.info()
    if info["last_date"] is None:
        raise UserError(import_hint())
    first, last = date.fromisoformat(str(info["first_date"])), date.fromisoformat(str(info["last_date"]))
    if day is None:
        return last
    if day > last:
        raise UserError(f"--date {day} is after the data: its last session is {last}; use --date {last}")
    if day < first:
        raise UserError(f"--date {day} is before the data: its first session is {first}; use --date {first}")
    if store.trading_days(day, day):
        return day
    before = store.trading_days(first, day)[-1]
    after = store.trading_days(day, last)
    nearest = f"{before} (before) and {after[0]} (after)" if after else f"{before} (the data's last session)"
    raise UserError(f"--date {day} is not a trading day (weekend or exchange holiday); nearest sessions: {nearest}")


def backtest(
    file: Annotated[Path, typer.Argument(help="Strategy: a .py file (Strategy subclass or target_weights) or .json")],
    start: Annotated[str | None, typer.Option("--start", help="First day YYYY-MM-DD")] = None,
    end: Annotated[str | None, typer.Option("--end", help="Last day YYYY-MM-DD")] = None,
    benchmark: Annotated[str | None, typer.Option("--benchmark", help="Index code, e.g. 000300.SH")] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    out: Annotated[Path | None, typer.Option("--out", help="Write an HTML tear sheet here")] = None,
    csv_dir: Annotated[Path | None, typer.Option("--csv", help="Write trades/positions CSV into this folder")] = None,
) -> None:
    """Backtest a strategy under A-share rules and print metrics, trades and rule events."""
    if fmt not in ("text", "json"):
        raise UserError(f"--format must be text or json, not {fmt!r}")
    s, e = _day(start, "--start"), _day(end, "--end")
    if s and e and s > e:
        raise UserError(f"--start {s} is after --end {e}")
    run = run_file(file, market_store(), start=s, end=e, benchmark=benchmark)
    if out is not None:
        out.write_text(tear_sheet(run.result, run.metrics, run.benchmark_close, run.benchmark_code), encoding="utf-8")
    if csv_dir is not None:
        write_csv(run.result, csv_dir)
    if fmt == "json":
        payload = run_json(run)
        metrics = payload["metrics"]
        if isinstance(metrics, dict):
            payload["metrics"] = count_metrics(metrics)
        trades = payload["trades"]
        if isinstance(trades, list):
            payload["trades"] = [{**t, "qty": as_count(t["qty"])} for t in trades]
        print_json(payload)
        return
    table = Table(title=f"{run.result.name}: {run.market.day(0)} — {run.market.day(run.market.shape[0] - 1)}")
    table.add_column("metric")
    table.add_column("value", justify="right")
    for k, v in run.metrics.items():
        table.add_row(k, metric_text(k, v))
    console.print(table)
    ev = run.result.rule_events
    if len(ev):
        counts = ev["rule"].value_counts()
        console.print("rule events: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
        for r in ev[~ev["rule"].isin(["lot", "dividend", "cash"])].head(10).itertuples(index=False):
            console.print(f"  {r.date} {r.code} {r.detail}")
    if out is not None:
        console.print(f"tear sheet: {out}")


def screen(
    expr: Annotated[str, typer.Argument(help="e.g. 'pe_ttm < 20 and roe > 0.15 and close > ma(close, 60)'")],
    day: Annotated[
        str | None, typer.Option("--date", help="Screen day YYYY-MM-DD (default: last day in store)")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    limit: Annotated[int, typer.Option("--limit", min=1, help="Rows to show in text mode")] = 50,
    industry: Annotated[
        str | None,
        typer.Option("--industry", help="Only this industry (name or code, e.g. 货币金融服务 or J66) as of --date"),
    ] = None,
) -> None:
    """Run a stock screen point-in-time on one day over the whole cross-section."""
    if fmt not in ("text", "json"):
        raise UserError(f"--format must be text or json, not {fmt!r}")
    store = market_store()
    d = _session(store, _day(day, "--date"))
    res = run_screen(expr, d, StoreScreenData(store), industry=industry)
    if fmt == "json":
        rows = [{k: (str(v) if k == "date" else v) for k, v in r.items()} for r in res.to_dict(orient="records")]
        print_json({"expression": expr, "date": str(d), "count": len(res), "rows": rows})
        return
    table = Table(title=f"{expr} @ {d}: {len(res)} stocks")
    for c in res.columns:
        table.add_column(str(c), justify="left" if c in ("code", "date") else "right")
    for r in res.head(limit).itertuples(index=False):
        table.add_row(*[f"{v:,.4g}" if isinstance(v, float) else str(v) for v in r])
    console.print(table)

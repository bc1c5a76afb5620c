"""``tandem quote CODE``: the latest bar and recent history of one instrument.

The quote is :func:`tandem.marketdata.quote.quote_of`, the same the web app shows; only the default series
differs on purpose (the CLI shows raw prices unless ``--adjust`` asks otherwise; on the last day qfq equals raw).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from tandem.cli.context import console, market_store, print_json
from tandem.core.errors import UserError
from tandem.marketdata.quote import daily_bars, instrument, quote_of


def quote(
    code: Annotated[str, typer.Argument(help="Code such as 600519.SH, 600519 or sh.600519")],
    adjust: Annotated[str, typer.Option("--adjust", help="qfq, hfq or none")] = "none",
    fmt: Annotated[str, typer.Option("--format", help="text or json")] = "text",
    days: Annotated[int, typer.Option("--days", min=1, max=5000, help="How many recent bars to show.")] = 5,
) -> None:
    """Show the latest quote summary of a stock (exit 2 with a suggestion for unknown codes)."""
    if adjust not in ("qfq", "hfq", "none"):
        raise UserError(f"--adjust must be qfq, hfq or none, not {adjust!r}")
    if fmt not in ("text", "json"):
        raise UserError(f"--format must be text or json, not {fmt!r}")
    store = market_store()
    inst = instrument(store, code)
    bars = daily_bars(store, inst, adjust)  # type: ignore[arg-type]
    q = quote_of(inst, bars)
    tail = bars.tail(days)
    payload = {
        "code": q.code,
        "name": q.name,
        "board": q.board,
        "industry": q.industry,
        "adjust": adjust,
        "date": q.date.isoformat(),
        "open": q.open,
        "high": q.high,
        "low": q.low,
        "close": q.close,
        "preclose": q.preclose,
        "change_pct": round(q.change_pct, 4),
        "volume": q.volume,
        "amount": q.amount,
        "suspended": q.suspended,
        "bars": [
            {"date": str(r["date"])[:10], **{k: float(r[k]) for k in ("open", "high", "low", "close", "volume")}}
            for r in tail.to_dict("records")
        ],
    }
    if fmt == "json":
        print_json(payload)
        return
    color = "red" if q.change > 0 else "green" if q.change < 0 else "white"
    console.print(
        f"[bold]{q.code} {q.name}[/bold]  {payload['date']}  收 {q.close:.2f}  "
        f"[{color}]{q.change_pct / 100:+.2%}[/{color}]  ({adjust})"
    )
    table = Table()
    for col in ("date", "open", "high", "low", "close", "volume"):
        table.add_column(col, justify="right")
    for r in tail.itertuples():
        table.add_row(
            str(r.date)[:10], f"{r.open:.2f}", f"{r.high:.2f}", f"{r.low:.2f}", f"{r.close:.2f}", f"{r.volume:,.0f}"
        )
    console.print(table)

"""``tandem quote CODE``: the latest bar and recent history of one instrument."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from tandem.cli.context import console, market_store, print_json
from tandem.core.errors import UserError


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
    inst = store.instrument(code)
    bars = store.daily_bars(inst.code, adjust=None if adjust == "none" else adjust)  # type: ignore[arg-type]
    if bars.empty:
        raise UserError(
            f"{inst.code} {inst.name} has no daily bars in the store; import them with `tandem data import`"
        )
    tail = bars.tail(days)
    last: dict[str, Any] = {str(k): v for k, v in bars.iloc[-1].to_dict().items()}
    change = (last["close"] / last["preclose"] - 1.0) if last["preclose"] else float("nan")
    payload = {
        "code": inst.code,
        "name": inst.name,
        "board": inst.board.value,
        "industry": inst.industry,
        "adjust": adjust,
        "date": str(last["date"])[:10],
        "open": float(last["open"]),
        "high": float(last["high"]),
        "low": float(last["low"]),
        "close": float(last["close"]),
        "preclose": float(last["preclose"]),
        "change_pct": round(float(change) * 100, 4),
        "volume": float(last["volume"]),
        "amount": float(last["amount"]),
        "suspended": bool(last["suspended"]),
        "bars": [
            {"date": str(r["date"])[:10], **{k: float(r[k]) for k in ("open", "high", "low", "close", "volume")}}
            for r in tail.to_dict("records")
        ],
    }
    if fmt == "json":
        print_json(payload)
        return
    color = "red" if change > 0 else "green" if change < 0 else "white"
    console.print(
        f"[bold]{inst.code} {inst.name}[/bold]  {payload['date']}  收 {last['close']:.2f}  "
        f"[{color}]{change:+.2%}[/{color}]  ({adjust})"
    )
    table = Table()
    for col in ("date", "open", "high", "low", "close", "volume"):
        table.add_column(col, justify="right")
    for r in tail.itertuples():
        table.add_row(
            str(r.date)[:10], f"{r.open:.2f}", f"{r.high:.2f}", f"{r.low:.2f}", f"{r.close:.2f}", f"{r.volume:,.0f}"
        )
    console.print(table)

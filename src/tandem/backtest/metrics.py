"""Per-backtest metrics on top of :mod:`tandem.analytics.metrics`.

The return statistics come from analytics (equal to empyrical where it has them); this module adds what
only a backtest knows — turnover from the actual holdings, exposure, and trade-level win rate and
profit/loss ratio.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from tandem.analytics import metrics as am
from tandem.backtest.result import BacktestResult


def _f(x: object) -> float | None:
    v = float(np.asarray(x))
    return v if math.isfinite(v) else None


def round_trips(trades: pd.DataFrame) -> pd.DataFrame:
    """Realised P/L per sell under average-cost accounting (buy fees raise the cost, sell fees cut the P/L)."""
    rows: list[tuple[object, str, float, float]] = []
    book: dict[str, tuple[float, float]] = {}
    cols = (trades[k].tolist() for k in ("date", "code", "side", "qty", "price", "fee"))
    for day, code, side, q, price, fee in zip(*cols, strict=True):
        qty, cost = book.get(code, (0.0, 0.0))
        if side == "buy":
            book[code] = (qty + q, cost + q * price + fee)
        elif qty > 0:
            avg = cost / qty
            rows.append((day, code, q, q * (price - avg) - fee))
            book[code] = (qty - q, cost - avg * q)
    return pd.DataFrame(rows, columns=["date", "code", "qty", "pnl"])


def backtest_metrics(result: BacktestResult, benchmark_returns: pd.Series | None = None) -> dict[str, float | None]:
    """Headline metrics of one backtest; ``None`` where a value is undefined (e.g. no benchmark)."""
    r = result.returns.to_numpy()
    bench = None
    if benchmark_returns is not None:
        bench = benchmark_returns.reindex(result.returns.index).to_numpy(dtype=np.float64)
    s = am.summarize(r, bench)
    w = result.weights.to_numpy()
    turnover = am.turnover(w)
    expo = am.exposure(w)
    trips = round_trips(result.trades)
    wins, losses = trips["pnl"][trips["pnl"] > 0], trips["pnl"][trips["pnl"] < 0]
    years = max(len(r), 1) / am.PERIODS_PER_YEAR
    return {
        "total_return": _f(s["total_return"]),
        "annual_return": _f(s["annual_return"]),
        "annual_volatility": _f(s["annual_volatility"]),
        "sharpe": _f(s["sharpe_ratio"]),
        "sortino": _f(s["sortino_ratio"]),
        "max_drawdown": _f(s["max_drawdown"]),
        "max_drawdown_duration": _f(s["max_drawdown_duration"]),
        "calmar": _f(s["calmar_ratio"]),
        "alpha": _f(s["alpha"]) if "alpha" in s else None,
        "beta": _f(s["beta"]) if "beta" in s else None,
        "daily_win_rate": _f(s["win_rate"]),
        "turnover": _f(turnover.sum() / 2.0 / years),  # annualised one-way turnover of close-of-day weights
        "exposure": _f(expo.gross.mean()) if len(r) else None,
        "trades": float(len(result.trades)),
        "win_rate": _f(len(wins) / len(trips)) if len(trips) else None,
        "profit_loss_ratio": _f(wins.mean() / abs(losses.mean())) if len(wins) and len(losses) else None,
        "fees": _f(result.trades["fee"].sum()) if len(result.trades) else 0.0,
        "rule_events": float(len(result.rule_events)),
    }

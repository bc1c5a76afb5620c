"""Dual moving average (双均线): hold a stock while its 10-day MA is above its 30-day MA.

Run: tandem backtest examples/dual_moving_average.py --start 2021-01-01 --end 2024-12-31 --out dma.html
Event-driven style: on each bar the MAs are computed from ``ctx.history(adjusted=True)`` — closes
forward-adjusted as of that bar, so an ex-date (300750.SZ's 10转8 on 2023-04-26 halves the raw price) is not a
cross, and no later bar is visible to the strategy. Orders still fill at raw prices under the A-share rules;
the bonus shares and cash of each distribution are credited on its ex-date (see tandem.backtest.distributions).
"""

import numpy as np

from tandem.backtest.strategy import Context, Strategy

UNIVERSE = ["600519.SH", "000858.SZ", "600036.SH", "000001.SZ", "300750.SZ", "601318.SH", "600900.SH", "000333.SZ"]
START = "2021-01-01"
END = "2024-12-31"
BENCHMARK = "000300.SH"
FAST, SLOW = 10, 30


def fast_above_slow(closes: np.ndarray) -> np.ndarray:
    """Per code, whether the FAST-day mean of the last rows is above the SLOW-day mean (False without data)."""
    fast, slow = closes[-FAST:].mean(axis=0), closes[-SLOW:].mean(axis=0)
    return np.asarray(np.isfinite(fast) & np.isfinite(slow) & (fast > slow))


class DualMovingAverage(Strategy):
    name = "dual_moving_average"

    def on_start(self, ctx: Context) -> None:
        self.slot = 1.0 / len(ctx.codes) * 0.99

    def on_bar(self, ctx: Context) -> None:
        if ctx.i < SLOW:
            return
        adj = ctx.history("close", SLOW + 1, adjusted=True)
        now, before = fast_above_slow(adj), fast_above_slow(adj[:-1])
        for j in np.flatnonzero(now & ~before):
            ctx.order_target_percent(ctx.codes[j], self.slot)
        for j in np.flatnonzero(~now & before & (ctx.pos > 0)):
            ctx.order_target_percent(ctx.codes[j], 0.0)

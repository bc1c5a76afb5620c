"""Dual moving average (双均线): hold a stock while its 10-day MA is above its 30-day MA.

Run: tandem backtest examples/dual_moving_average.py --start 2021-01-01 --end 2024-12-31 --out dma.html
Event-driven style: MAs are precomputed once in on_start with tandem.analytics; on_bar only compares.
"""

import numpy as np

from tandem.analytics.indicators import sma
from tandem.backtest.strategy import Context, Strategy

UNIVERSE = ["600519.SH", "000858.SZ", "600036.SH", "000001.SZ", "300750.SZ", "601318.SH", "600900.SH", "000333.SZ"]
START = "2021-01-01"
END = "2024-12-31"
BENCHMARK = "000300.SH"
FAST, SLOW = 10, 30


class DualMovingAverage(Strategy):
    name = "dual_moving_average"

    def on_start(self, ctx: Context) -> None:
        c = ctx.market.close
        self.above = sma(c, FAST) > sma(c, SLOW)
        self.slot = 1.0 / len(ctx.codes) * 0.99

    def on_bar(self, ctx: Context) -> None:
        i = ctx.i
        if i == 0:
            return
        now, before = self.above[i], self.above[i - 1]
        for j in np.flatnonzero(now & ~before):
            ctx.order_target_percent(ctx.codes[j], self.slot)
        for j in np.flatnonzero(~now & before & (ctx.pos > 0)):
            ctx.order_target_percent(ctx.codes[j], 0.0)

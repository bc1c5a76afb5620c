"""Run many single-stock signal backtests at once (a parameter sweep) through the compiled core.

The grid kernel calls the same ``_sell``/``_buy`` rule functions as every other path; with
:meth:`ExecutionConfig.frictionless` it reproduces vectorbt ``Portfolio.from_signals`` (``size=inf``,
fills at the close) to 1e-9 relative, which the tests and ``benchmarks/bench_backtest.py`` check.
To bound memory, callers pass stock chunks: the kernel keeps only per-column state and returns final
equity, so memory is the signal arrays of one chunk.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tandem.backtest import _core
from tandem.backtest.config import ExecutionConfig
from tandem.backtest.engine import config_vector, slippage_panel
from tandem.backtest.market import MarketData
from tandem.backtest.records import new_lists
from tandem.core.errors import ValidationFailed

FloatArray = npt.NDArray[np.float64]


def final_equity(
    entries: npt.NDArray[np.bool_],
    exits: npt.NDArray[np.bool_],
    col_stock: npt.NDArray[np.int64],
    market: MarketData,
    config: ExecutionConfig,
) -> FloatArray:
    """Final equity per grid column; signals are decided at a close and fill per ``config.fill_at``."""
    if entries.shape != exits.shape or entries.shape[0] != market.shape[0]:
        raise ValidationFailed(
            f"signals {entries.shape}/{exits.shape} must be days × columns with {market.shape[0]} days"
        )
    if len(col_stock) != entries.shape[1] or (len(col_stock) and col_stock.max() >= market.shape[1]):
        raise ValidationFailed("col_stock must map every grid column to a stock column of the market")
    use_close = config.fill_at == "close"
    en, ex = np.ascontiguousarray(entries), np.ascontiguousarray(exits)
    if not use_close:  # decided at t's close, filled at t+1's open
        en = np.vstack([np.zeros((1, en.shape[1]), dtype=bool), en[:-1]])
        ex = np.vstack([np.zeros((1, ex.shape[1]), dtype=bool), ex[:-1]])
    px = market.close if use_close else market.open
    trades, events = new_lists()
    out: FloatArray = _core.run_signal_grid(
        en, ex, np.ascontiguousarray(col_stock, dtype=np.int64), px, market.close, market.open, market.volume,
        market.tradable, market.limit_up, market.limit_down, slippage_panel(market, config), market.preclose,
        market.adj_ratio, market.stamp_sell, market.transfer_fee, market.min_buy, market.lot_step,
        config.initial_cash, config_vector(config, record=False), trades, events,
    )  # fmt: skip
    return out


def price_market(dates: npt.ArrayLike, codes: list[str], close: FloatArray) -> MarketData:
    """A market of close prices only (open = close, no limits or suspensions), for frictionless sweeps."""
    from tandem.backtest.market import build_market

    c = np.asarray(close, dtype=np.float64)
    vol = np.where(np.isfinite(c), 1e12, 0.0)
    prev = np.vstack([c[:1], c[:-1]])
    return build_market(dates, codes, {"open": c, "high": c, "low": c, "close": c, "preclose": prev, "volume": vol})

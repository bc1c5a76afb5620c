"""Run many single-stock signal backtests at once (a parameter sweep) through the compiled core.

Both grid kernels call the same ``_sell``/``_buy`` rule functions as every other path; with
:meth:`ExecutionConfig.frictionless` they reproduce vectorbt ``Portfolio.from_signals`` (``size=inf``,
fills at the close) to 1e-9 relative, which the tests and ``benchmarks/bench_backtest.py`` check.
The event kernel (:mod:`tandem.backtest._grid_kernel`) visits only the cells where a signal fires; the
dense one (:func:`tandem.backtest._core.run_signal_grid`) runs when ex-date cash credits apply, because
those change a held column on bars without a signal. Both keep only per-column state and return final
equity, so memory is the signal arrays the caller passes (callers chunk by stocks to bound it).
:func:`ma_grid_final_equity` runs a dual-MA grid from cent prices without any signal arrays
(:mod:`tandem.backtest._ma_grid_kernel`), with the same results.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from tandem.backtest import _core, _grid_kernel, _ma_grid_kernel
from tandem.backtest.config import ExecutionConfig
from tandem.backtest.engine import config_vector, slippage_panel
from tandem.backtest.market import MarketData
from tandem.backtest.records import new_lists
from tandem.backtest.signals import ma_cross_grid
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
    cfg = config_vector(config, record=False, day=market.day(0))
    use_close = config.fill_at == "close"
    px = market.close if use_close else market.open
    stocks = np.ascontiguousarray(col_stock, dtype=np.int64)
    trades, events = new_lists()
    slip = slippage_panel(market, config)
    if not _has_credits(market, stocks, cfg):
        out: FloatArray = _grid_kernel.run_signal_grid_events(
            _grid_kernel.signal_words(entries), _grid_kernel.signal_words(exits), 0 if use_close else 1, stocks, px,
            market.close, market.open, market.volume, market.tradable, market.limit_up, market.limit_down,
            slip, bool(np.any(slip)), market.stamp_sell, market.transfer_fee,
            market.transfer_per_share, market.transfer_min, market.min_buy, market.lot_step, config.initial_cash, cfg,
            trades, events,
        )  # fmt: skip
        return out
    en, ex = np.ascontiguousarray(entries), np.ascontiguousarray(exits)
    if not use_close:  # decided at t's close, filled at t+1's open
        en = np.vstack([np.zeros((1, en.shape[1]), dtype=bool), en[:-1]])
        ex = np.vstack([np.zeros((1, ex.shape[1]), dtype=bool), ex[:-1]])
    out = _core.run_signal_grid(
        en, ex, stocks, px, market.close, market.open, market.volume,
        market.tradable, market.limit_up, market.limit_down, slip, market.preclose,
        market.adj_ratio, market.stamp_sell, market.transfer_fee, market.transfer_per_share, market.transfer_min,
        market.t_plus, market.min_buy, market.lot_step,
        config.initial_cash, cfg, trades, events,
    )  # fmt: skip
    return out


def ma_grid_final_equity(
    cents: npt.NDArray[np.int64], pairs: list[tuple[int, int]], market: MarketData, config: ExecutionConfig
) -> FloatArray:
    """Final equity of the dual-MA grid straight from integer-cent prices, without signal arrays.

    Equal bit for bit to ``final_equity(*ma_cross_grid(cents, pairs), market, config)`` (columns pair-major:
    ``p * n_stocks + s``), but the window sums of each length are computed once per stock and no days ×
    columns array is built, so memory stays at the market panels whatever the grid size.
    """
    c = np.ascontiguousarray(cents, dtype=np.int64)
    if c.shape != market.shape:
        raise ValidationFailed(f"cents {c.shape} must be shaped like the market {market.shape}")
    if not pairs:
        raise ValidationFailed("no (fast, slow) pair given")
    for f, sl in pairs:
        if not 1 <= f < sl <= c.shape[0]:
            raise ValidationFailed(f"pair ({f}, {sl}) needs 1 ≤ fast < slow ≤ {c.shape[0]} days")
    cfg = config_vector(config, record=False, day=market.day(0))
    stocks = np.arange(c.shape[1], dtype=np.int64)
    if _has_credits(market, stocks, cfg):
        return final_equity(*ma_cross_grid(c, pairs), market, config)
    fasts = np.array([f for f, _ in pairs], dtype=np.int64)
    slows = np.array([sl for _, sl in pairs], dtype=np.int64)
    windows = np.unique(np.concatenate([fasts, slows]))
    use_close = config.fill_at == "close"
    slip = slippage_panel(market, config)
    trades, events = new_lists()
    out: FloatArray = _ma_grid_kernel.run_ma_grid(
        c, fasts, slows, np.searchsorted(windows, fasts), np.searchsorted(windows, slows), windows,
        0 if use_close else 1, market.close if use_close else market.open, market.close, market.open,
        market.volume, market.tradable, market.limit_up, market.limit_down, slip, bool(np.any(slip)),
        market.stamp_sell, market.transfer_fee, market.transfer_per_share, market.transfer_min, market.min_buy,
        market.lot_step, config.initial_cash, cfg,
        trades, events,
    )  # fmt: skip
    return out


def _has_credits(market: MarketData, stocks: npt.NDArray[np.int64], cfg: FloatArray) -> bool:
    """Whether any ex-date credit can occur: then every held bar matters and the dense kernel runs."""
    if cfg[_core.C_CORP] <= 0.0 or len(stocks) == 0:
        return False
    used = np.unique(stocks)
    ratio, pre = market.adj_ratio[:, used], market.preclose[:, used]
    return bool(np.any((ratio > 1.0) & np.isfinite(pre)))


def price_market(dates: npt.ArrayLike, codes: list[str], close: FloatArray) -> MarketData:
    """A market of close prices only (open = close, no limits or suspensions), for frictionless sweeps."""
    from tandem.backtest.market import build_market

    c = np.asarray(close, dtype=np.float64)
    vol = np.where(np.isfinite(c), 1e12, 0.0)
    prev = np.vstack([c[:1], c[:-1]])
    return build_market(dates, codes, {"open": c, "high": c, "low": c, "close": c, "preclose": prev, "volume": vol})

"""Technical indicators over a whole date × code panel, equal to TA-Lib where TA-Lib defines them.

API (all pure; every input is a 1-D series or a 2-D float64 array, rows = dates oldest first,
columns = codes, NaN = no data; every output has the input's shape)::

    sma(x, period)                       ema(x, period)
    rsi(x, period=14)                    macd(x, fast=12, slow=26, signal=9) -> MACDResult(macd, signal, hist)
    atr(high, low, close, period=14)     bollinger(x, period=20, nbdev=2.0) -> Bands(upper, middle, lower)
    obv(close, volume)                   rolling_volatility(returns, window, periods_per_year=252)
    rolling_beta(returns, bench_returns, window)
    drawdown(equity_or_prices)

DataFrame versions with the same names live in :mod:`tandem.analytics.frames`.

Missing values. Each column is computed on its own valid observations only, as if the NaN rows were
not there, and the output is NaN on those rows:

* NaN at the head of a column (a stock listed later) — the computation starts at the first valid value,
  exactly as ``talib`` does, so warm-up NaNs are counted from the listing day.
* NaN in the middle (a suspension left as NaN) — the row is skipped: the moving window or recursion
  carries on from the last traded day, so a 20-day SMA after a suspension covers the last 20 *trading*
  days. TA-Lib would instead turn every later value into NaN; our values equal TA-Lib run on the column
  with the NaN rows removed (the tests check exactly that).

Seeding follows TA-Lib (default compatibility, no unstable period): SMA/BBANDS warm up ``period - 1``
rows; EMA seeds with the SMA of its first ``period`` values; RSI and ATR use Wilder smoothing seeded by
the plain mean of the first ``period`` changes / true ranges (first value at row ``period``); MACD seeds
the fast and slow EMAs at the slow EMA's first row and starts all outputs at row ``slow + signal - 2``;
Bollinger uses the population standard deviation. ``rolling_volatility``, ``rolling_beta`` and
``drawdown`` have no TA-Lib counterpart; they use ddof=1 (like pandas ``rolling().std()``), cov/var over
rows where both series are present, and level / running peak − 1.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from tandem.analytics._arrays import (
    ArrayLike,
    FloatArray,
    as_panel,
    bench_panel,
    check_period,
    restore,
    same_shape,
)
from tandem.analytics._kernels_avg import (
    bbands_kernel,
    ema_kernel,
    macd_kernel,
    sma_kernel,
    sma_single_column_kernel,
)
from tandem.analytics._kernels_osc import atr_kernel, obv_kernel, rsi_kernel
from tandem.analytics._kernels_roll import drawdown_kernel, rolling_beta_kernel, rolling_std_kernel
from tandem.core.errors import ValidationFailed


class MACDResult(NamedTuple):
    """MACD line (fast EMA − slow EMA), its signal EMA, and the histogram line − signal."""

    macd: FloatArray
    signal: FloatArray
    hist: FloatArray


class Bands(NamedTuple):
    """Bollinger bands: middle SMA and the SMA ± nbdev population standard deviations."""

    upper: FloatArray
    middle: FloatArray
    lower: FloatArray


def sma(x: ArrayLike, period: int) -> FloatArray:
    """Compute the simple moving average over ``period`` valid rows (TA-Lib SMA)."""
    panel, was_1d = as_panel(x, "x")
    out = np.empty(panel.shape)
    kernel = sma_single_column_kernel if panel.shape[1] == 1 else sma_kernel
    kernel(panel, check_period(period, "period"), out)
    return restore(out, was_1d)


def ema(x: ArrayLike, period: int) -> FloatArray:
    """Exponential moving average, k = 2/(period+1), seeded with the SMA of the first ``period`` values."""
    panel, was_1d = as_panel(x, "x")
    out = np.empty(panel.shape)
    ema_kernel(panel, check_period(period, "period"), out)
    return restore(out, was_1d)


def rsi(x: ArrayLike, period: int = 14) -> FloatArray:
    """Wilder's relative strength index in [0, 100] (TA-Lib RSI); first value at row ``period``."""
    panel, was_1d = as_panel(x, "x")
    out = np.empty(panel.shape)
    rsi_kernel(panel, check_period(period, "period", minimum=2), out)
    return restore(out, was_1d)


def macd(x: ArrayLike, fast: int = 12, slow: int = 26, signal: int = 9) -> MACDResult:
    """MACD with TA-Lib's alignment; all three outputs start at row ``slow + signal - 2``."""
    panel, was_1d = as_panel(x, "x")
    fast = check_period(fast, "fast", minimum=2)
    slow = check_period(slow, "slow", minimum=2)
    signal = check_period(signal, "signal")
    if fast >= slow:
        raise ValidationFailed(f"macd: fast period {fast} must be shorter than slow period {slow}")
    line, sig, hist = np.empty(panel.shape), np.empty(panel.shape), np.empty(panel.shape)
    macd_kernel(panel, fast, slow, signal, line, sig, hist)
    return MACDResult(restore(line, was_1d), restore(sig, was_1d), restore(hist, was_1d))


def atr(high: ArrayLike, low: ArrayLike, close: ArrayLike, period: int = 14) -> FloatArray:
    """Wilder's average true range (TA-Lib ATR); first value at row ``period``."""
    c, was_1d = as_panel(close, "close")
    h = same_shape(c, high, "high", "close")
    lo = same_shape(c, low, "low", "close")
    out = np.empty(c.shape)
    atr_kernel(h, lo, c, check_period(period, "period"), out)
    return restore(out, was_1d)


def bollinger(x: ArrayLike, period: int = 20, nbdev: float = 2.0) -> Bands:
    """Bollinger bands (TA-Lib BBANDS with SMA, nbdevup = nbdevdn = ``nbdev``)."""
    panel, was_1d = as_panel(x, "x")
    if not math.isfinite(nbdev) or nbdev < 0:
        raise ValidationFailed(f"bollinger: nbdev must be a finite number >= 0, got {nbdev!r}")
    upper, middle, lower = np.empty(panel.shape), np.empty(panel.shape), np.empty(panel.shape)
    bbands_kernel(panel, check_period(period, "period"), float(nbdev), upper, middle, lower)
    return Bands(restore(upper, was_1d), restore(middle, was_1d), restore(lower, was_1d))


def obv(close: ArrayLike, volume: ArrayLike) -> FloatArray:
    """On-balance volume (TA-Lib OBV): starts at the first valid bar's volume."""
    c, was_1d = as_panel(close, "close")
    v = same_shape(c, volume, "volume", "close")
    out = np.empty(c.shape)
    obv_kernel(c, v, out)
    return restore(out, was_1d)


def rolling_volatility(returns: ArrayLike, window: int, periods_per_year: int = 252) -> FloatArray:
    """Annualised rolling volatility: sample std (ddof=1) of the last ``window`` returns × sqrt(periods)."""
    r, was_1d = as_panel(returns, "returns")
    window = check_period(window, "window", minimum=2)
    periods = check_period(periods_per_year, "periods_per_year")
    out = np.empty(r.shape)
    rolling_std_kernel(r, window, math.sqrt(periods), out)
    return restore(out, was_1d)


def rolling_beta(returns: ArrayLike, bench_returns: ArrayLike, window: int) -> FloatArray:
    """Compute the rolling beta cov(r, b)/var(b) over the last ``window`` rows where both returns are present.

    ``bench_returns`` is a 1-D series (one benchmark for every column) or a panel shaped like ``returns``.
    """
    r, was_1d = as_panel(returns, "returns")
    b = bench_panel(r, bench_returns, "bench_returns")
    out = np.empty(r.shape)
    rolling_beta_kernel(r, b, check_period(window, "window", minimum=2), out)
    return restore(out, was_1d)


def drawdown(equity_or_prices: ArrayLike) -> FloatArray:
    """Drawdown from the running peak, level / max(level so far) − 1 (0 at a new high, negative below)."""
    x, was_1d = as_panel(equity_or_prices, "equity_or_prices")
    if np.any(x <= 0):
        raise ValidationFailed("drawdown: levels must be positive (pass prices or an equity curve, not returns)")
    out = np.empty(x.shape)
    drawdown_kernel(x, out)
    return restore(out, was_1d)

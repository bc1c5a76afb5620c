"""DataFrame versions of :mod:`tandem.analytics.indicators`: same names, same semantics.

Each function takes frames indexed by date with one column per code (``store.panel(...)`` gives exactly
that), runs the array version on ``frame.to_numpy(float64)``, and returns a frame with the first input's
index and columns. Multi-input functions (``atr``, ``obv``, ``rolling_beta``) expect their frames to be
aligned already; a shape mismatch raises ValidationFailed rather than silently aligning.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

from tandem.analytics import indicators as ind
from tandem.analytics._arrays import FloatArray


class MACDFrames(NamedTuple):
    """MACD line, signal and histogram as frames."""

    macd: pd.DataFrame
    signal: pd.DataFrame
    hist: pd.DataFrame


class BandFrames(NamedTuple):
    """Bollinger upper, middle and lower bands as frames."""

    upper: pd.DataFrame
    middle: pd.DataFrame
    lower: pd.DataFrame


def _values(frame: pd.DataFrame) -> FloatArray:
    return frame.to_numpy(dtype=np.float64, na_value=np.nan)


def _like(template: pd.DataFrame, values: FloatArray) -> pd.DataFrame:
    return pd.DataFrame(values, index=template.index, columns=template.columns)


def sma(x: pd.DataFrame, period: int) -> pd.DataFrame:
    """Compute the simple moving average per column (see :func:`tandem.analytics.indicators.sma`)."""
    return _like(x, ind.sma(_values(x), period))


def ema(x: pd.DataFrame, period: int) -> pd.DataFrame:
    """Exponential moving average per column (see :func:`tandem.analytics.indicators.ema`)."""
    return _like(x, ind.ema(_values(x), period))


def rsi(x: pd.DataFrame, period: int = 14) -> pd.DataFrame:
    """Wilder RSI per column (see :func:`tandem.analytics.indicators.rsi`)."""
    return _like(x, ind.rsi(_values(x), period))


def macd(x: pd.DataFrame, fast: int = 12, slow: int = 26, signal: int = 9) -> MACDFrames:
    """MACD per column (see :func:`tandem.analytics.indicators.macd`)."""
    res = ind.macd(_values(x), fast, slow, signal)
    return MACDFrames(_like(x, res.macd), _like(x, res.signal), _like(x, res.hist))


def atr(high: pd.DataFrame, low: pd.DataFrame, close: pd.DataFrame, period: int = 14) -> pd.DataFrame:
    """Average true range per column (see :func:`tandem.analytics.indicators.atr`)."""
    return _like(close, ind.atr(_values(high), _values(low), _values(close), period))


def bollinger(x: pd.DataFrame, period: int = 20, nbdev: float = 2.0) -> BandFrames:
    """Bollinger bands per column (see :func:`tandem.analytics.indicators.bollinger`)."""
    res = ind.bollinger(_values(x), period, nbdev)
    return BandFrames(_like(x, res.upper), _like(x, res.middle), _like(x, res.lower))


def obv(close: pd.DataFrame, volume: pd.DataFrame) -> pd.DataFrame:
    """On-balance volume per column (see :func:`tandem.analytics.indicators.obv`)."""
    return _like(close, ind.obv(_values(close), _values(volume)))


def rolling_volatility(returns: pd.DataFrame, window: int, periods_per_year: int = 252) -> pd.DataFrame:
    """Annualised rolling volatility per column (see :func:`tandem.analytics.indicators.rolling_volatility`)."""
    return _like(returns, ind.rolling_volatility(_values(returns), window, periods_per_year))


def rolling_beta(returns: pd.DataFrame, bench_returns: pd.Series | pd.DataFrame, window: int) -> pd.DataFrame:
    """Compute the rolling beta of every column against a benchmark series or frame, aligned on the returns' index."""
    bench = bench_returns.reindex(returns.index)
    bench_values = bench.to_numpy(dtype=np.float64, na_value=np.nan)
    return _like(returns, ind.rolling_beta(_values(returns), bench_values, window))


def drawdown(equity_or_prices: pd.DataFrame) -> pd.DataFrame:
    """Drawdown from the running peak per column (see :func:`tandem.analytics.indicators.drawdown`)."""
    return _like(equity_or_prices, ind.drawdown(_values(equity_or_prices)))

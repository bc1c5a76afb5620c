"""The one place diagnosis calls technical indicators (so the implementation can be switched in one file).

Thin adapters over :mod:`tandem.analytics.frames` (TA-Lib-equal, vectorized over date × code panels).
"""

from __future__ import annotations

import pandas as pd

from tandem.analytics import frames


def sma(close: pd.DataFrame, period: int) -> pd.DataFrame:
    """Simple moving average per code over traded days."""
    return frames.sma(close, period)


def macd_hist(close: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """MACD(12, 26, 9) line and histogram per code."""
    res = frames.macd(close)
    return res.macd, res.hist


def obv(close: pd.DataFrame, volume: pd.DataFrame) -> pd.DataFrame:
    """On-balance volume per code."""
    return frames.obv(close, volume)


def volatility(returns: pd.DataFrame, window: int) -> pd.DataFrame:
    """Annualised rolling volatility per code."""
    return frames.rolling_volatility(returns, window)


def beta(returns: pd.DataFrame, bench_returns: pd.Series, window: int) -> pd.DataFrame:
    """Rolling beta of each code against the benchmark."""
    return frames.rolling_beta(returns, bench_returns, window)


def drawdown(levels: pd.DataFrame) -> pd.DataFrame:
    """Drawdown from the running peak per code."""
    return frames.drawdown(levels)

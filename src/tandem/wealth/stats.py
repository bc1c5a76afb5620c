"""Risk/return statistics from daily return series: pure functions, array or Series in, float out.

Conventions (the same as empyrical): returns are simple daily returns, 252 periods a year, the annual return
is geometric (CAGR), max drawdown is a negative fraction (-0.15 = a 15% fall from the running peak), Sharpe
uses an annual risk-free rate converted to a daily rate, Calmar = annual return / |max drawdown|.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

PERIODS_PER_YEAR = 252
FloatArray = npt.NDArray[np.float64]


def _arr(returns: pd.Series | FloatArray) -> FloatArray:
    values = np.asarray(returns, dtype=np.float64)
    return values[~np.isnan(values)]


def annual_return(returns: pd.Series | FloatArray, periods: int = PERIODS_PER_YEAR) -> float:
    """Compound annual growth rate of the return series."""
    r = _arr(returns)
    if r.size == 0:
        return math.nan
    growth = float(np.prod(1.0 + r))
    return float(growth ** (periods / r.size) - 1.0)


def annual_volatility(returns: pd.Series | FloatArray, periods: int = PERIODS_PER_YEAR) -> float:
    """Annualised standard deviation (ddof=1)."""
    r = _arr(returns)
    return float(np.std(r, ddof=1) * math.sqrt(periods)) if r.size > 1 else math.nan


def max_drawdown(returns: pd.Series | FloatArray) -> float:
    """Largest peak-to-trough fall of the compounded curve, as a negative fraction (0 when none)."""
    r = _arr(returns)
    if r.size == 0:
        return math.nan
    curve = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    peaks = np.maximum.accumulate(curve)
    return float(np.min(curve / peaks - 1.0))


def sharpe_ratio(returns: pd.Series | FloatArray, risk_free: float = 0.0, periods: int = PERIODS_PER_YEAR) -> float:
    """Annualised Sharpe ratio against an annual risk-free rate."""
    r = _arr(returns) - ((1.0 + risk_free) ** (1.0 / periods) - 1.0)
    if r.size < 2:
        return math.nan
    sd = float(np.std(r, ddof=1))
    return float(np.mean(r) / sd * math.sqrt(periods)) if sd > 0 else math.nan


def calmar_ratio(returns: pd.Series | FloatArray, periods: int = PERIODS_PER_YEAR) -> float:
    """Annual return divided by the magnitude of the max drawdown (NaN without a drawdown)."""
    mdd = max_drawdown(returns)
    return annual_return(returns, periods) / abs(mdd) if mdd < 0 else math.nan


@dataclass(frozen=True, slots=True)
class PerformanceStats:
    """The five figures shown for a product, strategy or plan, with the data span they rest on."""

    annual_return: float
    volatility: float
    max_drawdown: float
    sharpe: float
    calmar: float
    start: str
    end: str
    observations: int


def performance(returns: pd.Series, *, risk_free: float = 0.0) -> PerformanceStats:
    """All five statistics of a dated daily return series."""
    clean = returns.dropna()
    return PerformanceStats(
        annual_return=annual_return(clean),
        volatility=annual_volatility(clean),
        max_drawdown=max_drawdown(clean),
        sharpe=sharpe_ratio(clean, risk_free),
        calmar=calmar_ratio(clean),
        start=str(clean.index[0]) if len(clean) else "",
        end=str(clean.index[-1]) if len(clean) else "",
        observations=len(clean),
    )

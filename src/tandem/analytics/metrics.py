"""Performance metrics for many return series at once, equal to empyrical's where empyrical has them.

Input: simple (non-cumulative) periodic returns, 1-D for one series or 2-D days × series (a DataFrame is
accepted and read with ``to_numpy``). Output: one value per series as a float64 array of shape
``(n_series,)``, or a 0-d array for 1-D input (``float(result)`` gives the number).

API::

    total_return   annual_return (CAGR)   annual_volatility   sharpe_ratio   sortino_ratio   downside_risk
    max_drawdown   max_drawdown_duration  calmar_ratio        alpha_beta / alpha / beta (vs a benchmark)
    win_rate       profit_loss_ratio      summarize(returns, benchmark=None) -> dict[str, ndarray]
    turnover(weights)   exposure(weights) -> Exposure(gross, net, long, short)

NaN handling follows empyrical-reloaded 0.5 exactly (the tests compare against it):

* compounding metrics (total/annual return, max drawdown, Calmar) treat NaN as a 0 return, and CAGR
  annualises over *all* rows, NaN included: ``annual_return = (1 + total) ** (252 / n_rows) - 1``;
* mean/std metrics (volatility, Sharpe, Sortino, downside risk) ignore NaN rows; fewer than 2 rows → NaN;
  Sharpe of a constant series uses a standard deviation of exactly 0 (so ±inf, or NaN for all zeros);
* beta is cov/var over rows where both series are present (population moments, NaN when the benchmark
  variance is below 1e-30); alpha is mean(r − beta·b) annualised as (1 + mean) ** 252 − 1.

Metrics empyrical does not have: ``max_drawdown_duration`` (periods from the peak before the deepest
trough to recovery, or to the last period if never recovered), ``win_rate`` (share of positive days among
non-zero days, as QuantStats) and ``profit_loss_ratio`` (mean gain / |mean loss| of daily returns).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tandem.analytics._arrays import ArrayLike, FloatArray, as_panel, bench_panel
from tandem.analytics._kernels_roll import drawdown_duration_kernel

PERIODS_PER_YEAR = 252
"""A-share trading days per year used for annualisation (empyrical's DAILY factor)."""


def _finish(values: FloatArray, was_1d: bool) -> FloatArray:
    return values.reshape(()) if was_1d else values


def _count_sum(r: FloatArray) -> tuple[FloatArray, FloatArray]:
    valid = ~np.isnan(r)
    return valid.sum(axis=0).astype(np.float64), np.where(valid, r, 0.0).sum(axis=0)


def _nanmean(r: FloatArray) -> FloatArray:
    count, total = _count_sum(r)
    with np.errstate(divide="ignore", invalid="ignore"):
        return total / count


def _nanstd(r: FloatArray, ddof: int) -> FloatArray:
    count, total = _count_sum(r)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = total / count
        dev = np.where(np.isnan(r), 0.0, r - mean)
        var = (dev * dev).sum(axis=0) / (count - ddof)
        return np.where(count - ddof > 0, np.sqrt(var), np.nan)


def _too_short(r: FloatArray, minimum: int) -> bool:
    return bool(r.shape[0] < minimum)


def total_return(returns: ArrayLike) -> FloatArray:
    """Compounded return over the whole period, prod(1 + r) − 1 (empyrical ``cum_returns_final``)."""
    r, was_1d = as_panel(returns, "returns")
    if _too_short(r, 1):
        return _finish(np.full(r.shape[1], np.nan), was_1d)
    return _finish(np.where(np.isnan(r), 1.0, 1.0 + r).prod(axis=0) - 1.0, was_1d)


def annual_return(returns: ArrayLike, periods_per_year: int = PERIODS_PER_YEAR) -> FloatArray:
    """CAGR: (1 + total return) ** (periods_per_year / n_rows) − 1."""
    r, was_1d = as_panel(returns, "returns")
    if _too_short(r, 1):
        return _finish(np.full(r.shape[1], np.nan), was_1d)
    ending = total_return(r) + 1.0
    with np.errstate(invalid="ignore"):
        return _finish(ending ** (periods_per_year / r.shape[0]) - 1.0, was_1d)


def annual_volatility(returns: ArrayLike, periods_per_year: int = PERIODS_PER_YEAR) -> FloatArray:
    """Sample standard deviation (ddof=1) × sqrt(periods_per_year)."""
    r, was_1d = as_panel(returns, "returns")
    if _too_short(r, 2):
        return _finish(np.full(r.shape[1], np.nan), was_1d)
    return _finish(_nanstd(r, 1) * math.sqrt(periods_per_year), was_1d)


def sharpe_ratio(returns: ArrayLike, risk_free: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR) -> FloatArray:
    """mean(r − rf) / std(r − rf, ddof=1) × sqrt(periods_per_year); ``risk_free`` is per period."""
    r, was_1d = as_panel(returns, "returns")
    if _too_short(r, 2):
        return _finish(np.full(r.shape[1], np.nan), was_1d)
    adj = r - risk_free
    std = _nanstd(adj, 1)
    with np.errstate(invalid="ignore"):
        flat = (
            np.nanmax(np.where(np.isnan(adj), -np.inf, adj), axis=0)
            == np.nanmin(np.where(np.isnan(adj), np.inf, adj), axis=0)
        ) & np.isfinite(std)
    std = np.where(flat, 0.0, std)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finish(_nanmean(adj) / std * math.sqrt(periods_per_year), was_1d)


def downside_risk(
    returns: ArrayLike, required_return: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> FloatArray:
    """sqrt(mean(min(r − required, 0)²)) × sqrt(periods_per_year), over present rows."""
    r, was_1d = as_panel(returns, "returns")
    if _too_short(r, 1):
        return _finish(np.full(r.shape[1], np.nan), was_1d)
    below = np.minimum(r - required_return, 0.0)
    return _finish(np.sqrt(_nanmean(below * below)) * math.sqrt(periods_per_year), was_1d)


def sortino_ratio(
    returns: ArrayLike, required_return: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> FloatArray:
    """Annualised mean excess return / annualised downside risk (inf when there is no downside)."""
    r, was_1d = as_panel(returns, "returns")
    if _too_short(r, 2):
        return _finish(np.full(r.shape[1], np.nan), was_1d)
    mean = _nanmean(r - required_return) * periods_per_year
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finish(mean / downside_risk(r, required_return, periods_per_year), was_1d)


def _wealth(r: FloatArray) -> FloatArray:
    """Growth of 1 with an anchor row of 1 before the first return; NaN returns count as 0."""
    out = np.ones((r.shape[0] + 1, r.shape[1]))
    np.cumprod(np.where(np.isnan(r), 1.0, 1.0 + r), axis=0, out=out[1:])
    return out


def max_drawdown(returns: ArrayLike) -> FloatArray:
    """Worst peak-to-trough fall of the compounded wealth curve (a negative number, 0 if none)."""
    r, was_1d = as_panel(returns, "returns")
    if _too_short(r, 1):
        return _finish(np.full(r.shape[1], np.nan), was_1d)
    wealth = _wealth(r)
    peak = np.maximum.accumulate(wealth, axis=0)
    return _finish(((wealth[1:] - peak[1:]) / peak[1:]).min(axis=0), was_1d)


def max_drawdown_duration(returns: ArrayLike) -> FloatArray:
    """Periods from the peak before the deepest trough to recovery of that peak (or to the end)."""
    r, was_1d = as_panel(returns, "returns")
    return _finish(drawdown_duration_kernel(_wealth(r)), was_1d)


def calmar_ratio(returns: ArrayLike, periods_per_year: int = PERIODS_PER_YEAR) -> FloatArray:
    """CAGR / |max drawdown|; NaN when there is no drawdown or the ratio is infinite."""
    r, was_1d = as_panel(returns, "returns")
    mdd = max_drawdown(r)
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = annual_return(r, periods_per_year) / np.abs(mdd)
    return _finish(np.where((mdd < 0) & np.isfinite(ratio), ratio, np.nan), was_1d)


def beta(returns: ArrayLike, benchmark: ArrayLike) -> FloatArray:
    """cov(r, b) / var(b) over rows where both are present; ``benchmark`` is 1-D or shaped like returns."""
    r, was_1d = as_panel(returns, "returns")
    b = bench_panel(r, benchmark, "benchmark")
    if r.shape[0] < 2:
        return _finish(np.full(r.shape[1], np.nan), was_1d)
    indep = np.where(np.isnan(r), np.nan, b)
    resid = indep - _nanmean(indep)
    cov = _nanmean(resid * r)
    var = _nanmean(resid * resid)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finish(np.where(var < 1.0e-30, np.nan, cov / var), was_1d)


def alpha_beta(
    returns: ArrayLike, benchmark: ArrayLike, risk_free: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> tuple[FloatArray, FloatArray]:
    """Annualised alpha ((1 + mean(r − beta·b)) ** periods − 1) and beta, as empyrical.alpha_beta."""
    r, was_1d = as_panel(returns, "returns")
    b = bench_panel(r, benchmark, "benchmark")
    r_adj = r - risk_free
    b_adj = b - risk_free
    bet = beta(r, b)  # empyrical's beta ignores risk_free; alpha subtracts it
    if r.shape[0] < 2:
        return _finish(np.full(r.shape[1], np.nan), was_1d), _finish(bet, was_1d)
    with np.errstate(invalid="ignore"):
        alp = (1.0 + _nanmean(r_adj - bet * b_adj)) ** periods_per_year - 1.0
    return _finish(alp, was_1d), _finish(bet, was_1d)


def alpha(
    returns: ArrayLike, benchmark: ArrayLike, risk_free: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> FloatArray:
    """Annualised Jensen alpha against ``benchmark`` (see :func:`alpha_beta`)."""
    return alpha_beta(returns, benchmark, risk_free, periods_per_year)[0]


def win_rate(returns: ArrayLike) -> FloatArray:
    """Share of positive periods among periods with a non-zero, present return (NaN if there are none)."""
    r, was_1d = as_panel(returns, "returns")
    wins = (r > 0).sum(axis=0).astype(np.float64)
    active = ((r > 0) | (r < 0)).sum(axis=0).astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finish(wins / active, was_1d)


def profit_loss_ratio(returns: ArrayLike) -> FloatArray:
    """Mean gain of positive periods / |mean loss| of negative periods (NaN when either is missing)."""
    r, was_1d = as_panel(returns, "returns")
    gains = np.where(r > 0, r, np.nan)
    losses = np.where(r < 0, r, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finish(_nanmean(gains) / np.abs(_nanmean(losses)), was_1d)


def summarize(returns: ArrayLike, benchmark: ArrayLike | None = None) -> dict[str, FloatArray]:
    """Every metric above at once, keyed by function name (plus ``alpha``/``beta`` given a benchmark)."""
    r, was_1d = as_panel(returns, "returns")
    out = {
        "total_return": total_return(r),
        "annual_return": annual_return(r),
        "annual_volatility": annual_volatility(r),
        "sharpe_ratio": sharpe_ratio(r),
        "sortino_ratio": sortino_ratio(r),
        "downside_risk": downside_risk(r),
        "max_drawdown": max_drawdown(r),
        "max_drawdown_duration": max_drawdown_duration(r),
        "calmar_ratio": calmar_ratio(r),
        "win_rate": win_rate(r),
        "profit_loss_ratio": profit_loss_ratio(r),
    }
    if benchmark is not None:
        out["alpha"], out["beta"] = alpha_beta(r, benchmark)
    return {key: _finish(value, was_1d) for key, value in out.items()}


@dataclass(frozen=True)
class Exposure:
    """Per-period exposure of a weights panel: gross Σ|w|, net Σw, long Σw⁺ and short Σw⁻ (≤ 0)."""

    gross: FloatArray
    net: FloatArray
    long: FloatArray
    short: FloatArray


def turnover(weights: ArrayLike) -> FloatArray:
    """Two-way turnover per period, Σ|w_t − w_{t−1}| over assets, starting from an all-cash book.

    ``weights`` is days × assets (fractions of equity, NaN = not held). Halve it for one-way turnover.
    """
    w, _ = as_panel(weights, "weights")
    w = np.nan_to_num(w, nan=0.0)
    prev = np.vstack([np.zeros((1, w.shape[1])), w[:-1]])
    out: FloatArray = np.abs(w - prev).sum(axis=1)
    return out


def exposure(weights: ArrayLike) -> Exposure:
    """Gross, net, long and short exposure per period of a days × assets weights panel (NaN = 0)."""
    w, _ = as_panel(weights, "weights")
    w = np.nan_to_num(w, nan=0.0)
    long = np.where(w > 0, w, 0.0).sum(axis=1)
    short = np.where(w < 0, w, 0.0).sum(axis=1)
    return Exposure(gross=long - short, net=long + short, long=long, short=short)

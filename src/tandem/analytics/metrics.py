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

from tandem.analytics import _kernels_metrics as k
from tandem.analytics._arrays import ArrayLike, FloatArray, as_panel, bench_panel

PERIODS_PER_YEAR = 252
"""A-share trading days per year used for annualisation (empyrical's DAILY factor)."""


def _finish(values: FloatArray, was_1d: bool) -> FloatArray:
    return values.reshape(()) if was_1d else values


def _stats(returns: ArrayLike, groups: int, required_return: float = 0.0) -> tuple[FloatArray, bool, int]:
    """Per-series statistics (rows named in ``_kernels_metrics``), whether input was 1-D, and its row count.

    Only the statistic ``groups`` a metric needs are computed, so a single metric costs one or two
    passes over the returns rather than the whole summary's.
    """
    r, was_1d = as_panel(returns, "returns")
    out = np.full((k.N_STATS, r.shape[1]), np.nan)
    k.column_stats_kernel(np.ascontiguousarray(r), float(required_return), groups, out)
    return out, was_1d, r.shape[0]


def _nan_if_short(values: FloatArray, n_rows: int, minimum: int) -> FloatArray:
    return np.full_like(values, np.nan) if n_rows < minimum else values


def total_return(returns: ArrayLike) -> FloatArray:
    """Compounded return over the whole period, prod(1 + r) − 1 (empyrical ``cum_returns_final``)."""
    st, was_1d, n = _stats(returns, k.GROWTH_ONLY)
    return _finish(_nan_if_short(st[k.GROWTH] - 1.0, n, 1), was_1d)


def _cagr(st: FloatArray, n: int, periods_per_year: int) -> FloatArray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return _nan_if_short(st[k.GROWTH] ** (periods_per_year / max(n, 1)) - 1.0, n, 1)


def annual_return(returns: ArrayLike, periods_per_year: int = PERIODS_PER_YEAR) -> FloatArray:
    """CAGR: (1 + total return) ** (periods_per_year / n_rows) − 1."""
    st, was_1d, n = _stats(returns, k.GROWTH_ONLY)
    return _finish(_cagr(st, n, periods_per_year), was_1d)


def annual_volatility(returns: ArrayLike, periods_per_year: int = PERIODS_PER_YEAR) -> FloatArray:
    """Sample standard deviation (ddof=1) × sqrt(periods_per_year)."""
    st, was_1d, n = _stats(returns, k.MOMENTS)
    return _finish(_nan_if_short(st[k.STD] * math.sqrt(periods_per_year), n, 2), was_1d)


def _sharpe(st: FloatArray, n: int, risk_free: float, periods_per_year: int) -> FloatArray:
    std = np.where((st[k.FLAT] == 1.0) & np.isfinite(st[k.STD]), 0.0, st[k.STD])
    with np.errstate(divide="ignore", invalid="ignore"):
        return _nan_if_short((st[k.MEAN] - risk_free) / std * math.sqrt(periods_per_year), n, 2)


def sharpe_ratio(returns: ArrayLike, risk_free: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR) -> FloatArray:
    """mean(r − rf) / std(r − rf, ddof=1) × sqrt(periods_per_year); ``risk_free`` is per period."""
    st, was_1d, n = _stats(returns, k.MOMENTS)
    return _finish(_sharpe(st, n, risk_free, periods_per_year), was_1d)


def _downside(st: FloatArray, n: int, periods_per_year: int) -> FloatArray:
    return _nan_if_short(np.sqrt(st[k.DOWN_MS]) * math.sqrt(periods_per_year), n, 1)


def downside_risk(
    returns: ArrayLike, required_return: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> FloatArray:
    """sqrt(mean(min(r − required, 0)²)) × sqrt(periods_per_year), over present rows."""
    st, was_1d, n = _stats(returns, k.DOWNSIDE, required_return)
    return _finish(_downside(st, n, periods_per_year), was_1d)


def _sortino(st: FloatArray, n: int, required_return: float, periods_per_year: int) -> FloatArray:
    mean = (st[k.MEAN] - required_return) * periods_per_year
    with np.errstate(divide="ignore", invalid="ignore"):
        return _nan_if_short(mean / _downside(st, n, periods_per_year), n, 2)


def sortino_ratio(
    returns: ArrayLike, required_return: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> FloatArray:
    """Annualised mean excess return / annualised downside risk (inf when there is no downside)."""
    st, was_1d, n = _stats(returns, k.DOWNSIDE, required_return)
    return _finish(_sortino(st, n, required_return, periods_per_year), was_1d)


def max_drawdown(returns: ArrayLike) -> FloatArray:
    """Worst peak-to-trough fall of the compounded wealth curve (a negative number, 0 if none)."""
    st, was_1d, n = _stats(returns, k.DRAWDOWN)
    return _finish(_nan_if_short(st[k.MDD], n, 1), was_1d)


def max_drawdown_duration(returns: ArrayLike) -> FloatArray:
    """Periods from the peak before the deepest trough to recovery of that peak (or to the last period).

    The wealth curve has an anchor of 1 before the first return, so a loss on day one starts a drawdown.
    """
    st, was_1d, _ = _stats(returns, k.DRAWDOWN)
    return _finish(st[k.MDD_DURATION], was_1d)


def _calmar(st: FloatArray, n: int, periods_per_year: int) -> FloatArray:
    mdd = st[k.MDD]
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = _cagr(st, n, periods_per_year) / np.abs(mdd)
    return np.where((mdd < 0) & np.isfinite(ratio), ratio, np.nan)


def calmar_ratio(returns: ArrayLike, periods_per_year: int = PERIODS_PER_YEAR) -> FloatArray:
    """CAGR / |max drawdown|; NaN when there is no drawdown or the ratio is infinite."""
    st, was_1d, n = _stats(returns, k.DRAWDOWN)
    return _finish(_calmar(st, n, periods_per_year), was_1d)


def alpha_beta(
    returns: ArrayLike, benchmark: ArrayLike, risk_free: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> tuple[FloatArray, FloatArray]:
    """Annualised alpha ((1 + mean(r − rf − beta·(b − rf))) ** periods − 1) and beta = cov(r, b)/var(b).

    ``benchmark`` is 1-D (shared by every series) or shaped like ``returns``. As in empyrical, beta
    ignores ``risk_free``; only alpha subtracts it.
    """
    r, was_1d = as_panel(returns, "returns")
    b = bench_panel(r, benchmark, "benchmark")
    # A shared benchmark arrives as a zero-stride view; the kernel takes it as its one real column.
    b = b[:, :1] if b.strides[1] == 0 else b
    ab = np.full((2, r.shape[1]), np.nan)
    k.alpha_beta_kernel(np.ascontiguousarray(r), np.ascontiguousarray(b), float(risk_free), ab)
    with np.errstate(invalid="ignore"):
        alp = _nan_if_short((1.0 + ab[0]) ** periods_per_year - 1.0, r.shape[0], 2)
    return _finish(alp, was_1d), _finish(_nan_if_short(ab[1], r.shape[0], 2), was_1d)


def alpha(
    returns: ArrayLike, benchmark: ArrayLike, risk_free: float = 0.0, periods_per_year: int = PERIODS_PER_YEAR
) -> FloatArray:
    """Annualised Jensen alpha against ``benchmark`` (see :func:`alpha_beta`)."""
    return alpha_beta(returns, benchmark, risk_free, periods_per_year)[0]


def beta(returns: ArrayLike, benchmark: ArrayLike) -> FloatArray:
    """cov(r, b) / var(b) over rows where both are present (see :func:`alpha_beta`)."""
    return alpha_beta(returns, benchmark)[1]


def _win_rate(st: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        rate: FloatArray = st[k.N_POS] / (st[k.N_POS] + st[k.N_NEG])
    return rate


def win_rate(returns: ArrayLike) -> FloatArray:
    """Share of positive periods among periods with a non-zero, present return (NaN if there are none)."""
    st, was_1d, _ = _stats(returns, k.WIN_LOSS)
    return _finish(_win_rate(st), was_1d)


def profit_loss_ratio(returns: ArrayLike) -> FloatArray:
    """Mean gain of positive periods / |mean loss| of negative periods (NaN when either is missing)."""
    st, was_1d, _ = _stats(returns, k.WIN_LOSS)
    with np.errstate(divide="ignore", invalid="ignore"):
        return _finish(st[k.MEAN_POS] / np.abs(st[k.MEAN_NEG]), was_1d)


def summarize(returns: ArrayLike, benchmark: ArrayLike | None = None) -> dict[str, FloatArray]:
    """Every metric above at once from one pass per series, keyed by function name.

    ``alpha`` and ``beta`` are included when a benchmark is given. Uses the default 252 periods per year,
    zero risk-free rate and zero required return.
    """
    r, was_1d = as_panel(returns, "returns")
    st, _, n = _stats(r, k.ALL)
    p = PERIODS_PER_YEAR
    with np.errstate(divide="ignore", invalid="ignore"):
        out = {
            "total_return": _nan_if_short(st[k.GROWTH] - 1.0, n, 1),
            "annual_return": _cagr(st, n, p),
            "annual_volatility": _nan_if_short(st[k.STD] * math.sqrt(p), n, 2),
            "sharpe_ratio": _sharpe(st, n, 0.0, p),
            "sortino_ratio": _sortino(st, n, 0.0, p),
            "downside_risk": _downside(st, n, p),
            "max_drawdown": _nan_if_short(st[k.MDD], n, 1),
            "max_drawdown_duration": st[k.MDD_DURATION],
            "calmar_ratio": _calmar(st, n, p),
            "win_rate": _win_rate(st),
            "profit_loss_ratio": st[k.MEAN_POS] / np.abs(st[k.MEAN_NEG]),
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

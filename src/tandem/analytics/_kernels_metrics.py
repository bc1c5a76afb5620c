"""Numba kernels behind :mod:`tandem.analytics.metrics`: every per-series statistic in one or two passes.

Doing this with NumPy masks allocates a days × series temporary per step and loses to empyrical's
bottleneck-backed loop; one pass per column keeps the whole summary cheaper than a single empyrical call
per series. NaN handling mirrors empyrical: means and deviations skip NaN rows, compounding treats a NaN
return as 0.
"""

from __future__ import annotations

import numba
import numpy as np

from tandem.analytics._arrays import FloatArray, kernel

COUNT, MEAN, STD, FLAT, DOWN_MS, GROWTH, MDD, MDD_DURATION, N_POS, MEAN_POS, N_NEG, MEAN_NEG = range(12)
N_STATS = 12


@kernel
def column_stats_kernel(r: FloatArray, required_return: float) -> FloatArray:
    """Return a (N_STATS, n_cols) array of the statistics named by the module constants."""
    n_rows, n_cols = r.shape
    out = np.full((N_STATS, n_cols), np.nan)
    for j in numba.prange(n_cols):
        count = 0
        total = 0.0
        lo = np.inf
        hi = -np.inf
        down = 0.0
        growth = 1.0
        peak = 1.0
        peak_at = 0
        worst = 0.0
        worst_peak = 1.0
        worst_peak_at = 0
        trough_at = -1
        recovered_at = -1
        n_pos = 0
        s_pos = 0.0
        n_neg = 0
        s_neg = 0.0
        for i in range(n_rows):
            v = r[i, j]
            if not np.isnan(v):
                count += 1
                total += v
                lo = min(lo, v)
                hi = max(hi, v)
                d = min(v - required_return, 0.0)
                down += d * d
                growth *= 1.0 + v
                if v > 0:
                    n_pos += 1
                    s_pos += v
                elif v < 0:
                    n_neg += 1
                    s_neg += v
            if growth > peak:
                peak = growth
                peak_at = i + 1
            dd = growth / peak - 1.0
            if dd < worst:
                worst = dd
                worst_peak = peak
                worst_peak_at = peak_at
                trough_at = i + 1
                recovered_at = -1
            elif recovered_at < 0 and trough_at >= 0 and growth >= worst_peak:
                recovered_at = i + 1
        mean = total / count if count > 0 else np.nan
        sq = 0.0
        for i in range(n_rows):
            v = r[i, j]
            if not np.isnan(v):
                sq += (v - mean) * (v - mean)
        out[COUNT, j] = count
        out[MEAN, j] = mean
        out[STD, j] = np.sqrt(sq / (count - 1)) if count > 1 else np.nan
        out[FLAT, j] = 1.0 if count > 0 and lo == hi else 0.0
        out[DOWN_MS, j] = down / count if count > 0 else np.nan
        out[GROWTH, j] = growth
        out[MDD, j] = worst
        if trough_at < 0:
            out[MDD_DURATION, j] = 0.0
        else:
            end = recovered_at if recovered_at >= 0 else n_rows
            out[MDD_DURATION, j] = end - worst_peak_at
        out[N_POS, j] = n_pos
        out[MEAN_POS, j] = s_pos / n_pos if n_pos > 0 else np.nan
        out[N_NEG, j] = n_neg
        out[MEAN_NEG, j] = s_neg / n_neg if n_neg > 0 else np.nan
    return out


@kernel
def alpha_beta_kernel(r: FloatArray, b: FloatArray, risk_free: float) -> FloatArray:
    """Return a (2, n_cols) array: mean daily alpha (not annualised) and beta, as empyrical computes them."""
    n_rows, n_cols = r.shape
    out = np.full((2, n_cols), np.nan)
    for j in numba.prange(n_cols):
        count = 0
        total = 0.0
        for i in range(n_rows):
            if not (np.isnan(r[i, j]) or np.isnan(b[i, j])):
                count += 1
                total += b[i, j]
        if count == 0:
            continue
        mean_b = total / count
        cov = 0.0
        var = 0.0
        for i in range(n_rows):
            if not (np.isnan(r[i, j]) or np.isnan(b[i, j])):
                resid = b[i, j] - mean_b
                cov += resid * r[i, j]
                var += resid * resid
        if var / count < 1.0e-30:
            continue
        beta = cov / var
        acc = 0.0
        for i in range(n_rows):
            if not (np.isnan(r[i, j]) or np.isnan(b[i, j])):
                acc += (r[i, j] - risk_free) - beta * (b[i, j] - risk_free)
        out[0, j] = acc / count
        out[1, j] = beta
    return out

"""Numba kernels behind :mod:`tandem.analytics.metrics`: per-series statistics in one or two passes.

Doing this with NumPy masks allocates a days × series temporary per step and loses to empyrical's
bottleneck-backed loop. Here a block of :data:`METRIC_BLOCK` adjacent series is walked row by row (each
row of the block is one contiguous read of the C-ordered panel) with one accumulator per series, written
without branches on the data (a NaN contributes 0 to a sum and 1 to a product, which leaves them exact),
so the loop over a row's series runs as SIMD lanes; each series still adds its rows in date order, so
the values are those of a scalar loop. A caller asks only for the groups of statistics it needs, and
``summarize`` asks for all of them in the same pass. NaN handling mirrors empyrical: means and
deviations skip NaN rows, compounding treats a NaN return as 0.
"""

from __future__ import annotations

import numba
import numpy as np

from tandem.analytics._arrays import FloatArray, serial_kernel

COUNT, MEAN, STD, FLAT, DOWN_MS, GROWTH, MDD, MDD_DURATION, N_POS, MEAN_POS, N_NEG, MEAN_NEG = range(12)
N_STATS = 12

MOMENTS = 1
"""Group: COUNT, MEAN, STD (ddof=1, two-pass) and FLAT (all present values equal)."""
DOWNSIDE = 2
"""Group: COUNT, MEAN and DOWN_MS (mean of min(r - required, 0)²)."""
GROWTH_ONLY = 4
"""Group: GROWTH (product of 1 + r)."""
DRAWDOWN = 8
"""Group: GROWTH, MDD and MDD_DURATION of the compounded wealth curve."""
WIN_LOSS = 16
"""Group: N_POS, MEAN_POS, N_NEG, MEAN_NEG."""
ALL = MOMENTS | DOWNSIDE | GROWTH_ONLY | DRAWDOWN | WIN_LOSS

METRIC_BLOCK = 64
"""Series per block (a multiple of the 8 double lanes of an AVX-512 register); the accumulators of a
block stay in L1 while its rows stream past. The kernels run on one thread (see ``serial_kernel``)."""


@numba.njit(cache=True, nogil=True)
def _moments(r: FloatArray, j0: int, w: int, required: float, groups: int, out: FloatArray) -> None:
    n_rows = r.shape[0]
    count = np.zeros(w)
    total = np.zeros(w)
    lo = np.full(w, np.inf)
    hi = np.full(w, -np.inf)
    down = np.zeros(w)
    want_flat = groups & MOMENTS != 0
    want_down = groups & DOWNSIDE != 0
    for i in range(n_rows):
        row = r[i, j0 : j0 + w]
        for c in range(w):
            v = row[c]
            ok = not np.isnan(v)
            count[c] += 1.0 if ok else 0.0
            total[c] += v if ok else 0.0
        if want_flat:
            for c in range(w):
                v = row[c]
                ok = not np.isnan(v)
                lo[c] = min(lo[c], v) if ok else lo[c]
                hi[c] = max(hi[c], v) if ok else hi[c]
        if want_down:
            for c in range(w):
                v = row[c]
                d = min(v - required, 0.0)
                down[c] += d * d if not np.isnan(v) else 0.0
    mean = np.empty(w)
    for c in range(w):
        mean[c] = total[c] / count[c] if count[c] > 0 else np.nan
        out[COUNT, j0 + c] = count[c]
        out[MEAN, j0 + c] = mean[c]
    if want_down:
        for c in range(w):
            out[DOWN_MS, j0 + c] = down[c] / count[c] if count[c] > 0 else np.nan
    if not want_flat:
        return
    sq = np.zeros(w)
    for i in range(n_rows):
        row = r[i, j0 : j0 + w]
        for c in range(w):
            v = row[c]
            d = v - mean[c]
            sq[c] += d * d if not np.isnan(v) else 0.0
    for c in range(w):
        out[STD, j0 + c] = np.sqrt(sq[c] / (count[c] - 1)) if count[c] > 1 else np.nan
        out[FLAT, j0 + c] = 1.0 if count[c] > 0 and lo[c] == hi[c] else 0.0


@numba.njit(cache=True, nogil=True)
def _growth(r: FloatArray, j0: int, w: int, out: FloatArray) -> None:
    growth = np.ones(w)
    for i in range(r.shape[0]):
        row = r[i, j0 : j0 + w]
        for c in range(w):
            v = row[c]
            growth[c] *= 1.0 + v if not np.isnan(v) else 1.0
    for c in range(w):
        out[GROWTH, j0 + c] = growth[c]


@numba.njit(cache=True, nogil=True)
def _drawdown(r: FloatArray, j0: int, w: int, out: FloatArray) -> None:
    """Deepest fall of the wealth curve (anchored at 1 before the first row) and its duration."""
    n_rows = r.shape[0]
    growth = np.ones(w)
    peak = np.ones(w)
    peak_at = np.zeros(w)
    worst = np.zeros(w)
    worst_peak = np.ones(w)
    worst_peak_at = np.zeros(w)
    trough_at = np.full(w, -1.0)
    recovered_at = np.full(w, -1.0)
    for i in range(n_rows):
        row = r[i, j0 : j0 + w]
        at = i + 1.0
        for c in range(w):
            v = row[c]
            g = growth[c] * (1.0 + v if not np.isnan(v) else 1.0)
            growth[c] = g
            new_peak = g > peak[c]
            pk = g if new_peak else peak[c]
            peak[c] = pk
            pk_at = at if new_peak else peak_at[c]
            peak_at[c] = pk_at
            dd = g / pk - 1.0
            deeper = dd < worst[c]
            # Bitwise & (not `and`): no short-circuit branches, so the loop over series vectorizes.
            recovers = (not deeper) & (recovered_at[c] < 0) & (trough_at[c] >= 0) & (g >= worst_peak[c])
            worst[c] = dd if deeper else worst[c]
            worst_peak[c] = pk if deeper else worst_peak[c]
            worst_peak_at[c] = pk_at if deeper else worst_peak_at[c]
            trough_at[c] = at if deeper else trough_at[c]
            recovered_at[c] = -1.0 if deeper else (at if recovers else recovered_at[c])
    for c in range(w):
        out[GROWTH, j0 + c] = growth[c]
        out[MDD, j0 + c] = worst[c]
        if trough_at[c] < 0:
            out[MDD_DURATION, j0 + c] = 0.0
        else:
            end = recovered_at[c] if recovered_at[c] >= 0 else n_rows
            out[MDD_DURATION, j0 + c] = end - worst_peak_at[c]


@numba.njit(cache=True, nogil=True)
def _win_loss(r: FloatArray, j0: int, w: int, out: FloatArray) -> None:
    n_pos = np.zeros(w)
    s_pos = np.zeros(w)
    n_neg = np.zeros(w)
    s_neg = np.zeros(w)
    for i in range(r.shape[0]):
        row = r[i, j0 : j0 + w]
        for c in range(w):
            v = row[c]
            pos = v > 0
            neg = v < 0
            n_pos[c] += 1.0 if pos else 0.0
            s_pos[c] += v if pos else 0.0
            n_neg[c] += 1.0 if neg else 0.0
            s_neg[c] += v if neg else 0.0
    for c in range(w):
        out[N_POS, j0 + c] = n_pos[c]
        out[MEAN_POS, j0 + c] = s_pos[c] / n_pos[c] if n_pos[c] > 0 else np.nan
        out[N_NEG, j0 + c] = n_neg[c]
        out[MEAN_NEG, j0 + c] = s_neg[c] / n_neg[c] if n_neg[c] > 0 else np.nan


@serial_kernel
def column_stats_kernel(r: FloatArray, required_return: float, groups: int, out: FloatArray) -> None:
    """Fill the rows of ``out`` (N_STATS × n_cols, NaN-initialised) named by the requested ``groups``."""
    n_cols = r.shape[1]
    for blk in range((n_cols + METRIC_BLOCK - 1) // METRIC_BLOCK):
        j0 = blk * METRIC_BLOCK
        w = min(METRIC_BLOCK, n_cols - j0)
        if groups & (MOMENTS | DOWNSIDE):
            _moments(r, j0, w, required_return, groups, out)
        if groups & DRAWDOWN:
            _drawdown(r, j0, w, out)
        elif groups & GROWTH_ONLY:
            _growth(r, j0, w, out)
        if groups & WIN_LOSS:
            _win_loss(r, j0, w, out)


@numba.njit(cache=True, nogil=True)
def _bench_row(b: FloatArray, i: int, j0: int, w: int, row: FloatArray) -> None:
    """Copy the benchmark values of row ``i`` for series ``j0 ...`` (one shared column or one per series)."""
    if b.shape[1] == 1:
        row[:] = b[i, 0]
    else:
        row[:] = b[i, j0 : j0 + w]


@serial_kernel
def alpha_beta_kernel(r: FloatArray, b: FloatArray, risk_free: float, out: FloatArray) -> None:
    """Fill ``out`` (2 × n_cols, NaN-initialised): mean daily alpha (not annualised) and beta, as empyrical.

    ``b`` has one column shared by every series, or one column per series.
    """
    n_rows, n_cols = r.shape
    for blk in range((n_cols + METRIC_BLOCK - 1) // METRIC_BLOCK):
        j0 = blk * METRIC_BLOCK
        w = min(METRIC_BLOCK, n_cols - j0)
        bb = np.empty(w)
        count = np.zeros(w)
        total = np.zeros(w)
        for i in range(n_rows):
            rr = r[i, j0 : j0 + w]
            _bench_row(b, i, j0, w, bb)
            for c in range(w):
                ok = not (np.isnan(rr[c]) | np.isnan(bb[c]))
                count[c] += 1.0 if ok else 0.0
                total[c] += bb[c] if ok else 0.0
        mean_b = np.empty(w)
        for c in range(w):
            mean_b[c] = total[c] / count[c] if count[c] > 0 else 0.0
        cov = np.zeros(w)
        var = np.zeros(w)
        for i in range(n_rows):
            rr = r[i, j0 : j0 + w]
            _bench_row(b, i, j0, w, bb)
            for c in range(w):
                ok = not (np.isnan(rr[c]) | np.isnan(bb[c]))
                resid = bb[c] - mean_b[c]
                cov[c] += resid * rr[c] if ok else 0.0
                var[c] += resid * resid if ok else 0.0
        beta = np.empty(w)
        for c in range(w):
            beta[c] = cov[c] / var[c] if count[c] > 0 and var[c] / count[c] >= 1.0e-30 else np.nan
        acc = np.zeros(w)
        for i in range(n_rows):
            rr = r[i, j0 : j0 + w]
            _bench_row(b, i, j0, w, bb)
            for c in range(w):
                ok = not (np.isnan(rr[c]) | np.isnan(bb[c]))
                acc[c] += ((rr[c] - risk_free) - beta[c] * (bb[c] - risk_free)) if ok else 0.0
        for c in range(w):
            if not np.isnan(beta[c]):
                out[0, j0 + c] = acc[c] / count[c]
                out[1, j0 + c] = beta[c]

"""Numba kernels for rolling statistics of returns and for the drawdown series.

Rolling windows hold the last ``window`` valid observations of a column (NaN rows are skipped, as for
the indicators). Beta is updated online with Welford's co-moment updates. Volatility uses *shifted running
sums* instead (TA-Lib's STDDEV uses plain running sums of x and x², which lose digits on prices): it keeps
``s1 = Σ(x − k)`` and ``s2 = Σ(x − k)²`` for a shift ``k`` near the window mean, so each step is two adds
and no division (Welford's remove/add update was two dependent divisions per value, ~2× slower). The sums
are recomputed exactly from the window — ``k`` = its mean, then the two sums, a two-pass variance — every
:data:`RECOMPUTE` steps, when a value leaving the window dwarfs what is left (a price jump or a seam), and
when the variance ``s2 − s1²/n`` is a tiny part of ``s2`` (a flat window: the cancellation would show
through the square root). Against an exact long-double two-pass reference on the benchmark's real returns
this is closer than the Welford form was (max abs error 2e-14 vs 7e-14 at window 20, 9e-12 vs 2e-7 at
window 2, where near-flat windows amplify any rounding through the root). Column blocks run
in parallel on contiguous scratch rows; outputs are allocated by the caller (see
:mod:`tandem.analytics._kernels_avg` for both).
"""

from __future__ import annotations

import numba
import numpy as np

from tandem.analytics._arrays import FloatArray, kernel
from tandem.analytics._blocks import BLOCK, load_block, store_block

RECOMPUTE = 64
"""Valid steps between exact recomputations of the shifted sums (bounds the drift of the running sums)."""
CANCEL = 1024.0
"""Recompute when the squared deviation leaving the window exceeds the remaining ``s2`` by this factor."""
LOSS = 1e-6
"""Recompute when the variance is below this fraction of ``s2`` (cancellation would dominate it)."""


@numba.njit(cache=True, nogil=True)
def _exact_sums(ring: FloatArray, window: int) -> tuple[float, float, float]:
    """Two-pass sums of the full window: its mean as the new shift, then Σ(x − mean) and Σ(x − mean)²."""
    m = 0.0
    for j in range(window):
        m += ring[j]
    m /= window
    s1 = 0.0
    s2 = 0.0
    for j in range(window):
        d = ring[j] - m
        s1 += d
        s2 += d * d
    return m, s1, s2


@numba.njit(cache=True, nogil=True)
def _std_column(col: FloatArray, window: int, coef: float, ring: FloatArray) -> None:
    """Rolling sample std × ``coef``·sqrt(window − 1) of one column, in place (see the module docstring)."""
    inv_w = 1.0 / window
    n = 0
    p = 0
    k = 0.0
    s1 = 0.0
    s2 = 0.0
    since = 0
    for i in range(col.size):
        v = col[i]
        if np.isnan(v):
            continue
        if n < window:
            col[i] = np.nan
            if n == 0:
                k = v
            ring[n] = v
            n += 1
            d = v - k
            s1 += d
            s2 += d * d
            if n < window:
                continue
            do = 0.0
        else:
            old = ring[p]
            ring[p] = v
            p = p + 1 if p + 1 < window else 0
            since += 1
            dn = v - k
            do = old - k
            s1 += dn - do
            s2 += (dn - do) * (dn + do)
        var = s2 - s1 * s1 * inv_w
        if since >= RECOMPUTE or do * do > s2 * CANCEL or var <= s2 * LOSS:
            since = 0
            k, s1, s2 = _exact_sums(ring, window)
            var = s2 - s1 * s1 * inv_w
        col[i] = np.sqrt(max(var, 0.0)) * coef


@kernel
def rolling_std_kernel(x: FloatArray, window: int, scale: float, out: FloatArray) -> None:
    """Compute the rolling sample standard deviation (ddof=1) of the last ``window`` valid values × ``scale``."""
    coef = scale / np.sqrt(window - 1)
    for blk in numba.prange((x.shape[1] + BLOCK - 1) // BLOCK):
        buf = load_block(x, blk)
        ring = np.empty(window)
        for c in range(buf.shape[0]):
            _std_column(buf[c], window, coef, ring)
        store_block(buf, out, blk)


@numba.njit(cache=True, nogil=True)
def _beta_column(xs: FloatArray, ys: FloatArray, window: int, ring_x: FloatArray, ring_y: FloatArray) -> None:
    """Rolling beta of one column, written into ``xs``."""
    n = 0
    p = 0
    mx = 0.0
    my = 0.0
    cxy = 0.0
    cyy = 0.0
    for i in range(xs.size):
        vx = xs[i]
        vy = ys[i]
        xs[i] = np.nan
        if np.isnan(vx) or np.isnan(vy):
            continue
        if n == window:
            ox = ring_x[p]
            oy = ring_y[p]
            n -= 1
            if n == 0:
                mx = 0.0
                my = 0.0
                cxy = 0.0
                cyy = 0.0
            else:
                dx = ox - mx
                dy = oy - my
                mx -= dx / n
                my -= dy / n
                cxy -= dx * (oy - my)
                cyy -= dy * (oy - my)
        ring_x[p] = vx
        ring_y[p] = vy
        p = p + 1 if p + 1 < window else 0
        n += 1
        dx = vx - mx
        dy = vy - my
        mx += dx / n
        my += dy / n
        cxy += dx * (vy - my)
        cyy += dy * (vy - my)
        if n == window:
            xs[i] = cxy / cyy if cyy / window >= 1e-30 else np.nan


@kernel
def rolling_beta_kernel(x: FloatArray, y: FloatArray, window: int, out: FloatArray) -> None:
    """Compute the rolling cov(x, y) / var(y) over the last ``window`` rows where both are present.

    NaN when var(y) is below 1e-30 (a flat benchmark has no beta).
    """
    for blk in numba.prange((x.shape[1] + BLOCK - 1) // BLOCK):
        xs = load_block(x, blk)
        ys = load_block(y, blk)
        ring_x = np.empty(window)
        ring_y = np.empty(window)
        for c in range(xs.shape[0]):
            _beta_column(xs[c], ys[c], window, ring_x, ring_y)
        store_block(xs, out, blk)


@numba.njit(cache=True, nogil=True)
def _drawdown_column(col: FloatArray) -> None:
    peak = -np.inf
    for i in range(col.size):
        v = col[i]
        if np.isnan(v):
            continue
        if v > peak:
            peak = v
        col[i] = v / peak - 1.0


@kernel
def drawdown_kernel(x: FloatArray, out: FloatArray) -> None:
    """X / running max of x − 1 over the valid rows; NaN rows stay NaN and do not reset the peak."""
    for blk in numba.prange((x.shape[1] + BLOCK - 1) // BLOCK):
        buf = load_block(x, blk)
        for c in range(buf.shape[0]):
            _drawdown_column(buf[c])
        store_block(buf, out, blk)

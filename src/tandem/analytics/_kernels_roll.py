"""Numba kernels for rolling statistics of returns and for the drawdown series.

Rolling windows hold the last ``window`` valid observations of a column (NaN rows are skipped, as for
the indicators) and are updated online: adding the newest value and removing the oldest with Welford's
co-moment updates, which stay accurate where naive running sums of squares lose digits. Volatility and
beta are separate kernels so the volatility loop carries one moment instead of three. Column blocks run
in parallel on contiguous scratch rows; outputs are allocated by the caller (see
:mod:`tandem.analytics._kernels_avg` for both).
"""

from __future__ import annotations

import numba
import numpy as np

from tandem.analytics._arrays import FloatArray, kernel
from tandem.analytics._blocks import BLOCK, load_block, store_block


@numba.njit(cache=True, nogil=True)
def _std_column(col: FloatArray, window: int, scale: float, ring: FloatArray) -> None:
    n = 0
    p = 0
    m = 0.0
    cm = 0.0
    for i in range(col.size):
        v = col[i]
        if np.isnan(v):
            continue
        col[i] = np.nan
        if n == window:
            old = ring[p]
            n -= 1
            if n == 0:
                m = 0.0
                cm = 0.0
            else:
                d = old - m
                m -= d / n
                cm -= d * (old - m)
        ring[p] = v
        p = p + 1 if p + 1 < window else 0
        n += 1
        d = v - m
        m += d / n
        cm += d * (v - m)
        if n == window:
            col[i] = np.sqrt(max(cm, 0.0) / (window - 1)) * scale


@kernel
def rolling_std_kernel(x: FloatArray, window: int, scale: float, out: FloatArray) -> None:
    """Compute the rolling sample standard deviation (ddof=1) of the last ``window`` valid values × ``scale``."""
    for blk in numba.prange((x.shape[1] + BLOCK - 1) // BLOCK):
        buf = load_block(x, blk)
        ring = np.empty(window)
        for c in range(buf.shape[0]):
            _std_column(buf[c], window, scale, ring)
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

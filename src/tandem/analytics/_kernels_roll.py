"""Numba kernels for rolling statistics of returns and for the drawdown series.

Rolling windows hold the last ``window`` valid observations of a column (NaN rows are skipped, as for
the indicators) and are updated online: adding the newest value and removing the oldest with Welford's
co-moment updates, which stay accurate where naive running sums of squares lose digits.
"""

from __future__ import annotations

import numba
import numpy as np

from tandem.analytics._arrays import FloatArray, kernel


@kernel
def rolling_comoment_kernel(x: FloatArray, y: FloatArray, window: int, ratio: bool) -> FloatArray:
    """Compute the rolling sample variance of ``x`` (``ratio`` False) or cov(x, y) / var(y) (``ratio`` True).

    A row is used only when x (and, for the ratio, y) is present. The variance uses ddof=1; the ratio
    is NaN when var(y) is below 1e-30 (a flat benchmark has no beta).
    """
    n_rows, n_cols = x.shape
    out = np.full((n_rows, n_cols), np.nan)
    for j in numba.prange(n_cols):
        ring_x = np.empty(window)
        ring_y = np.empty(window)
        n = 0
        mx = 0.0
        my = 0.0
        cxy = 0.0
        cyy = 0.0
        k = 0
        for i in range(n_rows):
            vx = x[i, j]
            vy = y[i, j] if ratio else vx
            if np.isnan(vx) or np.isnan(vy):
                continue
            if n == window:
                ox = ring_x[k % window]
                oy = ring_y[k % window]
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
            ring_x[k % window] = vx
            ring_y[k % window] = vy
            n += 1
            dx = vx - mx
            dy = vy - my
            mx += dx / n
            my += dy / n
            cxy += dx * (vy - my)
            cyy += dy * (vy - my)
            k += 1
            if n == window:
                if ratio:
                    out[i, j] = cxy / cyy if cyy / window >= 1e-30 else np.nan
                elif window > 1:
                    out[i, j] = np.sqrt(max(cyy, 0.0) / (window - 1))
    return out


@kernel
def drawdown_kernel(x: FloatArray) -> FloatArray:
    """X / running max of x − 1 over the valid rows; NaN rows stay NaN and do not reset the peak."""
    n_rows, n_cols = x.shape
    out = np.full((n_rows, n_cols), np.nan)
    for j in numba.prange(n_cols):
        peak = -np.inf
        for i in range(n_rows):
            v = x[i, j]
            if np.isnan(v):
                continue
            if v > peak:
                peak = v
            out[i, j] = v / peak - 1.0
    return out

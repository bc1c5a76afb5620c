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


@kernel
def drawdown_duration_kernel(wealth: FloatArray) -> FloatArray:
    """Periods from the peak before the deepest trough to the first period back at that peak.

    ``wealth`` has an anchor row 0 (starting capital) before the first return. If the peak is never
    regained the duration runs to the last row; with no drawdown it is 0.
    """
    n_rows, n_cols = wealth.shape
    out = np.zeros(n_cols)
    for j in numba.prange(n_cols):
        peak = wealth[0, j]
        peak_at = 0
        worst = 0.0
        worst_peak_at = 0
        worst_peak = peak
        trough_at = -1
        for i in range(n_rows):
            v = wealth[i, j]
            if v > peak:
                peak = v
                peak_at = i
            dd = v / peak - 1.0
            if dd < worst:
                worst = dd
                worst_peak_at = peak_at
                worst_peak = peak
                trough_at = i
        if trough_at < 0:
            continue
        end = n_rows - 1
        for i in range(trough_at + 1, n_rows):
            if wealth[i, j] >= worst_peak:
                end = i
                break
        out[j] = end - worst_peak_at
    return out

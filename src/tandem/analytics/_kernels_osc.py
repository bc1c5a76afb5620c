"""Numba kernels for RSI, ATR and OBV (Wilder smoothing and running volume).

Same conventions as :mod:`tandem.analytics._kernels_avg`: columns run in parallel, NaN rows are skipped
(for ATR a row counts only when high, low and close are all present; for OBV when close and volume are),
and the arithmetic mirrors TA-Lib's C code so results agree to rounding.
"""

from __future__ import annotations

import numba
import numpy as np

from tandem.analytics._arrays import FloatArray, kernel

_TA_EPSILON = 1e-8
"""TA-Lib's TA_IS_ZERO threshold: an average gain + loss below it gives an RSI of 0."""


@kernel
def rsi_kernel(x: FloatArray, period: int) -> FloatArray:
    """Wilder RSI: the first value averages ``period`` changes, then avg = (avg*(p-1) + change)/p."""
    n_rows, n_cols = x.shape
    out = np.full((n_rows, n_cols), np.nan)
    for j in numba.prange(n_cols):
        prev = 0.0
        gain = 0.0
        loss = 0.0
        k = 0
        for i in range(n_rows):
            v = x[i, j]
            if np.isnan(v):
                continue
            if k > 0:
                diff = v - prev
                if k > period:
                    loss *= period - 1
                    gain *= period - 1
                if diff < 0:
                    loss -= diff
                else:
                    gain += diff
                if k >= period:
                    loss /= period
                    gain /= period
                    denom = gain + loss
                    out[i, j] = 100.0 * (gain / denom) if abs(denom) >= _TA_EPSILON else 0.0
            prev = v
            k += 1
    return out


@kernel
def atr_kernel(high: FloatArray, low: FloatArray, close: FloatArray, period: int) -> FloatArray:
    """Wilder ATR: true range from the second valid bar, seeded by the mean of the first ``period`` ranges."""
    n_rows, n_cols = close.shape
    out = np.full((n_rows, n_cols), np.nan)
    for j in numba.prange(n_cols):
        prev_close = 0.0
        acc = 0.0
        k = 0
        for i in range(n_rows):
            h = high[i, j]
            lo = low[i, j]
            c = close[i, j]
            if np.isnan(h) or np.isnan(lo) or np.isnan(c):
                continue
            if k > 0:
                tr = h - lo
                up = abs(prev_close - h)
                if up > tr:
                    tr = up
                down = abs(prev_close - lo)
                if down > tr:
                    tr = down
                if k < period:
                    acc += tr
                elif k == period:
                    acc += tr
                    acc = acc / period
                    out[i, j] = acc
                else:
                    acc *= period - 1
                    acc += tr
                    acc /= period
                    out[i, j] = acc
            prev_close = c
            k += 1
    return out


@kernel
def obv_kernel(close: FloatArray, volume: FloatArray) -> FloatArray:
    """On-balance volume: starts at the first valid bar's volume, then ± volume on up/down closes."""
    n_rows, n_cols = close.shape
    out = np.full((n_rows, n_cols), np.nan)
    for j in numba.prange(n_cols):
        prev = 0.0
        acc = 0.0
        started = False
        for i in range(n_rows):
            c = close[i, j]
            vol = volume[i, j]
            if np.isnan(c) or np.isnan(vol):
                continue
            if not started:
                acc = vol
                started = True
            elif c > prev:
                acc += vol
            elif c < prev:
                acc -= vol
            prev = c
            out[i, j] = acc
    return out

"""Numba kernels for RSI, ATR and OBV (Wilder smoothing and running volume).

Same conventions as :mod:`tandem.analytics._kernels_avg` (column blocks in parallel, contiguous scratch
rows, outputs allocated by the caller): NaN rows are skipped (for ATR a row counts only when high, low
and close are all present; for OBV when close and volume are), and the arithmetic mirrors TA-Lib's C
code so results agree to rounding.
"""

from __future__ import annotations

import numba
import numpy as np

from tandem.analytics._arrays import FloatArray, kernel
from tandem.analytics._blocks import BLOCK, load_block, store_block

_TA_EPSILON = 1e-8
"""TA-Lib's TA_IS_ZERO threshold: an average gain + loss below it gives an RSI of 0."""


@numba.njit(cache=True, nogil=True)
def _rsi_column(col: FloatArray, period: int) -> None:
    prev = 0.0
    gain = 0.0
    loss = 0.0
    k = 0
    for i in range(col.size):
        v = col[i]
        if np.isnan(v):
            continue
        col[i] = np.nan
        if k > 0:
            diff = v - prev
            if k > period:
                loss *= period - 1
                gain *= period - 1
            # Branch-free form of "if diff < 0: loss -= diff else: gain += diff" (returns flip sign at
            # random, so the branch mispredicts); adding or subtracting 0.0 leaves the other sum exact.
            loss -= min(diff, 0.0)
            gain += max(diff, 0.0)
            if k >= period:
                loss /= period
                gain /= period
                denom = gain + loss
                col[i] = 100.0 * (gain / denom) if abs(denom) >= _TA_EPSILON else 0.0
        prev = v
        if k <= period:
            k += 1


@kernel
def rsi_kernel(x: FloatArray, period: int, out: FloatArray) -> None:
    """Wilder RSI: the first value averages ``period`` changes, then avg = (avg*(p-1) + change)/p."""
    for blk in numba.prange((x.shape[1] + BLOCK - 1) // BLOCK):
        buf = load_block(x, blk)
        for c in range(buf.shape[0]):
            _rsi_column(buf[c], period)
        store_block(buf, out, blk)


@numba.njit(cache=True, nogil=True)
def _atr_column(hi: FloatArray, lo: FloatArray, cl: FloatArray, period: int) -> None:
    """ATR of one column, written into ``hi``."""
    prev_close = 0.0
    acc = 0.0
    k = 0
    for i in range(cl.size):
        h = hi[i]
        lw = lo[i]
        c = cl[i]
        hi[i] = np.nan
        if np.isnan(h) or np.isnan(lw) or np.isnan(c):
            continue
        if k > 0:
            tr = h - lw
            up = abs(prev_close - h)
            if up > tr:
                tr = up
            down = abs(prev_close - lw)
            if down > tr:
                tr = down
            if k < period:
                acc += tr
            elif k == period:
                acc += tr
                acc = acc / period
                hi[i] = acc
            else:
                acc *= period - 1
                acc += tr
                acc /= period
                hi[i] = acc
        prev_close = c
        if k <= period:
            k += 1


@kernel
def atr_kernel(high: FloatArray, low: FloatArray, close: FloatArray, period: int, out: FloatArray) -> None:
    """Wilder ATR: true range from the second valid bar, seeded by the mean of the first ``period`` ranges."""
    for blk in numba.prange((close.shape[1] + BLOCK - 1) // BLOCK):
        h = load_block(high, blk)
        lo = load_block(low, blk)
        cl = load_block(close, blk)
        for c in range(h.shape[0]):
            _atr_column(h[c], lo[c], cl[c], period)
        store_block(h, out, blk)


@numba.njit(cache=True, nogil=True)
def _obv_column(cl: FloatArray, vol: FloatArray) -> None:
    """OBV of one column, written into ``cl``."""
    prev = 0.0
    acc = 0.0
    started = False
    for i in range(cl.size):
        c = cl[i]
        v = vol[i]
        if np.isnan(c) or np.isnan(v):
            cl[i] = np.nan
            continue
        if not started:
            acc = v
            started = True
        elif c > prev:
            acc += v
        elif c < prev:
            acc -= v
        prev = c
        cl[i] = acc


@kernel
def obv_kernel(close: FloatArray, volume: FloatArray, out: FloatArray) -> None:
    """On-balance volume: starts at the first valid bar's volume, then ± volume on up/down closes."""
    for blk in numba.prange((close.shape[1] + BLOCK - 1) // BLOCK):
        cl = load_block(close, blk)
        vol = load_block(volume, blk)
        for c in range(cl.shape[0]):
            _obv_column(cl[c], vol[c])
        store_block(cl, out, blk)

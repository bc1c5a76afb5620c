"""Numba kernels for the averaging indicators: SMA, EMA, MACD and Bollinger bands.

Each kernel skips NaN rows per column: the indicator is the one TA-Lib computes on the column's valid
observations, written back at their rows, with NaN at every missing row. The arithmetic follows TA-Lib's
C code step by step (running sums added and subtracted in the same order, EMA seeded with the plain mean
of its first ``period`` values) so results agree to rounding, not just approximately.

Layout (see :mod:`tandem.analytics._blocks`): blocks of columns run in parallel, each copied into
contiguous rows, computed column by column in place, and copied back. Outputs are passed in, allocated
by the caller with ``np.empty``: NumPy's allocator reuses freed blocks (and asks for huge pages), whereas
a 10 MB array allocated inside a numba function is fresh memory every call and its page faults alone
cost several milliseconds.
"""

from __future__ import annotations

import numba
import numpy as np

from tandem.analytics._arrays import FloatArray, IntArray, kernel, serial_kernel
from tandem.analytics._blocks import BLOCK, load_block, store_block


@numba.njit(cache=True, nogil=True)
def _sma_column(col: FloatArray, period: int, ring: FloatArray) -> None:
    total = 0.0
    seen = 0
    p = 0
    for i in range(col.size):
        v = col[i]
        if np.isnan(v):
            continue
        ring[p] = v
        total += v
        p = p + 1 if p + 1 < period else 0
        if seen >= period - 1:
            col[i] = total / period
            total -= ring[p]
        else:
            col[i] = np.nan
            seen += 1


@kernel
def sma_kernel(x: FloatArray, period: int, out: FloatArray) -> None:
    """Compute the simple moving average of the last ``period`` valid values (TA-Lib SMA running sum)."""
    for blk in numba.prange((x.shape[1] + BLOCK - 1) // BLOCK):
        buf = load_block(x, blk)
        ring = np.empty(period)
        for c in range(buf.shape[0]):
            _sma_column(buf[c], period, ring)
        store_block(buf, out, blk)


@serial_kernel
def sma_single_column_kernel(x: FloatArray, period: int, out: FloatArray) -> None:
    """:func:`sma_kernel` for a one-column panel, on the calling thread.

    A web request asks for one stock's moving averages; handing one column to the thread pool makes the call wait
    for a pool thread whenever other processes share the cores (p99 of milliseconds for microseconds of work).
    """
    col = x[:, 0].copy()
    ring = np.empty(period)
    _sma_column(col, period, ring)
    out[:, 0] = col


@numba.njit(cache=True, nogil=True)
def _ema_column(col: FloatArray, period: int) -> None:
    alpha = 2.0 / (period + 1)
    acc = 0.0
    seen = 0
    for i in range(col.size):
        v = col[i]
        if np.isnan(v):
            continue
        if seen >= period:
            acc = ((v - acc) * alpha) + acc
            col[i] = acc
            continue
        acc += v
        seen += 1
        if seen == period:
            acc = acc / period
            col[i] = acc
        else:
            col[i] = np.nan


@kernel
def ema_kernel(x: FloatArray, period: int, out: FloatArray) -> None:
    """EMA with k = 2/(period+1), seeded with the mean of the first ``period`` valid values."""
    for blk in numba.prange((x.shape[1] + BLOCK - 1) // BLOCK):
        buf = load_block(x, blk)
        for c in range(buf.shape[0]):
            _ema_column(buf[c], period)
        store_block(buf, out, blk)


@numba.njit(cache=True, nogil=True)
def _macd_column(col: FloatArray, fast: int, slow: int, signal: int, sig_col: FloatArray, hist_col: FloatArray) -> None:
    k_fast = 2.0 / (fast + 1)
    k_slow = 2.0 / (slow + 1)
    k_sig = 2.0 / (signal + 1)
    first = slow + signal - 1  # valid values seen when the first output is written
    ema_f = 0.0
    ema_s = 0.0
    sig = 0.0
    seen = 0
    for i in range(col.size):
        v = col[i]
        if np.isnan(v):
            sig_col[i] = np.nan
            hist_col[i] = np.nan
            continue
        if seen >= first:
            ema_f = ((v - ema_f) * k_fast) + ema_f
            ema_s = ((v - ema_s) * k_slow) + ema_s
            line = ema_f - ema_s
            sig = ((line - sig) * k_sig) + sig
            col[i] = line
            sig_col[i] = sig
            hist_col[i] = line - sig
            continue
        k = seen
        seen += 1
        col[i] = np.nan
        sig_col[i] = np.nan
        hist_col[i] = np.nan
        if k < slow - 1:
            ema_s += v
            if k >= slow - fast:
                ema_f += v
            continue
        if k == slow - 1:
            ema_s = (ema_s + v) / slow
            ema_f = (ema_f + v) / fast
        else:
            ema_f = ((v - ema_f) * k_fast) + ema_f
            ema_s = ((v - ema_s) * k_slow) + ema_s
        line = ema_f - ema_s
        sig += line
        if k == first - 1:
            sig = sig / signal
            col[i] = line
            sig_col[i] = sig
            hist_col[i] = line - sig


@kernel
def macd_kernel(
    x: FloatArray, fast: int, slow: int, signal: int, macd_out: FloatArray, sig_out: FloatArray, hist_out: FloatArray
) -> None:
    """MACD line, signal and histogram with TA-Lib's alignment.

    TA-Lib seeds both EMAs at the slow EMA's first output (valid index ``slow - 1``): the fast EMA's seed
    is the mean of the ``fast`` values ending there, not of the first ``fast`` values. The signal EMA is
    seeded with the mean of the first ``signal`` MACD values, and all three outputs start together at
    valid index ``slow + signal - 2``. The seeds are running sums in the order TA-Lib adds them, so no
    buffer of the first ``slow`` values is needed.
    """
    for blk in numba.prange((x.shape[1] + BLOCK - 1) // BLOCK):
        buf = load_block(x, blk)
        sig = np.empty_like(buf)
        hist = np.empty_like(buf)
        for c in range(buf.shape[0]):
            _macd_column(buf[c], fast, slow, signal, sig[c], hist[c])
        store_block(buf, macd_out, blk)
        store_block(sig, sig_out, blk)
        store_block(hist, hist_out, blk)


@numba.njit(cache=True, nogil=True)
def _bbands_column(
    col: FloatArray,
    period: int,
    nbdev: float,
    up: FloatArray,
    lo: FloatArray,
    vals: FloatArray,
    mids: FloatArray,
    accs: FloatArray,
    rows: IntArray,
) -> None:
    """Bands of one column, written in place: ``col`` becomes the middle band, ``up``/``lo`` the others."""
    m = 0
    for i in range(col.size):
        v = col[i]
        col[i] = np.nan
        up[i] = np.nan
        lo[i] = np.nan
        if not np.isnan(v):
            vals[m] = v
            rows[m] = i
            m += 1
    total = 0.0
    for k in range(m):
        total += vals[k]
        if k >= period - 1:
            mids[k] = total / period
            total -= vals[k - period + 1]
    if m < period:
        return
    # Window sums for every valid k at once: step t adds (vals[k - period + 1 + t] - mid_k)^2 to all k.
    # Each window is summed oldest to newest as in a per-window loop, but the loop over k is long,
    # contiguous and independent across k, so it runs as SIMD lanes instead of a serial chain of adds.
    cnt = m - period + 1
    mm = mids[period - 1 : m]
    aa = accs[:cnt]
    aa[:] = 0.0
    for t in range(period):
        vt = vals[t : t + cnt]
        for q in range(cnt):
            d = vt[q] - mm[q]
            aa[q] += d * d
    for q in range(cnt):
        var = aa[q] / period
        dev = np.sqrt(var) if var > 0.0 else 0.0
        width = dev * nbdev
        mid = mm[q]
        r = rows[q + period - 1]
        col[r] = mid
        up[r] = mid + width
        lo[r] = mid - width


@kernel
def bbands_kernel(
    x: FloatArray, period: int, nbdev: float, upper: FloatArray, middle: FloatArray, lower: FloatArray
) -> None:
    """Bollinger bands: SMA middle ± nbdev × population std of the window.

    The deviation is an exact two-pass sum of squared distances from the middle band, recomputed for
    every window: a running sum of squares (TA-Lib's original C code) loses up to ~1e-9 on prices near
    2,000 CNY and turns flat windows (suspensions with a carried-forward price) into sqrt(rounding
    noise); the TA-Lib build we compare against is more careful, and the two-pass form agrees with it to
    ~1e-11. Done one window at a time that sum is a chain of ``period`` dependent adds per value, which is
    what made it slow; here all windows of a column are summed side by side as SIMD lanes, each window
    oldest to newest. (The previous kernel added a window in ring-buffer slot order instead, so upper and
    lower may differ from it in the last bit or two; the middle band is bit-for-bit the same.) Flat
    windows give exactly 0.
    """
    for blk in numba.prange((x.shape[1] + BLOCK - 1) // BLOCK):
        buf = load_block(x, blk)
        up = np.empty_like(buf)
        lo = np.empty_like(buf)
        vals = np.zeros(buf.shape[1])
        mids = np.zeros(buf.shape[1])
        accs = np.zeros(buf.shape[1])
        rows = np.zeros(buf.shape[1], np.int64)
        for c in range(buf.shape[0]):
            _bbands_column(buf[c], period, nbdev, up[c], lo[c], vals, mids, accs, rows)
        store_block(up, upper, blk)
        store_block(buf, middle, blk)
        store_block(lo, lower, blk)

# mypy: disable-error-code="no-untyped-def,no-any-return"
"""The event-driven form of the signal-grid kernel: work only on the bars where a column's signal fires.

A sweep column holds one stock with its own cash; between two signals nothing happens to it except that
the stock's price moves. So instead of stepping every (bar, column) through the fill rules the way
:func:`tandem.backtest._core.run_signal_grid` does, this kernel reads the two signal bytes of each cell
(one compare when they are equal — no signal, or both, which vectorbt ignores too) and calls the same
:func:`~tandem.backtest._core._buy` / :func:`~tandem.backtest._core._sell` only where a signal fires
(about 1 % of cells in a dual-MA grid). What the dense kernel did per bar is done once:

* T+1: ``locked`` is reset before each fill; a column never fills twice on one bar, so every earlier buy
  was on an earlier session and the reset is exactly the dense kernel's start-of-day reset;
* the mark price: the last finite positive close of each stock is found once, by scanning back from the
  last bar, instead of being tracked per column and bar.

Cash credits on ex-dates are path state on every held bar, so runs with corporate actions on (and any
ex-date in the data) keep using the dense kernel. Results are bit-for-bit those of the dense kernel: the
same fill functions see the same arguments in the same order per column.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from tandem.backtest import _core

BLOCK = 256

# The very same fill functions, inlined into this kernel: a call passes two typed lists and three state
# arrays, and their reference counting (atomic, shared by both threads) cost more than the fill itself.
_buy = numba.njit(inline="always", nogil=True)(_core._buy.py_func)
_sell = numba.njit(inline="always", nogil=True)(_core._sell.py_func)


@numba.njit(cache=True, nogil=True)
def last_marks(mark_px):
    """Last finite positive price per column (NaN when there is none)."""
    T, n = mark_px.shape
    out = np.full(n, np.nan)
    for s in range(n):
        for t in range(T - 1, -1, -1):
            p = mark_px[t, s]
            if math.isfinite(p) and p > 0.0:
                out[s] = p
                break
    return out


@numba.njit(cache=True, nogil=True, parallel=True)
def run_signal_grid_events(
    entries,
    exits,
    lag,
    col_stock,
    px,
    mark_px,
    opened,
    volume,
    tradable,
    limit_up,
    limit_down,
    slip,
    slip_on,
    stamp_sell,
    transfer,
    per_share,
    fee_min,
    min_buy,
    step,
    cash0,
    cfg,
    trades,
    events,
):
    """Final equity per grid column, same semantics as ``_core.run_signal_grid`` without ex-date credits.

    ``entries``/``exits`` are the bool signal arrays viewed as unsigned words: ``uint64`` packs 8
    neighbouring columns (little-endian, one byte each — see :func:`signal_words`), ``uint8`` is one column
    per word. A word whose entry and exit bytes are all equal is skipped at once. The signal of row ``t``
    fills on bar ``t + lag`` (0: at that close, 1: at the next open), so callers need not build shifted
    copies. Blocks of ``BLOCK`` columns run in parallel; per block the state is three small arrays.
    """
    T = entries.shape[0]
    per = entries.itemsize
    C = col_stock.shape[0]
    last = last_marks(mark_px)
    # Inputs a switched-off rule never reads are not loaded (each is another cache miss per fill).
    susp_on = cfg[_core.C_SUSPENSIONS] > 0.0
    limits_on = cfg[_core.C_LIMITS] > 0.0
    part_on = cfg[_core.C_PARTICIPATION] > 0.0
    lots_on = cfg[_core.C_LOTS] > 0.0
    stamp_on = cfg[_core.C_STAMP] > 0.0
    transfer_on = cfg[_core.C_TRANSFER] > 0.0
    out = np.empty(C)
    words = BLOCK // per
    nblocks = (entries.shape[1] + words - 1) // words
    for b in numba.prange(nblocks):
        w0 = b * words
        w1 = min(entries.shape[1], w0 + words)
        c0 = w0 * per
        m = min(C, w1 * per) - c0
        pos = np.zeros(m)
        locked = np.zeros(m)
        cash = np.full(m, cash0)
        for r in range(T - lag):
            t = r + lag
            for i in range(w0, w1):
                a = entries[r, i]
                diff = a ^ exits[r, i]
                if diff == 0:
                    continue
                for j in range(per):
                    if (diff >> (8 * j)) & 1 == 0:
                        continue
                    k = (i - w0) * per + j
                    s = col_stock[c0 + k]
                    locked[k] = 0.0
                    buy = (a >> (8 * j)) & 1 != 0
                    if (pos[k] != 0.0) if buy else not (pos[k] > 0.0):
                        continue
                    p = px[t, s]
                    sl = slip[t, s] if slip_on else 0.0
                    vol = volume[t, s] if part_on else 0.0
                    ok = tradable[t, s] if susp_on else True
                    lim = (limit_up[t, s] if buy else limit_down[t, s]) if limits_on else np.nan
                    op = opened[t, s] if limits_on else np.nan
                    mb = min_buy[s] if lots_on else 1.0
                    st = step[s] if lots_on else 1.0
                    tf = transfer[t, s] if transfer_on else 0.0
                    ps = per_share[t, s] if transfer_on else 0.0
                    fm = fee_min[t, s] if transfer_on else 0.0
                    if buy:
                        _buy(
                            t,
                            k,
                            k,
                            np.inf,
                            p,
                            p,
                            sl,
                            vol,
                            ok,
                            lim,
                            tf,
                            ps,
                            fm,
                            1.0,  # one fill per column and bar, locks reset before each: T+0 changes nothing
                            mb,
                            st,
                            pos,
                            locked,
                            cash,
                            cfg,
                            op,
                            trades,
                            events,
                        )
                    else:
                        stamp = stamp_sell[t, s] if stamp_on else 0.0
                        _sell(
                            t, k, k, pos[k], p, p, sl, vol, ok, lim, stamp, tf, ps, fm, mb, st, pos, locked, cash, cfg,
                            op, trades, events,
                        )  # fmt: skip
        for k in range(m):
            c = c0 + k
            out[c] = cash[k] + (pos[k] * last[col_stock[c]] if pos[k] != 0.0 else 0.0)
    return out


def signal_words(signals: np.ndarray) -> np.ndarray:
    """A C-contiguous bool days × columns array as unsigned words for the kernel, without copying.

    8 columns per ``uint64`` word when the column count allows it (byte per column, True = 1), else one
    ``uint8`` per column.
    """
    a = np.ascontiguousarray(signals, dtype=np.bool_).view(np.uint8)
    return a.view(np.uint64) if a.shape[1] % 8 == 0 and a.shape[1] > 0 else a

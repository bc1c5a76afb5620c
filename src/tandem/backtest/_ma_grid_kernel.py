# mypy: disable-error-code="no-untyped-def,no-any-return"
"""Dual-MA sweep from prices in one pass: crossover signals computed inside the event grid kernel.

:func:`tandem.backtest.signals.ma_cross_grid` materialises two bool arrays of days × pairs × stocks and
computes the window sums of a length once per *pair*. Here one work item is one stock: its integer-cent
window sums are computed once per distinct window length (a few hundred KB), then every (fast, slow) pair
walks them, decides the cross with the same exact comparison ``fast_sum * slow > slow_sum * fast`` and
fills exactly where :mod:`tandem.backtest._grid_kernel` would, through the same inlined ``_buy``/``_sell``.
Final equity is therefore bit-for-bit that of ``final_equity(*ma_cross_grid(...))`` (a test checks it),
and memory is the sums of the stocks in flight instead of the signal arrays.
"""

from __future__ import annotations

import numba
import numpy as np

from tandem.backtest import _core
from tandem.backtest._grid_kernel import _buy, _sell, last_marks


@numba.njit(cache=True, nogil=True)
def _window_sums(cents, s, windows, sums):
    """Rolling sums of ``cents[:, s]`` for each window length; rows before a full window are not used."""
    T = cents.shape[0]
    for w in range(windows.shape[0]):
        n = windows[w]
        acc = 0
        for t in range(T):
            acc += cents[t, s]
            if t >= n:
                acc -= cents[t - n, s]
            sums[w, t] = acc


@numba.njit(cache=True, nogil=True, parallel=True)
def run_ma_grid(
    cents,
    fasts,
    slows,
    fast_idx,
    slow_idx,
    windows,
    lag,
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
    """Final equity of every (pair, stock) column, pair-major like ``ma_cross_grid`` (column = p·S + s).

    ``windows`` are the distinct window lengths; ``fast_idx``/``slow_idx`` index them per pair. Entries are
    rows ``r ≥ slow`` where the fast sum turns strictly above (exits: strictly below) having not been so on
    row ``r − 1``; the signal of row ``r`` fills on bar ``r + lag``.
    """
    T, S = cents.shape
    P = fasts.shape[0]
    last = last_marks(mark_px)
    susp_on = cfg[_core.C_SUSPENSIONS] > 0.0
    limits_on = cfg[_core.C_LIMITS] > 0.0
    part_on = cfg[_core.C_PARTICIPATION] > 0.0
    lots_on = cfg[_core.C_LOTS] > 0.0
    stamp_on = cfg[_core.C_STAMP] > 0.0
    transfer_on = cfg[_core.C_TRANSFER] > 0.0
    out = np.empty(P * S)
    for s in numba.prange(S):
        sums = np.empty((windows.shape[0], T), dtype=np.int64)
        _window_sums(cents, s, windows, sums)
        pos = np.zeros(1)
        locked = np.zeros(1)
        cash = np.empty(1)
        for p in range(P):
            f = fasts[p]
            n = slows[p]
            fs = sums[fast_idx[p]]
            ss = sums[slow_idx[p]]
            pos[0] = 0.0
            cash[0] = cash0
            lhs = fs[n - 1] * n
            rhs = ss[n - 1] * f
            prev_above = lhs > rhs
            prev_below = lhs < rhs
            for r in range(n, T - lag):
                lhs = fs[r] * n
                rhs = ss[r] * f
                above = lhs > rhs
                below = lhs < rhs
                buy = above and not prev_above
                sell = below and not prev_below
                prev_above = above
                prev_below = below
                if not (buy or sell):
                    continue
                locked[0] = 0.0
                if (pos[0] != 0.0) if buy else not (pos[0] > 0.0):
                    continue
                t = r + lag
                q = px[t, s]
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
                        t, 0, 0, np.inf, q, q, sl, vol, ok, lim, tf, ps, fm, 1.0, mb, st, pos, locked, cash, cfg, op,
                        trades, events,
                    )  # fmt: skip
                else:
                    stamp = stamp_sell[t, s] if stamp_on else 0.0
                    _sell(
                        t, 0, 0, pos[0], q, q, sl, vol, ok, lim, stamp, tf, ps, fm, mb, st, pos, locked, cash, cfg, op,
                        trades, events,
                    )  # fmt: skip
            out[p * S + s] = cash[0] + (pos[0] * last[s] if pos[0] != 0.0 else 0.0)
    return out

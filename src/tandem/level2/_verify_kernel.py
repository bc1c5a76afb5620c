"""Numba kernel that replays events and captures the book where each exchange snapshot was cut.

An SSE snapshot's ``UpdateTime`` does not mark a point in the tick stream: on 600519 (2023-02-01) the
exchange state it shows is reached by events stamped anywhere from about 0.3 s before to 1 s after it. The
snapshot does carry counters that do mark the point — cumulative trade count (``TradNumber``) and total
resting bid/ask volume (``TotalBidVol``/``TotalAskVol``). The kernel therefore captures, for snapshot ``r``,
the first stream position with exactly ``TradNumber`` trades applied whose book totals equal the snapshot's
totals (alignment mode 1). When no position in that trade-count interval has equal totals it falls back to
the last position in the interval stamped no later than ``T + fallback_ms`` (mode 2); a snapshot whose trade
count the stream never reaches exactly is captured where the stream passes it (mode 3). The 10 levels are
not used for alignment, so comparing them remains a test of the book.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tandem.level2._book_kernel import M_PV_ASK, M_PV_BID, M_RESYNC, M_TOT_ASK, M_TOT_BID, _top, apply_events
from tandem.level2.schema import I8, I32, I64


@njit(cache=True, inline="always")
def _wavg_ok(pv: int, tot: int, published: int) -> bool:
    """Our weighted average price (in 0.001 CNY) rounded half up equals the published one."""
    if published < 0:
        return True
    if tot == 0:
        return published == 0
    ours = (pv * 10 + tot // 2) // tot
    return ours == published


@njit(cache=True, inline="always")
def _counters_match(meta: I64, r: int, snap_tbid: I64, snap_task: I64, snap_wbid: I64, snap_wask: I64) -> bool:
    return (
        meta[M_TOT_BID] == snap_tbid[r]
        and meta[M_TOT_ASK] == snap_task[r]
        and _wavg_ok(meta[M_PV_BID], meta[M_TOT_BID], snap_wbid[r])
        and _wavg_ok(meta[M_PV_ASK], meta[M_TOT_ASK], snap_wask[r])
    )


@njit(cache=True)
def replay_aligned(
    meta: I64, counts: I64, a_code: I8, a_seq: I64,
    bid_vol: I64, ask_vol: I64, keys: I64, vals: I32, o_px: I64, o_qty: I64, o_side: I8,
    kind: I8, side: I8, price: I64, qty: I64, order_no: I64, buy_no: I64, sell_no: I64,
    seq: I64, channel: I32, time_ms: I32,
    snap_t: I64, snap_trades: I64, snap_tbid: I64, snap_task: I64, snap_wbid: I64, snap_wask: I64,
    fallback_ms: int,
    out_bp: I64, out_bv: I64, out_ap: I64, out_av: I64, out_resync: I8, out_mode: I8, empty_t: I64,
) -> None:  # fmt: skip
    """Replay every event once; fill ``out_*`` row ``r`` with the book at snapshot ``r``'s aligned position."""
    n = kind.shape[0]
    n_snap = snap_t.shape[0]
    r = 0
    trades = 0
    captured = False  # a timestamp fallback is held for snapshot r
    for i in range(n + 1):
        while r < n_snap:
            target = snap_trades[r]
            if trades < target and i < n:
                break
            if trades == target and _counters_match(meta, r, snap_tbid, snap_task, snap_wbid, snap_wask):
                _top(meta, bid_vol, ask_vol, out_bp, out_bv, out_ap, out_av, r)
                out_mode[r] = 1
            elif trades == target and i < n:
                last_t = time_ms[i - 1] if i > 0 else 0
                if not captured or last_t <= snap_t[r] + fallback_ms:
                    _top(meta, bid_vol, ask_vol, out_bp, out_bv, out_ap, out_av, r)
                    out_mode[r] = 2
                    out_resync[r] = meta[M_RESYNC]
                    captured = True
                break
            elif not captured:
                _top(meta, bid_vol, ask_vol, out_bp, out_bv, out_ap, out_av, r)
                out_mode[r] = 3
            if out_mode[r] != 2:
                out_resync[r] = meta[M_RESYNC]
            captured = False
            r += 1
        if i == n:
            break
        if kind[i] == 2:
            trades += 1
        apply_events(
            meta, counts, a_code, a_seq, bid_vol, ask_vol, keys, vals, o_px, o_qty, o_side,
            kind[i : i + 1], side[i : i + 1], price[i : i + 1], qty[i : i + 1], order_no[i : i + 1],
            buy_no[i : i + 1], sell_no[i : i + 1], seq[i : i + 1], channel[i : i + 1], time_ms[i : i + 1],
            empty_t, True, out_bp[:0], out_bv[:0], out_ap[:0], out_av[:0], out_resync[:0],
        )  # fmt: skip


@njit(cache=True)
def states_reached(
    meta: I64, counts: I64, a_code: I8, a_seq: I64,
    bid_vol: I64, ask_vol: I64, keys: I64, vals: I32, o_px: I64, o_qty: I64, o_side: I8,
    kind: I8, side: I8, price: I64, qty: I64, order_no: I64, buy_no: I64, sell_no: I64,
    seq: I64, channel: I32, time_ms: I32,
    snap_trades: I64, snap_bp: I64, snap_bv: I64, snap_ap: I64, snap_av: I64, reached: I8, empty_t: I64,
) -> None:  # fmt: skip
    """Mark snapshots whose exact 10 levels the book shows at *some* position with the same trade count.

    This separates mismatches caused by an ambiguous cut point (the exchange state does occur in our book,
    just not where the counters pointed) from real book errors (the state never occurs).
    """
    n, n_snap = kind.shape[0], snap_trades.shape[0]
    depth = snap_bp.shape[1]
    bp, bv = np.zeros((1, depth), np.int64), np.zeros((1, depth), np.int64)
    ap, av = np.zeros((1, depth), np.int64), np.zeros((1, depth), np.int64)
    r0 = 0
    trades = 0
    for i in range(n + 1):
        while r0 < n_snap and snap_trades[r0] < trades:
            r0 += 1
        r = r0
        computed = False
        while r < n_snap and snap_trades[r] == trades:
            if reached[r] == 0:
                if not computed:
                    bp[:], bv[:], ap[:], av[:] = 0, 0, 0, 0
                    _top(meta, bid_vol, ask_vol, bp, bv, ap, av, 0)
                    computed = True
                same = True
                for k in range(depth):
                    if bp[0, k] != snap_bp[r, k] or bv[0, k] != snap_bv[r, k]:
                        same = False
                    if ap[0, k] != snap_ap[r, k] or av[0, k] != snap_av[r, k]:
                        same = False
                if same:
                    reached[r] = 1
            r += 1
        if i == n:
            break
        if kind[i] == 2:
            trades += 1
        apply_events(
            meta, counts, a_code, a_seq, bid_vol, ask_vol, keys, vals, o_px, o_qty, o_side,
            kind[i : i + 1], side[i : i + 1], price[i : i + 1], qty[i : i + 1], order_no[i : i + 1],
            buy_no[i : i + 1], sell_no[i : i + 1], seq[i : i + 1], channel[i : i + 1], time_ms[i : i + 1],
            empty_t, True, bp[:0], bv[:0], ap[:0], av[:0], reached[:0],
        )  # fmt: skip

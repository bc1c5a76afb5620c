"""The numba kernel that applies events to a price-indexed limit order book.

State lives in arrays owned by :class:`tandem.level2.book.OrderBook`: per-tick volume arrays spanning the day's
price band (``bid_vol[p - lo]``), order arrays indexed by a dense slot found through an order-number hash
table, and a small ``meta`` vector of scalars (indices ``M_*``). One call processes a slice of events and, when
asked, writes 10-level snapshots at given times — so batch replay and live mode share this exact code.

Rules (see ``book.py`` for the why):

* ADD inserts an order with the published quantity (SSE: the residual after immediate matching).
* CANCEL removes the cancelled quantity from the referenced order (SZSE cancels are ExecType 4 executions).
* TRADE reduces both referenced orders if they rest in the book; the passive one must be there (SSE: the
  side opposite the BS flag; SZSE and unflagged trades: both sides).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from tandem.level2._hashing import hash_find
from tandem.level2.schema import I8, I32, I64

# meta vector layout
M_LO, M_SIZE, M_BEST_BID, M_BEST_ASK, M_LAST_SEQ, M_LAST_CHANNEL = 0, 1, 2, 3, 4, 5
M_N_ORDERS, M_RESYNC, M_CROSSED, M_CHECK_GAPS, M_RULES_SZSE = 6, 7, 8, 9, 10
M_EVENTS, M_LAST_TIME, M_N_ANOM = 11, 12, 13
M_TOT_BID, M_TOT_ASK = 14, 15  # total resting volume per side (SSE snapshots publish both)
M_PV_BID, M_PV_ASK = 16, 17  # sum of price (ticks) x volume per side, for the weighted average prices
META_SIZE = 20

# anomaly codes
A_OUT_OF_ORDER, A_GAP, A_UNKNOWN_CANCEL, A_TRADE_MISSING_ORDER = 0, 1, 2, 3
A_CROSSED, A_OVERFILL, A_DUPLICATE_ORDER, A_OUT_OF_BAND = 4, 5, 6, 7
N_ANOMALY_CODES = 8
ANOMALY_NAMES = (
    "out_of_order", "gap", "unknown_cancel", "trade_missing_order",
    "crossed_book", "overfill", "duplicate_order", "out_of_band",
)  # fmt: skip

_AM_OPEN, _AM_CLOSE, _PM_OPEN, _PM_CALL = 34_200_000, 41_400_000, 46_800_000, 53_820_000


@njit(cache=True, inline="always")
def _note(meta: I64, counts: I64, a_code: I8, a_seq: I64, code: int, seq: int) -> None:
    counts[code] += 1
    n = meta[M_N_ANOM]
    if n < a_code.shape[0]:
        a_code[n] = code
        a_seq[n] = seq
    meta[M_N_ANOM] = n + 1


@njit(cache=True, inline="always")
def _reduce(meta: I64, bid_vol: I64, ask_vol: I64, o_px: I64, o_qty: I64, o_side: I8, slot: int, q: int) -> bool:
    """Take ``q`` shares off order ``slot``; False when it had fewer (the book is then short, not negative)."""
    rem = o_qty[slot]
    take = q if q <= rem else rem
    o_qty[slot] = rem - take
    idx = o_px[slot]
    if idx >= 0 and take > 0:
        if o_side[slot] > 0:
            bid_vol[idx] -= take
            meta[M_TOT_BID] -= take
            meta[M_PV_BID] -= (idx + meta[M_LO]) * take
            if idx == meta[M_BEST_BID] and bid_vol[idx] == 0:
                b = idx
                while b >= 0 and bid_vol[b] == 0:
                    b -= 1
                meta[M_BEST_BID] = b
        else:
            ask_vol[idx] -= take
            meta[M_TOT_ASK] -= take
            meta[M_PV_ASK] -= (idx + meta[M_LO]) * take
            if idx == meta[M_BEST_ASK] and ask_vol[idx] == 0:
                a = idx
                size = meta[M_SIZE]
                while a < size and ask_vol[a] == 0:
                    a += 1
                meta[M_BEST_ASK] = a
    return bool(q <= rem)


@njit(cache=True, inline="always")
def _top(meta: I64, bid_vol: I64, ask_vol: I64, out_bp: I64, out_bv: I64, out_ap: I64, out_av: I64, row: int) -> None:
    lo = meta[M_LO]
    k, b = 0, meta[M_BEST_BID]
    while k < out_bp.shape[1] and b >= 0:
        if bid_vol[b] > 0:
            out_bp[row, k] = b + lo
            out_bv[row, k] = bid_vol[b]
            k += 1
        b -= 1
    k, a, size = 0, meta[M_BEST_ASK], meta[M_SIZE]
    while k < out_ap.shape[1] and a < size:
        if ask_vol[a] > 0:
            out_ap[row, k] = a + lo
            out_av[row, k] = ask_vol[a]
            k += 1
        a += 1


@njit(cache=True)
def apply_events(
    meta: I64, counts: I64, a_code: I8, a_seq: I64,
    bid_vol: I64, ask_vol: I64, keys: I64, vals: I32, o_px: I64, o_qty: I64, o_side: I8,
    kind: I8, side: I8, price: I64, qty: I64, order_no: I64, buy_no: I64, sell_no: I64,
    seq: I64, channel: I32, time_ms: I32,
    snap_t: I64, snap_inclusive: bool, out_bp: I64, out_bv: I64, out_ap: I64, out_av: I64, out_resync: I8,
) -> int:  # fmt: skip
    """Apply all events, writing a snapshot row before the first event later than each ``snap_t``.

    Returns the number of snapshot rows written (rows for times after the last event are written at the end).
    """
    n_snap = snap_t.shape[0]
    s = 0
    lo, size = meta[M_LO], meta[M_SIZE]
    for i in range(kind.shape[0]):
        t = time_ms[i]
        while s < n_snap and (snap_t[s] < t if snap_inclusive else snap_t[s] <= t):
            _top(meta, bid_vol, ask_vol, out_bp, out_bv, out_ap, out_av, s)
            out_resync[s] = meta[M_RESYNC]
            s += 1
        sq = seq[i]
        if meta[M_LAST_SEQ] >= 0 and channel[i] == meta[M_LAST_CHANNEL]:
            if sq <= meta[M_LAST_SEQ]:
                _note(meta, counts, a_code, a_seq, A_OUT_OF_ORDER, sq)
                meta[M_RESYNC] = 1
                continue
            if meta[M_CHECK_GAPS] == 1 and sq != meta[M_LAST_SEQ] + 1:
                _note(meta, counts, a_code, a_seq, A_GAP, sq)
                meta[M_RESYNC] = 1
        meta[M_LAST_SEQ] = sq
        meta[M_LAST_CHANNEL] = channel[i]
        meta[M_LAST_TIME] = t
        meta[M_EVENTS] += 1
        k = kind[i]
        if k == 0:  # ADD
            key = order_no[i]
            h = hash_find(keys, key)
            if keys[h] == key or key <= 0:
                _note(meta, counts, a_code, a_seq, A_DUPLICATE_ORDER, sq)
                continue
            slot = meta[M_N_ORDERS]
            meta[M_N_ORDERS] = slot + 1
            keys[h] = key
            vals[h] = slot
            idx = price[i] - lo
            q = qty[i]
            o_qty[slot] = q
            o_side[slot] = side[i]
            if idx < 0 or idx >= size:
                _note(meta, counts, a_code, a_seq, A_OUT_OF_BAND, sq)
                o_px[slot] = -1
            else:
                o_px[slot] = idx
                if side[i] > 0:
                    bid_vol[idx] += q
                    meta[M_TOT_BID] += q
                    meta[M_PV_BID] += price[i] * q
                    if idx > meta[M_BEST_BID]:
                        meta[M_BEST_BID] = idx
                else:
                    ask_vol[idx] += q
                    meta[M_TOT_ASK] += q
                    meta[M_PV_ASK] += price[i] * q
                    if idx < meta[M_BEST_ASK]:
                        meta[M_BEST_ASK] = idx
        elif k == 1:  # CANCEL
            h = hash_find(keys, order_no[i])
            if keys[h] != order_no[i] or order_no[i] <= 0:
                _note(meta, counts, a_code, a_seq, A_UNKNOWN_CANCEL, sq)
                continue
            if not _reduce(meta, bid_vol, ask_vol, o_px, o_qty, o_side, vals[h], qty[i]):
                _note(meta, counts, a_code, a_seq, A_OVERFILL, sq)
        else:  # TRADE
            sd = side[i]
            strict = meta[M_RULES_SZSE] == 1 or sd == 0
            for leg in range(2):
                no = buy_no[i] if leg == 0 else sell_no[i]
                passive = strict or (leg == 0 and sd < 0) or (leg == 1 and sd > 0)
                h = hash_find(keys, no)
                if no > 0 and keys[h] == no:
                    if not _reduce(meta, bid_vol, ask_vol, o_px, o_qty, o_side, vals[h], qty[i]):
                        _note(meta, counts, a_code, a_seq, A_OVERFILL, sq)
                elif passive:
                    _note(meta, counts, a_code, a_seq, A_TRADE_MISSING_ORDER, sq)
        if k == 0 and meta[M_RULES_SZSE] == 1:
            continue  # SZSE publishes an aggressive order before its trades: a transient cross is expected
        continuous = (_AM_OPEN <= t < _AM_CLOSE) or (_PM_OPEN <= t < _PM_CALL)
        bb, ba = meta[M_BEST_BID], meta[M_BEST_ASK]
        crossed = continuous and bb >= 0 and ba < size and bb >= ba
        if crossed and meta[M_CROSSED] == 0:
            _note(meta, counts, a_code, a_seq, A_CROSSED, sq)
        meta[M_CROSSED] = 1 if crossed else 0
    while s < n_snap:
        _top(meta, bid_vol, ask_vol, out_bp, out_bv, out_ap, out_av, s)
        out_resync[s] = meta[M_RESYNC]
        s += 1
    return s


@njit(cache=True)
def top_levels(meta: I64, bid_vol: I64, ask_vol: I64, depth: int) -> tuple[I64, I64, I64, I64]:
    """The current ``depth`` best levels per side (prices in ticks; empty levels are 0/0)."""
    bp = np.zeros((1, depth), dtype=np.int64)
    bv = np.zeros((1, depth), dtype=np.int64)
    ap = np.zeros((1, depth), dtype=np.int64)
    av = np.zeros((1, depth), dtype=np.int64)
    _top(meta, bid_vol, ask_vol, bp, bv, ap, av, 0)
    return bp[0], bv[0], ap[0], av[0]

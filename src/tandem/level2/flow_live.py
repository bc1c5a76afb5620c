"""Incremental capital flow for live mode: a numba kernel over parent-order arrays (see ``flow.py`` for the method).

State: an order-number hash table (key = order number × 2 + is-buy) to a dense parent slot, per-parent filled
shares, amount (fen) and current class, and a (1440 minutes, 4 classes, 2 sides) accumulator in fen.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from numba import njit

from tandem.level2._hashing import ensure_room, hash_find, new_table
from tandem.level2.flow import frames_from_accumulator
from tandem.level2.schema import I8, I32, I64, TRADE, EventBatch
from tandem.level2.thresholds import ThresholdSet


@njit(cache=True)
def _flow_apply(
    meta: I64, keys: I64, vals: I32, p_qty: I64, p_amt: I64, p_cls: I8, acc: I64, min_sh: I64, min_amt: I64,
    kind: I8, side: I8, price: I64, qty: I64, buy_no: I64, sell_no: I64, time_ms: I32,
) -> int:  # fmt: skip
    """Add every trade of the slice; returns the last minute touched (or -1)."""
    last_minute = -1
    for i in range(kind.shape[0]):
        if kind[i] != TRADE:
            continue
        s = side[i]
        if s == 0:
            s = 1 if buy_no[i] > sell_no[i] else -1
        is_buy = 1 if s > 0 else 0
        key = (buy_no[i] if is_buy else sell_no[i]) * 2 + is_buy + 2  # +2 keeps order number 0 away from empty
        h = hash_find(keys, key)
        if keys[h] != key:
            slot = meta[0]
            meta[0] = slot + 1
            keys[h] = key
            vals[h] = slot
            p_qty[slot], p_amt[slot], p_cls[slot] = 0, 0, -1
        else:
            slot = vals[h]
        amount = price[i] * qty[i]
        old_cls, old_amt = p_cls[slot], p_amt[slot]
        q_new, a_new = p_qty[slot] + qty[i], old_amt + amount
        new_cls = 3
        for c in (2, 1, 0):
            if (min_sh[c] > 0 and q_new >= min_sh[c]) or (min_amt[c] > 0 and a_new >= min_amt[c]):
                new_cls = c
        p_qty[slot], p_amt[slot], p_cls[slot] = q_new, a_new, new_cls
        m = time_ms[i] // 60_000
        col = 1 - is_buy
        if old_cls >= 0 and old_cls != new_cls:
            acc[m, old_cls, col] -= old_amt
            acc[m, new_cls, col] += old_amt
        acc[m, new_cls, col] += amount
        last_minute = m
    return last_minute


class FlowAccumulator:
    """Live capital flow of one security under one threshold set; feed it event batches in order."""

    def __init__(self, code: str, date: int | None, thresholds: ThresholdSet) -> None:
        self.code, self.date, self.thresholds = code, date, thresholds
        self.meta = np.zeros(2, dtype=np.int64)
        self.keys, self.vals = new_table()
        self.p_qty = np.zeros(1024, dtype=np.int64)
        self.p_amt = np.zeros(1024, dtype=np.int64)
        self.p_cls = np.zeros(1024, dtype=np.int8)
        self.acc = np.zeros((1440, 4, 2), dtype=np.int64)
        self._min_sh = np.array(thresholds.min_shares, dtype=np.int64)
        self._min_amt = np.array(thresholds.min_amount_cny, dtype=np.int64) * 100

    def apply(self, batch: EventBatch) -> int:
        """Add the batch's trades; return the last minute-of-day touched (-1 when it had no trade)."""
        n_new = len(batch)
        used = int(self.meta[0])
        self.keys, self.vals = ensure_room(self.keys, self.vals, used, n_new)
        if used + n_new > self.p_qty.shape[0]:
            cap = max(2 * self.p_qty.shape[0], used + n_new)
            self.p_qty = np.resize(self.p_qty, cap).astype(np.int64)
            self.p_amt = np.resize(self.p_amt, cap).astype(np.int64)
            self.p_cls = np.resize(self.p_cls, cap).astype(np.int8)
        return int(
            _flow_apply(
                self.meta, self.keys, self.vals, self.p_qty, self.p_amt, self.p_cls, self.acc, self._min_sh,
                self._min_amt, batch.kind, batch.side, batch.price, batch.qty, batch.buy_no, batch.sell_no,
                batch.time_ms,
            )
        )  # fmt: skip

    def frames(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """(per-minute rows, daily rows) so far, amounts in CNY."""
        return frames_from_accumulator(self.acc, self.code, self.date, self.thresholds)

    def minute_row(self, minute: int) -> I64:
        """The (4 classes, 2 sides) fen amounts of one minute-of-day."""
        out: I64 = self.acc[minute].copy()
        return out

    def state(self) -> dict[str, Any]:
        """Arrays for a checkpoint (restore with :meth:`restore`)."""
        return {name: getattr(self, name) for name in ("meta", "keys", "vals", "p_qty", "p_amt", "p_cls", "acc")}

    def restore(self, state: dict[str, Any]) -> None:
        """Load arrays saved by :meth:`state` (same code and threshold set)."""
        for name, value in state.items():
            setattr(self, name, np.array(value))

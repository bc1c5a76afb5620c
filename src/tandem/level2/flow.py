"""Order-level capital flow (资金流向): aggressor side, parent-order aggregation, per-minute and daily sums.

Method, stated once so every figure can cite it:

1. Aggressor (主动方): the trade's BS flag (B → buyer, S → seller); when the feed has no flag or says N
   (call auctions, SZSE), the side whose order number is higher, i.e. the later order, is the aggressor.
2. Each trade's amount (price × quantity, exact in fen) is credited to the aggressor's *parent order*; an
   order filled in many prints counts once, and its class comes from its total filled shares and amount
   under a named :class:`~tandem.level2.thresholds.ThresholdSet`.
3. ``buy_amount`` of a class = buyer-initiated amount of parent orders in that class (inflow),
   ``sell_amount`` = seller-initiated amount (outflow), ``net_amount`` = buy − sell, all in CNY.
   Identities: Σ over classes of buy_amount = total buyer-initiated amount, same for sell, and
   buy + sell totals = total traded amount. 主力 = 超大单 + 大单.

Batch (:func:`capital_flow`) classifies each parent by its final size. Live (:class:`FlowAccumulator`) cannot
see the future, so an order is classed by its size so far; when it grows into a bigger class its earlier
amount is moved to the new class in the minute that happens. Daily totals of both are therefore identical;
live per-minute rows may show such transfers (a negative amount in the class the order left).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from tandem.level2.schema import BUY, I8, I64, SELL, TRADE, EventBatch
from tandem.level2.thresholds import CLASSES, ThresholdSet

MINUTES_PER_DAY = 1440


def aggressor_side(batch: EventBatch) -> tuple[np.ndarray, I8]:
    """Indices of the trades in ``batch`` and each trade's aggressor side (BUY or SELL, never unknown)."""
    idx = np.flatnonzero(batch.kind == TRADE)
    side = batch.side[idx]
    inferred = np.where(batch.buy_no[idx] > batch.sell_no[idx], BUY, SELL).astype(np.int8)
    return idx, np.where(side != 0, side, inferred).astype(np.int8)


def classify(shares: I64, amount_fen: I64, ts: ThresholdSet) -> I8:
    """Class index (0 super_large … 3 small) for parent orders with these totals."""
    cls = np.full(shares.shape, 3, dtype=np.int8)
    for c in (2, 1, 0):
        hit = np.zeros(shares.shape, dtype=bool)
        if ts.min_shares[c] > 0:
            hit |= shares >= ts.min_shares[c]
        if ts.min_amount_cny[c] > 0:
            hit |= amount_fen >= ts.min_amount_cny[c] * 100
        cls[hit] = c
    return cls


@dataclass(frozen=True, slots=True)
class FlowResult:
    """Per-minute rows (minute, class, buy/sell/net amount) and the daily rows the market store persists."""

    minutes: pd.DataFrame
    daily: pd.DataFrame
    total_amount: float
    trades: int


def minute_label(minute: np.ndarray) -> np.ndarray:
    """Minute-of-day indices as ``HH:MM`` strings."""
    m = np.asarray(minute, dtype=np.int64)
    return np.char.add(
        np.char.add(np.char.zfill((m // 60).astype(str), 2), ":"), np.char.zfill((m % 60).astype(str), 2)
    )


def frames_from_accumulator(
    acc: I64, code: str, date: int | None, ts: ThresholdSet
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Turn a (1440, 4, 2) fen accumulator into the minute and daily DataFrames (amounts in CNY)."""
    active = np.flatnonzero(np.abs(acc).sum(axis=(1, 2)) > 0)
    rows = acc[active]  # (m, 4, 2)
    minute = np.repeat(minute_label(active), len(CLASSES))
    buy = rows[:, :, 0].reshape(-1) / 100.0
    sell = rows[:, :, 1].reshape(-1) / 100.0
    minutes = pd.DataFrame(
        {"minute": minute, "class": np.tile(CLASSES, len(active)), "buy_amount": buy, "sell_amount": sell}
    )
    minutes["net_amount"] = (rows[:, :, 0] - rows[:, :, 1]).reshape(-1) / 100.0
    day = acc.sum(axis=0)
    daily = pd.DataFrame({
        "code": code, "date": pd.to_datetime(str(date), format="%Y%m%d").date() if date else None,
        "class": list(CLASSES), "buy_amount": day[:, 0] / 100.0, "sell_amount": day[:, 1] / 100.0,
    })  # fmt: skip
    daily["net_amount"] = (day[:, 0] - day[:, 1]) / 100.0
    daily["threshold_set"] = ts.name
    return minutes, daily


def capital_flow(batch: EventBatch, ts: ThresholdSet) -> FlowResult:
    """Batch capital flow of one security-day, each parent order classed by its final size (vectorised)."""
    idx, side = aggressor_side(batch)
    price, qty = batch.price[idx], batch.qty[idx]
    amount = price * qty
    order = np.where(side == BUY, batch.buy_no[idx], batch.sell_no[idx])
    key = order * 2 + (side == BUY)
    uniq, inv = np.unique(key, return_inverse=True)
    p_qty = np.bincount(inv, weights=qty, minlength=uniq.size).astype(np.int64)
    p_amt = np.rint(np.bincount(inv, weights=amount, minlength=uniq.size)).astype(np.int64)
    cls = classify(p_qty, p_amt, ts)[inv]
    minute = batch.time_ms[idx].astype(np.int64) // 60_000
    cell = (minute * len(CLASSES) + cls) * 2 + (side == SELL)
    acc = np.rint(np.bincount(cell, weights=amount, minlength=MINUTES_PER_DAY * 8)).astype(np.int64)
    minutes, daily = frames_from_accumulator(acc.reshape(MINUTES_PER_DAY, 4, 2), batch.code, batch.date, ts)
    return FlowResult(minutes, daily, float(amount.sum()) / 100.0, int(idx.size))

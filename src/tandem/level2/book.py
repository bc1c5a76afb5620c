"""Limit order book rebuilt from orders, trades and cancels, with anomaly accounting.

Why these rules: since 2021 SSE publishes an aggressive order *after* the trades it caused and only with its
residual quantity (an order filled on arrival never appears in 逐笔委托), so a trade may name an aggressor the
book has not seen — only the passive side must rest in the book. SZSE publishes every order with its full
quantity before its trades and reports cancels as executions (ExecType 4), so both sides of a trade must be
known. In call auctions (BS flag N) both sides rest in the book; the uncross prints reduce both.

Bad input never crashes the engine and is never silently absorbed: out-of-order sequence numbers (skipped),
channel gaps (when the feed is a full channel, ``check_gaps=True``), cancels of unknown orders, trades naming
a missing passive order, over-fills, duplicate or out-of-band orders and crossed books in continuous trading
are counted and listed with their sequence number. A gap or an out-of-order message puts the book into the
``needs_resync`` state, which every snapshot row and report carries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from tandem.core.errors import UserError
from tandem.level2 import _book_kernel as kern
from tandem.level2._hashing import ensure_room, new_table
from tandem.level2.schema import ADD, I8, I32, I64, EventBatch, Rules
from tandem.level2.snapshots import LEVELS, SnapshotBatch

_EMPTY = np.zeros(0, dtype=np.int64)


@dataclass(frozen=True, slots=True)
class Anomaly:
    """One bad-input finding: what (a name from ``ANOMALY_NAMES``) and at which sequence number."""

    kind: str
    seq: int


@dataclass(frozen=True, slots=True)
class BookReport:
    """Counters of a book after some events: how many were applied and what went wrong where."""

    code: str
    events: int
    needs_resync: bool
    anomaly_counts: dict[str, int]
    anomalies: list[Anomaly] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class RebuiltLevels:
    """Snapshots produced by the engine, each flagged when the book needed a resync at that time."""

    levels: SnapshotBatch
    needs_resync: npt.NDArray[np.bool_]


def price_band(batch: EventBatch, pad_ticks: int = 2) -> tuple[int, int]:
    """A tick band covering every positive price in ``batch`` (for batch replay when limits are unknown)."""
    px = batch.price[batch.price > 0]
    if px.size == 0:
        raise UserError(f"{batch.code}: no priced events; cannot size the order book")
    return max(1, int(px.min()) - pad_ticks), int(px.max()) + pad_ticks


def limit_band(preclose_ticks: int, limit_pct: float) -> tuple[int, int]:
    """The day's limit-down/limit-up band in ticks, e.g. ``limit_band(184576, 0.10)`` for 600519."""
    lo = int(np.floor(preclose_ticks * (1 - limit_pct) + 0.5))
    hi = int(np.floor(preclose_ticks * (1 + limit_pct) + 0.5))
    return max(1, lo), hi


class OrderBook:
    """Incremental order book of one security; feed it :class:`EventBatch` slices in sequence order."""

    def __init__(
        self, code: str, band: tuple[int, int], *, rules: Rules = "SSE", check_gaps: bool = False,
        max_listed_anomalies: int = 1000,
    ) -> None:  # fmt: skip
        lo, hi = band
        if hi < lo or lo < 1:
            raise UserError(f"{code}: price band {band} is empty; pass (low, high) ticks with 1 <= low <= high")
        self.code = code
        self.rules = rules
        size = hi - lo + 1
        self.meta = np.zeros(kern.META_SIZE, dtype=np.int64)
        slots = [kern.M_LO, kern.M_SIZE, kern.M_BEST_BID, kern.M_BEST_ASK, kern.M_LAST_SEQ]
        self.meta[slots] = [lo, size, -1, size, -1]
        self.meta[kern.M_CHECK_GAPS] = int(check_gaps)
        self.meta[kern.M_RULES_SZSE] = int(rules == "SZSE")
        self.counts = np.zeros(kern.N_ANOMALY_CODES, dtype=np.int64)
        self.a_code = np.zeros(max_listed_anomalies, dtype=np.int8)
        self.a_seq = np.zeros(max_listed_anomalies, dtype=np.int64)
        self.bid_vol = np.zeros(size, dtype=np.int64)
        self.ask_vol = np.zeros(size, dtype=np.int64)
        self.keys, self.vals = new_table()
        self.o_px, self.o_qty = np.zeros(1024, dtype=np.int64), np.zeros(1024, dtype=np.int64)
        self.o_side: I8 = np.zeros(1024, dtype=np.int8)

    def _reserve(self, batch: EventBatch) -> None:
        adds = int(np.count_nonzero(batch.kind == ADD))
        used = int(self.meta[kern.M_N_ORDERS])
        self.keys, self.vals = ensure_room(self.keys, self.vals, used, adds)
        if used + adds > self.o_px.shape[0]:
            cap = max(2 * self.o_px.shape[0], used + adds)
            self.o_px = np.resize(self.o_px, cap)
            self.o_qty = np.resize(self.o_qty, cap)
            self.o_side = np.resize(self.o_side, cap)

    def apply(self, batch: EventBatch, snapshot_times: I64 | None = None, *, inclusive: bool = True) -> RebuiltLevels:
        """Apply ``batch``; return the top-10 book as of each of ``snapshot_times`` (ms since midnight, sorted).

        With ``inclusive`` a snapshot at ``T`` includes events stamped exactly ``T``.
        """
        self._reserve(batch)
        times = _EMPTY if snapshot_times is None else np.ascontiguousarray(snapshot_times, dtype=np.int64)
        n = times.shape[0]
        bp, bv, ap, av = (np.zeros((n, LEVELS), dtype=np.int64) for _ in range(4))
        resync = np.zeros(n, dtype=np.int8)
        kern.apply_events(
            self.meta, self.counts, self.a_code, self.a_seq, self.bid_vol, self.ask_vol, self.keys, self.vals,
            self.o_px, self.o_qty, self.o_side, batch.kind, batch.side, batch.price, batch.qty, batch.order_no,
            batch.buy_no, batch.sell_no, batch.seq, batch.channel, batch.time_ms,
            times, inclusive, bp, bv, ap, av, resync,
        )  # fmt: skip
        phase = np.full(n, "REBUILT")
        levels = SnapshotBatch(self.code, times.astype(np.int32), phase, bp, bv, ap, av)
        return RebuiltLevels(levels, resync.astype(bool))

    def levels(self, depth: int = LEVELS) -> tuple[I64, I64, I64, I64]:
        """Current best ``depth`` levels: (bid prices, bid volumes, ask prices, ask volumes), prices in ticks."""
        result: tuple[I64, I64, I64, I64] = kern.top_levels(self.meta, self.bid_vol, self.ask_vol, depth)
        return result

    @property
    def needs_resync(self) -> bool:
        """True after a gap or out-of-order message: the book may be wrong until resynchronised."""
        return bool(self.meta[kern.M_RESYNC])

    def report(self) -> BookReport:
        """Event and anomaly counters so far (the listed anomalies are capped; the counts are not)."""
        listed = min(int(self.meta[kern.M_N_ANOM]), self.a_code.shape[0])
        names = kern.ANOMALY_NAMES
        return BookReport(
            code=self.code, events=int(self.meta[kern.M_EVENTS]), needs_resync=self.needs_resync,
            anomaly_counts={names[i]: int(c) for i, c in enumerate(self.counts) if c},
            anomalies=[
                Anomaly(names[int(c)], int(s)) for c, s in zip(self.a_code[:listed], self.a_seq[:listed], strict=True)
            ],
        )  # fmt: skip

    def state(self) -> dict[str, Any]:
        """Every array of the book, for checkpoints (restore with :meth:`from_state`)."""
        names = ("meta", "counts", "a_code", "a_seq", "bid_vol", "ask_vol", "keys", "vals", "o_px", "o_qty", "o_side")
        return {name: getattr(self, name) for name in names} | {"code": self.code, "rules": self.rules}

    @classmethod
    def from_state(cls, state: dict[str, Any]) -> OrderBook:
        """A book restored from :meth:`state` output."""
        book = cls.__new__(cls)
        book.code, book.rules = str(state["code"]), state["rules"]
        for name, value in state.items():
            if name not in ("code", "rules"):
                setattr(book, name, np.array(value))
        return book


def rebuild(
    batch: EventBatch, snapshot_times: I64 | None = None, *, inclusive: bool = True
) -> tuple[OrderBook, RebuiltLevels]:
    """Batch replay of a whole day: a book sized from the data's own price range, and its snapshots."""
    book = OrderBook(batch.code, price_band(batch), rules=batch.rules)
    return book, book.apply(batch, snapshot_times, inclusive=inclusive)


def fixed_interval_times(start_ms: int, end_ms: int, every_ms: int) -> I64:
    """Snapshot times every ``every_ms`` from ``start_ms`` to ``end_ms`` inclusive (e.g. 3 s exchange cadence)."""
    if every_ms <= 0:
        raise UserError(f"snapshot interval must be positive, got {every_ms} ms")
    return np.arange(start_ms, end_ms + 1, every_ms, dtype=np.int64)


__all__ = ["I32", "Anomaly", "BookReport", "OrderBook", "RebuiltLevels", "limit_band", "price_band", "rebuild"]

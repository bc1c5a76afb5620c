"""Check a rebuilt book against the exchange's own 10-level snapshots, level by level.

A *level* is one (snapshot, side, depth) cell; it matches when price and volume are both equal (two empty
levels match). Only snapshots in continuous trading (phase ``TRADE``) are compared. Alignment of each
snapshot to a point in the tick stream is explained in ``_verify_kernel.py``; when the snapshot file has no
counters (non-SSE layouts) the book is cut at the snapshot timestamp instead. Every mismatching level gets
one class:

* ``unaligned_snapshot`` — no stream position carried the snapshot's trade count and total volumes, so the
  capture point is a timestamp guess and differences are timing, not book errors;
* ``book_needs_resync`` — the book was in the needs-resync state (gap or out-of-order input) at capture;
* ``ambiguous_cut`` — the counters matched at more than one stream position and the first one was taken; the
  exchange's exact 10 levels *do* occur in our book at another position with the same trade count;
* ``price_level_differs`` / ``volume_differs`` — the exchange's 10 levels never occur in our book between the
  same two trades: a different price at this depth, or the same price with a different resting volume.
  These are the only classes that would indicate a book error.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tandem.core.errors import UserError
from tandem.level2._verify_kernel import replay_aligned, states_reached
from tandem.level2.book import BookReport, OrderBook, price_band
from tandem.level2.schema import EventBatch, format_time_ms
from tandem.level2.snapshots import LEVELS, SnapshotBatch

FALLBACK_MS = 500


@dataclass(frozen=True, slots=True)
class Verification:
    """Outcome of comparing a rebuilt book with exchange snapshots."""

    code: str
    snapshots: int
    levels: int
    matched_levels: int
    exact_snapshots: int
    alignment: dict[str, int]
    mismatches: dict[str, int]
    timestamp_cut_match_rate: float
    examples: list[dict[str, object]] = field(default_factory=list)
    book: BookReport | None = None

    @property
    def match_rate(self) -> float:
        """Share of compared levels (price and volume) that match exactly, 0–1."""
        return self.matched_levels / self.levels if self.levels else 0.0


def _level_match(a: SnapshotBatch, b: SnapshotBatch) -> tuple[np.ndarray, np.ndarray]:
    bid = (a.bid_px == b.bid_px) & (a.bid_vol == b.bid_vol)
    ask = (a.ask_px == b.ask_px) & (a.ask_vol == b.ask_vol)
    return bid, ask


def _milli(prices: np.ndarray | None, n: int) -> np.ndarray:
    if prices is None:
        return np.full(n, -1, dtype=np.int64)
    return np.where(prices >= 0, np.rint(prices * 1000), -1).astype(np.int64)


def _aligned_levels(
    events: EventBatch, snaps: SnapshotBatch
) -> tuple[SnapshotBatch, np.ndarray, np.ndarray, OrderBook]:
    book = OrderBook(events.code, price_band(events), rules=events.rules)
    book._reserve(events)
    n = len(snaps)
    bp, bv, ap, av = (np.zeros((n, LEVELS), dtype=np.int64) for _ in range(4))
    resync, mode = np.zeros(n, dtype=np.int8), np.zeros(n, dtype=np.int8)
    assert snaps.trades is not None and snaps.total_bid is not None and snaps.total_ask is not None
    replay_aligned(
        book.meta, book.counts, book.a_code, book.a_seq, book.bid_vol, book.ask_vol, book.keys, book.vals,
        book.o_px, book.o_qty, book.o_side, events.kind, events.side, events.price, events.qty, events.order_no,
        events.buy_no, events.sell_no, events.seq, events.channel, events.time_ms,
        snaps.time_ms.astype(np.int64), snaps.trades, snaps.total_bid, snaps.total_ask,
        _milli(snaps.wavg_bid, n), _milli(snaps.wavg_ask, n), FALLBACK_MS,
        bp, bv, ap, av, resync, mode, np.zeros(0, dtype=np.int64),
    )  # fmt: skip
    rebuilt = SnapshotBatch(snaps.code, snaps.time_ms, snaps.phase, bp, bv, ap, av)
    return rebuilt, resync.astype(bool), mode, book


def _reached(events: EventBatch, snaps: SnapshotBatch) -> np.ndarray:
    book = OrderBook(events.code, price_band(events), rules=events.rules)
    book._reserve(events)
    reached = np.zeros(len(snaps), dtype=np.int8)
    assert snaps.trades is not None
    states_reached(
        book.meta, book.counts, book.a_code, book.a_seq, book.bid_vol, book.ask_vol, book.keys, book.vals,
        book.o_px, book.o_qty, book.o_side, events.kind, events.side, events.price, events.qty, events.order_no,
        events.buy_no, events.sell_no, events.seq, events.channel, events.time_ms,
        snaps.trades, snaps.bid_px, snaps.bid_vol, snaps.ask_px, snaps.ask_vol, reached, np.zeros(0, dtype=np.int64),
    )  # fmt: skip
    return reached.astype(bool)


def verify(
    events: EventBatch, snapshots: SnapshotBatch, *, phase: str = "TRADE", max_examples: int = 20
) -> Verification:
    """Compare the book rebuilt from ``events`` with every ``phase`` snapshot; see the module docstring."""
    if events.code != snapshots.code:
        raise UserError(f"events are for {events.code} but snapshots for {snapshots.code}; pass the same security")
    snaps = snapshots.take(snapshots.phase == phase)
    if len(snaps) == 0:
        raise UserError(f"{snapshots.code}: no snapshot in phase {phase!r} to compare against")
    plain_book = OrderBook(events.code, price_band(events), rules=events.rules)
    plain = plain_book.apply(events, snaps.time_ms.astype(np.int64))
    pb, pa = _level_match(plain.levels, snaps)
    ts_rate = float((pb.sum() + pa.sum()) / (pb.size + pa.size))
    if snaps.has_counters:
        rebuilt, resync, mode, book = _aligned_levels(events, snaps)
        reached = _reached(events, snaps)
    else:
        rebuilt, resync, mode, book = plain.levels, plain.needs_resync, np.full(len(snaps), 2, np.int8), plain_book
        reached = np.zeros(len(snaps), dtype=bool)
    bid_ok, ask_ok = _level_match(rebuilt, snaps)
    classes: dict[str, int] = {}
    examples: list[dict[str, object]] = []
    for side, ok, px, vol, epx, evol in (
        ("bid", bid_ok, rebuilt.bid_px, rebuilt.bid_vol, snaps.bid_px, snaps.bid_vol),
        ("ask", ask_ok, rebuilt.ask_px, rebuilt.ask_vol, snaps.ask_px, snaps.ask_vol),
    ):
        for r, k in zip(*np.nonzero(~ok), strict=True):
            if mode[r] != 1:
                cls = "unaligned_snapshot"
            elif resync[r]:
                cls = "book_needs_resync"
            elif reached[r]:
                cls = "ambiguous_cut"
            elif px[r, k] != epx[r, k]:
                cls = "price_level_differs"
            else:
                cls = "volume_differs"
            classes[cls] = classes.get(cls, 0) + 1
            if len(examples) < max_examples:
                examples.append({
                    "time": format_time_ms(int(snaps.time_ms[r])), "side": side, "level": int(k) + 1, "class": cls,
                    "ours": [int(px[r, k]) / 100, int(vol[r, k])], "exchange": [int(epx[r, k]) / 100, int(evol[r, k])],
                })  # fmt: skip
    names = {1: "by_counters", 2: "by_timestamp", 3: "stream_passed"}
    return Verification(
        code=events.code, snapshots=len(snaps), levels=int(bid_ok.size + ask_ok.size),
        matched_levels=int(bid_ok.sum() + ask_ok.sum()), exact_snapshots=int((bid_ok.all(1) & ask_ok.all(1)).sum()),
        alignment={names[m]: int(c) for m, c in zip(*np.unique(mode, return_counts=True), strict=True)},
        mismatches=classes, timestamp_cut_match_rate=ts_rate, examples=examples, book=book.report(),
    )  # fmt: skip

"""Order book: verification against real SSE snapshots, and bad-input handling.

The bad-input cases use tiny hand-written event sequences (labelled synthetic: a few orders at round
prices, not market data) because the real files contain none of these faults.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tandem.level2.book import OrderBook, fixed_interval_times, limit_band, rebuild
from tandem.level2.readers import read_events
from tandem.level2.schema import ADD, BUY, CANCEL, SELL, TRADE, EventBatch, make_batch
from tandem.level2.snapshots import read_snapshots
from tandem.level2.verify import verify

T0 = 10 * 3_600_000  # 10:00:00.000, continuous trading


def synthetic(rows: list[tuple[int, int, int, int, int, int, int, int]], rules: str = "SSE") -> EventBatch:
    """Rows of (seq, kind, side, price_ticks, qty, order_no, buy_no, sell_no); synthetic test input."""
    a = np.array(rows, dtype=np.int64)
    cols = {
        "seq": a[:, 0], "kind": a[:, 1], "side": a[:, 2], "price": a[:, 3], "qty": a[:, 4], "order_no": a[:, 5],
        "buy_no": a[:, 6], "sell_no": a[:, 7], "channel": np.ones(len(a)), "time_ms": T0 + a[:, 0],
    }  # fmt: skip
    return make_batch("600000.SH", rules, 20240102, cols)  # type: ignore[arg-type]


def book(**kw: object) -> OrderBook:
    return OrderBook("600000.SH", (900, 1100), **kw)  # type: ignore[arg-type]


def test_600519_slice_matches_exchange_snapshots(fixtures: Path) -> None:
    z = fixtures / "sse_600519_20230201_0950.zip"
    v = verify(read_events([z])["600519.SH"], read_snapshots([z])["600519.SH"])
    assert v.snapshots > 300
    assert v.match_rate >= 0.99
    assert set(v.mismatches) <= {"ambiguous_cut"}  # no level the book never showed
    assert v.book is not None and v.book.anomaly_counts == {} and not v.book.needs_resync
    # the naive cut at the snapshot timestamp is much worse: SSE stamps do not mark a stream position
    assert v.timestamp_cut_match_rate < v.match_rate


def test_full_day_600519_match_rate(shared_level2: Path) -> None:
    z = shared_level2 / "data/dolphinscheduler_integration/20230201.zip"
    v = verify(read_events([z])["600519.SH"], read_snapshots([z])["600519.SH"])
    assert v.snapshots == 4847
    assert v.match_rate >= 0.99
    assert set(v.mismatches) <= {"ambiguous_cut"}


def test_sse_aggressor_residual_and_fixed_interval_snapshots() -> None:
    ev = synthetic([
        (1, ADD, SELL, 1000, 300, 1, 0, 0),
        (2, ADD, SELL, 1001, 200, 2, 0, 0),
        (3, TRADE, BUY, 1000, 300, 0, 3, 1),  # buy order 3 takes all of order 1 ...
        (4, ADD, BUY, 1000, 100, 3, 0, 0),  # ... and its residual 100 rests at 10.00 (published after)
        (5, CANCEL, SELL, 1001, 200, 2, 0, 0),
    ])  # fmt: skip
    b = book()
    out = b.apply(ev, fixed_interval_times(T0 + 3, T0 + 5, 1))
    lv = out.levels
    assert lv.bid_px[0, 0] == 0 and lv.ask_px[0, 0] == 1001  # at seq 3: order 1 gone
    assert (lv.bid_px[1, 0], lv.bid_vol[1, 0]) == (1000, 100)
    assert lv.ask_px[2, 0] == 0  # cancelled
    assert b.report().anomaly_counts == {}


def test_szse_cancel_and_trade_reduce_both_sides() -> None:
    ev = synthetic([
        (1, ADD, BUY, 1000, 500, 1, 0, 0),
        (2, ADD, SELL, 1000, 200, 2, 0, 0),
        (3, TRADE, 0, 1000, 200, 0, 1, 2),
        (4, CANCEL, BUY, 0, 300, 1, 1, 0),
    ], rules="SZSE")  # fmt: skip
    b = OrderBook("000001.SZ", (900, 1100), rules="SZSE")
    b.apply(ev)
    _bp, bv, _ap, av = b.levels()
    assert bv.sum() == 0 and av.sum() == 0 and b.report().anomaly_counts == {}


@pytest.mark.parametrize(
    ("rows", "kind", "seq", "resync"),
    [
        ([(1, ADD, BUY, 1000, 100, 1, 0, 0), (3, ADD, BUY, 999, 100, 2, 0, 0)], "gap", 3, True),
        ([(5, ADD, BUY, 1000, 100, 1, 0, 0)], "out_of_order", 4, True),
        ([(1, CANCEL, BUY, 1000, 100, 77, 0, 0)], "unknown_cancel", 1, False),
        ([(1, TRADE, BUY, 1000, 100, 0, 5, 6)], "trade_missing_order", 1, False),
        ([(1, ADD, BUY, 1001, 100, 1, 0, 0), (2, ADD, SELL, 1000, 100, 2, 0, 0)], "crossed_book", 2, False),
        ([(1, ADD, BUY, 1000, 100, 1, 0, 0), (2, TRADE, SELL, 1000, 300, 0, 1, 9)], "overfill", 2, False),
        ([(1, ADD, BUY, 1000, 100, 1, 0, 0), (2, ADD, BUY, 1000, 100, 1, 0, 0)], "duplicate_order", 2, False),
        ([(1, ADD, BUY, 5000, 100, 1, 0, 0)], "out_of_band", 1, False),
    ],
)
def test_bad_input_is_counted_with_its_sequence_number(
    rows: list[tuple[int, int, int, int, int, int, int, int]], kind: str, seq: int, resync: bool
) -> None:
    b = book(check_gaps=True)
    if kind == "out_of_order":
        b.apply(synthetic([(9, ADD, SELL, 1050, 100, 50, 0, 0)]))
        rows = [(4, ADD, BUY, 1000, 100, 1, 0, 0)]
    b.apply(synthetic(rows))
    rep = b.report()
    assert rep.anomaly_counts.get(kind) == 1
    assert any(a.kind == kind and a.seq == seq for a in rep.anomalies)
    assert rep.needs_resync is resync
    _bp, bv, _ap, av = b.levels()
    assert np.all(bv >= 0) and np.all(av >= 0)  # never a negative (silently wrong) level


def test_gap_marks_snapshots_as_needing_resync() -> None:
    b = book(check_gaps=True)
    rows = [(1, ADD, BUY, 1000, 100, 1, 0, 0), (2, ADD, BUY, 999, 100, 2, 0, 0), (9, ADD, BUY, 998, 1, 3, 0, 0)]
    ev = synthetic(rows)
    out = b.apply(ev, np.array([T0 + 2, T0 + 9], dtype=np.int64))
    assert out.needs_resync.tolist() == [False, True]


def test_rebuild_and_limit_band(fixtures: Path) -> None:
    ev = read_events([fixtures / "sse_600519_20230201_0950.zip"])["600519.SH"]
    assert limit_band(184576, 0.10) == (166118, 203034)  # 600519 on 2023-02-01: 1661.18 / 2030.34
    b, _ = rebuild(ev)
    assert b.report().events == len(ev)
    restored = OrderBook.from_state(b.state())
    assert [x.tolist() for x in restored.levels()] == [x.tolist() for x in b.levels()]

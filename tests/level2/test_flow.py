from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from tandem.core.errors import UserError
from tandem.level2.flow import aggressor_side, capital_flow
from tandem.level2.flow_live import FlowAccumulator
from tandem.level2.readers import read_events
from tandem.level2.schema import BUY, SELL, TRADE, EventBatch, make_batch
from tandem.level2.thresholds import THRESHOLD_SETS, threshold_set

FIXTURE_SETS = [
    ["sse_600519_20230201_0950.zip"],
    ["insight_601825_orders.zip", "insight_601825_trades.zip"],
    ["szse_000001_trades_head.zip"],
    ["simple_600000_20200102_head.zip"],
]


def assert_identities(batch: EventBatch, ts_name: str) -> None:
    ts = THRESHOLD_SETS[ts_name]
    res = capital_flow(batch, ts)
    idx, side = aggressor_side(batch)
    amount = batch.price[idx] * batch.qty[idx]
    buy_total, sell_total = amount[side == BUY].sum() / 100, amount[side == SELL].sum() / 100
    d = res.daily
    assert d["buy_amount"].sum() == pytest.approx(buy_total, abs=0.005)
    assert d["sell_amount"].sum() == pytest.approx(sell_total, abs=0.005)
    assert d["buy_amount"].sum() + d["sell_amount"].sum() == pytest.approx(res.total_amount, abs=0.005)
    assert list(d.columns) == ["code", "date", "class", "buy_amount", "sell_amount", "net_amount", "threshold_set"]
    m = res.minutes.groupby("class")[["buy_amount", "sell_amount"]].sum()
    assert np.allclose(m.loc[d["class"]].to_numpy(), d[["buy_amount", "sell_amount"]].to_numpy())
    live = FlowAccumulator(batch.code, batch.date, ts)
    for part in np.array_split(np.arange(len(batch)), 7):  # incremental, in chunks
        live.apply(batch.take(part))
    _, ld = live.frames()
    assert np.allclose(ld[["buy_amount", "sell_amount"]].to_numpy(), d[["buy_amount", "sell_amount"]].to_numpy())


@pytest.mark.parametrize("ts_name", sorted(THRESHOLD_SETS))
@pytest.mark.parametrize("names", FIXTURE_SETS)
def test_identities_on_real_fixtures(fixtures: Path, names: list[str], ts_name: str) -> None:
    for batch in read_events([fixtures / n for n in names]).values():
        assert_identities(batch, ts_name)


def test_identities_on_every_full_real_file(shared_level2: Path) -> None:
    d = shared_level2
    sets = [
        [d / "data/dolphinscheduler_integration/20230201.zip"],
        [d / "script/orderBookSnapshotEngine/SHorders.zip", d / "script/orderBookSnapshotEngine/SHtrans.zip"],
        [d / "data/DolphinDB_Python_Parser_Intro_for_Quantitative_Finance/tradeData.zip"],
        [d / "data/streaming_capital_flow_order_by_order/20200102_SH_trade.csv"],
    ]
    n = 0
    for paths in sets:
        for batch in read_events(paths).values():
            assert_identities(batch, "eastmoney")
            n += 1
    assert n == 9


def _trades(rows: list[tuple[int, int, int, int, int]]) -> EventBatch:
    """Synthetic test input: (side, price_ticks, qty, buy_no, sell_no) trades one second apart."""
    a = np.array(rows, dtype=np.int64)
    n = len(a)
    cols = {
        "seq": np.arange(1, n + 1), "kind": np.full(n, TRADE), "side": a[:, 0], "price": a[:, 1], "qty": a[:, 2],
        "buy_no": a[:, 3], "sell_no": a[:, 4], "time_ms": 36_000_000 + 1000 * np.arange(n), "channel": np.ones(n),
    }  # fmt: skip
    return make_batch("600000.SH", "SSE", 20240102, cols)  # type: ignore[arg-type]


def test_parent_order_filled_in_many_prints_counts_once() -> None:
    # buy order 100 fills 3 x 10,000 shares at 10.00 = 300,000 CNY in total: a large order (≥ 20万元),
    # although each print alone (100,000 CNY) would be medium
    ev = _trades([(BUY, 1000, 10_000, 100, 1), (BUY, 1000, 10_000, 100, 2), (BUY, 1000, 10_000, 100, 3)])
    d = capital_flow(ev, threshold_set("eastmoney")).daily.set_index("class")
    assert d.loc["large", "buy_amount"] == 300_000 and d.loc["medium", "buy_amount"] == 0
    live = FlowAccumulator("600000.SH", 20240102, threshold_set("eastmoney"))
    live.apply(ev)
    minutes, daily = live.frames()
    assert daily.set_index("class").loc["large", "buy_amount"] == 300_000
    # live: the order crossed into "large" on its 2nd print; the earlier 100,000 moved out of "medium"
    assert minutes.set_index("class").loc["medium", "buy_amount"] == 0


def test_aggressor_from_order_numbers_when_flag_missing() -> None:
    ev = _trades([(0, 1000, 100, 50, 7), (0, 1000, 100, 7, 50)])
    _, side = aggressor_side(ev)
    assert side.tolist() == [BUY, SELL]


def test_unknown_threshold_set() -> None:
    with pytest.raises(UserError, match="eastmoney"):
        threshold_set("sina")

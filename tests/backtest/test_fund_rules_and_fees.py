"""Fund settlement (T+0 by product type), fund price bands on the 0.001 tick and the pre-2015 SSE per-share fee.

Real rows: the bundled sample (ETF bars from etf_rotation, the fund list from 天天基金) and BaoStock hfq bars of
/work/shared/data for the 2012-2013 Shanghai fee (the sample's Shanghai stocks start in 2020).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tandem.backtest.config import ExecutionConfig
from tandem.backtest.engine import run_weights
from tandem.backtest.event_engine import run_strategy
from tandem.backtest.market import MarketData, build_market, load_market
from tandem.backtest.strategy import Context, Strategy
from tandem.marketdata.store import MarketStore

HFQ = Path("/work/shared/data/daily/hfq_baostock_2012_2023_subset40")


class BuyThenSellSameDay(Strategy):
    """Buy at bar 1's open (ordered on bar 0), then try to sell everything at bar 1's close."""

    def on_bar(self, ctx: Context) -> None:
        if ctx.i == 0:
            for code in ctx.codes:
                ctx.order_target_percent(code, 0.45, at="next_open")
        elif ctx.i == 1:
            for code in ctx.codes:
                ctx.order_target_percent(code, 0.0, at="close")


def test_bond_gold_cross_border_and_money_etfs_are_t0(sample_store: MarketStore) -> None:
    m = load_market(
        sample_store, ["511010.SH", "518880.SH", "513100.SH", "511990.SH", "510300.SH"], date(2023, 3, 1),
        date(2023, 3, 3),
    )  # fmt: skip
    assert m.t_plus[0].tolist() == [0.0, 0.0, 0.0, 0.0, 1.0]


def test_fund_type_comes_from_the_fund_list_category(sample_store: MarketStore) -> None:
    # 海富通中证短融ETF (511360) is 债券型 with no 债 in its name; 易方达中概互联50ETF (513050) is a QDII-ETF.
    m = load_market(sample_store, ["511360.SH", "513050.SH", "588000.SH"], date(2023, 3, 1), date(2023, 3, 3))
    assert m.t_plus[0].tolist() == [0.0, 0.0, 1.0]
    # 华夏上证科创板50成份ETF tracks a STAR index: ±20 %, not the equity ETF's ±10 %.
    assert m.limit_up[1, 2] == pytest.approx(round(m.preclose[1, 2] * 1.2, 3))


def test_a_t0_fund_bought_today_is_sold_today_and_a_t1_one_is_not(sample_store: MarketStore) -> None:
    m = load_market(sample_store, ["511010.SH", "510300.SH"], date(2023, 3, 1), date(2023, 3, 6))
    res = run_strategy(BuyThenSellSameDay(), m, ExecutionConfig())
    day2 = res.trades[res.trades["date"] == date(2023, 3, 2)]
    assert sorted(zip(day2["code"], day2["side"], strict=True)) == [
        ("510300.SH", "buy"), ("511010.SH", "buy"), ("511010.SH", "sell"),
    ]  # fmt: skip
    assert res.positions.loc[pd.Timestamp("2023-03-02"), "511010.SH"] == 0.0
    blocked = res.rule_events[(res.rule_events["rule"] == "t_plus_one") & (res.rule_events["code"] == "510300.SH")]
    assert list(blocked["date"]) == [date(2023, 3, 2)]


def test_fund_limit_up_open_on_the_0_001_tick_is_blocked(sample_store: MarketStore) -> None:
    # 510050.SH opened 2015-07-06 at 2.837 = 2.579 × 1.1 rounded to the fund tick (0.01 rounding gave 2.84).
    m = load_market(sample_store, ["510050.SH"], date(2015, 7, 1), date(2015, 7, 10))
    row = int(np.flatnonzero(m.index() == pd.Timestamp("2015-07-06"))[0])
    assert m.open[row, 0] == m.limit_up[row, 0] == 2.837
    w = pd.DataFrame(np.nan, index=m.index(), columns=list(m.codes))
    w.iloc[row - 1] = 0.9
    res = run_weights(w, m, ExecutionConfig(retry_blocked=False))
    assert res.trades.empty
    assert list(res.rule_events["rule"]) == ["limit_up"]


class RoundTrip(Strategy):
    """Buy ``qty`` shares at bar 1's open, sell them at bar 4's."""

    def __init__(self, qty: float) -> None:
        self.qty = qty

    def on_bar(self, ctx: Context) -> None:
        if ctx.i in (0, 3):
            ctx.order_shares(ctx.codes[0], self.qty if ctx.i == 0 else -self.qty)


def _hfq_market(code: str, start: str, end: str) -> tuple[MarketData, pd.DataFrame]:
    raw = pd.read_csv(HFQ / f"stock_data_{code}.csv.gz", parse_dates=["date"])
    raw = raw[(raw["date"] >= start) & (raw["date"] <= end)].reset_index(drop=True)
    norm = f"{code[3:]}.{code[:2].upper()}"
    fields = {f: raw[[f]].to_numpy(dtype=float) for f in ("open", "high", "low", "close", "preclose", "volume")}
    return build_market(raw["date"].to_numpy(), [norm], fields), raw


@pytest.mark.skipif(not HFQ.exists(), reason="shared BaoStock hfq data not staged at /work/shared/data")
@pytest.mark.parametrize(
    ("start", "end", "per_1000"),
    [("2012-06-11", "2012-06-29", 1.0), ("2013-03-01", "2013-03-29", 0.6)],
)
def test_sse_per_share_transfer_fee_before_2015(start: str, end: str, per_1000: float) -> None:
    """600036.SH (hfq prices: the fee depends on shares, not price): 1 yuan per 1,000 shares, then 0.6, min 1."""
    m, _ = _hfq_market("sh.600036", start, end)
    for qty in (5000.0, 300.0):
        cfg = ExecutionConfig(initial_cash=1e7)

        res = run_strategy(RoundTrip(qty), m, cfg)
        assert list(res.trades["qty"]) == [qty, qty]
        expected = max(qty * per_1000 / 1000.0, 1.0)
        assert res.trades["transfer_fee"].tolist() == pytest.approx([expected, expected])


def test_fund_units_pay_no_per_share_transfer_fee(sample_store: MarketStore) -> None:
    m = load_market(sample_store, ["510050.SH"], date(2013, 3, 1), date(2013, 3, 29))
    assert (m.transfer_per_share == 0).all()
    w = pd.DataFrame(np.nan, index=m.index(), columns=list(m.codes))
    w.iloc[0], w.iloc[5] = 0.5, 0.0
    res = run_weights(w, m)
    assert len(res.trades) == 2 and (res.trades["transfer_fee"] == 0.0).all()

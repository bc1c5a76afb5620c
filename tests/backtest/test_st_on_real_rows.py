"""The rulebook on real ST rows of the bundled sample: 5% bands, entering and leaving ST, halts, resumptions.

600732.SH (*ST新梅, later 爱旭股份) was under risk warning 2015-04-29 .. 2020-03-04 (BaoStock ``isST``); its bars
in the sample come from ``daily/st_history_baostock_2010_2024`` (see the sample's PROVENANCE.md).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from tandem.backtest.engine import run_weights
from tandem.backtest.market import MarketData, load_market
from tandem.marketdata.store import MarketStore

CODE = "600732.SH"


def _buy_on(market: MarketData, day: str) -> pd.DataFrame:
    w = pd.DataFrame(np.nan, index=market.index(), columns=list(market.codes))
    w.loc[pd.Timestamp(day)] = 0.5
    return w


def _row(market: MarketData, day: str) -> int:
    return list(market.index()).index(pd.Timestamp(day))


def test_limit_up_buys_refused_on_st_days_and_filled_once_the_open_is_below(sample_store: MarketStore) -> None:
    m = load_market(sample_store, [CODE], date(2018, 12, 28), date(2019, 1, 31))
    r = run_weights(_buy_on(m, "2019-01-03"), m)
    events = [(e.date, e.rule, e.detail) for e in r.rule_events.itertuples()]
    assert events[:5] == [
        (date(2019, 1, 4), "suspended", "buy blocked: suspended on 2019-01-04"),
        (date(2019, 1, 7), "suspended", "buy blocked: suspended on 2019-01-07"),
        (date(2019, 1, 8), "limit_up", "buy blocked at limit-up on 2019-01-08 (opened at the limit 5.12)"),
        (date(2019, 1, 9), "limit_up", "buy blocked at limit-up on 2019-01-09 (opened at the limit 5.38)"),
        (date(2019, 1, 10), "limit_up", "buy blocked at limit-up on 2019-01-10 (opened at the limit 5.65)"),
    ]
    first = r.trades.iloc[0]
    assert (first["date"], first["side"], first["price"]) == (date(2019, 1, 11), "buy", pytest.approx(5.92))
    # the limits are the 5% ST band: under the ordinary 10% band 5.12 (4.88 × 1.05) would not have been a limit
    i = _row(m, "2019-01-08")
    assert m.limit_up[i : i + 4, 0].tolist() == pytest.approx([5.12, 5.38, 5.65, 5.93])
    assert m.preclose[i, 0] * 1.10 > 5.36


def test_the_band_widens_the_day_after_st_ends(sample_store: MarketStore) -> None:
    assert sample_store.rules_for(CODE, "2020-03-04").price_limit_pct == 0.05
    assert sample_store.rules_for(CODE, "2020-03-05").price_limit_pct == 0.10
    m = load_market(sample_store, [CODE], date(2020, 3, 2), date(2020, 3, 10))
    for day, band in (("2020-03-04", 0.05), ("2020-03-05", 0.10)):
        i = _row(m, day)
        assert m.limit_up[i, 0] == pytest.approx(round(m.preclose[i, 0] * (1 + band) + 1e-9, 2))


def test_entering_st_narrows_the_band(sample_store: MarketStore) -> None:
    assert sample_store.st_periods(CODE)["start"].dt.date.tolist() == [date(2015, 4, 29)]
    assert sample_store.rules_for(CODE, "2015-04-28").price_limit_pct == 0.10
    assert sample_store.rules_for(CODE, "2015-04-29").price_limit_pct == 0.05


def test_a_buy_placed_during_a_long_halt_meets_the_st_limit_on_resumption(sample_store: MarketStore) -> None:
    # halted 2015-08-24 .. 2016-01-04 (88 sessions); back on 2016-01-05 at its 5% limit-up 8.10 (= 7.71 × 1.05)
    m = load_market(sample_store, [CODE], date(2015, 12, 1), date(2016, 1, 29))
    r = run_weights(_buy_on(m, "2015-12-01"), m)
    ev = r.rule_events
    halted = ev[ev["rule"] == "suspended"]
    assert halted["date"].min() == date(2015, 12, 2) and halted["date"].max() == date(2016, 1, 4)
    back = ev[ev["date"] == date(2016, 1, 5)].iloc[0]
    assert (back["rule"], back["detail"]) == (
        "limit_up",
        "buy blocked at limit-up on 2016-01-05 (opened at the limit 8.10)",
    )
    assert r.trades["date"].min() > date(2016, 1, 5)
    assert not set(ev.loc[ev["rule"] == "limit_up", "date"]) & set(r.trades["date"])


def test_a_resumed_listing_keeps_its_band_and_fills_at_the_recorded_open(sample_store: MarketStore) -> None:
    # 000792.SZ left ST during its 2020-04-30 .. 2021-08-09 halt and resumed listing (恢复上市) on 2021-08-10: no
    # exemption is assumed (10% band, limit-up 9.72 on 8.84), and the real open 39.22, beyond it, is not "at the limit"
    assert not sample_store.is_st("000792.SZ", "2021-08-10") and sample_store.is_st("000792.SZ", "2021-08-09")
    m = load_market(sample_store, ["000792.SZ"], date(2021, 8, 2), date(2021, 8, 20))
    i = _row(m, "2021-08-10")
    assert (m.preclose[i, 0], m.limit_up[i, 0], m.open[i, 0]) == pytest.approx((8.84, 9.72, 39.22))
    r = run_weights(_buy_on(m, "2021-08-09"), m)
    assert "limit_up" not in set(r.rule_events["rule"])
    first = r.trades.iloc[0]
    assert (first["date"], first["price"]) == (date(2021, 8, 10), pytest.approx(39.22))


def test_an_st_limit_down_close_is_a_limit_hit_only_under_the_5pct_band(sample_store: MarketStore) -> None:
    # 2019-01-14: preclose 5.56, close 5.28 = 5.56 × 0.95 rounded; the ordinary band would have allowed 5.00
    m = load_market(sample_store, [CODE], date(2019, 1, 11), date(2019, 1, 15))
    i = _row(m, "2019-01-14")
    assert (m.preclose[i, 0], m.close[i, 0], m.limit_down[i, 0]) == pytest.approx((5.56, 5.28, 5.28))
    assert round(m.preclose[i, 0] * 0.90, 2) == pytest.approx(5.00)

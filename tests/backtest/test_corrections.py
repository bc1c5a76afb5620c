"""Issue 17 corrections on real rows of the bundled sample: limits from the listing date, fund fees, odd lots."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from tandem.backtest import _core
from tandem.backtest.config import ExecutionConfig
from tandem.backtest.engine import run_weights
from tandem.backtest.market import load_market
from tandem.marketdata.store import MarketStore


def test_price_limits_on_from_the_first_session_of_any_backtest(sample_store: MarketStore) -> None:
    m = load_market(sample_store, ["600519.SH", "300750.SZ", "688981.SH"], date(2023, 6, 1), date(2023, 6, 12))
    assert np.isfinite(m.limit_up).all() and np.isfinite(m.limit_down).all()
    # 300750.SZ closed 243.09 on 2023-06-01 (a ChiNext stock listed 2018): its 20% band on 06-02 is 291.71.
    assert m.limit_up[1, 1] == round(m.preclose[1, 1] * 1.2 + 1e-9, 2)


def _buy_000002_on_2024_09_30(store: MarketStore, start: date) -> pd.DataFrame:
    m = load_market(store, ["000002.SZ"], start, date(2024, 10, 10))
    w = pd.DataFrame(np.nan, index=m.index(), columns=list(m.codes))
    w.loc[pd.Timestamp("2024-09-27")] = 0.5  # decided at 09-27's close, fills at 09-30's open (a limit-up open)
    res = run_weights(w, m, ExecutionConfig(retry_blocked=False))
    return res.trades[res.trades["date"] == date(2024, 9, 30)]


def test_a_limit_up_open_is_blocked_whatever_the_start(sample_store: MarketStore) -> None:
    m = load_market(sample_store, ["000002.SZ"], date(2024, 9, 26), date(2024, 9, 30))
    assert m.open[-1, 0] == m.limit_up[-1, 0] == 9.72
    assert _buy_000002_on_2024_09_30(sample_store, date(2024, 9, 26)).empty
    assert _buy_000002_on_2024_09_30(sample_store, date(2024, 9, 20)).empty
    later = load_market(sample_store, ["000002.SZ"], date(2024, 9, 20), date(2024, 10, 10))
    w = pd.DataFrame(np.nan, index=later.index(), columns=list(later.codes))
    w.loc[pd.Timestamp("2024-09-27")] = 0.5
    filled = run_weights(w, later, ExecutionConfig(retry_blocked=True)).trades
    assert len(filled) == 1 and filled["date"].iloc[0] > date(2024, 9, 30)  # retried until the limit opened


def test_fund_units_pay_no_stamp_duty_or_transfer_fee(sample_store: MarketStore) -> None:
    m = load_market(sample_store, ["510300.SH", "159915.SZ"], date(2023, 3, 1), date(2023, 3, 10))
    w = pd.DataFrame(np.nan, index=m.index(), columns=list(m.codes))
    w.iloc[0] = 0.45
    w.loc[pd.Timestamp("2023-03-08")] = 0.0
    trades = run_weights(w, m).trades
    sells = trades[trades["side"] == "sell"]
    assert len(sells) == 2 and set(sells["date"]) == {date(2023, 3, 9)}
    assert (trades["stamp_duty"] == 0.0).all() and (trades["transfer_fee"] == 0.0).all()
    assert (trades["commission"] > 0).all()


def test_159915_tracks_chinext_and_has_the_20pct_band(sample_store: MarketStore) -> None:
    m = load_market(sample_store, ["159915.SZ", "510300.SH"], date(2023, 3, 1), date(2023, 3, 10))
    # Funds are quoted to 0.001 yuan, so their limit prices round to that tick (2.372 × 1.2 = 2.8464 → 2.846).
    assert np.allclose(m.limit_up[1:, 0], np.round(m.preclose[1:, 0] * 1.2 + 1e-9, 3))
    assert np.allclose(m.limit_up[1:, 1], np.round(m.preclose[1:, 1] * 1.1 + 1e-9, 3))


def test_odd_lot_is_sold_whole_with_round_lots() -> None:
    assert _core.lot_round_sell(150.0, 250.0, 100.0, 100.0) == 150.0
    assert _core.lot_round_sell(50.0, 250.0, 100.0, 100.0) == 50.0
    assert _core.lot_round_sell(120.0, 250.0, 100.0, 100.0) == 100.0
    assert _core.lot_round_sell(30.0, 250.0, 100.0, 100.0) == 0.0
    assert _core.lot_round_sell(200.0, 200.0, 100.0, 100.0) == 200.0

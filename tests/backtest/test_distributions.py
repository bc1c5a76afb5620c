"""Ex-date distributions in their real form, and the flagship example signalling on adjusted prices.

Real rows of the bundled sample: 300750.SZ (宁德时代) went ex on 2023-04-26 for its 2022 distribution, 10转8派25.2
(8 bonus shares and 25.20 yuan per 10 held): close 385.90 on 04-25, exchange reference price 212.99 on 04-26.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tandem.backtest.config import ExecutionConfig
from tandem.backtest.distributions import infer_distributions
from tandem.backtest.event_engine import run_strategy
from tandem.backtest.loader import run_file
from tandem.backtest.market import load_market
from tandem.backtest.strategy import Context, Strategy
from tandem.marketdata.store import MarketStore

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "dual_moving_average.py"


def test_the_form_is_read_from_the_close_and_the_reference_price() -> None:
    bonus, cash = infer_distributions([[385.90]], [[212.99]], [[385.90 / 212.99]], [False])
    assert bonus[0, 0] == pytest.approx(0.8) and cash[0, 0] == pytest.approx(2.52)
    # A fund split keeps the value-based credit; a small ratio is a cash dividend handled by the core.
    fund, _ = infer_distributions([[101.771]], [[10.272]], [[9.9076]], [True])
    small, _ = infer_distributions([[10.0]], [[9.8]], [[10.0 / 9.8]], [False])
    assert np.isnan(fund[0, 0]) and np.isnan(small[0, 0])


class Hold900(Strategy):
    def on_bar(self, ctx: Context) -> None:
        if ctx.i == 0:
            ctx.order_shares("300750.SZ", 900)


def test_900_shares_receive_720_bonus_shares_and_2268_yuan(sample_store: MarketStore) -> None:
    m = load_market(sample_store, ["300750.SZ"], date(2023, 4, 21), date(2023, 4, 28))
    res = run_strategy(Hold900(), m, ExecutionConfig())
    assert res.positions["300750.SZ"].tolist()[-1] == 1620.0
    ev = res.rule_events[res.rule_events["rule"] == "bonus_shares"]
    assert list(ev["date"]) == [date(2023, 4, 26)]
    assert "720 bonus/split shares plus 2,268.00 cash" in ev["detail"].iloc[0]
    day = res.cash.index.get_loc(np.datetime64("2023-04-26"))
    assert res.cash.iloc[day] - res.cash.iloc[day - 1] == pytest.approx(2268.0)


def test_the_example_does_not_sell_300750_on_its_ex_date(sample_store: MarketStore) -> None:
    run = run_file(EXAMPLE, sample_store)
    t = run.result.trades
    around = t[(t["code"] == "300750.SZ") & (t["date"] >= date(2023, 4, 26)) & (t["date"] <= date(2023, 5, 5))]
    assert around.empty, around
    ev = run.result.rule_events
    bonus = ev[(ev["code"] == "300750.SZ") & (ev["rule"] == "bonus_shares")]
    assert "160 bonus/split shares plus 504.00 cash" in bonus["detail"].iloc[0]  # 200 held: 8 per 10, 2.52 each


def test_a_reference_price_a_little_off_the_close_keeps_the_bonus() -> None:
    """300015.SZ 2021-06-24 (close 85.83, reference 66.08): 10转3 leaves -0.07 yuan of cash: 3 shares, no cash."""
    bonus, cash = infer_distributions([[85.83]], [[66.08]], [[85.83 / 66.08]], [False])
    assert bonus[0, 0] == pytest.approx(0.3) and cash[0, 0] == 0.0

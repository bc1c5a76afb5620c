"""The event grid kernel must give bit-for-bit the dense kernel's final equity, rules on or off."""

from __future__ import annotations

import numpy as np
import pytest

from tandem.backtest import _core
from tandem.backtest.config import ExecutionConfig, RuleSwitches
from tandem.backtest.engine import config_vector, slippage_panel
from tandem.backtest.grid import final_equity, ma_grid_final_equity
from tandem.backtest.market import MarketData
from tandem.backtest.records import new_lists
from tandem.backtest.signals import ma_cross_grid, to_cents
from tandem.backtest.slippage import FixedBps, TickSlippage
from tandem.core.errors import ValidationFailed

PAIRS = [(3, 10), (5, 20), (10, 30)]
NO_CREDITS = RuleSwitches(corporate_actions=False)


def dense(en: np.ndarray, ex: np.ndarray, cs: np.ndarray, market: MarketData, config: ExecutionConfig) -> np.ndarray:
    """The per-bar kernel, called the way ``final_equity`` called it before the event kernel existed."""
    use_close = config.fill_at == "close"
    if not use_close:
        en = np.vstack([np.zeros((1, en.shape[1]), dtype=bool), en[:-1]])
        ex = np.vstack([np.zeros((1, ex.shape[1]), dtype=bool), ex[:-1]])
    trades, events = new_lists()
    return _core.run_signal_grid(  # type: ignore[no-any-return]
        np.ascontiguousarray(en), np.ascontiguousarray(ex), cs, market.close if use_close else market.open,
        market.close, market.open, market.volume, market.tradable, market.limit_up, market.limit_down,
        slippage_panel(market, config), market.preclose, market.adj_ratio, market.stamp_sell, market.transfer_fee,
        market.transfer_per_share, market.transfer_min, market.t_plus, market.min_buy, market.lot_step,
        config.initial_cash, config_vector(config, record=False), trades, events,
    )  # fmt: skip


@pytest.mark.parametrize("n_codes", [8, 7])  # 24 columns: 8 per uint64 word; 21: one byte per word
@pytest.mark.parametrize(
    "config",
    [
        ExecutionConfig.frictionless().with_(commission_rate=0.001),
        ExecutionConfig.frictionless(fill_at="next_open").with_(commission_rate=0.0003),
        ExecutionConfig(initial_cash=200_000.0, rules=NO_CREDITS),
        ExecutionConfig(initial_cash=50_000.0, fill_at="close", rules=NO_CREDITS, slippage=TickSlippage()),
        ExecutionConfig(rules=NO_CREDITS, slippage=FixedBps(5.0), max_participation=0.0),
        ExecutionConfig(),  # ex-date credits on: the dense kernel runs, compared with itself
    ],
)
def test_event_kernel_equals_dense_kernel(make_market, config, n_codes):
    market = make_market()
    codes = list(range(n_codes))
    cents = to_cents(market.close[:, codes])
    en, ex, cs = ma_cross_grid(cents, PAIRS)
    cs = np.asarray(codes, dtype=np.int64)[cs]
    ours = final_equity(en, ex, cs, market, config)
    ref = dense(en, ex, cs, market, config)
    np.testing.assert_array_equal(ours, ref)
    assert np.any(np.abs(ours / config.initial_cash - 1.0) > 0.01)  # trades happened


def test_rules_change_the_result(make_market):
    """Guards the comparison above: the rule switches do reach the event kernel."""
    market = make_market()
    en, ex, cs = ma_cross_grid(to_cents(market.close), PAIRS)
    free = final_equity(en, ex, cs, market, ExecutionConfig.frictionless(fill_at="next_open"))
    ruled = final_equity(en, ex, cs, market, ExecutionConfig(fill_at="next_open", rules=NO_CREDITS))
    assert np.isfinite(ruled).all() and not np.allclose(free, ruled, rtol=1e-6)


@pytest.mark.parametrize(
    "config",
    [
        ExecutionConfig.frictionless().with_(commission_rate=0.001),
        ExecutionConfig.frictionless(fill_at="next_open"),
        ExecutionConfig(initial_cash=100_000.0, rules=NO_CREDITS, slippage=TickSlippage()),
        ExecutionConfig(),  # ex-date credits on: falls back to the signal arrays and the dense kernel
    ],
)
def test_fused_ma_grid_equals_signal_arrays(make_market, config):
    market = make_market()
    cents = to_cents(market.close)  # suspended days are NaN → 0 cents on both paths
    pairs = [*PAIRS, (2, 3), (20, market.shape[0])]
    ours = ma_grid_final_equity(cents, pairs, market, config)
    ref = final_equity(*ma_cross_grid(cents, pairs), market, config)
    np.testing.assert_array_equal(ours, ref)
    assert np.any(np.abs(ours / config.initial_cash - 1.0) > 0.01)


def test_fused_ma_grid_refuses_bad_pairs(make_market):
    market = make_market()
    cents = to_cents(market.close)
    for pairs in ([], [(10, 5)], [(5, market.shape[0] + 1)]):
        with pytest.raises(ValidationFailed):
            ma_grid_final_equity(cents, pairs, market, ExecutionConfig.frictionless())

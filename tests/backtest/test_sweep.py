from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from tandem.backtest.config import ExecutionConfig
from tandem.backtest.grid import final_equity, price_market
from tandem.backtest.signals import ma_cross, ma_cross_grid, to_cents
from tandem.backtest.sweep import ma_sweep, walk_forward
from tandem.compute import LocalPoolRunner, RayRunner


@pytest.fixture(scope="module")
def hfq_close(bars) -> pd.DataFrame:
    h = bars.assign(h=bars["close"] * bars["adj_factor"]).pivot(index="date", columns="code", values="h")
    return h.dropna(axis=1)


def test_integer_cent_ties_never_cross():
    flat = np.full((30, 1), 10.0)
    en, ex = ma_cross(to_cents(flat), 3, 5)
    assert not en.any() and not ex.any()
    # 0.1 + 0.2 style float noise cannot create a cross: MAs of 10.01/10.02 alternating tie exactly
    alt = np.tile([[10.01], [10.02]], (20, 1))
    en, ex = ma_cross(to_cents(alt), 2, 4)
    assert not en.any() and not ex.any()


def test_grid_equals_vectorbt_from_signals(hfq_close):
    vbt = pytest.importorskip("vectorbt")
    cents = to_cents(hfq_close.to_numpy())
    close = cents / 100.0
    en, ex, cs = ma_cross_grid(cents, [(5, 20), (10, 60), (20, 120)])
    market = price_market(hfq_close.index.to_numpy(), list(hfq_close.columns), close)
    for fee in (0.0, 0.001):
        ours = final_equity(en, ex, cs, market, ExecutionConfig.frictionless().with_(commission_rate=fee))
        pf = vbt.Portfolio.from_signals(
            pd.DataFrame(close[:, cs]), pd.DataFrame(en), pd.DataFrame(ex), init_cash=1e6, fees=fee, freq="1D"
        )
        theirs = pf.final_value().to_numpy()
        assert np.max(np.abs(ours / theirs - 1.0)) < 1e-9
        assert np.any(np.abs(ours / 1e6 - 1.0) > 0.01)  # trades happened


def test_sweep_table_heatmap_and_walk_forward(hfq_close):
    res = ma_sweep(hfq_close, [5, 10], [20, 40])
    assert list(res.table.columns) == ["fast", "slow", "mean_return", "hit_rate"]
    assert res.pivot().shape == (2, 2)
    assert res.heatmap_png()[:8] == b"\x89PNG\r\n\x1a\n"
    wf = walk_forward(hfq_close, [5, 10, 20], [30, 60])
    assert -1.0 <= wf.rank_correlation <= 1.0
    assert (wf.warning is None) == (wf.rank_correlation >= 0.3 and wf.best_oos_percentile >= 0.5)


def test_sweep_in_process_pool_matches_serial(hfq_close):
    a = ma_sweep(hfq_close, [5, 10], [20, 40]).table
    with LocalPoolRunner(2) as pool:
        b = ma_sweep(hfq_close, [5, 10], [20, 40], runner=pool).table
    pd.testing.assert_frame_equal(a, b)


@pytest.mark.ray
def test_sweep_on_ray_local_instance(hfq_close):
    pytest.importorskip("ray")
    # Ray 2.x dropped local_mode: a one-CPU local instance is the cheap equivalent
    with RayRunner(1) as ray:
        a = ma_sweep(hfq_close, [5], [20, 40], runner=ray).table
    b = ma_sweep(hfq_close, [5], [20, 40]).table
    pd.testing.assert_frame_equal(a, b)

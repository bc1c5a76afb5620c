"""ma_sweep on the fast grid kernel equals the old one-pair-per-task path bit for bit, on the bundled sample."""

from __future__ import annotations

from importlib.resources import files

import numpy as np
import pandas as pd
import pytest

from tandem.backtest.config import ExecutionConfig
from tandem.backtest.grid import final_equity, price_market
from tandem.backtest.signals import ma_cross, to_cents
from tandem.backtest.sweep import ma_sweep, walk_forward
from tandem.compute import SerialRunner
from tandem.compute.runner import BatchRunner

FASTS = [3, 5, 10, 20]
SLOWS = [10, 30, 60]


@pytest.fixture(scope="module")
def sample_close() -> pd.DataFrame:
    """hfq close of the sample stocks with a full history since 2021 (as benchmarks/bench_compute.py)."""
    path = files("tandem") / "sample_data" / "daily_bars.parquet"
    bars = pd.read_parquet(str(path), columns=["code", "date", "close", "adj_factor", "suspended"])
    bars["date"] = pd.to_datetime(bars["date"])
    bars = bars[(bars["date"] >= pd.Timestamp("2021-01-01")) & ~bars["suspended"]]
    hfq = bars.assign(h=bars["close"] * bars["adj_factor"]).pivot(index="date", columns="code", values="h")
    return hfq.dropna(axis=1)


def _old_sweep(close: pd.DataFrame, config: ExecutionConfig) -> pd.DataFrame:
    """The previous implementation: ma_cross + final_equity, one (fast, slow) pair at a time."""
    cents = to_cents(close.to_numpy(dtype=np.float64))
    n = cents.shape[1]
    market = price_market(np.arange(len(close)).astype("datetime64[D]"), ["600000.SH"] * n, cents / 100.0)
    rows = []
    for f in FASTS:
        for s in SLOWS:
            if f >= s:
                continue
            en, ex = ma_cross(cents, f, s)
            ret = final_equity(en, ex, np.arange(n, dtype=np.int64), market, config) / config.initial_cash - 1.0
            rows.append({"fast": f, "slow": s, "mean_return": float(ret.mean()), "hit_rate": float((ret > 0).mean())})
    return pd.DataFrame(rows)


class _ThreeWorkers(SerialRunner):
    """Serial, but reports three workers, so the sweep splits the stocks into three uneven chunks."""

    @property
    def workers(self) -> int:
        return 3


@pytest.mark.parametrize(
    "config",
    [
        ExecutionConfig.frictionless(),
        ExecutionConfig.frictionless(fill_at="next_open").with_(commission_rate=0.0003),
        ExecutionConfig(),
    ],
    ids=["frictionless-close", "commission-next-open", "a-share-rules"],
)
@pytest.mark.parametrize("runner", [SerialRunner(), _ThreeWorkers()], ids=["one-chunk", "three-chunks"])
def test_grid_path_equals_old_path(sample_close: pd.DataFrame, config: ExecutionConfig, runner: BatchRunner) -> None:
    assert sample_close.shape[0] > 1000 and sample_close.shape[1] > 50
    new = ma_sweep(sample_close, FASTS, SLOWS, config, runner=runner).table
    old = _old_sweep(sample_close, config)
    assert len(old) == 10 and old["mean_return"].abs().max() > 0.01  # trades happened
    pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_walk_forward_warning_unchanged(sample_close: pd.DataFrame) -> None:
    cfg = ExecutionConfig.frictionless()
    wf = walk_forward(sample_close, FASTS, SLOWS, runner=_ThreeWorkers())
    cut = int(len(sample_close) * 0.7)
    pd.testing.assert_frame_equal(wf.in_sample.table, _old_sweep(sample_close.iloc[:cut], cfg), check_exact=True)
    pd.testing.assert_frame_equal(wf.out_of_sample.table, _old_sweep(sample_close.iloc[cut:], cfg), check_exact=True)
    assert (wf.warning is None) == (wf.rank_correlation >= 0.3 and wf.best_oos_percentile >= 0.5)

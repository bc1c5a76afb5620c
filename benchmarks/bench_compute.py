"""Batch runners side by side: start-up, per-item overhead, and a dual-MA sweep on real bars.

Data: the bundled real-data sample (``src/tandem/sample_data/daily_bars.parquet``, BaoStock, hfq close of the
stocks with a full 2021-01..2025-04 history). Each figure is one run (start-up is paid once per runner, so a
"best of" would hide it); the machine is shared, so expect swings between runs. Usage:

    .venv/bin/python benchmarks/bench_compute.py
"""

from __future__ import annotations

import operator
import os
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pandas as pd

from tandem.backtest.sweep import ma_sweep
from tandem.compute import BatchRunner, LocalPoolRunner, RayRunner, SerialRunner

BARS = Path(__file__).resolve().parents[1] / "src" / "tandem" / "sample_data" / "daily_bars.parquet"
FASTS = [3, 5, 8, 10, 13, 20]
SLOWS = [30, 40, 60, 90, 120, 250]


def _close() -> pd.DataFrame:
    bars = pd.read_parquet(BARS, columns=["code", "date", "close", "adj_factor", "suspended"])
    bars["date"] = pd.to_datetime(bars["date"])
    bars = bars[(bars["date"] >= pd.Timestamp("2021-01-01")) & ~bars["suspended"]]
    hfq = bars.assign(h=bars["close"] * bars["adj_factor"]).pivot(index="date", columns="code", values="h")
    return hfq.dropna(axis=1)


def _runners() -> list[tuple[str, Callable[[], BatchRunner]]]:
    return [
        ("serial", SerialRunner),
        ("pool x2 (forkserver)", lambda: LocalPoolRunner(2)),
        ("pool x2 (spawn)", lambda: LocalPoolRunner(2, start_method="spawn")),
        ("ray x2 (local)", lambda: RayRunner(2)),
    ]


def main() -> None:
    close = _close()
    print(f"cores: {os.cpu_count()}; sweep panel {close.shape[0]} days x {close.shape[1]} stocks (real, hfq)")
    print("| runner | start + first tiny batch s | 10,000 tiny items s | 6x6 MA sweep s |")
    print("|---|---|---|---|")
    reference = ma_sweep(close, FASTS, SLOWS).table
    for name, make in _runners():
        t0 = time.perf_counter()
        with make() as runner:
            runner.map(partial(operator.mul, 2), list(range(8)), chunksize=1)
            t1 = time.perf_counter()
            runner.map(partial(operator.mul, 2), list(range(10_000)))
            t2 = time.perf_counter()
            table = ma_sweep(close, FASTS, SLOWS, runner=runner).table
            t3 = time.perf_counter()
        pd.testing.assert_frame_equal(table, reference)
        print(f"| {name} | {t1 - t0:.2f} | {t2 - t1:.3f} | {t3 - t2:.2f} |")


if __name__ == "__main__":
    main()

"""Metric throughput, ours (one vectorised call per metric over all series) vs empyrical (loop over series).

Data: daily close-to-close returns of real CSI 300 stocks from /work/shared tiled to 2,500 days × 500 series
(see _analytics_data), benchmark = CSI 300 index returns over the last 2,500 days. Both sides compute
the same nine figures per series: total return, CAGR, volatility, Sharpe, Sortino, downside risk, max
drawdown, Calmar, alpha+beta. Ours additionally gets ``summarize`` timed (which also adds drawdown
duration, win rate and profit/loss ratio). After a warm-up, the three are timed in turn, 7 rounds, and the
figures are medians (other processes share the two cores); ratios are medians of per-round ratios.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import empyrical
import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
from _analytics_data import bench_returns, load_panels
from tandem.analytics import metrics

REPEATS = 7


def rounds(*fns: Callable[[], object]) -> np.ndarray:
    """Seconds per call, one row per round, one column per function, the functions timed in turn."""
    for fn in fns:
        fn()
    times = np.empty((REPEATS, len(fns)))
    for i in range(REPEATS):
        for j, fn in enumerate(fns):
            t0 = time.perf_counter()
            fn()
            times[i, j] = time.perf_counter() - t0
    return times


def main() -> int:
    p = load_panels()
    if p is None:
        print("bench_metrics: /work/shared/data is not present; nothing to measure (exit 0).")
        return 0
    c = p["close"]
    r = c[1:] / c[:-1] - 1.0
    r = np.vstack([r, r[-1:]])  # 2,500 rows
    b = bench_returns(r.shape[0])

    def ours() -> None:
        metrics.total_return(r)
        metrics.annual_return(r)
        metrics.annual_volatility(r)
        metrics.sharpe_ratio(r)
        metrics.sortino_ratio(r)
        metrics.downside_risk(r)
        metrics.max_drawdown(r)
        metrics.calmar_ratio(r)
        metrics.alpha_beta(r, b)

    def theirs() -> None:
        for j in range(r.shape[1]):
            x = r[:, j]
            empyrical.cum_returns_final(x)
            empyrical.annual_return(x)
            empyrical.annual_volatility(x)
            empyrical.sharpe_ratio(x)
            empyrical.sortino_ratio(x)
            empyrical.downside_risk(x)
            empyrical.max_drawdown(x)
            empyrical.calmar_ratio(x)
            empyrical.alpha_beta(x, b)

    n = r.shape[1]
    times = rounds(ours, lambda: metrics.summarize(r, benchmark=b), theirs)
    t_ours, t_summary, t_theirs = np.median(times, axis=0)
    ratio_ours = float(np.median(times[:, 2] / times[:, 0]))
    ratio_summary = float(np.median(times[:, 2] / times[:, 1]))
    print(f"returns: {r.shape[0]} days × {n} series (real CSI 300 stocks, tiled), median of {REPEATS} rounds")
    print(f"ours (9 metrics)        {n / t_ours:10.0f} series/s  ({t_ours * 1e3:.1f} ms)")
    print(f"ours summarize (14)     {n / t_summary:10.0f} series/s  ({t_summary * 1e3:.1f} ms)")
    print(f"empyrical (9 metrics)   {n / t_theirs:10.0f} series/s  ({t_theirs * 1e3:.1f} ms)")
    print(f"ratio ours/empyrical    {ratio_ours:10.1f}×   (summarize vs empyrical: {ratio_summary:.1f}×)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

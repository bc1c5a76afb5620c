"""Indicator throughput, ours (numba, whole panel per call) vs TA-Lib (talib, one call per column).

Data: real CSI 300 daily bars from /work/shared tiled to 2,500 rows × 500 columns (see _analytics_data).
Both sides start from the same C-ordered date × code float64 panel; talib is timed over the full panel
(loop over columns incl. the contiguous copy of each column it needs). Numba is warmed up first. Other
processes share the two cores, so ours and talib are timed alternately, 7 rounds each, and the printed
figures are medians (values/s = rows × columns / seconds; the ratio is the median of per-round ratios).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

import numba
import numpy as np
import talib

sys.path.insert(0, os.path.dirname(__file__))
from _analytics_data import load_panels
from tandem.analytics import indicators as ind

REPEATS = 7


def paired_times(ours: Callable[[], object], theirs: Callable[[], object]) -> tuple[float, float, float]:
    """Median seconds of ``ours`` and ``theirs`` timed alternately, and the median per-round ratio."""
    ours()
    theirs()
    t_ours, t_theirs = [], []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        ours()
        t1 = time.perf_counter()
        theirs()
        t2 = time.perf_counter()
        t_ours.append(t1 - t0)
        t_theirs.append(t2 - t1)
    ratio = float(np.median(np.array(t_theirs) / np.array(t_ours)))
    return float(np.median(t_ours)), float(np.median(t_theirs)), ratio


def per_column(fn: Callable[..., object], *arrays: np.ndarray) -> Callable[[], None]:
    def run() -> None:
        for j in range(arrays[0].shape[1]):
            fn(*(np.ascontiguousarray(a[:, j]) for a in arrays))

    return run


def main() -> int:
    p = load_panels()
    if p is None:
        print("bench_indicators: /work/shared/data is not present; nothing to measure (exit 0).")
        return 0
    c, h, lo, v = p["close"], p["high"], p["low"], p["volume"]
    r = np.vstack([np.full((1, c.shape[1]), np.nan), c[1:] / c[:-1] - 1.0])
    cases: list[tuple[str, Callable[[], object], Callable[[], None]]] = [
        ("SMA(20)", lambda: ind.sma(c, 20), per_column(lambda x: talib.SMA(x, 20), c)),
        ("EMA(20)", lambda: ind.ema(c, 20), per_column(lambda x: talib.EMA(x, 20), c)),
        ("RSI(14)", lambda: ind.rsi(c, 14), per_column(lambda x: talib.RSI(x, 14), c)),
        ("MACD(12,26,9)", lambda: ind.macd(c), per_column(talib.MACD, c)),
        ("ATR(14)", lambda: ind.atr(h, lo, c, 14), per_column(lambda a, b, x: talib.ATR(a, b, x, 14), h, lo, c)),
        ("BBANDS(20,2)", lambda: ind.bollinger(c, 20, 2.0), per_column(lambda x: talib.BBANDS(x, 20, 2, 2, 0), c)),
        ("OBV", lambda: ind.obv(c, v), per_column(talib.OBV, c, v)),
        (
            "STDDEV(20) vs rolling_vol",
            lambda: ind.rolling_volatility(r, 20),
            per_column(lambda x: talib.STDDEV(x, 20), r),
        ),
        (
            "BETA(60) vs rolling_beta",
            lambda: ind.rolling_beta(r, r[:, :1].ravel(), 60),
            per_column(lambda x: talib.BETA(x, r[:, 0], 60), r),
        ),
    ]
    n = c.size
    print(
        f"panel: {c.shape[0]} rows × {c.shape[1]} columns of real CSI 300 bars (tiled), "
        f"numba threads={numba.get_num_threads()}, median of {REPEATS} alternating rounds"
    )
    print(f"{'indicator':28s} {'ours Mval/s':>12s} {'talib Mval/s':>13s} {'ours/talib':>11s}")
    for name, ours, theirs in cases:
        t_ours, t_talib, ratio = paired_times(ours, theirs)
        print(f"{name:28s} {n / t_ours / 1e6:12.1f} {n / t_talib / 1e6:13.1f} {ratio:10.2f}×")
    print("note: talib BETA regresses on price changes of its inputs, so that row is a cost comparison only.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

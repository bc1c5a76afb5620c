"""Market-store query latency: one stock's adjusted history (warm) and one day's cross-section.

Loads the whole of ../shared/data/daily/csi300_baostock_raw_2020_2025 (or the bundled sample when ../shared is absent)
into a temporary store, then times the two hot read paths of issue 2. Goals: history median < 5 ms, cross-section
< 50 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np

from tandem.marketdata.importing import import_paths
from tandem.marketdata.store import MarketStore

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data" / "daily" / "csi300_baostock_raw_2020_2025"
SAMPLE = ROOT / "src" / "tandem" / "sample_data"


def _time(fn, n: int) -> list[float]:  # type: ignore[no-untyped-def]
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1e3)
    return out


def main() -> int:
    source = SHARED if SHARED.exists() else SAMPLE
    with tempfile.TemporaryDirectory() as tmp:
        rep = import_paths(Path(tmp) / "market", [source])
        store = MarketStore.open(Path(tmp) / "market")
        codes = store.instruments(kind="stock")["code"].tolist()
        print(f"source: {source.relative_to(ROOT.parent)} — {rep.rows_loaded:,} bars, {len(codes)} codes")
        store.daily_bars(codes[0], adjust="qfq")  # builds the in-memory copy (the cold part)
        rng = np.random.default_rng(7)
        picks = rng.choice(codes, size=2000)
        it = iter(picks)
        hist = _time(lambda: store.daily_bars(str(next(it)), adjust="qfq"), len(picks))
        days = store.trading_days(date(2020, 1, 2), date(2025, 4, 7))
        dit = iter(rng.choice(len(days), size=300))
        cs = _time(lambda: store.cross_section(days[int(next(dit))]), 300)
        p99 = float(np.percentile(hist, 99))
        print(
            f"one stock's qfq history (warm): median {statistics.median(hist):.3f} ms, p99 {p99:.3f} ms "
            f"(goal median < 5 ms)"
        )
        print(
            f"one day's cross-section of all stocks: median {statistics.median(cs):.3f} ms, "
            f"p99 {float(np.percentile(cs, 99)):.3f} ms (goal < 50 ms)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

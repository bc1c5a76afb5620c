"""Import throughput (rows/s, with validation) for /work/shared/data/daily and the bundled sample.

Each run imports into a fresh temporary store: parse, type, validate (OHLC, prices, duplicates, calendar, price
limits, gaps), adjustment factors, Parquet write and atomic commit — everything `tandem data import` does. The XSHG
calendar is built once per process (~0.3 s, mostly importing exchange-calendars/pandas) before the timed runs;
the first-run figure including that is printed too.

    .venv/bin/python benchmarks/bench_import.py [--runs 3] [--data /work/shared/data]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from tandem.marketdata import calendar
from tandem.marketdata.importing import import_paths


def _one(paths: list[Path]) -> tuple[int, float]:
    with tempfile.TemporaryDirectory() as d:
        t0 = time.perf_counter()
        report = import_paths(Path(d) / "store", paths, reports_dir=Path(d) / "reports")
        return report.rows_read, time.perf_counter() - t0


def bench(label: str, paths: list[Path], runs: int) -> None:
    times = []
    rows = 0
    for _ in range(runs):
        rows, secs = _one(paths)
        times.append(secs)
    best, med = min(times), statistics.median(times)
    print(f"{label}: {rows:,} rows; best {best:.2f} s = {rows / best:,.0f} rows/s;", end=" ")
    print(f"median {med:.2f} s = {rows / med:,.0f} rows/s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("TANDEM_SHARED_DATA", "/work/shared/data")))
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; polars threads {os.environ.get('POLARS_MAX_THREADS', 'default')}")
    daily = args.data / "daily"
    if daily.exists():
        t0 = time.perf_counter()
        calendar.sessions()
        print(f"calendar build (once per process): {time.perf_counter() - t0:.2f} s")
        bench("daily (all 3 datasets, 340 files)", [daily], args.runs)
        bench("daily/csi300_baostock_raw_2020_2025 (300 files)", [daily / "csi300_baostock_raw_2020_2025"], args.runs)
    else:
        print(f"{daily} not found; skipping")
    sample = Path(__file__).resolve().parent.parent / "src/tandem/sample_data"
    if sample.exists():
        bench("bundled sample", [sample], args.runs)


if __name__ == "__main__":
    main()

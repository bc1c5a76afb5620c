"""Import throughput (rows/s, with validation) for /work/shared/data/daily and the bundled sample.

Each run imports into a fresh temporary store: parse, type, validate (OHLC, prices, duplicates, calendar, price
limits, gaps), adjustment factors, Parquet write and atomic commit — everything `tandem data import` does. The XSHG
calendar is built once per process (~0.3 s, mostly importing exchange-calendars/pandas) before the timed runs;
the first-run figure including that is printed too.

    .venv/bin/python benchmarks/bench_import.py [--runs 3] [--data /work/shared/data] [--phases]

CPU seconds (all threads) are printed beside wall time: on a shared machine they move less with the load.
``--phases`` profiles one extra import of daily/ and prints where its time goes.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import tempfile
import time
from pathlib import Path

from tandem.marketdata import calendar
from tandem.marketdata.importing import import_paths


def _one(paths: list[Path]) -> tuple[int, float, float]:
    with tempfile.TemporaryDirectory() as d:
        t0, c0 = time.perf_counter(), time.process_time()
        report = import_paths(Path(d) / "store", paths, reports_dir=Path(d) / "reports")
        return report.rows_read, time.perf_counter() - t0, time.process_time() - c0


def bench(label: str, paths: list[Path], runs: int) -> None:
    times, cpu = [], []
    rows = 0
    for _ in range(runs):
        rows, secs, cpu_secs = _one(paths)
        times.append(secs)
        cpu.append(cpu_secs)
    best, med = min(times), statistics.median(times)
    print(f"{label}: {rows:,} rows; best {best:.2f} s = {rows / best:,.0f} rows/s;", end=" ")
    print(f"median {med:.2f} s = {rows / med:,.0f} rows/s; CPU median {statistics.median(cpu):.2f} s")


_PHASES = (
    ("read + gunzip", "csvio.py", "read_bytes"),
    ("CSV parse (typed)", "csvio.py", "_parse_typed"),
    ("validate (check_bars)", "validate.py", "check_bars"),
    ("importer total (parse + type + validate)", "baostock.py", "load"),
    ("adjustment factors", "adjust.py", "with_adj_factor"),
    ("commit (merge, compare, Parquet write)", "versioned.py", "commit"),
    ("sha256 of sources", "importing.py", "_sha256"),
)


def phases(paths: list[Path]) -> None:
    """Profile one import and print the cumulative time of each phase (profiling slows it ~10-20%)."""
    _one(paths)
    prof = cProfile.Profile()
    prof.enable()
    _, secs, _ = _one(paths)
    prof.disable()
    print(f"phases of one profiled import ({secs:.2f} s):")
    table = pstats.Stats(prof).stats  # type: ignore[attr-defined]
    for label, file, func in _PHASES:
        cum = sum(v[3] for (f, _, name), v in table.items() if f.endswith(file) and name == func)
        print(f"  {label:<42} {cum:6.3f} s")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--data", type=Path, default=Path(os.environ.get("TANDEM_SHARED_DATA", "/work/shared/data")))
    ap.add_argument("--phases", action="store_true", help="profile one import of daily/ and print its phases")
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} cores; polars threads {os.environ.get('POLARS_MAX_THREADS', 'default')}")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
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
    if args.phases and daily.exists():
        phases([daily])
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

"""Diagnosis speed: single-stock latency (warm), whole-universe batch, PDF/PNG render, 5,000-stock extrapolation.

Runs against the store under $TANDEM_HOME (default /tmp/bench-diagnosis-home); when that store is empty it is
filled with `tandem data import /work/shared/data` (every dataset the importers know). Usage:

    .venv/bin/python benchmarks/bench_diagnosis.py [--as-of 2025-04-07] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from tandem.diagnosis.batch import diagnose_all
from tandem.diagnosis.render import card, jsonout, pdf
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore

SHARED = Path("/work/shared/data")
TARGET_STOCKS = 5000


def _store(home: Path) -> MarketStore:
    store = MarketStore.open(home / "market")
    if store.versioned.current_version() is None:
        env = {**os.environ, "TANDEM_HOME": str(home)}
        tandem = Path(sys.executable).parent / "tandem"
        subprocess.run([str(tandem), "data", "import", str(SHARED)], env=env, check=True, capture_output=True)
    return MarketStore.open(home / "market")


def _timed(fn, repeat: int) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--as-of", type=date.fromisoformat, default=None)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    home = Path(os.environ.get("TANDEM_HOME", "/tmp/bench-diagnosis-home"))
    store = _store(home)
    service = DiagnosisService(store)
    day = args.as_of or service.latest_day()
    cpu = platform.processor() or platform.machine()
    print(f"Machine: {cpu}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"store: {home}  as-of {day}")

    t = time.perf_counter()
    diagnose_all(store, day)  # warm-up: numba kernels compiled, store caches filled
    cold = time.perf_counter() - t
    batch, table = _timed(lambda: diagnose_all(store, day), args.repeat)
    n = len(table.scores)
    days = len(table.snapshot.close.index)
    print(
        f"whole universe: {n} stocks x {days} days, first run {cold:.2f} s (JIT), warm median {batch:.3f} s "
        f"= {n / batch:,.0f} stocks/s"
    )
    per_stock = batch / n
    print(
        f"extrapolation to {TARGET_STOCKS:,} stocks (linear in stocks): {per_stock * TARGET_STOCKS:.1f} s (goal < 10 s)"
    )

    codes = [c for c in table.scores.index[:: max(1, n // 50)]][:50]
    service.table(day)
    t = time.perf_counter()
    for c in codes:
        service.diagnose(c, day)
    first = (time.perf_counter() - t) / len(codes)
    print(
        f"single stock, market table cached, report not yet (first request of a stock that day): "
        f"{first * 1000:.1f} ms per diagnosis ({len(codes)} stocks)"
    )
    single, _ = _timed(lambda: [service.diagnose(c, day) for c in codes], args.repeat)
    print(
        f"single stock, report cached (repeat request, same store version): "
        f"{single / len(codes) * 1000:.3f} ms per diagnosis"
    )
    as_json, _ = _timed(lambda: [jsonout.to_dict(service.diagnose(c, day)) for c in codes], args.repeat)
    print(
        f"  ... plus the API's JSON conversion (what the web route does per request): "
        f"{as_json / len(codes) * 1000:.3f} ms per request"
    )
    print(f"  cache stats: {service.cache_stats()}")
    cold_single, _ = _timed(lambda: DiagnosisService(store).diagnose("600519.SH", day), max(1, args.repeat // 2))
    print(f"single stock, new service (builds the day's market table): {cold_single:.3f} s")

    diag = service.diagnose("600519.SH", day)
    pdf.to_pdf(diag)
    card.to_png(diag)
    t_pdf, data = _timed(lambda: pdf.to_pdf(diag), args.repeat)
    t_png, png = _timed(lambda: card.to_png(diag), args.repeat)
    print(f"render PDF: {t_pdf * 1000:.0f} ms ({len(data):,} bytes)")
    print(f"render PNG card: {t_png * 1000:.0f} ms ({len(png):,} bytes)")


if __name__ == "__main__":
    main()

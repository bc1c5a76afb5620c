"""Cold paths: the first one-stock history and the first diagnosis in a fresh process (issue 19 item 4).

Each figure is measured in a new Python process (imports done before the clock starts), so nothing is cached:
ours is ``MarketStore.open(root).daily_bars(code)``; the peers read the same live-version Parquet files with
polars ``scan_parquet`` (filter on the code, collect) and DuckDB ``read_parquet``. The first diagnosis is
``DiagnosisService(store).diagnose(code)`` at the bundled sample's size. Medians of ``--rounds`` processes.

Run: ``PYTHONPATH=src python benchmarks/bench_cold.py``
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[1] / "src" / "tandem" / "sample_data"
CODE = "600519.SH"

CHILD = {
    "ours": """
from tandem.marketdata.store import MarketStore
t = time.perf_counter(); x = MarketStore.open(root).daily_bars(code); dt = time.perf_counter() - t
work = f"{len(x)} rows {x['date'].min():%Y-%m-%d}..{x['date'].max():%Y-%m-%d}"
""",
    "polars scan_parquet": """
import polars as pl
from tandem.marketdata.versioned import VersionedStore
files = [str(f) for f in VersionedStore(root).files("daily_bars")]
t = time.perf_counter()
x = pl.scan_parquet(files).filter(pl.col("code") == code).sort("date").collect()
dt = time.perf_counter() - t
work = f"{x.height} rows {x['date'].min()}..{x['date'].max()}"
""",
    "duckdb read_parquet": """
import duckdb
from tandem.marketdata.versioned import VersionedStore
files = [str(f) for f in VersionedStore(root).files("daily_bars")]
t = time.perf_counter()
x = duckdb.connect().execute("SELECT * FROM read_parquet(?) WHERE code = ? ORDER BY date", [files, code]).df()
dt = time.perf_counter() - t
work = f"{len(x)} rows {x['date'].min().date()}..{x['date'].max().date()}"
""",
    "first diagnosis, nothing shared": """
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore
t = time.perf_counter(); d = DiagnosisService(MarketStore.open(root)).diagnose(code); dt = time.perf_counter() - t
work = f"composite {d.composite.score} rank {d.composite.rank} of {d.composite.universe} on {d.data_date}"
""",
    "first diagnosis, table shared": """
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.table_files import TableFiles
from tandem.marketdata.store import MarketStore
t = time.perf_counter()
d = DiagnosisService(MarketStore.open(root), table_files=TableFiles(tables)).diagnose(code)
dt = time.perf_counter() - t
work = f"composite {d.composite.score} rank {d.composite.rank} of {d.composite.universe} on {d.data_date}"
""",
}
PREPARE = """
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.table_files import TableFiles
from tandem.marketdata.store import MarketStore
service = DiagnosisService(MarketStore.open(root), table_files=TableFiles(tables))
t = time.perf_counter(); service.table(); dt = time.perf_counter() - t
work = ""
"""
"""What ``tandem serve`` does once before its workers start: score the latest session into the shared tables."""


def _run(body: str, root: Path, tables: Path) -> tuple[float, str]:
    code = (
        f"import time\nfrom pathlib import Path\nroot = Path({str(root)!r}); tables = Path({str(tables)!r}); "
        f"code = {CODE!r}\n{body}\nprint(work)\nprint(dt)"
    )
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    lines = out.stdout.strip().splitlines()
    return float(lines[-1]), lines[-2] if len(lines) > 1 else ""


def main() -> None:
    """Import the sample into a temporary store and time each cold path in fresh processes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--store", type=Path, help="an existing market store (default: import the sample)")
    args = parser.parse_args()
    from tandem.diagnosis.universe import stock_codes
    from tandem.marketdata.importing import import_paths
    from tandem.marketdata.store import MarketStore

    with tempfile.TemporaryDirectory() as tmp:
        root = args.store or Path(tmp) / "market"
        if args.store is None:
            import_paths(root, [SAMPLE])
        tables = Path(tmp) / "tables"
        print(f"store {root}: {len(stock_codes(MarketStore.open(root)))} stocks")
        print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}, {os.cpu_count()} cores")
        prepare = _run(PREPARE, root, tables)[0] * 1e3
        print(f"prepare (tandem serve, once per store version) {prepare:8.1f} ms")
        results: dict[str, float] = {}
        works: dict[str, set[str]] = {}
        for name, body in CHILD.items():
            runs = [_run(body, root, tables) for _ in range(args.rounds)]
            results[name] = statistics.median(sorted(dt for dt, _ in runs)) * 1e3
            works[name] = {w for _, w in runs}
        # the same work: every read returns the same rows and days, both diagnoses the same report
        reads = works["ours"] | works["polars scan_parquet"] | works["duckdb read_parquet"]
        reports = works["first diagnosis, nothing shared"] | works["first diagnosis, table shared"]
        assert len(reads) == 1 and len(reports) == 1, (reads, reports)
        print(f"same work: {reads.pop()}; {reports.pop()}")
        peer = results["polars scan_parquet"]
        for name, ms in results.items():
            print(f"{name:32s} {ms:8.1f} ms  ({ms / peer:.2f}× polars)")
        print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()

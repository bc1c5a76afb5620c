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
t = time.perf_counter(); MarketStore.open(root).daily_bars(code); dt = time.perf_counter() - t
""",
    "polars scan_parquet": """
import polars as pl
from tandem.marketdata.versioned import VersionedStore
files = [str(f) for f in VersionedStore(root).files("daily_bars")]
t = time.perf_counter()
pl.scan_parquet(files).filter(pl.col("code") == code).sort("date").collect()
dt = time.perf_counter() - t
""",
    "duckdb read_parquet": """
import duckdb
from tandem.marketdata.versioned import VersionedStore
files = [str(f) for f in VersionedStore(root).files("daily_bars")]
t = time.perf_counter()
duckdb.connect().execute("SELECT * FROM read_parquet(?) WHERE code = ? ORDER BY date", [files, code]).df()
dt = time.perf_counter() - t
""",
    "first diagnosis": """
from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore
t = time.perf_counter(); DiagnosisService(MarketStore.open(root)).diagnose(code); dt = time.perf_counter() - t
""",
}


def _run(body: str, root: Path) -> float:
    code = f"import time\nfrom pathlib import Path\nroot = Path({str(root)!r}); code = {CODE!r}\n{body}\nprint(dt)"
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return float(out.stdout.strip().splitlines()[-1])


def main() -> None:
    """Import the sample into a temporary store and time each cold path in fresh processes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    from tandem.marketdata.importing import import_paths

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "market"
        import_paths(root, [SAMPLE])
        print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}, {os.cpu_count()} cores")
        results: dict[str, float] = {}
        for name, body in CHILD.items():
            times = sorted(_run(body, root) for _ in range(args.rounds))
            results[name] = statistics.median(times) * 1e3
        peer = results["polars scan_parquet"]
        for name, ms in results.items():
            print(f"{name:22s} {ms:8.1f} ms  ({ms / peer:.2f}× polars)")
        print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f}")


if __name__ == "__main__":
    main()

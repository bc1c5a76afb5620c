"""Funnel, cohort table and attribution over ~10 M synthetic events, beside a plain DuckDB scan of the same files.

Goals (issue 13): funnel < 2 s, cohorts < 2 s, attribution < 3 s on 2 cores. The limit printed beside each is a
plain ``SELECT type, count(*) … GROUP BY type`` over the same Parquet files (what reading the data costs at all).

    PYTHONPATH=src python benchmarks/bench_funnel.py [--visitors 4300000] [--dir /tmp/tandem-bench-funnel]

The population is generated once into ``--dir`` (labelled synthetic) and reused by later runs.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from datetime import date
from pathlib import Path

from tandem.operations.attribution import attribution
from tandem.operations.cohorts import cohorts
from tandem.operations.funnel import FunnelQuery, funnel
from tandem.operations.scan import EventScan, Period
from tandem.operations.simulate import AcquisitionConfig, write_acquisition

RUNS: dict[str, list[float]] = {}  # every run, by measure, printed after the best-of figures


def best(fn, runs: int = 3, name: str = "") -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    RUNS[name or f"measure {len(RUNS) + 1}"] = times
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--visitors", type=int, default=4_300_000)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/tandem-bench-funnel"))
    args = ap.parse_args()
    manifest = args.dir / "MANIFEST.ops.json"
    if not manifest.exists() or json.loads(manifest.read_text())["config"]["visitors"] != args.visitors:
        t = time.perf_counter()
        write_acquisition(AcquisitionConfig(visitors=args.visitors, days=84), args.dir)
        print(f"generated in {time.perf_counter() - t:.1f} s (not timed below)")
    scan = EventScan(args.dir / "events", threads=2)
    end = date.fromisoformat(json.loads(manifest.read_text())["config"]["end"])
    period = Period(date(end.year, end.month, 1).replace(month=max(1, end.month - 2)), end)
    with scan.connect() as con:
        n = con.execute("SELECT count(*) FROM read_parquet(?)", [str(scan.root / "day=*" / "*.parquet")]).fetchone()
    print(f"events: {n[0]:,} in {len(list(scan.root.glob('day=*')))} day partitions")

    def plain() -> None:
        with scan.connect() as con:
            con.execute(
                "SELECT type, count(*) FROM read_parquet(?, hive_partitioning = true) GROUP BY type",
                [str(scan.root / "day=*" / "part-*.parquet")],
            ).fetchall()

    def plain_clients() -> None:
        with scan.connect() as con:
            con.execute(
                "SELECT count(*) FROM (SELECT client_id, min(client_time) "
                "FROM read_parquet(?, hive_partitioning = true) "
                "WHERE type = 'landing' GROUP BY client_id)",
                [str(scan.root / "day=*" / "part-*.parquet")],
            ).fetchall()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    scan_s = best(plain, name="plain scan")
    group_s = best(plain_clients, name="per-client GROUP BY")
    f_s = best(lambda: funnel(scan, FunnelQuery(period=period)), name="funnel")
    c_s = best(lambda: cohorts(scan, period=period), name="cohorts")
    a_s = best(lambda: attribution(scan, period=period, dimension="source"), runs=2, name="attribution")
    print(f"plain DuckDB scan (type, count(*) GROUP BY type):        {scan_s:.2f} s")
    print(f"plain DuckDB per-client GROUP BY of landings (min time):  {group_s:.2f} s")
    print(f"funnel (7 ordered steps, 30-day window):   {f_s:.2f} s   goal < 2 s   ratio to scan {f_s / scan_s:.1f}x")
    print(f"cohorts (weekly, 8 weeks, active+trading): {c_s:.2f} s   goal < 2 s   ratio to scan {c_s / scan_s:.1f}x")
    print(f"attribution (3 models, by source):         {a_s:.2f} s   goal < 3 s   ratio to scan {a_s / scan_s:.1f}x")
    for name, times in RUNS.items():
        print(f"  all runs, {name}: {', '.join(f'{t:.2f}' for t in times)} s")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()

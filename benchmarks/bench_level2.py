"""Level-2 engine throughput and live latency on the real files (single core).

Prints: messages/s for book rebuilding (numba kernel, events already decoded into arrays) and for capital
flow (batch vectorised and live numba kernel); CSV decoding speed separately; per-event latency p50/p99 in
live mode through the in-process asyncio queue. Needs /work/shared/data/level2 (the real data).
Run: .venv/bin/python benchmarks/bench_level2.py
"""

from __future__ import annotations

import asyncio
import os
import platform
import time
from pathlib import Path

import numpy as np

from tandem.level2.book import OrderBook, price_band
from tandem.level2.flow import capital_flow
from tandem.level2.flow_live import FlowAccumulator
from tandem.level2.live import LiveEngine, QueueSource
from tandem.level2.readers import read_events
from tandem.level2.schema import EventBatch
from tandem.level2.snapshots import read_snapshots
from tandem.level2.thresholds import threshold_set
from tandem.level2.verify import verify

D = Path(os.environ.get("TANDEM_L2_DATA", "/work/shared/data/level2/dolphindb_tutorials_cn"))
BOOK_SETS = [
    [D / "data/dolphinscheduler_integration/20230201.zip"],
    [D / "script/orderBookSnapshotEngine/SHorders.zip", D / "script/orderBookSnapshotEngine/SHtrans.zip"],
    [D / "data/DolphinDB_Python_Parser_Intro_for_Quantitative_Finance/tradeData.zip"],
]
FLOW_SETS = [*BOOK_SETS, [D / "data/streaming_capital_flow_order_by_order/20200102_SH_trade.csv"]]
TS = threshold_set("eastmoney")


def best_of(fn, repeat: int = 5) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def load(sets: list[list[Path]]) -> tuple[list[EventBatch], float, int]:
    t0 = time.perf_counter()
    batches = [b for paths in sets for b in read_events(paths).values()]
    return batches, time.perf_counter() - t0, sum(len(b) for b in batches)


def bench_book(batches: list[EventBatch]) -> float:
    def run() -> None:
        for b in batches:
            OrderBook(b.code, price_band(b), rules=b.rules).apply(b)

    run()  # compile / warm
    return sum(len(b) for b in batches) / best_of(run)


def bench_flow(batches: list[EventBatch]) -> tuple[float, float]:
    n = sum(len(b) for b in batches)
    t_batch = best_of(lambda: [capital_flow(b, TS) for b in batches])

    def live() -> None:
        for b in batches:
            FlowAccumulator(b.code, b.date, TS).apply(b)

    live()
    return n / t_batch, n / best_of(live)


async def live_latency(ev: EventBatch) -> np.ndarray:
    engine = LiveEngine(ev.code, price_band(ev), TS, rules=ev.rules, date=ev.date)
    singles = [ev.take(slice(i, i + 1)) for i in range(len(ev))]
    engine.process(singles[0])  # warm the kernels
    engine = LiveEngine(ev.code, price_band(ev), TS, rules=ev.rules, date=ev.date)
    source = QueueSource()
    lat = np.zeros(len(singles), dtype=np.int64)
    stamps = np.zeros(len(singles), dtype=np.int64)

    async def produce() -> None:
        for i, b in enumerate(singles):
            stamps[i] = time.perf_counter_ns()
            await source.put(b)
            await asyncio.sleep(0)  # one event in flight: measures latency, not backlog
        await source.close()

    task = asyncio.create_task(produce())
    i = 0
    async for batch in source.batches():
        engine.process(batch)
        lat[i] = time.perf_counter_ns() - stamps[i]
        i += 1
    await task
    return lat / 1000.0


def process_only(ev: EventBatch) -> np.ndarray:
    engine = LiveEngine(ev.code, price_band(ev), TS, rules=ev.rules, date=ev.date)
    singles = [ev.take(slice(i, i + 1)) for i in range(len(ev))]
    out = np.zeros(len(singles), dtype=np.int64)
    for i, b in enumerate(singles):
        t0 = time.perf_counter_ns()
        engine.process(b)
        out[i] = time.perf_counter_ns() - t0
    return out / 1000.0


def main() -> None:
    machine = platform.processor() or platform.machine()
    print(f"Machine: {machine}, {os.cpu_count()} cores, Python {platform.python_version()}")
    book_batches, t_read, n_book = load(BOOK_SETS)
    print(f"CSV decode (pandas, zip in place): {n_book:,} messages in {t_read:.2f}s = {n_book / t_read:,.0f} msg/s")
    rate = bench_book(book_batches)
    print(f"book rebuild (orders+trades+cancels, {n_book:,} msgs, 8 securities): {rate:,.0f} msg/s")
    z = D / "data/dolphinscheduler_integration/20230201.zip"
    ev, snaps = read_events([z])["600519.SH"], read_snapshots([z])["600519.SH"]
    t0 = time.perf_counter()
    v = verify(ev, snaps)
    t_ver = time.perf_counter() - t0
    print(
        f"600519 verification: match_rate {v.match_rate:.4%} of {v.levels:,} levels, classes {v.mismatches}, "
        f"timestamp-cut {v.timestamp_cut_match_rate:.4%} ({t_ver:.2f}s incl. two aligned replays)"
    )
    flow_batches, _, n_flow = load(FLOW_SETS)
    batch_rate, live_rate = bench_flow(flow_batches)
    print(f"capital flow batch (vectorised, {n_flow:,} msgs, 9 security-days): {batch_rate:,.0f} msg/s")
    print(f"capital flow live kernel (numba, same msgs): {live_rate:,.0f} msg/s")
    lat = asyncio.run(live_latency(ev))
    print(
        f"live per-event latency (asyncio queue -> book+flow, {lat.size:,} events of 600519): "
        f"p50 {np.percentile(lat, 50):.1f} us, p99 {np.percentile(lat, 99):.1f} us, max {lat.max():.0f} us"
    )
    pl = process_only(ev)
    print(
        f"live engine.process per event (no queue): p50 {np.percentile(pl, 50):.1f} us, "
        f"p99 {np.percentile(pl, 99):.1f} us"
    )
    print("reference: DolphinDB tutorial ~5e4 trades/s at parallelism 3 (published figure, not measured here)")


if __name__ == "__main__":
    main()

"""Recorded Level-2 days for the stock page: find them, load them, replay them as a live feed.

A recorded day is a Parquet file in the normalised event schema (:mod:`tandem.level2.schema`) named
``<code>_<yyyymmdd>.parquet``, looked up in ``$TANDEM_HOME/level2/`` first, then in the bundled sample. The replay
pushes the day's events through :class:`~tandem.level2.live.QueueSource` into :class:`~tandem.level2.live.LiveEngine`
at ``speed`` times real time, exactly as a live feed would arrive; pauses longer than a minute (the lunch break, the
gap before the open) are shortened to one minute of market time so a viewer is not left waiting.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tandem.level2.book import price_band
from tandem.level2.live import LiveEngine, MinuteUpdate, QueueSource, minute_updates
from tandem.level2.schema import EVENT_COLUMNS, EventBatch, Rules, make_batch
from tandem.level2.thresholds import threshold_set

SAMPLE_L2_DIR = Path(__file__).resolve().parents[1] / "sample_data" / "level2"
_NAME = re.compile(r"^(\d{6}\.(?:SH|SZ|BJ))_(\d{8})\.parquet$")
MAX_GAP_MS = 60_000
"""Market-time pauses longer than this are shortened to it during a replay."""


@dataclass(frozen=True, slots=True)
class RecordedDay:
    """One recorded day of one security."""

    code: str
    date: str  # YYYY-MM-DD
    path: Path


def find_day(dirs: list[Path], code: str) -> RecordedDay | None:
    """The latest recorded day of ``code`` (a normalised code) in the first directory that has one."""
    for d in dirs:
        if not d.is_dir():
            continue
        days = sorted(
            (m.group(2), p) for p in d.glob(f"{code}_*.parquet") if (m := _NAME.match(p.name)) and m.group(1) == code
        )
        if days:
            ymd, path = days[-1]
            return RecordedDay(code, f"{ymd[:4]}-{ymd[4:6]}-{ymd[6:]}", path)
    return None


@lru_cache(maxsize=4)
def load_day(path: Path) -> EventBatch:
    """The events of a recorded day (cached: a few MB per day, shared by every viewer)."""
    import pyarrow.parquet as pq

    table = pq.read_table(path)
    meta = {k.decode(): v.decode() for k, v in (table.schema.metadata or {}).items()}
    code = str(table.column("code")[0]) if table.num_rows else path.name.split("_")[0]
    rules: Rules = "SZSE" if meta.get("rules") == "SZSE" else "SSE"
    date = int(meta["date"]) if meta.get("date", "").isdigit() else None
    cols = {name: table.column(name).to_numpy() for name in EVENT_COLUMNS}
    return make_batch(code, rules, date, cols)


def replay_chunks(time_ms: np.ndarray, speed: float, tick_s: float = 0.1) -> tuple[list[np.ndarray], np.ndarray]:
    """Event index chunks in feed order and each chunk's wall-clock due time (seconds after the start).

    Market time is made monotone, pauses over :data:`MAX_GAP_MS` are shortened, and events due within the same
    ``tick_s`` of wall time travel together (speed 0: as fast as possible, in chunks of 4,096 events).
    """
    t = np.maximum.accumulate(time_ms.astype(np.int64))
    virtual = np.concatenate([[0], np.cumsum(np.minimum(np.diff(t), MAX_GAP_MS))]) if len(t) else t
    if speed <= 0:
        key = np.arange(len(t)) // 4096
        due = np.zeros(len(t))
    else:
        due = virtual / 1000.0 / speed
        key = np.floor(due / tick_s).astype(np.int64)
    bounds = np.flatnonzero(np.diff(key)) + 1
    chunks = np.split(np.arange(len(t)), bounds)
    return chunks, np.array([due[c[0]] for c in chunks]) if chunks and len(t) else np.zeros(0)


async def replay(day: RecordedDay, speed: float, thresholds: str = "eastmoney") -> AsyncIterator[MinuteUpdate]:
    """Minute updates of the recorded day, arriving as they would live at ``speed``× real time."""
    events = load_day(day.path)
    engine = LiveEngine(
        events.code, price_band(events), threshold_set(thresholds), rules=events.rules, date=events.date
    )
    source = QueueSource(maxsize=64)
    chunks, due = replay_chunks(events.time_ms, speed)

    async def produce() -> None:
        start = time.monotonic()
        for chunk, at in zip(chunks, due, strict=True):
            delay = float(at) - (time.monotonic() - start)
            if delay > 0:
                await asyncio.sleep(delay)
            await source.put(events.take(chunk))
        await source.close()

    task = asyncio.create_task(produce())
    try:
        async for update in minute_updates(engine, source.batches()):
            yield update
    finally:
        task.cancel()

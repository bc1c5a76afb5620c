from __future__ import annotations

import asyncio
import os
from pathlib import Path

import numpy as np
import pytest

from tandem.level2.book import price_band
from tandem.level2.flow import capital_flow
from tandem.level2.live import LiveEngine, MinuteUpdate, QueueSource, minute_updates
from tandem.level2.readers import read_events
from tandem.level2.schema import EventBatch
from tandem.level2.thresholds import threshold_set


@pytest.fixture(scope="module")
def events(fixtures: Path) -> EventBatch:
    return read_events([fixtures / "sse_600519_20230201_0950.zip"])["600519.SH"]


def engine_for(ev: EventBatch) -> LiveEngine:
    return LiveEngine(ev.code, price_band(ev), threshold_set("eastmoney"), rules=ev.rules, date=ev.date)


async def _run_queue(ev: EventBatch) -> list[MinuteUpdate]:
    source = QueueSource()
    for part in np.array_split(np.arange(len(ev)), 200):
        await source.put(ev.take(part))
    await source.close()
    return [u async for u in minute_updates(engine_for(ev), source.batches())]


def test_queue_minute_updates_add_up_to_batch_flow(events: EventBatch) -> None:
    updates = asyncio.run(_run_queue(events))
    minutes = [u.minute for u in updates]
    assert minutes == sorted(set(minutes)) and minutes[0] == "09:15" and minutes[-1] == "09:49"
    daily = capital_flow(events, threshold_set("eastmoney")).daily.set_index("class")
    main = daily.loc[["super_large", "large"], "net_amount"].sum()
    assert updates[-1].cum_main_net == pytest.approx(main, abs=0.01)
    assert not updates[-1].needs_resync and updates[-1].best_bid < updates[-1].best_ask
    assert '"minute":"09:49"' in updates[-1].to_json()


def test_checkpoint_roundtrip_resumes_exactly(events: EventBatch) -> None:
    half = len(events) // 2
    a = engine_for(events)
    a.process(events.take(slice(0, half)))
    b = engine_for(events)
    b.load_state(a.state_bytes())
    for eng in (a, b):
        eng.process(events.take(slice(half, None)))
    assert [x.tolist() for x in a.book.levels()] == [x.tolist() for x in b.book.levels()]
    assert np.array_equal(a.flow.acc, b.flow.acc)


@pytest.mark.redis
def test_redis_consumer_survives_restart_without_loss_or_double_count(redis_url: str, events: EventBatch) -> None:
    from redis.asyncio import Redis

    from tandem.level2.redis_stream import RedisStreamBus, RedisStreamConsumer

    ev = events.take(slice(0, 4000))
    prefix = f"tandem:test:l2:{os.getpid()}:"

    async def scenario() -> tuple[np.ndarray, np.ndarray, int]:
        client = Redis.from_url(redis_url)
        try:
            await RedisStreamBus(client, prefix).publish(ev)
            # first consumer "crashes" after ~1,500 entries: processed but not acknowledged
            first = RedisStreamConsumer(client, engine_for(ev), rules="SSE", prefix=prefix, count=250)
            await first.start()
            async for batch in first.batches(max_entries=1500):
                first.engine.process(batch)
            # a fresh process restarts from the checkpoint in Redis
            second = RedisStreamConsumer(client, engine_for(ev), rules="SSE", prefix=prefix, count=250)
            await second.start()
            async for batch in second.batches():
                second.engine.process(batch)
            pending = await client.xpending(second.stream, second.group)
            return second.engine.flow.acc, np.array(second.engine.book.levels()), int(pending["pending"])
        finally:
            keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
            if keys:
                await client.delete(*keys)
            await client.aclose()

    acc, levels, pending = asyncio.run(scenario())
    ref = engine_for(ev)
    ref.process(ev)
    assert np.array_equal(acc, ref.flow.acc)  # nothing lost, nothing counted twice
    assert np.array_equal(levels, np.array(ref.book.levels()))
    assert pending == 0

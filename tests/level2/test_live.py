from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
import uuid
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


FIXTURE_ZIP = Path(__file__).parent / "fixtures" / "sse_600519_20230201_0950.zip"


def _offline_minutes(ev: EventBatch) -> dict[str, dict[str, int]]:
    """Per-minute net amount by class in fen, from the batch (offline) capital flow."""
    res = capital_flow(ev, threshold_set("eastmoney"))
    out: dict[str, dict[str, int]] = {}
    for r in res.minutes.to_dict(orient="records"):
        out.setdefault(str(r["minute"]), {})[str(r["class"])] = round(float(r["net_amount"]) * 100)
    return out


def _offline_main_fen(ev: EventBatch) -> int:
    daily = capital_flow(ev, threshold_set("eastmoney")).daily.set_index("class")
    return round(float(daily.loc[["super_large", "large"], "net_amount"].sum()) * 100)


def _assert_same_as_offline(updates: list[dict[str, object]], ev: EventBatch) -> None:
    minutes = [str(u["minute"]) for u in updates]
    assert len(minutes) == len(set(minutes)), (
        f"minutes announced twice: {sorted(m for m in minutes if minutes.count(m) > 1)}"
    )
    assert minutes == sorted(minutes)
    offline = _offline_minutes(ev)
    assert set(offline) <= set(minutes)
    for u in updates:
        net = u["net_amount"]
        assert isinstance(net, dict)
        got = {c: round(float(v) * 100) for c, v in net.items() if round(float(v) * 100) != 0}
        assert got == {c: v for c, v in offline.get(str(u["minute"]), {}).items() if v != 0}, u["minute"]
    assert round(float(str(updates[-1]["cum_main_net"])) * 100) == _offline_main_fen(ev)


def test_minute_close_is_idempotent_keyed_by_minute(events: EventBatch) -> None:
    ev = events.take(slice(0, 6000))
    eng = engine_for(ev)
    out = eng.process(ev)
    last = eng.flush()
    assert len(last) == 1 and eng.flush() == [] and eng.flush() == []  # an idle feed flushed again adds nothing
    assert eng.process(ev.take(slice(len(ev) - 1, None))) == []  # a late event of the closed minute: no repeat
    updates = [json.loads(u.to_json()) for u in out + last]
    minutes = [u["minute"] for u in updates]
    assert len(minutes) == len(set(minutes))
    main = [round(u["net_amount"]["super_large"] * 100) + round(u["net_amount"]["large"] * 100) for u in updates]
    assert [round(u["cum_main_net"] * 100) for u in updates] == list(np.cumsum(main))


@pytest.mark.redis
def test_redis_minutes_unique_and_exact_after_abandoned_pending_entries(redis_url: str, events: EventBatch) -> None:
    """A consumer that read entries and died before acknowledging them: its successor announces every minute once."""
    from redis.asyncio import Redis

    from tandem.level2.redis_stream import RedisStreamBus, RedisStreamConsumer

    ev = events
    prefix = f"tandem:test:l2:{uuid.uuid4().hex[:10]}:"

    async def scenario() -> tuple[list[MinuteUpdate], int, int, dict[bytes, bytes]]:
        client = Redis.from_url(redis_url)
        try:
            await RedisStreamBus(client, prefix).publish(ev)
            first = RedisStreamConsumer(client, engine_for(ev), rules="SSE", prefix=prefix, count=400)
            await first.start()
            seen: list[MinuteUpdate] = []
            gen = first.minute_updates(feed_done=lambda: True)
            async for update in gen:
                seen.append(update)
                if len(seen) == 12:
                    break
            await gen.aclose()
            # the same consumer reads the next entries and dies before applying or acknowledging them
            await client.xreadgroup(first.group, first.consumer, {first.stream: ">"}, count=700)
            abandoned = int((await client.xpending(first.stream, first.group))["pending"])
            second = RedisStreamConsumer(client, engine_for(ev), rules="SSE", prefix=prefix, count=400)
            await second.start()
            seen += [u async for u in second.minute_updates(feed_done=lambda: True)]
            left = int((await client.xpending(second.stream, second.group))["pending"])
            return seen, abandoned, left, await client.hgetall(second.minutes_key)
        finally:
            keys = [k async for k in client.scan_iter(match=f"{prefix}*")]
            if keys:
                await client.delete(*keys)
            await client.aclose()

    seen, abandoned, left, stored = asyncio.run(scenario())
    assert abandoned == 700 and left == 0
    updates = [json.loads(u.to_json()) for u in seen]
    _assert_same_as_offline(updates, ev)
    assert sorted(k.decode() for k in stored) == [u["minute"] for u in updates]  # the durable record, keyed by minute
    assert [json.loads(stored[u["minute"].encode()]) for u in updates] == updates


@pytest.mark.redis
@pytest.mark.slow
def test_cli_redis_replay_killed_mid_day_and_restarted_equals_offline(redis_url: str, events: EventBatch) -> None:
    """``tandem l2 replay --redis`` killed with SIGKILL mid-day and run again: every minute once, totals exact."""
    import redis as redis_sync

    prefix = f"tandem:test:l2cli:{uuid.uuid4().hex[:10]}:"
    base = [sys.executable, "-m", "tandem.cli.main", "l2", "replay", str(FIXTURE_ZIP), "--redis", redis_url]
    base += ["--prefix", prefix, "--group", "g"]
    client = redis_sync.Redis.from_url(redis_url)
    try:
        # 300x: the 09:25–09:30 gap after the call auction leaves the feed idle for a second (where minutes repeated)
        first = subprocess.Popen(
            [*base, "--speed", "300x"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        assert first.stdout is not None
        lines: list[str] = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = first.stdout.readline()
            if not line:
                break
            lines.append(line)
            if json.loads(line)["minute"] >= "09:36":
                break
        os.kill(first.pid, signal.SIGKILL)
        first.wait(timeout=30)
        lines += first.stdout.read().splitlines(keepends=True)
        first.stdout.close()
        assert first.returncode == -signal.SIGKILL, "the first run ended before it was killed"
        assert client.xlen(f"{prefix}600519.SH") < len(events)  # killed mid-day: the day was not fully published
        second = subprocess.run([*base, "--speed", "0"], capture_output=True, text=True, timeout=300, check=False)
        assert second.returncode == 0, second.stderr
        updates = [json.loads(x) for x in lines + second.stdout.splitlines()]
        _assert_same_as_offline(updates, events)
        assert client.xlen(f"{prefix}600519.SH") == len(events)
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()

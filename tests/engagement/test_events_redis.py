"""Redis Streams transport against the real server: at-least-once delivery, idempotent by event id."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis

from tandem.core.settings import Settings
from tandem.engagement.event_factory import event_sink_from_settings
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.events import Channel, Event, EventType
from tandem.engagement.ingest import EventIngestService
from tandem.engagement.redis_events import (
    RedisStreamEventConsumer,
    RedisStreamEventSink,
    decode_event,
    encode_event,
)

NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def make_event(i: int) -> Event:
    when = NOW - timedelta(minutes=i)
    return Event(str(uuid.uuid4()), 3, EventType.STOCK_VIEW, "600519.SH", {"n": i}, when, NOW, "s", Channel.WEB)


def test_codec_roundtrip_and_rejects_garbage() -> None:
    event = make_event(1)
    assert decode_event(encode_event(event)) == event
    with pytest.raises(ValueError, match="not an encoded event"):
        decode_event('["x"]')


def test_sink_choice_follows_settings(tmp_path: Path) -> None:
    assert isinstance(event_sink_from_settings(Settings(home=tmp_path)), ParquetEventStore)
    chosen = event_sink_from_settings(Settings(home=tmp_path, redis_url="redis://127.0.0.1:1/0"))
    assert isinstance(chosen, RedisStreamEventSink)


@pytest.fixture
def redis_client(redis_url: str) -> Iterator[tuple[Redis, str]]:
    client = Redis.from_url(redis_url)
    stream = f"test:events:{uuid.uuid4().hex}"
    yield client, stream
    client.delete(stream, f"{stream}:dead", *client.keys(f"{stream}:seen:*"))
    client.close()


@pytest.mark.redis
def test_replays_and_redelivery_store_each_event_once(redis_client: tuple[Redis, str], tmp_path: Path) -> None:
    client, stream = redis_client
    store = ParquetEventStore(tmp_path / "events")
    sink = RedisStreamEventSink(client, stream=stream)
    events = [make_event(i) for i in range(5)]
    first = RedisStreamEventConsumer(client, store=store, stream=stream, consumer="a", claim_idle_ms=0)
    first.ensure_group()
    first.ensure_group()  # idempotent
    assert sink.append(events) == 5
    assert sink.append(events[:2]) == 0  # the app retried a batch: the sink knows the ids
    for event in events[:2]:  # a publisher that lost its memory of ids (expired) published them again
        client.xadd(stream, {"e": encode_event(event)})
    # consumer "a" reads but dies before storing/acking: its entries stay pending
    client.xreadgroup(first.group, "a", {stream: ">"}, count=3)
    second = RedisStreamEventConsumer(client, store=store, stream=stream, consumer="b", claim_idle_ms=0)
    total = second.drain()
    assert total.read == 7
    assert total.stored == 5
    assert store.count() == 5
    assert sorted(store.read()["event_id"].to_list()) == sorted(e.event_id for e in events)
    assert client.xpending(stream, first.group)["pending"] == 0


@pytest.mark.redis
def test_undecodable_entry_goes_to_dead_letter(redis_client: tuple[Redis, str], tmp_path: Path) -> None:
    client, stream = redis_client
    store = ParquetEventStore(tmp_path / "events")
    consumer = RedisStreamEventConsumer(client, store=store, stream=stream)
    consumer.ensure_group()
    client.xadd(stream, {"e": "{broken"})
    RedisStreamEventSink(client, stream=stream).append([make_event(0)])
    result = consumer.drain()
    assert (result.read, result.stored, result.dead) == (2, 1, 1)
    assert client.xlen(f"{stream}:dead") == 1


@pytest.mark.redis
def test_ingest_through_redis_then_consumer(redis_client: tuple[Redis, str], tmp_path: Path) -> None:
    client, stream = redis_client
    store = ParquetEventStore(tmp_path / "events")
    service = EventIngestService(sink=RedisStreamEventSink(client, stream=stream), clock=lambda: NOW)
    consumer = RedisStreamEventConsumer(client, store=store, stream=stream)
    consumer.ensure_group()
    raw = {"event_id": str(uuid.uuid4()), "client_id": 3, "type": "search", "properties": {"query": "银行"},
           "client_time": NOW.isoformat(), "session_id": "s", "channel": "h5"}  # fmt: skip
    assert service.ingest([raw], client_id=3).stored == 1
    assert store.count() == 0  # not in the store until the group consumed it
    consumer.drain()
    assert service.ingest([raw], client_id=3).duplicates == 1  # a replay is answered as such, as without Redis
    consumer.drain()
    assert store.read()["type"].to_list() == ["search"]


def test_consume_command_needs_redis(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "TANDEM_REDIS_URL"} | {"TANDEM_HOME": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "tandem.cli.main", "engagement", "consume"],
                         capture_output=True, text=True, env=env, check=False, timeout=120)  # fmt: skip
    assert out.returncode == 2 and "TANDEM_REDIS_URL is not set" in out.stderr


@pytest.mark.redis
def test_consume_command_moves_events_into_the_store(redis_client: tuple[Redis, str], tmp_path: Path) -> None:
    client, stream = redis_client
    RedisStreamEventSink(client, stream=stream).append([make_event(0), make_event(1)])
    url = os.environ["TANDEM_TEST_REDIS_URL"]
    env = os.environ | {"TANDEM_HOME": str(tmp_path), "TANDEM_REDIS_URL": url}
    out = subprocess.run([sys.executable, "-m", "tandem.cli.main", "engagement", "consume", "--stream", stream],
                         capture_output=True, text=True, env=env, check=False, timeout=120)  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "stored 2 new events" in out.stdout
    assert ParquetEventStore(tmp_path / "events").count() == 2
    client.delete(f"{stream}")

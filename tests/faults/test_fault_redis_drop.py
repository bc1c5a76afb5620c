"""The Redis connection of the event consumer group dropped (real server, ``CLIENT KILL``): nothing lost or doubled.

Two drops: the connection killed while the consumer is blocked in ``XREADGROUP`` (the follow loop reconnects and
keeps consuming), and the consumer *process* killed after the store holds a batch but before its ``XACK`` (the next
run of the same consumer gets its pending entries back first, stores nothing twice and acknowledges them).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from redis import Redis

from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.events import Channel, Event, EventType
from tandem.engagement.redis_events import DEFAULT_GROUP, RedisStreamEventConsumer, RedisStreamEventSink

pytestmark = pytest.mark.redis
NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


def _events(n: int, first: int = 0) -> list[Event]:
    view = EventType.STOCK_VIEW
    return [
        Event(str(uuid.uuid4()), 3, view, "600519.SH", {"n": i}, NOW - timedelta(minutes=i), NOW, "s", Channel.WEB)
        for i in range(first, first + n)
    ]


@pytest.fixture
def stream(redis_url: str) -> Iterator[str]:
    admin = Redis.from_url(redis_url)
    name = f"fault:events:{uuid.uuid4().hex}"
    yield name
    admin.delete(name, f"{name}:dead")
    admin.close()


def _wait(check: object, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not check():  # type: ignore[operator]
        time.sleep(0.02)


def _clients_named(admin: Redis, name: str) -> list[dict[str, object]]:
    return [c for c in admin.client_list() if c.get("name") == name]


def test_connection_killed_while_blocked_the_consumer_reconnects_and_loses_nothing(
    redis_url: str, stream: str, tmp_path: Path
) -> None:
    admin = Redis.from_url(redis_url)
    name = f"fault-consumer-{uuid.uuid4().hex[:8]}"
    store = ParquetEventStore(tmp_path / "events")
    consumer = RedisStreamEventConsumer(Redis.from_url(redis_url, client_name=name), store=store, stream=stream)
    consumer.ensure_group()
    sink = RedisStreamEventSink(admin, stream=stream)
    first, second = _events(5), _events(5, first=5)
    stop = threading.Event()
    crashed: list[BaseException] = []

    def run() -> None:
        try:
            consumer.follow(stop.is_set, block_ms=1_000, retry_s=0.05)
        except BaseException as exc:  # the test reports it below
            crashed.append(exc)

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    try:
        sink.append(first)
        _wait(lambda: store.count() == 5)
        _wait(lambda: any(c.get("cmd") == "xreadgroup" for c in _clients_named(admin, name)))
        blocked = [c for c in _clients_named(admin, name) if c.get("cmd") == "xreadgroup"]
        assert blocked, "the consumer never blocked in XREADGROUP"
        assert admin.client_kill_filter(_id=str(blocked[0]["id"])) == 1
        _wait(lambda: bool(crashed) or any(c["id"] != blocked[0]["id"] for c in _clients_named(admin, name)))
        assert not crashed, f"the consumer gave up on the dropped connection: {crashed[0]!r}"
        sink.append(second)
        _wait(lambda: store.count() == 10)
    finally:
        stop.set()
        worker.join(5)
    assert not crashed and not worker.is_alive()
    ids = store.read()["event_id"].to_list()
    assert sorted(ids) == sorted(e.event_id for e in first + second)  # each event once
    assert admin.xpending(stream, DEFAULT_GROUP)["pending"] == 0
    admin.close()


# The consumer process stores a batch and is killed before its XACK reaches Redis (its connection drops with it).
CHILD = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from redis import Redis
    import tandem.engagement.event_store as es
    from tandem.engagement.redis_events import RedisStreamEventConsumer
    real = es.ParquetEventStore.append
    def append_then_die(self, events):
        stored = real(self, events)
        os.kill(os.getpid(), signal.SIGKILL)
        return stored
    es.ParquetEventStore.append = append_then_die
    consumer = RedisStreamEventConsumer(Redis.from_url(sys.argv[1]), store=es.ParquetEventStore(Path(sys.argv[2])),
                                        stream=sys.argv[3], consumer="c1")
    consumer.ensure_group()
    consumer.drain()
    """
)


def test_consumer_killed_before_its_ack_resumes_from_its_pending_entries(
    redis_url: str, stream: str, tmp_path: Path
) -> None:
    admin = Redis.from_url(redis_url)
    events = _events(6)
    RedisStreamEventSink(admin, stream=stream).append(events)
    root = tmp_path / "events"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, redis_url, str(root), stream],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        timeout=60,
        check=False,
    )
    assert child.returncode == -signal.SIGKILL
    assert ParquetEventStore(root).count() == 6  # the store holds the batch …
    pending = admin.xpending(stream, DEFAULT_GROUP)
    assert pending["pending"] == 6 and pending["consumers"][0]["name"] == b"c1"  # … Redis never saw the ack

    again = RedisStreamEventConsumer(Redis.from_url(redis_url), store=ParquetEventStore(root), stream=stream)
    result = again.drain()
    assert (result.read, result.stored) == (6, 0)  # its own pending entries first, nothing stored twice
    assert admin.xpending(stream, DEFAULT_GROUP)["pending"] == 0
    assert again.drain().read == 0  # acknowledged once: nothing comes back
    assert sorted(ParquetEventStore(root).read()["event_id"].to_list()) == sorted(e.event_id for e in events)
    admin.close()

"""Live notifications: the in-app channel announces a newly stored notification once, in memory and on Redis."""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest
from delivery_fixtures import sqlite_sessions
from redis import Redis

from tandem.engagement.delivery.channels.base import OutgoingMessage
from tandem.engagement.delivery.channels.hub import MemoryNotificationHub, NotificationHub, RedisStreamHub
from tandem.engagement.delivery.channels.inapp import InAppChannel


def _msg(key: str, client: str = "c1") -> OutgoingMessage:
    return OutgoingMessage(key, client, "inapp", "mover", f"标题 {key}", "正文")


def _check_hub(hub: NotificationHub, tmp_path: Path, client: str) -> None:
    channel = InAppChannel(sessions=sqlite_sessions(str(tmp_path / "app.db")), hub=hub)
    channel.send(_msg("k1", client))
    channel.send(_msg("k1", client))  # redelivery: stored once, announced once
    channel.send(_msg("k2", client))
    got = hub.read(client)
    assert [n.title for _, n in got] == ["标题 k1", "标题 k2"]
    assert got[0][1].notification_id != got[1][1].notification_id
    assert hub.read(client, after=got[0][0])[0][1].title == "标题 k2"
    assert hub.read(client, after=got[1][0], block_ms=50) == []
    assert hub.read("someone-else") == []


def test_memory_hub_announces_each_stored_notification_once(tmp_path: Path) -> None:
    _check_hub(MemoryNotificationHub(), tmp_path, "c1")


@pytest.mark.redis
def test_redis_stream_hub_announces_each_stored_notification_once(tmp_path: Path, redis_url: str) -> None:
    prefix = f"test:notify:{uuid.uuid4().hex[:8]}:"
    client = Redis.from_url(redis_url)
    try:
        _check_hub(RedisStreamHub(client, prefix=prefix), tmp_path, "c1")
        assert client.xlen(prefix + "c1") == 2
    finally:
        for key in client.scan_iter(match=prefix + "*"):
            client.delete(key)
        client.close()

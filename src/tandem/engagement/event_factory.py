"""The event adapter choice, made by a composition root (``cli``, ``web.app``) once per process."""

from __future__ import annotations

import os
import socket
from pathlib import Path

from redis import Redis

from tandem.core.settings import Settings
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.ingest import EventSink
from tandem.engagement.redis_events import RedisStreamEventConsumer, RedisStreamEventSink


def event_store_root(settings: Settings) -> Path:
    """Where the embedded event store lives: ``<home>/events``."""
    return settings.home / "events"


def event_sink_from_settings(settings: Settings) -> EventSink:
    """``TANDEM_REDIS_URL`` set → publish to the Redis stream (a consumer group writes the store); else the store.

    With Redis this process is also a member of the group (named after host and pid, unique per worker) that stores
    what it published before answering, so the client reads its own events at once in both modes.
    """
    store = ParquetEventStore(event_store_root(settings))
    if settings.redis_url:
        client = Redis.from_url(settings.redis_url)
        through = RedisStreamEventConsumer(client, store=store, consumer=f"{socket.gethostname()}-{os.getpid()}")
        return RedisStreamEventSink(client, store_through=through)
    return store

"""The event adapter choice, made by a composition root (``cli``, ``web.app``) once per process."""

from __future__ import annotations

from pathlib import Path

from redis import Redis

from tandem.core.settings import Settings
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.ingest import EventSink
from tandem.engagement.redis_events import RedisStreamEventSink


def event_store_root(settings: Settings) -> Path:
    """Where the embedded event store lives: ``<home>/events``."""
    return settings.home / "events"


def event_sink_from_settings(settings: Settings) -> EventSink:
    """``TANDEM_REDIS_URL`` set → publish to the Redis stream (a consumer group writes the store); else the store."""
    if settings.redis_url:
        return RedisStreamEventSink(Redis.from_url(settings.redis_url))
    return ParquetEventStore(event_store_root(settings))

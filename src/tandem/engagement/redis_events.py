"""Redis Streams transport for behaviour events: a publisher sink and a consumer group that writes the store.

Used when ``TANDEM_REDIS_URL`` is set: the ingest service publishes validated batches with
:class:`RedisStreamEventSink` (``XADD`` in one script, one entry per event id not published in the last week)
and one or more :class:`RedisStreamEventConsumer` processes read them through a consumer group and append them to
the :class:`~tandem.engagement.event_store.ParquetEventStore`. Delivery is at-least-once: an entry is ``XACK``ed only
after the store holds it, entries a dead consumer left pending are reclaimed (``XAUTOCLAIM``) after
``claim_idle_ms``; the store is idempotent by event id, so a redelivered or re-published event changes nothing.
An entry that cannot be decoded is moved to ``<stream>:dead`` (with the reason) instead of blocking the group.

A dropped connection (Redis restarted, ``CLIENT KILL``, a network blip) does not end :meth:`follow`: the read or the
acknowledgement that failed is retried with backoff on a fresh connection, and because every read starts with this
consumer's own pending entries, what it had read but not acknowledged is handed back first.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from redis import Redis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from tandem.engagement.events import CHANNELS_BY_NAME, EVENT_TYPES_BY_NAME, Event
from tandem.engagement.ingest import EventSink

log = structlog.get_logger(__name__)

DEFAULT_STREAM = "tandem:events"
DEFAULT_GROUP = "tandem-event-store"


def encode_event(event: Event) -> str:
    """One event as compact JSON (times in ISO 8601 with offset)."""
    return json.dumps(
        [
            event.event_id,
            event.client_id,
            event.type.value,
            event.object_id,
            event.properties,
            event.client_time.isoformat(),
            event.server_time.isoformat(),
            event.session_id,
            event.channel.value,
            event.schema_version,
        ],
        ensure_ascii=False,
        separators=(",", ":"),
    )


def decode_event(text: str | bytes) -> Event:
    """Inverse of :func:`encode_event`; raises ``ValueError`` naming what is wrong."""
    try:
        f = json.loads(text)
        return Event(
            str(f[0]),
            int(f[1]),
            EVENT_TYPES_BY_NAME[f[2]],
            f[3],
            dict(f[4]),
            datetime.fromisoformat(f[5]),
            datetime.fromisoformat(f[6]),
            str(f[7]),
            CHANNELS_BY_NAME[f[8]],
            int(f[9]),
        )
    except (json.JSONDecodeError, KeyError, IndexError, TypeError, ValueError) as exc:
        raise ValueError(f"not an encoded event ({type(exc).__name__}: {exc})") from exc


SEEN_TTL_SECONDS = 7 * 24 * 3600
"""How long the sink remembers a published event id; a replay after that is still dropped by the store."""

# Atomically per event: remember its id (SET NX) and publish it only if the id was new; returns how many were new.
_PUBLISH_NEW = """
local added = 0
for i = 1, #ARGV - 1, 2 do
  if redis.call('SET', KEYS[2] .. ARGV[i], '1', 'NX', 'EX', tonumber(ARGV[#ARGV])) then
    redis.call('XADD', KEYS[1], '*', 'e', ARGV[i + 1])
    added = added + 1
  end
end
return added
"""


class RedisStreamEventSink:
    """Publishes events to one stream; ``append`` returns how many were new.

    With ``store_through`` (the web app's sink) the publishing process then drains the group into the store itself,
    so a client's next request sees its own events (tags, the feed, the funnel) as without Redis; the consumer
    service stays the backstop for entries a worker published but did not store (it died, the disk was full).

    Ids published in the last week are not published again, so the API answers a replay with ``duplicates`` as it
    does without Redis (before, a replay was counted as stored: the store dropped it later, the answer was wrong).
    """

    def __init__(
        self,
        client: Redis[bytes],
        *,
        stream: str = DEFAULT_STREAM,
        store_through: RedisStreamEventConsumer | None = None,
    ) -> None:
        self._client = client
        self.stream = stream
        self.seen_prefix = f"{stream}:seen:"
        self._publish_new = client.register_script(_PUBLISH_NEW)
        self._through = store_through

    def append(self, events: Sequence[Event]) -> int:
        """Publish the new events in one atomic script; a Redis error propagates, so the caller's request fails."""
        if not events:
            return 0
        args: list[str | int] = []
        for event in events:
            args += [event.event_id, encode_event(event)]
        args.append(SEEN_TTL_SECONDS)
        new = int(self._publish_new(keys=[self.stream, self.seen_prefix], args=args))
        if self._through is not None:
            self._through.drain()
        return new


@dataclass(frozen=True, slots=True)
class ConsumeResult:
    """What one read did: entries read, events new to the store, entries moved to the dead-letter stream."""

    read: int
    stored: int
    dead: int


class RedisStreamEventConsumer:
    """One member of a consumer group that appends events to ``store`` and acknowledges them afterwards."""

    def __init__(
        self,
        client: Redis[bytes],
        *,
        store: EventSink,
        stream: str = DEFAULT_STREAM,
        group: str = DEFAULT_GROUP,
        consumer: str = "c1",
        claim_idle_ms: int = 30_000,
    ) -> None:
        self._client = client
        self._store = store
        self.stream, self.group, self.consumer = stream, group, consumer
        self._claim_idle_ms = claim_idle_ms

    def ensure_group(self) -> None:
        """Create the group (and the stream) if missing, reading from the start of the stream."""
        try:
            self._client.xgroup_create(self.stream, self.group, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    def consume_once(self, *, count: int = 500, block_ms: int | None = None) -> ConsumeResult:
        """Handle one read: entries stale in a dead consumer's list first, then own pending, then new ones."""
        try:
            entries = self._entries(count, block_ms)
        except ResponseError as exc:  # the stream or the group is gone (Redis restarted empty, the key deleted)
            if "NOGROUP" not in str(exc):
                raise
            self.ensure_group()
            entries = self._entries(count, block_ms)
        if not entries:
            return ConsumeResult(0, 0, 0)
        events: list[Event] = []
        dead: list[tuple[Any, str, str]] = []
        for entry_id, fields in entries:
            raw = fields.get(b"e", fields.get("e")) or b""
            try:
                events.append(decode_event(raw))
            except ValueError as exc:
                dead.append((entry_id, str(raw), str(exc)))
        stored = self._store.append(events) if events else 0
        pipe = self._client.pipeline(transaction=True)
        for entry_id, raw_text, reason in dead:
            pipe.xadd(f"{self.stream}:dead", {"entry": entry_id, "e": raw_text, "reason": reason})
        pipe.xack(self.stream, self.group, *[entry_id for entry_id, _ in entries])
        pipe.execute()
        return ConsumeResult(len(entries), stored, len(dead))

    def drain(self, *, count: int = 500) -> ConsumeResult:
        """Consume until nothing is pending or new (tests, the CLI, and catching up after downtime)."""
        total = ConsumeResult(0, 0, 0)
        while True:
            step = self.consume_once(count=count)
            if step.read == 0:
                return total
            total = ConsumeResult(total.read + step.read, total.stored + step.stored, total.dead + step.dead)

    def follow(
        self,
        stop: Callable[[], bool],
        *,
        count: int = 500,
        block_ms: int = 5_000,
        retry_s: float = 0.5,
        max_retry_s: float = 30.0,
    ) -> ConsumeResult:
        """Consume until ``stop()`` is true, riding out dropped connections (backoff from ``retry_s`` s).

        An entry read before the connection dropped and not yet acknowledged is this consumer's pending entry; the
        next read returns it first, the store ignores it if it already holds the event, and it is acknowledged.
        """
        total, wait = ConsumeResult(0, 0, 0), retry_s
        while not stop():
            try:
                step = self.consume_once(count=count, block_ms=block_ms)
            except (RedisConnectionError, RedisTimeoutError) as exc:
                log.warning(
                    "events.consumer.redis_lost", consumer=self.consumer, error=f"{type(exc).__name__}: {exc}",
                    retry_in_s=wait,
                )  # fmt: skip
                time.sleep(wait)
                wait = min(wait * 2, max_retry_s)
                continue
            wait = retry_s
            total = ConsumeResult(total.read + step.read, total.stored + step.stored, total.dead + step.dead)
        return total

    def _entries(self, count: int, block_ms: int | None) -> list[tuple[Any, dict[Any, Any]]]:
        return self._reclaimed(count) or self._read("0", count, None) or self._read(">", count, block_ms)

    def _reclaimed(self, count: int) -> list[tuple[Any, dict[Any, Any]]]:
        reply = self._client.xautoclaim(
            self.stream, self.group, self.consumer, min_idle_time=self._claim_idle_ms, start_id="0-0", count=count
        )
        return [(entry_id, fields) for entry_id, fields in reply[1] if fields]

    def _read(self, start: str, count: int, block_ms: int | None) -> list[tuple[Any, dict[Any, Any]]]:
        reply = self._client.xreadgroup(self.group, self.consumer, {self.stream: start}, count=count, block=block_ms)
        if not reply:
            return []
        return [(entry_id, fields) for entry_id, fields in reply[0][1] if fields]

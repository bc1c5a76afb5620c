"""Waking a client's open pages when an in-app notification is stored: the SSE stream's wait, per web worker.

The stored notification row is the truth (the stream reads rows after the page's ``Last-Event-ID``); what this
module adds is *when* to look. :class:`LiveWaiters` holds one asyncio waiter per open stream; ``notify`` may be
called from any thread (the dispatcher runs in a worker thread) and wakes that client's streams on the event
loop. :class:`WakingHub` is the :class:`~.channels.hub.NotificationHub` the in-app channel publishes to: it
forwards to the real hub (memory or Redis stream) and wakes this process's waiters.

Across web workers and hosts, :class:`RedisStreamHub` also publishes the client id on a pub/sub channel
(:data:`~.channels.hub.WAKE_SUFFIX`); :func:`listen_for_wakes` runs once per worker and turns those messages into
``notify`` calls. Without Redis a dispatcher in another process (``tandem engagement dispatch``) still reaches the
page: the stream re-reads the table every ``poll`` seconds, so a lost wake-up only delays a toast, never loses it.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass

import structlog
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.errors import ValidationFailed
from tandem.engagement.delivery.channels.hub import LiveNotification, NotificationHub
from tandem.engagement.delivery.channels.inapp import latest_notification_id, notifications_after
from tandem.engagement.delivery.models import NotificationRow

log = structlog.get_logger(__name__)


class LiveWaiters:
    """Per-process registry of streams waiting for a client's next notification.

    A generation counter per client closes the race between "read the table" and "start waiting": a stream takes
    :meth:`generation` *before* it reads, and :meth:`wait` returns at once if a notification came in since.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._generation: dict[str, int] = {}
        self._events: dict[str, set[asyncio.Event]] = {}

    def generation(self, client_id: str) -> int:
        """How many wake-ups ``client_id`` has had; pass it to :meth:`wait`."""
        with self._lock:
            return self._generation.get(client_id, 0)

    def waiting(self, client_id: str) -> int:
        """How many streams of ``client_id`` are waiting right now (tests and the operability page)."""
        with self._lock:
            return len(self._events.get(client_id, ()))

    def notify(self, client_id: str) -> None:
        """Wake every stream of ``client_id`` in this process; safe from any thread, a no-op with none open."""
        with self._lock:
            self._generation[client_id] = self._generation.get(client_id, 0) + 1
            loop = self._loop
            events = list(self._events.get(client_id, ()))
        if loop is None or not events or loop.is_closed():
            return
        for event in events:
            try:
                loop.call_soon_threadsafe(event.set)
            except RuntimeError:  # the loop closed between the check and the call (shutdown)
                return

    async def wait(self, client_id: str, *, since: int, timeout: float) -> bool:
        """Wait up to ``timeout`` s for a wake-up after generation ``since``; True when one came."""
        event = asyncio.Event()
        with self._lock:
            self._loop = asyncio.get_running_loop()
            if self._generation.get(client_id, 0) != since:
                return True
            self._events.setdefault(client_id, set()).add(event)
        try:
            await asyncio.wait_for(event.wait(), timeout)
            return True
        except TimeoutError:
            return False
        finally:
            with self._lock:
                mine = self._events.get(client_id)
                if mine is not None:
                    mine.discard(event)
                    if not mine:
                        del self._events[client_id]


class WakingHub:
    """A hub that forwards to ``inner`` (memory or Redis stream) and wakes this process's open streams."""

    def __init__(self, inner: NotificationHub, waiters: LiveWaiters) -> None:
        self._inner = inner
        self._waiters = waiters

    def publish(self, note: LiveNotification) -> None:
        """Announce on the inner hub, then wake local streams (even if the inner hub failed: the row is stored)."""
        try:
            self._inner.publish(note)
        except Exception:  # best effort, like the in-app channel's own announcement: the feed has the row
            log.exception("live notification not announced on the hub", client_id=note.client_id)
        self._waiters.notify(note.client_id)

    def read(
        self, client_id: str, *, after: str = "0", block_ms: int | None = None
    ) -> list[tuple[str, LiveNotification]]:
        """The inner hub's notifications after ``after``."""
        return self._inner.read(client_id, after=after, block_ms=block_ms)


async def listen_for_wakes(url: str, channel: str, waiters: LiveWaiters, *, retry_s: float = 2.0) -> None:
    """Subscribe to the Redis wake channel and ``notify`` for each client id published, until cancelled.

    A dropped connection is retried every ``retry_s`` s; meanwhile streams fall back to polling the table.
    """
    from redis.asyncio import Redis as AsyncRedis

    while True:
        client = AsyncRedis.from_url(url)
        try:
            pubsub = client.pubsub(ignore_subscribe_messages=True)
            await pubsub.subscribe(channel)
            async for message in pubsub.listen():
                data = message.get("data")
                if isinstance(data, bytes):
                    waiters.notify(data.decode())
                elif isinstance(data, str):
                    waiters.notify(data)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # Redis down: streams keep polling; try again shortly
            log.warning("notification wake listener lost redis", error=f"{type(exc).__name__}: {exc}")
            await asyncio.sleep(retry_s)
        finally:
            await client.aclose()  # type: ignore[attr-defined]  # redis 5+; the bundled stubs predate it


@dataclass(frozen=True, slots=True)
class Heartbeat:
    """Nothing new for a while: the stream sends a comment so proxies keep it open and the page knows it is live."""


def parse_cursor(last_event_id: str | None) -> int | None:
    """The notification id a reconnecting page last saw (``Last-Event-ID``), None when it sent none.

    Raises :class:`ValidationFailed` for anything but a non-negative integer, naming what came.
    """
    if last_event_id is None or not last_event_id.strip():
        return None
    text = last_event_id.strip()
    if not text.isdigit() or len(text) > 18:
        raise ValidationFailed(
            f"Last-Event-ID must be the id of the last notification the page saw (a non-negative integer), "
            f"got {text[:40]!r}; omit it to start from now"
        )
    return int(text)


async def follow(
    *,
    sessions: sessionmaker[Session],
    waiters: LiveWaiters,
    client_id: str,
    after: int | None,
    heartbeat: float,
    poll: float,
    lifetime: float,
) -> AsyncIterator[NotificationRow | Heartbeat]:
    """The client's notifications stored after ``after`` (None: from now), as they come, with heartbeats.

    Ends after ``lifetime`` seconds (a page that goes away earlier cancels it); the page reconnects with the last
    id it got, so nothing is missed in between. Table reads run in a worker thread, the waits on the event loop.
    """
    if after is None:
        after = await asyncio.to_thread(latest_notification_id, sessions, client_id=client_id)
    cursor = after
    start = last_sent = time.monotonic()
    while True:
        since = waiters.generation(client_id)
        rows = await asyncio.to_thread(notifications_after, sessions, client_id=client_id, after_id=cursor)
        for row in rows:
            cursor = row.id
            yield row
        now = time.monotonic()
        if rows:
            last_sent = now
            continue  # there may be more than one page of them
        if now - start >= lifetime:
            return
        if now - last_sent >= heartbeat:
            last_sent = now
            yield Heartbeat()
        budget = min(poll, heartbeat - (now - last_sent), lifetime - (now - start))
        woke = await waiters.wait(client_id, since=since, timeout=max(0.01, budget))
        if not woke and time.monotonic() - start >= lifetime:
            return  # what came in meanwhile goes out on the reconnect, after the page's Last-Event-ID

"""Live notification hubs: how a stored in-app notification reaches a client's open page (SSE/WebSocket).

:class:`NotificationHub` is the port: ``publish`` one notification, ``read`` a client's notifications after a
cursor (the page's SSE handler polls or blocks on it). :class:`MemoryNotificationHub` serves one process;
:class:`RedisStreamHub` (chosen when ``TANDEM_REDIS_URL`` is set) keeps one capped Redis stream per client so
every web worker sees every notification and a reconnecting page resumes from its last id; it also publishes the
client id on the pub/sub channel ``{prefix}wake`` (:data:`WAKE_SUFFIX`) so each web worker's one listener can wake
that client's open streams at once (:mod:`tandem.engagement.delivery.live`).
"""

from __future__ import annotations

import json
import threading
from dataclasses import asdict, dataclass
from typing import Protocol

from redis import Redis

WAKE_SUFFIX = "wake"
"""The pub/sub channel (after the hub's prefix) that carries the client id of every new notification."""


@dataclass(frozen=True, slots=True)
class LiveNotification:
    """What the open page shows (the stored row's id, so a click can open it in the feed)."""

    notification_id: int
    client_id: str
    category: str
    title: str
    body: str


class NotificationHub(Protocol):
    """Fan a notification out to a client's open pages."""

    def publish(self, note: LiveNotification) -> None:
        """Announce ``note`` to its client's subscribers."""
        ...

    def read(
        self, client_id: str, *, after: str = "0", block_ms: int | None = None
    ) -> list[tuple[str, LiveNotification]]:
        """Notifications after cursor ``after`` as (cursor, note), oldest first."""
        ...


class MemoryNotificationHub:
    """In-process hub (one web worker, tests): a list per client, cursors are positions."""

    def __init__(self, *, keep: int = 100) -> None:
        self._keep = keep
        self._notes: dict[str, list[tuple[int, LiveNotification]]] = {}
        self._seq = 0
        self._cond = threading.Condition()

    def publish(self, note: LiveNotification) -> None:
        """Append and wake readers."""
        with self._cond:
            self._seq += 1
            items = self._notes.setdefault(note.client_id, [])
            items.append((self._seq, note))
            del items[: max(0, len(items) - self._keep)]
            self._cond.notify_all()

    def read(
        self, client_id: str, *, after: str = "0", block_ms: int | None = None
    ) -> list[tuple[str, LiveNotification]]:
        """Entries with a sequence number above ``after``; waits up to ``block_ms`` when there are none."""
        start = int(after)
        with self._cond:
            found = [(str(n), v) for n, v in self._notes.get(client_id, []) if n > start]
            if not found and block_ms:
                self._cond.wait(block_ms / 1000)
                found = [(str(n), v) for n, v in self._notes.get(client_id, []) if n > start]
            return found


class RedisStreamHub:
    """One capped stream per client (``{prefix}{client_id}``) on Redis; cursors are stream ids."""

    def __init__(self, client: Redis[bytes], *, prefix: str = "tandem:notify:", maxlen: int = 200) -> None:
        self._r = client
        self._prefix = prefix
        self._maxlen = maxlen

    @property
    def wake_channel(self) -> str:
        """The pub/sub channel web workers listen on (``{prefix}wake``)."""
        return self._prefix + WAKE_SUFFIX

    @classmethod
    def from_url(cls, url: str, **kwargs: object) -> RedisStreamHub:
        """Connect to ``TANDEM_REDIS_URL``."""
        return cls(Redis.from_url(url), **kwargs)  # type: ignore[arg-type]

    def publish(self, note: LiveNotification) -> None:
        """XADD the note (trimming the stream to about ``maxlen`` entries), then PUBLISH its client id as a wake-up."""
        data = json.dumps(asdict(note), ensure_ascii=False)
        self._r.xadd(self._prefix + note.client_id, {"n": data}, maxlen=self._maxlen, approximate=True)
        self._r.publish(self.wake_channel, note.client_id)

    def read(
        self, client_id: str, *, after: str = "0", block_ms: int | None = None
    ) -> list[tuple[str, LiveNotification]]:
        """XREAD after ``after`` (``0`` = from the start), blocking up to ``block_ms``."""
        key = self._prefix + client_id
        reply = self._r.xread({key: after}, block=block_ms, count=100)
        out: list[tuple[str, LiveNotification]] = []
        for _stream, entries in reply or []:
            for entry_id, fields in entries:
                raw = fields[b"n"] if b"n" in fields else fields["n"]
                item = json.loads(raw)
                cursor = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
                out.append((cursor, LiveNotification(**item)))
        return out

"""Redis pub/sub between the processes of one deployment: best-effort announcements, one listener thread each.

Several mechanisms tell every worker "something changed" (a bearer token was revoked, the market store has a new
version). The stored state stays the truth; a message only says *when* to look, so publishing never fails the
caller (a lost message costs the listener's own periodic check, never correctness).

Redis pub/sub ignores the database index, so two deployments on one Redis server with different indexes would hear
each other: :func:`channel_name` puts the index into the channel (``tandem:6:auth-revoked``).

The listener is a thread, not an asyncio task: a message is handled as soon as it arrives, even while the event
loop of a web worker is busy, so the request that follows the publisher's answer already sees its effect.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from urllib.parse import urlparse

import structlog
from redis import Redis

log = structlog.get_logger(__name__)


def channel_name(url: str, topic: str) -> str:
    """``tandem:{db}:{topic}`` for the Redis at ``url`` (db 0 when the URL names none)."""
    path = urlparse(url).path.strip("/")
    db = path if path.isdigit() else "0"
    return f"tandem:{db}:{topic}"


def publish(url: str, topic: str, message: str) -> int | None:
    """Publish ``message`` on the topic's channel; how many listeners got it, None when Redis failed (logged)."""
    client: Redis[bytes] = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
    try:
        return int(client.publish(channel_name(url, topic), message))
    except Exception as exc:  # best effort: the listeners' own checks catch up
        log.warning("pubsub publish failed", topic=topic, error=f"{type(exc).__name__}: {exc}")
        return None
    finally:
        client.close()


class Listener:
    """A daemon thread calling ``handle(message)`` for every message on the topic's channel until :meth:`stop`.

    A dropped connection is retried every ``retry_s`` seconds; ``on_connect`` runs after each (re)subscription, so
    a caller can re-check what it may have missed while disconnected. :meth:`start` returns once the first
    subscription is active (or after ``ready_timeout`` seconds when Redis is down), so nothing published after
    the app started is missed.
    """

    def __init__(
        self,
        url: str,
        topic: str,
        handle: Callable[[str], None],
        *,
        on_connect: Callable[[], None] | None = None,
        retry_s: float = 2.0,
    ) -> None:
        self.url = url
        self.channel = channel_name(url, topic)
        self._handle = handle
        self._on_connect = on_connect
        self._retry_s = retry_s
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"pubsub-{topic}")
        self.received = 0

    def start(self, ready_timeout: float = 5.0) -> Listener:
        """Start listening; waits until subscribed (at most ``ready_timeout`` s)."""
        if not self._thread.is_alive():
            self._thread.start()
        self._ready.wait(ready_timeout)
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the thread (it notices within one second)."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        while not self._stop.is_set():
            client: Redis[bytes] = Redis.from_url(self.url, socket_connect_timeout=2.0, health_check_interval=30)
            try:
                pubsub = client.pubsub(ignore_subscribe_messages=True)
                pubsub.subscribe(self.channel)
                self._ready.set()
                if self._on_connect is not None:
                    self._on_connect()
                while not self._stop.is_set():
                    message = pubsub.get_message(timeout=1.0)
                    if message is None:
                        continue
                    data = message.get("data")
                    text = data.decode() if isinstance(data, bytes) else str(data)
                    self.received += 1
                    try:
                        self._handle(text)
                    except Exception:  # one bad message must not end the listener
                        log.exception("pubsub handler failed", channel=self.channel)
                pubsub.close()
            except Exception as exc:  # Redis down: the callers' own checks cover the gap; retry shortly
                log.warning("pubsub listener lost redis", channel=self.channel, error=f"{type(exc).__name__}: {exc}")
                self._ready.set()
                self._stop.wait(self._retry_s)
            finally:
                client.close()

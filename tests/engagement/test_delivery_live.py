"""The live half of in-app delivery: waiters woken from other threads, the waking hub, the follow loop, cursors."""

from __future__ import annotations

import asyncio
import threading
import time
from pathlib import Path

import pytest
from delivery_fixtures import sqlite_sessions

from tandem.core.errors import ValidationFailed
from tandem.engagement.delivery.channels.base import OutgoingMessage
from tandem.engagement.delivery.channels.hub import LiveNotification, MemoryNotificationHub
from tandem.engagement.delivery.channels.inapp import InAppChannel
from tandem.engagement.delivery.live import Heartbeat, LiveWaiters, WakingHub, follow, parse_cursor
from tandem.engagement.delivery.models import NotificationRow


def test_parse_cursor_accepts_ids_and_names_what_is_wrong() -> None:
    assert parse_cursor(None) is None and parse_cursor(" ") is None
    assert parse_cursor("42") == 42 and parse_cursor(" 7 ") == 7
    for bad in ("abc", "-3", "1.5", "9" * 30):
        with pytest.raises(ValidationFailed, match="Last-Event-ID must be"):
            parse_cursor(bad)


def test_notify_from_another_thread_wakes_only_that_clients_waiters() -> None:
    waiters = LiveWaiters()

    async def scenario() -> tuple[bool, bool, float]:
        since_a, since_b = waiters.generation("a"), waiters.generation("b")
        threading.Timer(0.1, waiters.notify, args=("a",)).start()
        start = time.monotonic()
        a, b = await asyncio.gather(
            waiters.wait("a", since=since_a, timeout=5), waiters.wait("b", since=since_b, timeout=0.5)
        )
        return a, b, time.monotonic() - start

    woke_a, woke_b, took = asyncio.run(scenario())
    assert woke_a is True and woke_b is False
    assert took < 1.0  # b timed out at 0.5 s; a was woken at 0.1 s, not at its 5 s timeout
    assert waiters.waiting("a") == 0 and waiters.waiting("b") == 0


def test_a_wake_between_read_and_wait_is_not_lost() -> None:
    waiters = LiveWaiters()

    async def scenario() -> bool:
        since = waiters.generation("c")
        waiters.notify("c")  # arrives after the stream read the table, before it started waiting
        return await waiters.wait("c", since=since, timeout=5)

    start = time.monotonic()
    assert asyncio.run(scenario()) is True
    assert time.monotonic() - start < 1.0


def test_waking_hub_forwards_and_wakes_even_when_the_inner_hub_fails() -> None:
    class Broken(MemoryNotificationHub):
        def publish(self, note: LiveNotification) -> None:
            raise ConnectionError("redis down")

    waiters = LiveWaiters()
    inner = MemoryNotificationHub()
    WakingHub(inner, waiters).publish(LiveNotification(1, "c", "mover", "t", "b"))
    assert [n.title for _, n in inner.read("c")] == ["t"] and waiters.generation("c") == 1
    WakingHub(Broken(), waiters).publish(LiveNotification(2, "c", "mover", "t2", "b"))
    assert waiters.generation("c") == 2


def test_follow_yields_rows_after_the_cursor_and_heartbeats(tmp_path: Path) -> None:
    sessions = sqlite_sessions(str(tmp_path / "app.db"))
    waiters = LiveWaiters()
    channel = InAppChannel(sessions=sessions, hub=WakingHub(MemoryNotificationHub(), waiters))
    channel.send(OutgoingMessage("k0", "c", "inapp", "mover", "旧的", "x"))

    async def scenario() -> list[object]:
        got: list[object] = []
        loop = asyncio.get_running_loop()
        loop.call_later(0.2, lambda: threading.Thread(target=channel.send, args=(
            OutgoingMessage("k1", "c", "inapp", "mover", "新的", "y"),)).start())  # fmt: skip
        async for item in follow(sessions=sessions, waiters=waiters, client_id="c", after=None,
                                 heartbeat=0.3, poll=10, lifetime=1.0):  # fmt: skip
            got.append(item)
        return got

    got = asyncio.run(scenario())
    rows = [g for g in got if isinstance(g, NotificationRow)]
    assert [r.title for r in rows] == ["新的"]  # a fresh stream starts after what the page already shows
    assert any(isinstance(g, Heartbeat) for g in got)

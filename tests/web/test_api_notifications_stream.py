"""``GET /api/v1/notifications/stream``: live in-app notifications over SSE — owner only, resume, heartbeats, wake-ups
in process and across processes (table polling without Redis, the Redis wake channel with it), bounded shutdown."""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from redis import Redis

from tandem.core.settings import Settings
from tandem.engagement.delivery.channels.base import OutgoingMessage
from tandem.engagement.delivery.channels.hub import RedisStreamHub
from tandem.engagement.delivery.channels.inapp import InAppChannel
from tandem.engagement.delivery.models import NotificationRow
from tandem.marketdata.store import MarketStore
from tandem.web.app import create_app
from tandem.web.state import LiveStreamConfig


def _me(client: TestClient, headers: dict[str, str]) -> str:
    return str(client.get("/api/v1/me", headers=headers).json()["id"])


def _read(client: TestClient, headers: dict[str, str], *, on_open: Callable[[], None] | None = None) -> list[Any]:
    """Every frame of one stream until the server ends it: ("event", kind, id, data), ("comment", text),
    ("retry", ms) or ("cursor", id) for an id-only block."""
    frames: list[Any] = []
    with client.stream("GET", "/api/v1/notifications/stream", headers=headers) as resp:
        assert resp.status_code == 200, resp.read()
        assert resp.headers["content-type"].startswith("text/event-stream")
        assert resp.headers["cache-control"] == "no-store"
        block: dict[str, str] = {}
        opened = False
        for line in resp.iter_lines():
            if not opened and on_open is not None:
                opened = True
                on_open()
            if line.startswith(":"):
                frames.append(("comment", line[1:].strip()))
            elif line == "":
                if "data" in block:
                    frames.append(("event", block.get("event"), int(block["id"]), json.loads(block["data"])))
                else:
                    if "retry" in block:
                        frames.append(("retry", int(block["retry"])))
                    if "id" in block:
                        frames.append(("cursor", int(block["id"])))
                block = {}
            else:
                key, _, value = line.partition(":")
                block[key] = value.strip()
    return frames


def _events(frames: list[Any]) -> list[dict[str, Any]]:
    return [f[3] for f in frames if f[0] == "event"]


def _deliver(app: FastAPI, client_id: str, key: str, title: str, *, hub: bool = True) -> None:
    """What the dispatcher's in-app channel does (with the app's hub: this process; without: another process)."""
    state = app.state.tandem
    channel = InAppChannel(sessions=state.sessions, hub=state.hub if hub else None)
    channel.send(OutgoingMessage(key, client_id, "inapp", "diagnosis_change", title, f"{title} 的正文"))


def _later(seconds: float, fn: Callable[[], None]) -> threading.Thread:
    t = threading.Thread(target=lambda: (time.sleep(seconds), fn()), daemon=True)
    t.start()
    return t


def test_stream_needs_login_and_refuses_a_bad_last_event_id(client: TestClient, alice: dict[str, str]) -> None:
    assert client.get("/api/v1/notifications/stream").status_code == 401
    bad = client.get("/api/v1/notifications/stream", headers={**alice, "Last-Event-ID": "12abc"})
    assert bad.status_code == 400
    assert "Last-Event-ID" in bad.json()["detail"] and "'12abc'" in bad.json()["detail"]
    neg = client.get("/api/v1/notifications/stream", headers={**alice, "Last-Event-ID": "-1"})
    assert neg.status_code == 400


def test_live_notification_reaches_only_its_owner_at_once(
    app: FastAPI, client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    uid, other = _me(client, alice), _me(client, bob)
    _deliver(app, uid, "old", "连接前的提醒")  # already on the page: a fresh stream starts after it
    app.state.tandem.live = LiveStreamConfig(heartbeat=30, poll=30, lifetime=2.0)

    def push() -> None:
        _deliver(app, other, "b1", "别人的提醒")
        _deliver(app, uid, "a1", "贵州茅台 诊断评分上升 12 分")

    frames = _read(client, alice, on_open=lambda: _later(0.3, push))
    got = _events(frames)
    assert [n["title"] for n in got] == ["贵州茅台 诊断评分上升 12 分"]
    with app.state.tandem.sessions() as db:
        old_id = db.query(NotificationRow.id).filter(NotificationRow.idempotency_key == "old").scalar()
    assert frames[:2] == [("retry", 3000), ("cursor", old_id)]  # a reconnect resumes after what the page had
    ev = next(f for f in frames if f[0] == "event")
    assert ev[1] == "notification" and ev[2] == got[0]["id"]
    assert got[0]["category"] == "diagnosis_change" and got[0]["read"] is False
    # with a 30 s poll only the in-process wake-up can have delivered it inside the 2 s the stream lived


def test_resume_with_last_event_id_sends_exactly_what_was_missed(
    app: FastAPI, client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    uid, other = _me(client, alice), _me(client, bob)
    for i in range(3):
        _deliver(app, uid, f"r{i}", f"提醒 {i}")
    _deliver(app, other, "rb", "bob 的")
    with app.state.tandem.sessions() as db:
        first = min(r.id for r in db.query(NotificationRow).filter(NotificationRow.client_id == uid))
    app.state.tandem.live = LiveStreamConfig(heartbeat=30, poll=30, lifetime=0.5)
    got = _events(_read(client, {**alice, "Last-Event-ID": str(first)}))
    assert [n["title"] for n in got] == ["提醒 1", "提醒 2"]
    assert [n["id"] for n in got] == sorted(n["id"] for n in got)
    everything = _events(_read(client, {**alice, "Last-Event-ID": "0"}))
    assert [n["title"] for n in everything] == ["提醒 0", "提醒 1", "提醒 2"]  # never bob's
    # the page's first connection starts after the newest notification it was rendered with (``after``), so the
    # ones stored between rendering and connecting still arrive; a reconnect's Last-Event-ID wins over the URL
    page = client.get("/news", headers=alice).text
    rendered = int(re.search(r'data-after="(\d+)"', page).group(1))  # type: ignore[union-attr]
    assert rendered == max(n["id"] for n in everything)
    _deliver(app, uid, "r3", "渲染后连接前")
    with client.stream("GET", f"/api/v1/notifications/stream?after={rendered}", headers=alice) as resp:
        lines = list(resp.iter_lines())
    assert any("渲染后连接前" in line for line in lines)
    with client.stream(
        "GET", "/api/v1/notifications/stream?after=0", headers={**alice, "Last-Event-ID": str(first)}
    ) as resp:
        titles = [line for line in resp.iter_lines() if line.startswith("data:")]
    assert len(titles) == 3 and "提醒 0" not in "".join(titles)  # after the header's id, not the URL's 0
    assert client.get("/api/v1/notifications/stream?after=-5", headers=alice).status_code == 422


def test_heartbeats_keep_a_quiet_stream_open(app: FastAPI, client: TestClient, alice: dict[str, str]) -> None:
    app.state.tandem.live = LiveStreamConfig(heartbeat=0.2, poll=0.1, lifetime=1.0)
    started = time.monotonic()
    frames = _read(client, alice)
    beats = [f for f in frames if f == ("comment", "heartbeat")]
    assert 3 <= len(beats) <= 6, frames
    assert 0.9 <= time.monotonic() - started < 3.0  # the server ends the stream after its lifetime


def test_a_notification_stored_by_another_process_arrives_by_polling(
    app: FastAPI, client: TestClient, alice: dict[str, str]
) -> None:
    uid = _me(client, alice)
    app.state.tandem.live = LiveStreamConfig(heartbeat=30, poll=0.3, lifetime=1.5)
    elsewhere = lambda: _deliver(app, uid, "x", "别处派发", hub=False)  # noqa: E731
    got = _events(_read(client, alice, on_open=lambda: _later(0.2, elsewhere)))
    assert [n["title"] for n in got] == ["别处派发"]
    assert app.state.tandem.waiters.waiting(uid) == 0  # the stream's waiter left with it


@pytest.mark.redis
def test_redis_wake_channel_reaches_a_worker_that_did_not_deliver(
    web_settings: Settings, sample_store: MarketStore, redis_url: str
) -> None:
    settings = web_settings.model_copy(update={"redis_url": redis_url})
    app = create_app(settings, store=sample_store)
    from tandem.identity import issue_token
    from tandem.identity.accounts import create_user

    state = app.state.tandem
    with state.sessions() as db:
        user = create_user(db, state.keys, username="redis.sse@example.com", password="Correct-horse-42")
        db.commit()
        token, _ = issue_token(state.keys.jwt, user_id=user.id, token_version=user.token_version)
    uid = str(user.id)
    state.live = LiveStreamConfig(heartbeat=30, poll=30, lifetime=2.5)  # no poll inside the stream's life
    redis = Redis.from_url(redis_url)
    # the CLI dispatcher's channel: its own connection to Redis, nothing shared with the app's process state
    other_process = InAppChannel(sessions=state.sessions, hub=RedisStreamHub(Redis.from_url(redis_url)))
    try:
        with TestClient(app) as client:  # runs the lifespan, which starts the wake listener
            time.sleep(0.3)
            frames = _read(
                client,
                {"Authorization": f"Bearer {token}"},
                on_open=lambda: _later(
                    0.3,
                    lambda: other_process.send(
                        OutgoingMessage("rk", uid, "inapp", "mover", "宁德时代 涨停封板", "300750.SZ")
                    ),
                ),
            )
        assert [n["title"] for n in _events(frames)] == ["宁德时代 涨停封板"]
    finally:
        redis.delete(f"tandem:notify:{uid}")
        redis.close()


def test_uvicorn_shutdown_is_not_held_by_an_open_stream(
    web_settings: Settings, sample_store: MarketStore, tmp_path: Path
) -> None:
    import uvicorn

    from tandem.cli.serve import GRACEFUL_SHUTDOWN_S
    from tandem.identity import issue_token
    from tandem.identity.accounts import create_user

    app = create_app(web_settings, store=sample_store)
    state = app.state.tandem
    state.live = LiveStreamConfig(heartbeat=0.5, poll=0.5, lifetime=3600)  # a stream that would never end alone
    with state.sessions() as db:
        user = create_user(db, state.keys, username="shutdown@example.com", password="Correct-horse-42")
        db.commit()
        token, _ = issue_token(state.keys.jwt, user_id=user.id, token_version=user.token_version)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)
    got: list[str] = []

    def listen() -> None:
        headers = {"Authorization": f"Bearer {token}"}
        try:
            with httpx.stream("GET", f"http://127.0.0.1:{port}/api/v1/notifications/stream", headers=headers) as r:
                for line in r.iter_lines():
                    got.append(line)
        except httpx.HTTPError:
            got.append("closed")

    reader = threading.Thread(target=listen, daemon=True)
    reader.start()
    while ": heartbeat" not in got and time.monotonic() < deadline:
        time.sleep(0.05)
    assert ": heartbeat" in got  # the stream is open and live
    stopping = time.monotonic()
    server.should_exit = True
    thread.join(timeout=GRACEFUL_SHUTDOWN_S + 10)
    assert not thread.is_alive(), "uvicorn still waiting on the open stream"
    assert time.monotonic() - stopping < GRACEFUL_SHUTDOWN_S + 5
    reader.join(timeout=5)
    assert not reader.is_alive()


def test_an_open_stream_holds_no_database_connection(app: FastAPI, client: TestClient, alice: dict[str, str]) -> None:
    state = app.state.tandem
    state.live = LiveStreamConfig(heartbeat=0.2, poll=0.1, lifetime=1.0)
    pool = state.sessions.kw["bind"].pool
    held: list[int] = []
    with client.stream("GET", "/api/v1/notifications/stream", headers=alice) as resp:
        for line in resp.iter_lines():
            if line == ": heartbeat":
                held.append(pool.checkedout())
    assert held and max(held) == 0  # the caller check and every table read returned their connection

"""``POST /api/v1/events``: batches stored all or nothing, replays change nothing, errors name index and field."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.engagement.event_factory import event_store_root
from tandem.engagement.event_store import ParquetEventStore


def _me(client: TestClient, headers: dict[str, str]) -> int:
    return int(client.get("/api/v1/me", headers=headers).json()["id"])


def _event(uid: int, **over: object) -> dict[str, object]:
    base: dict[str, object] = {
        "event_id": str(uuid.uuid4()),
        "type": "stock_view",
        "client_id": uid,
        "object_id": "600519.SH",
        "client_time": datetime.now(UTC).isoformat(),
        "session_id": "s-1",
        "channel": "web",
    }
    base.update(over)
    return base


def _stored(app: FastAPI) -> int:
    return ParquetEventStore(event_store_root(app.state.tandem.settings)).read().height


def test_a_good_batch_is_stored_and_a_replay_changes_nothing(
    app: FastAPI, client: TestClient, alice: dict[str, str]
) -> None:
    uid = _me(client, alice)
    batch = [_event(uid), _event(uid, type="search", object_id=None, properties={"query": "茅台"})]
    first = client.post("/api/v1/events", json={"events": batch}, headers=alice)
    assert first.status_code == 202 and first.json() == {"received": 2, "stored": 2, "duplicates": 0}
    again = client.post("/api/v1/events", json={"events": batch}, headers=alice)
    assert again.json() == {"received": 2, "stored": 0, "duplicates": 2}
    assert _stored(app) == 2


def test_one_bad_event_refuses_the_batch_naming_index_and_field(
    app: FastAPI, client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    uid, other = _me(client, alice), _me(client, bob)
    future = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    cases = [
        (_event(uid, type="teleport"), "type"),
        (_event(uid, client_time=future), "client_time"),
        (_event(other), "client_id"),
    ]
    for bad, field in cases:
        r = client.post("/api/v1/events", json={"events": [_event(uid), bad]}, headers=alice)
        assert r.status_code == 422, r.text
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["errors"][0]["index"] == 1 and r.json()["errors"][0]["field"] == field
    assert _stored(app) == 0


def test_oversized_and_anonymous_batches_are_refused(client: TestClient, alice: dict[str, str]) -> None:
    uid = _me(client, alice)
    assert client.post("/api/v1/events", json={"events": [_event(uid)]}).status_code == 401
    r = client.post("/api/v1/events", json={"events": [_event(uid) for _ in range(501)]}, headers=alice)
    assert r.status_code == 422

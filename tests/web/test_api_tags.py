"""My interest tags come from my own events; a deleted tag is not recomputed from old events (PIPL Art.24)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fastapi.testclient import TestClient


def _views(uid: int, codes: list[str]) -> list[dict[str, object]]:
    return [
        {
            "event_id": str(uuid.uuid4()), "type": "stock_view", "client_id": uid, "object_id": code,
            "client_time": datetime.now(UTC).isoformat(), "session_id": "s", "channel": "web",
        }
        for code in codes
    ]  # fmt: skip


def test_tags_are_inferred_listed_and_deleted_for_good(client: TestClient, alice: dict[str, str]) -> None:
    uid = int(client.get("/api/v1/me", headers=alice).json()["id"])
    assert client.get("/api/v1/me/tags", headers=alice).json()["tags"] == []
    views = _views(uid, ["600519.SH"] * 5)
    assert client.post("/api/v1/events", json={"events": views}, headers=alice).status_code == 202
    tags = client.get("/api/v1/me/tags", headers=alice).json()["tags"]
    assert tags, "viewing one stock five times must give an interest tag"
    key = tags[0]["key"]
    assert client.delete(f"/api/v1/me/tags/{key}", headers=alice).status_code == 204
    assert key not in [t["key"] for t in client.get("/api/v1/me/tags", headers=alice).json()["tags"]]
    more = _views(uid, ["000001.SZ"] * 5)  # new events about another stock re-fold the profile from all events
    client.post("/api/v1/events", json={"events": more}, headers=alice)
    after = [t["key"] for t in client.get("/api/v1/me/tags", headers=alice).json()["tags"]]
    assert key not in after, "the deleted tag came back from the old events"
    assert client.delete("/api/v1/me/tags/no:such-tag", headers=alice).status_code == 404
    assert client.delete("/api/v1/me/tags", headers=alice).status_code == 204
    assert client.get("/api/v1/me/tags", headers=alice).json()["tags"] == []
    assert client.get("/api/v1/me/tags").status_code == 401


def test_the_algorithm_principles_are_published_and_linked(client: TestClient, alice: dict[str, str]) -> None:
    page = client.get("/news/algorithm")
    assert page.status_code == 200 and "第十六条" in page.text and "/api/v1/me/tags" in page.text
    assert "适当性" in page.text and "不使用个性化推荐" in page.text
    assert 'href="/news/algorithm"' in client.get("/news", headers=alice).text
    assert "Art. 16" in client.get("/news/algorithm?lang=en").text

"""In-app pushes reach the 资讯 tab and the API, each client only their own."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tandem.engagement.delivery.models import NotificationRow


def _me(client: TestClient, headers: dict[str, str]) -> int:
    return int(client.get("/api/v1/me", headers=headers).json()["id"])


def test_notifications_are_listed_for_their_owner_only(
    app: FastAPI, client: TestClient, alice: dict[str, str], bob: dict[str, str]
) -> None:
    uid, other = _me(client, alice), _me(client, bob)
    with app.state.tandem.sessions() as db:
        db.add_all(
            [
                NotificationRow(
                    idempotency_key="n1", client_id=str(uid), category="alert", title="贵州茅台 涨停",
                    body="600519.SH 今日触及涨停价", payload={"rule": "limit_up_hit"},
                ),
                NotificationRow(
                    idempotency_key="n2", client_id=str(other), category="alert", title="别人的提醒",
                    body="not for alice", payload={},
                ),
            ]
        )  # fmt: skip
        db.commit()
    mine = client.get("/api/v1/notifications", headers=alice).json()
    assert [n["title"] for n in mine] == ["贵州茅台 涨停"] and mine[0]["reason"] == "limit_up_hit"
    page = client.get("/news", headers=alice).text
    assert "我的提醒" in page and "贵州茅台 涨停" in page and "别人的提醒" not in page
    assert client.get("/api/v1/notifications").status_code == 401

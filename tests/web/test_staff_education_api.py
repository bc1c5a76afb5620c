"""The education track and the WeCom binding over HTTP: lessons set in order, enrolment refused above the client's
level (409, nothing written) and accepted within it, progress from the client's own ``content_read`` events
(replay changes nothing), the track on the client page; another advisor gets 404."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.advisor.access import require_staff
from tandem.advisor.assignments import assign_clients
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.identity import User
from tandem.wealth.models import RiskAssessmentRow

GOOD = "认识基金的风险。\n" + risk_disclaimer("zh", kind="fund")


def ids(app: FastAPI) -> list[int]:
    with app.state.tandem.sessions() as db:
        return list(db.scalars(select(User.id).order_by(User.id)))


def approved(client: TestClient, adv: dict[str, str], comp: dict[str, str], **fields: object) -> int:
    body = {"category": "投教", "audience_risk": "R2", "body": GOOD} | fields
    item = client.post("/api/v1/content", headers=adv, json=body).json()
    v = client.post(f"/api/v1/content/{item['item_id']}/submit", headers=adv).json()
    assert client.post(f"/api/v1/compliance/reviews/{v['id']}", headers=comp, json={"approve": True}).status_code == 200
    return int(item["item_id"])


def read_event(client_id: int, lesson: int, *, dwell: int = 30_000) -> dict[str, object]:
    return {
        "event_id": str(uuid.uuid4()),
        "client_id": client_id,
        "type": "content_read",
        "object_id": f"content:{lesson}",
        "properties": {"dwell_ms": dwell},
        "client_time": datetime.now(UTC).isoformat(),
        "session_id": "s-1",
        "channel": "h5",
    }


def test_education_and_binding_journey(
    app: FastAPI, client: TestClient, make_user: Callable[..., dict[str, str]]
) -> None:
    adv, comp = make_user("adv@example.com", "advisor"), make_user("comp@example.com", "compliance")
    other = make_user("adv2@example.com", "advisor")
    make_user("ops@example.com", "operations")
    c3_headers = make_user("c3@example.com")
    make_user("c1@example.com")
    adv_id, _, _, ops_id, c3, c1 = ids(app)
    with app.state.tandem.sessions() as db:
        ops = require_staff(user_id=ops_id, role="operations")
        assign_clients(db, ops, client_user_ids=[c3, c1], advisor_id=adv_id, reason="分配")
        now = datetime.now(UTC)
        for cid, cat in ((c3, "C3"), (c1, "C1")):
            db.add(
                RiskAssessmentRow(
                    client_id=f"user:{cid}", questionnaire_version="t", answers={}, score=40, category=cat,
                    assessed_at=now - timedelta(days=1), valid_until=now + timedelta(days=300),
                )
            )  # fmt: skip
        db.commit()
    lessons = [approved(client, adv, comp, kind="article", title=f"第{i}课") for i in (1, 2)]
    course = approved(client, adv, comp, kind="course", title="基金入门", lessons=["风险", "费用"])
    r = client.put(f"/api/v1/advisor/courses/{course}/lessons", headers=adv, json={"lesson_item_ids": [lessons[1]] * 2})
    assert r.status_code == 400 and "appears twice" in r.json()["detail"]
    r = client.put(f"/api/v1/advisor/courses/{course}/lessons", headers=adv, json={"lesson_item_ids": lessons})
    assert r.status_code == 200 and r.json() == {"lessons": 2}

    r = client.post(f"/api/v1/advisor/clients/{c1}/courses", headers=adv, json={"course_item_id": course})
    assert r.status_code == 409 and "above client" in r.json()["detail"]
    assert client.get(f"/api/v1/advisor/clients/{c1}/education", headers=adv).json() == []
    r = client.post(f"/api/v1/advisor/clients/{c3}/courses", headers=adv, json={"course_item_id": course})
    assert r.status_code == 201 and r.json()["total"] == 2 and r.json()["next_lesson"]["item_id"] == lessons[0]
    assert client.get(f"/api/v1/advisor/clients/{c3}/education", headers=other).status_code == 404

    batch = {"events": [read_event(c3, lessons[0])]}
    assert client.post("/api/v1/events", headers=c3_headers, json=batch).status_code == 202
    assert client.post("/api/v1/events", headers=c3_headers, json=batch).json()["duplicates"] == 1
    (track,) = client.get(f"/api/v1/advisor/clients/{c3}/education", headers=adv).json()
    assert track["done"] == 1 and track["next_lesson"]["item_id"] == lessons[1] and track["completed_at"] is None
    client.post("/api/v1/events", headers=c3_headers, json={"events": [read_event(c3, lessons[1])]})
    page = client.get(f"/api/v1/advisor/clients/{c3}", headers=adv).json()
    (track,) = page["education"]
    assert track["done"] == 2 and track["next_lesson"] is None and track["completed_at"] is not None

    b = client.post(f"/api/v1/advisor/clients/{c3}/wecom-binding", headers=adv).json()
    assert b["binding_code"].startswith("tdm-") and b["bound"] is False
    again = client.post(f"/api/v1/advisor/clients/{c3}/wecom-binding", headers=adv).json()
    assert again["binding_code"] == b["binding_code"]
    assert client.post(f"/api/v1/advisor/clients/{c3}/wecom-binding", headers=other).status_code == 404

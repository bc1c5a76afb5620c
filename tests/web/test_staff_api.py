"""The advisor workbench API: an advisor sees their own book and client, another advisor's client is 404,
investors are 403, operations assign, tasks close with a note."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.advisor.access import require_staff
from tandem.advisor.assignments import assign_clients
from tandem.advisor.models import AdvisorTask
from tandem.identity import User
from tandem.wealth.models import RiskAssessmentRow


def _id(app: FastAPI, login_part: str) -> int:
    with app.state.tandem.sessions() as db:
        users = db.scalars(select(User).order_by(User.id)).all()
        return [u.id for u in users][int(login_part)]


def test_staff_api_journey(app: FastAPI, client: TestClient, make_user: Callable[..., dict[str, str]]) -> None:
    ops = make_user("ops@example.com", "operations")
    adv = make_user("adv1@example.com", "advisor")
    other = make_user("adv2@example.com", "advisor")
    investor = make_user("client1@example.com")
    make_user("client2@example.com")
    ops_id, adv_id, other_id, c1, c2 = (_id(app, str(i)) for i in range(5))

    r = client.post(
        "/api/v1/advisor/assignments",
        headers=ops,
        json={"client_user_ids": [c1], "advisor_id": adv_id, "reason": "新客户分配"},
    )
    assert r.status_code == 201 and r.json() == {"changed": 1}
    r = client.post(
        "/api/v1/advisor/assignments",
        headers=adv,
        json={"client_user_ids": [c2], "advisor_id": adv_id, "reason": "自己分配"},
    )
    assert r.status_code == 403
    with app.state.tandem.sessions() as db:
        staff = require_staff(user_id=ops_id, role="operations")
        assign_clients(db, staff, client_user_ids=[c2], advisor_id=other_id, reason="分配")
        now = datetime.now(UTC)
        db.add(
            RiskAssessmentRow(
                client_id=f"user:{c1}",
                questionnaire_version="t",
                answers={},
                score=40,
                category="C3",
                assessed_at=now - timedelta(days=350),
                valid_until=now + timedelta(days=15),
            )
        )
        db.add(
            AdvisorTask(
                rule_key=f"assessment_expiring:{c1}:x",
                kind="assessment_expiring",
                client_user_id=c1,
                advisor_id=adv_id,
                title="风险测评将到期",
                due_at=now + timedelta(days=8),
            )
        )
        db.commit()

    book = client.get("/api/v1/advisor/clients", headers=adv).json()
    assert [row["user_id"] for row in book["items"]] == [c1] and book["items"][0]["category"] == "C3"
    page = client.get(f"/api/v1/advisor/clients/{c1}", headers=adv)
    assert page.status_code == 200 and page.json()["tasks"][0]["title"] == "风险测评将到期"
    assert client.get(f"/api/v1/advisor/clients/{c2}", headers=adv).status_code == 404
    assert (
        client.post(
            f"/api/v1/advisor/clients/{c2}/contacts", headers=adv, json={"kind": "call", "note": "x"}
        ).status_code
        == 404
    )
    assert client.get("/api/v1/advisor/clients", headers=investor).status_code == 403
    assert client.get(f"/api/v1/advisor/clients/{c2}", headers=ops).status_code == 200

    assert (
        client.post(
            f"/api/v1/advisor/clients/{c1}/contacts", headers=adv, json={"kind": "call", "note": "已提醒重新测评"}
        ).status_code
        == 201
    )
    (task,) = client.get("/api/v1/advisor/tasks", headers=adv).json()
    assert client.post(f"/api/v1/advisor/tasks/{task['id']}/done", headers=other, json={"note": "x"}).status_code == 404
    done = client.post(f"/api/v1/advisor/tasks/{task['id']}/done", headers=adv, json={"note": "客户已约周五测评"})
    assert done.status_code == 200 and done.json()["status"] == "done"
    assert client.get("/api/v1/advisor/tasks", headers=adv).json() == []

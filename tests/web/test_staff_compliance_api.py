"""Content review and sending over HTTP: a promise of returns never reaches the queue, compliance rejects a
subtler one with a reason, an approved item is sent per suitability and shows in the CSV archive."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.advisor.access import require_staff
from tandem.advisor.assignments import assign_clients, set_registration_no
from tandem.advisor.models import WeComContactRow
from tandem.advisor.wecom.directory import set_member_userid
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.identity import User
from tandem.wealth.models import RiskAssessmentRow

GOOD = "基金定投的纪律。\n" + risk_disclaimer("zh", kind="fund")


def ids(app: FastAPI) -> list[int]:
    with app.state.tandem.sessions() as db:
        return list(db.scalars(select(User.id).order_by(User.id)))


def item(title: str, body: str, risk: str = "R3") -> dict[str, object]:
    return {"kind": "article", "title": title, "category": "投教", "audience_risk": risk, "body": body}


def test_review_and_send_journey(app: FastAPI, client: TestClient, make_user: Callable[..., dict[str, str]]) -> None:
    adv, comp = make_user("adv@example.com", "advisor"), make_user("comp@example.com", "compliance")
    make_user("ops@example.com", "operations")
    make_user("c3@example.com")
    make_user("c1@example.com")
    adv_id, _, ops_id, c3, c1 = ids(app)
    with app.state.tandem.sessions() as db:
        staff = require_staff(user_id=ops_id, role="operations")
        set_registration_no(db, staff, advisor_id=adv_id, registration_no="A0150620080009")
        set_member_userid(db, staff, advisor_id=adv_id, userid="adv")
        assign_clients(db, staff, client_user_ids=[c3, c1], advisor_id=adv_id, reason="分配")
        now = datetime.now(UTC)
        for cid, cat in ((c3, "C3"), (c1, "C1")):
            db.add(
                RiskAssessmentRow(
                    client_id=f"user:{cid}",
                    questionnaire_version="t",
                    answers={},
                    score=40,
                    category=cat,
                    assessed_at=now - timedelta(days=1),
                    valid_until=now + timedelta(days=300),
                )
            )
        # c3 added the advisor on WeCom through their binding code (what the directory sync records)
        db.add(WeComContactRow(client_user_id=c3, binding_code="tdm-c3", member_userid="adv", external_userid="wmC3"))
        db.commit()

    promise = client.post("/api/v1/content", headers=adv, json=item("稳赚", "坚持定投稳赚不赔。\n" + GOOD)).json()
    r = client.post(f"/api/v1/content/{promise['item_id']}/submit", headers=adv)
    assert r.status_code == 400 and "稳赚不赔" in r.json()["detail"]
    assert client.get("/api/v1/compliance/reviews", headers=comp).json() == []

    subtle = client.post("/api/v1/content", headers=adv, json=item("年化", "历史上年化可达 15%。\n" + GOOD)).json()
    assert client.post(f"/api/v1/content/{subtle['item_id']}/submit", headers=adv).status_code == 200
    assert client.get("/api/v1/compliance/reviews", headers=adv).status_code == 403
    (queued,) = client.get("/api/v1/compliance/reviews", headers=comp).json()
    r = client.post(
        f"/api/v1/compliance/reviews/{queued['id']}",
        headers=comp,
        json={"approve": False, "reasons": ["以历史收益暗示未来收益，属收益承诺"]},
    )
    assert r.status_code == 200 and r.json()["status"] == "rejected"

    good = client.post("/api/v1/content", headers=adv, json=item("定投纪律", GOOD)).json()
    v = client.post(f"/api/v1/content/{good['item_id']}/submit", headers=adv).json()
    assert client.post(f"/api/v1/compliance/reviews/{v['id']}", headers=comp, json={"approve": True}).status_code == 200
    report = client.post(
        "/api/v1/advisor/sends", headers=adv, json={"item_id": good["item_id"], "client_user_ids": [c3, c1]}
    ).json()
    assert report["sent"] == [c3] and report["rejected"][0]["client_user_id"] == c1
    rows = list(csv.DictReader(io.StringIO(client.get("/api/v1/compliance/archive.csv", headers=comp).text)))
    assert {(int(r["client_user_id"]), r["decision"]) for r in rows} == {(c3, "sent"), (c1, "rejected")}
    assert all(r["content_version_id"] == str(v["id"]) for r in rows)
    audit = client.get(f"/api/v1/compliance/audit?client_user_id={c3}", headers=comp).json()
    assert [a["action"] for a in audit] == ["suitability.check"]
    assert client.get("/api/v1/compliance/audit", headers=adv).status_code == 403

"""我的学习: the client sees the courses an advisor enrolled them in, opens only their own lessons, and reading a
lesson in the page (its content_read with the time on screen) moves the track."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from tandem.advisor.access import require_staff
from tandem.advisor.assignments import assign_clients
from tandem.advisor.content import create_item, review, submit
from tandem.advisor.education import enrol, set_lessons
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.identity import User
from tandem.wealth.models import RiskAssessmentRow

BODY = "认识基金的风险等级：R1 到 R5。\n" + risk_disclaimer("zh", kind="fund")


def _course(app: FastAPI) -> tuple[int, list[int], int]:
    """A three-lesson R2 course, approved, with the client (C3, assigned to an advisor) enrolled."""
    state = app.state.tandem
    now = datetime.now(UTC)
    with state.sessions() as db:
        ids = {}
        for role in ("advisor", "compliance", "operations"):
            u = User(login_hash=uuid.uuid4().hex, login_enc=b"x", login_kind="email", role=role, password_hash="-")
            db.add(u)
            db.flush()
            ids[role] = require_staff(user_id=u.id, role=role)
        adv, comp, ops = ids["advisor"], ids["compliance"], ids["operations"]

        def approved(kind: str, title: str) -> int:
            v = create_item(db, adv, kind=kind, title=title, category="投教", tags=[], audience_risk="R2", body=BODY,
                            lessons=["三节课"] if kind == "course" else None)  # fmt: skip
            submit(db, adv, item_id=v.item_id, now=now - timedelta(days=1))
            review(db, comp, MemoryAuditLog(), version_id=v.id, approve=True, reasons=[], now=now - timedelta(days=1))
            return v.item_id

        lessons = [approved("article", f"第{i}课 风险等级") for i in (1, 2, 3)]
        course = approved("course", "基金入门")
        set_lessons(db, adv, course_item_id=course, lesson_item_ids=lessons)
        client = db.scalars(select(User).where(User.role == "investor").order_by(User.id.desc())).first()
        assert client is not None
        assign_clients(db, ops, client_user_ids=[client.id], advisor_id=adv.user_id, reason="分配", now=now)
        db.add(RiskAssessmentRow(client_id=f"user:{client.id}", questionnaire_version="t", answers={}, score=55,
                                 category="C3", assessed_at=now, valid_until=now + timedelta(days=365)))  # fmt: skip
        db.flush()
        enrol(db, adv, MemoryAuditLog(), course_item_id=course, client_user_id=client.id, now=now - timedelta(hours=1))
        db.commit()
    return course, lessons, client.id


def test_my_courses_lessons_and_progress(
    app: FastAPI, client: TestClient, make_user: Callable[..., dict[str, str]]
) -> None:
    bob = make_user("bob@example.com")  # no course
    carol = make_user("carol@example.com")
    _, lessons, carol_id = _course(app)  # the newest investor: carol
    assert "还没有课程" in client.get("/me/learning", headers=bob).text
    page = client.get("/me/learning", headers=carol).text
    assert "基金入门" in page and "已学 0/3 节" in page and "下一节" in page
    lesson = client.get(f"/me/learning/lessons/{lessons[0]}", headers=carol)
    assert lesson.status_code == 200 and f'data-track-content="{lessons[0]}"' in lesson.text
    assert "第 1/3 节" in lesson.text and "合规审核通过的第 1 版" in lesson.text and "风险" in lesson.text
    assert client.get(f"/me/learning/lessons/{lessons[0]}", headers=bob).status_code == 404  # not bob's course
    assert client.get("/me/learning/lessons/999999", headers=carol).status_code == 404
    assert client.get("/me/learning").status_code in (303, 401)  # needs login

    # what events.js sends when the lesson was on screen: a short glance does not count, a read does
    def read(item: int, dwell: int) -> int:
        batch = {"events": [{"event_id": str(uuid.uuid4()), "client_id": carol_id, "type": "content_read",
                             "object_id": f"content:{item}",
                             "client_time": datetime.now(UTC).isoformat(), "session_id": "s", "channel": "web",
                             "properties": {"dwell_ms": dwell}}]}  # fmt: skip
        return client.post("/api/v1/events", json=batch, headers=carol).status_code

    assert read(lessons[0], 1_500) == 202
    assert "已学 0/3 节" in client.get("/me/learning", headers=carol).text
    assert read(lessons[0], 8_000) == 202
    after = client.get("/me/learning", headers=carol).text
    assert "已学 1/3 节" in after and f'data-lesson="{lessons[0]}" class="read"' in after
    english = client.get("/me/learning?lang=en", headers=carol).text
    assert "1 of 3 lessons read" in english

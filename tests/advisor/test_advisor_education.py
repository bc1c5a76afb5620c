"""The education track: courses as ordered approved lessons, suitability at enrolment (audited), progress from
``content_read`` events (idempotent, dwell and approval respected), next lesson, completion, the client page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from advisor_people import add_assessment, add_user
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_staff
from tandem.advisor.assignments import assign_clients
from tandem.advisor.client_page import client_page
from tandem.advisor.content import create_item, review, submit
from tandem.advisor.education import client_track, enrol, record_reads, set_lessons, track
from tandem.advisor.models import CourseEnrolment, CourseLesson, LessonProgress
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.engagement.events import Channel, Event, EventType
from tandem.identity import User, make_keys
from tandem.identity.pii import encrypt

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
BODY = "认识基金的风险等级。\n" + risk_disclaimer("zh", kind="fund")


def staff(db: Session, role: str) -> Staff:
    return require_staff(user_id=add_user(db, role, f"{role}-1").id, role=role)


def approved(
    db: Session, author: Staff, comp: Staff, audit: MemoryAuditLog, *, kind: str, title: str, risk: str
) -> int:
    lessons = ["本课程由多节课组成"] if kind == "course" else None
    v = create_item(
        db,
        author,
        kind=kind,
        title=title,
        category="投教",
        tags=["入门"],
        audience_risk=risk,
        body=BODY,
        lessons=lessons,
    )
    submit(db, author, item_id=v.item_id, now=NOW - timedelta(days=2))
    review(db, comp, audit, version_id=v.id, approve=True, reasons=[], now=NOW - timedelta(days=2))
    return v.item_id


def read(client: int, lesson: int, at: datetime, dwell: int = 60_000) -> Event:
    return Event(
        str(uuid.uuid4()),
        client,
        EventType.CONTENT_READ,
        f"content:{lesson}",
        {"dwell_ms": dwell},
        at,
        at,
        "s1",
        Channel.H5,
    )


@pytest.fixture
def world(db: Session) -> dict[str, object]:
    ops, adv, comp = staff(db, "operations"), staff(db, "advisor"), staff(db, "compliance")
    audit = MemoryAuditLog()
    lessons = [approved(db, adv, comp, audit, kind="article", title=f"第{i}课", risk="R2") for i in (1, 2, 3)]
    course = approved(db, adv, comp, audit, kind="course", title="基金入门", risk="R2")
    set_lessons(db, adv, course_item_id=course, lesson_item_ids=lessons)
    c3, c1 = add_user(db, "investor", "c3").id, add_user(db, "investor", "c1").id
    assign_clients(db, ops, client_user_ids=[c3, c1], advisor_id=adv.user_id, reason="分配", now=NOW)
    add_assessment(db, c3, "C3", assessed=NOW - timedelta(days=5))
    add_assessment(db, c1, "C1", assessed=NOW - timedelta(days=5))
    return {"adv": adv, "comp": comp, "audit": audit, "lessons": lessons, "course": course, "c3": c3, "c1": c1}


def test_lessons_must_be_approved_articles_within_the_course_level_and_a_refusal_changes_nothing(
    db: Session, world: dict[str, object]
) -> None:
    adv, comp, audit = world["adv"], world["comp"], world["audit"]
    assert isinstance(adv, Staff) and isinstance(comp, Staff) and isinstance(audit, MemoryAuditLog)
    course, lessons = int(world["course"]), list(world["lessons"])  # type: ignore[call-overload]
    risky = approved(db, adv, comp, audit, kind="article", title="衍生品", risk="R5")
    draft = create_item(db, adv, kind="article", title="草稿", category="投教", tags=[], audience_risk="R1", body=BODY)
    with pytest.raises(ValidationFailed) as err:
        set_lessons(db, adv, course_item_id=course, lesson_item_ids=[lessons[0], risky, draft.item_id, lessons[0]])
    text = str(err.value)
    assert "appears twice" in text and "above the course's R2" in text and "no approved version" in text
    order = db.scalars(select(CourseLesson.lesson_item_id).order_by(CourseLesson.position)).all()
    assert order == lessons  # unchanged
    with pytest.raises(NotFoundError, match="no course"):
        set_lessons(db, adv, course_item_id=lessons[0], lesson_item_ids=[lessons[1]])


def test_enrolment_checks_suitability_audits_it_and_refuses_above_the_client_level(
    db: Session, world: dict[str, object]
) -> None:
    adv, audit = world["adv"], world["audit"]
    assert isinstance(adv, Staff) and isinstance(audit, MemoryAuditLog)
    course, c3, c1 = int(world["course"]), int(world["c3"]), int(world["c1"])  # type: ignore[call-overload]
    with pytest.raises(ConflictError, match="above client"):
        enrol(db, adv, audit, course_item_id=course, client_user_id=c1, now=NOW)
    assert db.scalar(select(func.count()).select_from(CourseEnrolment)) == 0
    row = enrol(db, adv, audit, course_item_id=course, client_user_id=c3, now=NOW)
    assert row.category == "C3"
    checks = {e.subject: e.decision for e in audit.query(action="suitability.check")}
    assert checks[f"client:user:{c3}"] == "allowed" != checks[f"client:user:{c1}"]
    with pytest.raises(ConflictError, match="already enrolled"):
        enrol(db, adv, audit, course_item_id=course, client_user_id=c3, now=NOW)
    other = staff(db, "advisor")
    with pytest.raises(NotFoundError):
        enrol(db, other, audit, course_item_id=course, client_user_id=c3, now=NOW)
    with pytest.raises(NotFoundError):
        client_track(db, other, client_user_id=c3)


def test_reads_drive_progress_next_lesson_and_completion_once(db: Session, world: dict[str, object]) -> None:
    adv, audit = world["adv"], world["audit"]
    assert isinstance(adv, Staff) and isinstance(audit, MemoryAuditLog)
    course, c3 = int(world["course"]), int(world["c3"])  # type: ignore[call-overload]
    lessons = list(world["lessons"])  # type: ignore[call-overload]
    enrol(db, adv, audit, course_item_id=course, client_user_id=c3, now=NOW)
    (entry,) = track(db, client_user_id=c3)
    assert entry.done == 0 and entry.next_lesson is not None and entry.next_lesson.item_id == lessons[0]
    events = [
        read(c3, lessons[1], NOW + timedelta(hours=1)),
        read(c3, lessons[0], NOW + timedelta(hours=2), dwell=1_000),  # opened and closed: not a read
        read(c3, lessons[0], NOW - timedelta(days=1)),  # before enrolment: not part of the track
        read(int(world["c1"]), lessons[0], NOW + timedelta(hours=1)),  # not enrolled
    ]
    assert record_reads(db, events) == 1
    assert record_reads(db, events) == 0  # the same events again change nothing
    (entry,) = track(db, client_user_id=c3)
    assert [x.read_at is not None for x in entry.lessons] == [False, True, False]
    assert entry.next_lesson is not None and entry.next_lesson.position == 1 and entry.completed_at is None
    done_at = NOW + timedelta(hours=5)
    assert record_reads(db, [read(c3, lessons[0], NOW + timedelta(hours=3)), read(c3, lessons[2], done_at)]) == 2
    (entry,) = client_track(db, adv, client_user_id=c3)
    assert entry.done == 3 and entry.next_lesson is None and entry.completed_at == done_at
    versions = set(db.scalars(select(LessonProgress.lesson_version_id)))
    assert len(versions) == 3  # each progress row names the approved version that was read


def test_the_client_page_shows_the_track(db: Session, world: dict[str, object]) -> None:
    adv, audit = world["adv"], world["audit"]
    assert isinstance(adv, Staff) and isinstance(audit, MemoryAuditLog)
    course, c3 = int(world["course"]), int(world["c3"])  # type: ignore[call-overload]
    enrol(db, adv, audit, course_item_id=course, client_user_id=c3, now=NOW)
    keys = make_keys(b"advisor-test-secret-0123456789abcdef")
    client = db.get(User, c3)
    assert client is not None
    client.login_enc = encrypt(keys.fernet, "c3@example.com")
    page = client_page(db, adv, keys, client_user_id=c3, now=NOW)
    (entry,) = page.education
    assert entry.title == "基金入门" and len(entry.lessons) == 3 and entry.done == 0

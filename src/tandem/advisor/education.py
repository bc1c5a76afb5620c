"""The education track (投教): courses as ordered lessons, a client's enrolment and progress, next lesson, completion.

A course is a library item of kind ``course``; its lessons are other library items (articles), kept in order in
``advisor_course_lessons``. Every lesson must have an approved version and an audience risk no higher than the
course's, so enrolling a client in the course is the one suitability decision for all of its lessons: the
client's valid risk level must reach the course's audience risk (checked and audited at enrolment, like a send).

Progress comes from behaviour events, not from a button the advisor presses: a ``content_read`` event on
``content:<lesson item id>`` with at least :data:`MIN_DWELL_MS` of reading marks that lesson read for every
course the client is enrolled in that holds it, against the lesson version approved at the time of reading. The
same event applied twice changes nothing. When every lesson of the course is read the enrolment is completed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_client_access, require_role
from tandem.advisor.content import ApprovedContent, get_approved
from tandem.advisor.models import ContentItem, ContentVersion, CourseEnrolment, CourseLesson, LessonProgress
from tandem.advisor.sending import valid_categories
from tandem.advisor.snapshot import aware, wealth_id
from tandem.compliance.audit import AuditSink
from tandem.compliance.suitability import ProductRisk, check_suitability, rules_in_force
from tandem.core.db import utcnow
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.engagement.events import Event, EventType

MAX_LESSONS = 50
MIN_DWELL_MS = 5_000  # a lesson opened and closed at once was not read
LESSON_PREFIX = "content:"


@dataclass(frozen=True, slots=True)
class LessonState:
    """One lesson of a client's course: position (1-based), item, title and when the client read it."""

    position: int
    item_id: int
    title: str
    read_at: datetime | None


@dataclass(frozen=True, slots=True)
class TrackEntry:
    """One course on a client's education track, with progress and the lesson to read next."""

    enrolment_id: int
    course_item_id: int
    title: str
    audience_risk: str
    enrolled_at: datetime
    completed_at: datetime | None
    lessons: tuple[LessonState, ...]

    @property
    def done(self) -> int:
        """How many of the course's lessons the client has read."""
        return sum(1 for x in self.lessons if x.read_at is not None)

    @property
    def total(self) -> int:
        """How many lessons the course has."""
        return len(self.lessons)

    @property
    def next_lesson(self) -> LessonState | None:
        """The first unread lesson in course order (None once all are read)."""
        return next((x for x in self.lessons if x.read_at is None), None)


def _course(db: Session, course_item_id: int) -> ContentItem:
    item = db.get(ContentItem, course_item_id)
    if item is None or item.kind != "course":
        raise NotFoundError(f"no course {course_item_id} in the content library")
    return item


def set_lessons(db: Session, staff: Staff, *, course_item_id: int, lesson_item_ids: list[int]) -> list[CourseLesson]:
    """Make ``lesson_item_ids`` the course's lessons, in that order (all checked first; a refusal changes nothing)."""
    require_role(staff, "advisor", "operations")
    course = _course(db, course_item_id)
    problems = []
    if not 1 <= len(lesson_item_ids) <= MAX_LESSONS:
        problems.append(f"a course needs 1–{MAX_LESSONS} lessons, not {len(lesson_item_ids)}")
    if len(set(lesson_item_ids)) != len(lesson_item_ids):
        problems.append("a lesson appears twice; each lesson is read once per course")
    bar = ProductRisk(course.audience_risk).rank
    for lid in dict.fromkeys(lesson_item_ids):
        item = db.get(ContentItem, lid)
        if item is None or item.kind != "article":
            problems.append(f"lesson {lid}: no article {lid} in the library (a lesson is an article)")
            continue
        try:
            get_approved(db, item_id=lid)
        except NotFoundError:
            problems.append(f"lesson {lid}: has no approved version; it must pass compliance review first")
        if ProductRisk(item.audience_risk).rank > bar:
            problems.append(
                f"lesson {lid}: audience {item.audience_risk} is above the course's {course.audience_risk}; "
                "enrolment checks the course level only, so every lesson must be within it"
            )
    if problems:
        raise ValidationFailed(f"lessons of course {course_item_id} refused: " + "; ".join(problems), problems)
    db.execute(delete(CourseLesson).where(CourseLesson.course_item_id == course_item_id))
    rows = [
        CourseLesson(course_item_id=course_item_id, position=i, lesson_item_id=lid)
        for i, lid in enumerate(lesson_item_ids, 1)
    ]
    db.add_all(rows)
    db.flush()
    return rows


def _lessons(db: Session, course_item_ids: list[int]) -> dict[int, list[tuple[int, int, str]]]:
    """Per course: (position, lesson item id, title) in order."""
    q = (
        select(CourseLesson.course_item_id, CourseLesson.position, CourseLesson.lesson_item_id, ContentItem.title)
        .join(ContentItem, ContentItem.id == CourseLesson.lesson_item_id)
        .where(CourseLesson.course_item_id.in_(course_item_ids))
        .order_by(CourseLesson.course_item_id, CourseLesson.position)
    )
    out: dict[int, list[tuple[int, int, str]]] = {c: [] for c in course_item_ids}
    for cid, pos, lid, title in db.execute(q):
        out[cid].append((pos, lid, title))
    return out


def enrol(
    db: Session,
    staff: Staff,
    audit: AuditSink,
    *,
    course_item_id: int,
    client_user_id: int,
    now: datetime | None = None,
) -> CourseEnrolment:
    """Put the client on the course after the suitability check (audited); refused or repeated: nothing written."""
    require_client_access(db, staff, client_user_id=client_user_id)
    course = _course(db, course_item_id)
    get_approved(db, item_id=course_item_id)  # an unreviewed course is not offered to anyone
    if not _lessons(db, [course_item_id])[course_item_id]:
        raise ConflictError(f"course {course_item_id} has no lessons yet; set its lessons before enrolling clients")
    existing = db.scalar(
        select(CourseEnrolment).where(
            CourseEnrolment.course_item_id == course_item_id, CourseEnrolment.client_user_id == client_user_id
        )
    )
    if existing is not None:
        raise ConflictError(f"client {client_user_id} is already enrolled in course {course_item_id}")
    t = now or utcnow()
    category = valid_categories(db, [client_user_id], t).get(client_user_id)
    if category is None:
        raise ConflictError(
            f"client {client_user_id} has no valid risk assessment (客户无有效风险测评); "
            "the client completes the questionnaire first"
        )
    risk = ProductRisk(course.audience_risk)
    verdict = check_suitability(category=category, product_risk=risk, rules=rules_in_force(t.date()))
    audit.append(
        actor=staff.actor,
        action="suitability.check",
        subject=f"client:{wealth_id(client_user_id)}",
        decision=verdict.verdict.value,
        rule_version=verdict.rule_version,
        detail={"product": f"course:{course_item_id}", "category": category.value, "product_risk": risk.value},
    )
    if not verdict.may_recommend:
        raise ConflictError(
            f"course {course_item_id} ({risk.value}) is above client {client_user_id}'s level {category.value}: "
            f"{verdict.message.render('zh')}"
        )
    row = CourseEnrolment(
        course_item_id=course_item_id,
        client_user_id=client_user_id,
        category=category.value,
        enrolled_by=staff.actor,
        enrolled_at=t,
    )
    db.add(row)
    db.flush()
    return row


def _lesson_id(event: Event) -> int | None:
    if event.type is not EventType.CONTENT_READ or not event.object_id:
        return None
    tail = event.object_id.removeprefix(LESSON_PREFIX)
    if tail == event.object_id or not tail.isdigit():
        return None
    dwell = event.properties.get("dwell_ms", 0)
    return int(tail) if isinstance(dwell, int | float) and dwell >= MIN_DWELL_MS else None


def _version_at(db: Session, lesson_item_id: int, at: datetime) -> int | None:
    """The lesson version approved at ``at`` (the newest approved before it), or None."""
    rows = db.execute(
        select(ContentVersion.id, ContentVersion.reviewed_at)
        .where(ContentVersion.item_id == lesson_item_id, ContentVersion.status == "approved")
        .order_by(ContentVersion.version.desc())
    )
    for vid, reviewed in rows:
        when = aware(reviewed)
        if when is not None and when <= at:
            return int(vid)
    return None


def record_reads(db: Session, events: Iterable[Event]) -> int:
    """Apply ``content_read`` events to enrolled clients' progress; returns how many lessons became read."""
    reads: dict[tuple[int, int], Event] = {}
    for e in events:
        lid = _lesson_id(e)
        if lid is not None:
            key = (e.client_id, lid)
            if key not in reads or e.client_time < reads[key].client_time:
                reads[key] = e  # the first read counts
    if not reads:
        return 0
    clients = sorted({c for c, _ in reads})
    enrolments = list(
        db.scalars(
            select(CourseEnrolment).where(
                CourseEnrolment.client_user_id.in_(clients), CourseEnrolment.completed_at.is_(None)
            )
        )
    )
    lessons = _lessons(db, sorted({e.course_item_id for e in enrolments}))
    added = 0
    for enr in enrolments:
        plan = lessons.get(enr.course_item_id, [])
        have = set(db.scalars(select(LessonProgress.lesson_item_id).where(LessonProgress.enrolment_id == enr.id)))
        for _, lid, _ in plan:
            event = reads.get((enr.client_user_id, lid))
            if event is None or lid in have:
                continue
            at = aware(event.client_time) or event.client_time
            enrolled = aware(enr.enrolled_at) or enr.enrolled_at
            version = _version_at(db, lid, at)
            if version is None or at < enrolled:
                continue  # read before enrolment or before approval: not part of the track
            db.add(
                LessonProgress(
                    enrolment_id=enr.id,
                    lesson_item_id=lid,
                    lesson_version_id=version,
                    read_at=at,
                    event_id=event.event_id,
                )
            )
            have.add(lid)
            added += 1
            if plan and all(x in have for _, x, _ in plan):
                enr.completed_at = at
    db.flush()
    return added


def track(db: Session, *, client_user_id: int) -> list[TrackEntry]:
    """The client's courses, newest enrolment first, each with its lessons in order and what was read."""
    enrolments = list(
        db.scalars(
            select(CourseEnrolment)
            .where(CourseEnrolment.client_user_id == client_user_id)
            .order_by(CourseEnrolment.enrolled_at.desc(), CourseEnrolment.id.desc())
        )
    )
    if not enrolments:
        return []
    lessons = _lessons(db, [e.course_item_id for e in enrolments])
    read = {
        (p.enrolment_id, p.lesson_item_id): aware(p.read_at)
        for p in db.scalars(select(LessonProgress).where(LessonProgress.enrolment_id.in_([e.id for e in enrolments])))
    }
    out = []
    for e in enrolments:
        course = db.get(ContentItem, e.course_item_id)
        out.append(
            TrackEntry(
                e.id,
                e.course_item_id,
                course.title if course is not None else f"#{e.course_item_id}",
                course.audience_risk if course is not None else "",
                aware(e.enrolled_at) or e.enrolled_at,
                aware(e.completed_at),
                tuple(
                    LessonState(pos, lid, title, read.get((e.id, lid))) for pos, lid, title in lessons[e.course_item_id]
                ),
            )
        )
    return out


def client_track(db: Session, staff: Staff, *, client_user_id: int) -> list[TrackEntry]:
    """:func:`track` for staff who may open the client (another advisor's client is not found)."""
    require_client_access(db, staff, client_user_id=client_user_id)
    return track(db, client_user_id=client_user_id)


@dataclass(frozen=True, slots=True)
class LessonPage:
    """A lesson as the client reads it: the approved text, its course, and where it sits in the course."""

    course: TrackEntry
    lesson: LessonState
    content: ApprovedContent


def client_lesson(db: Session, *, client_user_id: int, lesson_item_id: int) -> LessonPage:
    """The latest approved version of a lesson of one of the client's courses; any other lesson is not found."""
    for entry in track(db, client_user_id=client_user_id):
        for state in entry.lessons:
            if state.item_id == lesson_item_id:
                return LessonPage(entry, state, get_approved(db, item_id=lesson_item_id))
    raise NotFoundError(f"lesson {lesson_item_id} is not in any of your courses")

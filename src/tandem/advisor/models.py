"""Tables of the advisor workbench: profiles, assignments, service records, tasks and the content library.

Clients and advisors are both :mod:`tandem.identity.models` users. A client has at most one advisor at a time
(``advisor_assignments.client_user_id`` is the primary key); every change of advisor is appended to
``advisor_assignment_history`` so the firm can show who served a client when. A task's ``rule_key`` is unique,
which is what makes a rule run idempotent: running the rules twice cannot create the same follow-up twice.
A content version, once approved, is never edited: a change is a new version that goes through review again.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, DateTime, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.db import Base, utcnow
from tandem.identity import models as _identity_models  # noqa: F401  # the app_users table these keys refer to


class AdvisorProfile(Base):
    """An advisor's professional data: the registration number (执业编号) printed on every advice text."""

    __tablename__ = "advisor_profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), primary_key=True)
    registration_no: Mapped[str] = mapped_column(String(32), nullable=False)
    # the advisor's WeCom member userid (成员账号): whose external contacts the directory sync lists
    wecom_userid: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    team_lead_id: Mapped[int | None] = mapped_column(ForeignKey("app_users.id"), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class ClientAssignment(Base):
    """The client's current advisor (one per client)."""

    __tablename__ = "advisor_assignments"

    client_user_id: Mapped[int] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), primary_key=True)
    advisor_id: Mapped[int] = mapped_column(ForeignKey("app_users.id"), nullable=False, index=True)
    assigned_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    assigned_by: Mapped[str] = mapped_column(String(64), nullable=False)


class AssignmentHistory(Base):
    """One change of a client's advisor (``from_advisor_id`` None: first assignment)."""

    __tablename__ = "advisor_assignment_history"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    from_advisor_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    to_advisor_id: Mapped[int] = mapped_column(Integer, nullable=False)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    actor: Mapped[str] = mapped_column(String(64), nullable=False)
    reason: Mapped[str] = mapped_column(String(200), nullable=False)


class ServiceRecord(Base):
    """One contact with a client (call, WeCom chat, meeting, sent content) — the client's service history."""

    __tablename__ = "advisor_service_records"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    advisor_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    note: Mapped[str] = mapped_column(String(500), nullable=False)


class AdvisorTask(Base):
    """A follow-up in an advisor's queue; ``rule_key`` names the rule and occasion that created it."""

    __tablename__ = "advisor_tasks"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule_key: Mapped[str] = mapped_column(String(128), nullable=False, unique=True)
    kind: Mapped[str] = mapped_column(String(32), nullable=False)
    client_user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    advisor_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="open")
    snoozed_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    note: Mapped[str | None] = mapped_column(String(500), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ContentItem(Base):
    """A library item (article, course or report template); its texts live in :class:`ContentVersion`."""

    __tablename__ = "advisor_content_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(120), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    tags: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    audience_risk: Mapped[str] = mapped_column(String(2), nullable=False)
    author_id: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class ContentVersion(Base):
    """One version of an item's text and its review state: draft → submitted → approved | rejected."""

    __tablename__ = "advisor_content_versions"
    __table_args__ = (UniqueConstraint("item_id", "version", name="uq_advisor_content_versions_item_version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("advisor_content_items.id"), nullable=False, index=True)
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    lessons: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="draft")
    review_reasons: Mapped[list[str]] = mapped_column(JSON, nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)


class SendArchiveRow(Base):
    """One recipient of one send (会话存档-style): who sent what version to whom, on which channel, and the outcome.

    Rejected recipients are archived too, with the suitability decision and reason, so the archive shows every
    decision, not only what went out. ``outbox_key`` links to the engagement outbox row whose status is the
    delivery status.
    """

    __tablename__ = "advisor_send_archive"
    __table_args__ = (UniqueConstraint("send_id", "client_user_id", name="uq_advisor_send_archive_send_client"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    send_id: Mapped[str] = mapped_column(String(36), nullable=False, index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False, index=True)
    advisor_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    client_user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    source: Mapped[str] = mapped_column(String(16), nullable=False)
    content_item_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    content_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    product_code: Mapped[str | None] = mapped_column(String(32), nullable=True)
    product_risk: Mapped[str] = mapped_column(String(2), nullable=False)
    category: Mapped[str | None] = mapped_column(String(2), nullable=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str | None] = mapped_column(Text, nullable=True)
    decision: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(String(300), nullable=False)
    rule_version: Mapped[str] = mapped_column(String(64), nullable=False)
    outbox_key: Mapped[str | None] = mapped_column(String(64), nullable=True)
    # WeCom customer mass messages (客户群发) this row used — one per part; what the monthly allowance counts
    mass_messages: Mapped[int | None] = mapped_column(Integer, nullable=True)


class CourseLesson(Base):
    """One lesson of a course, in order: each lesson is a library item with its own reviewed versions."""

    __tablename__ = "advisor_course_lessons"
    __table_args__ = (UniqueConstraint("course_item_id", "lesson_item_id", name="uq_advisor_course_lessons_lesson"),)

    course_item_id: Mapped[int] = mapped_column(ForeignKey("advisor_content_items.id"), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    lesson_item_id: Mapped[int] = mapped_column(ForeignKey("advisor_content_items.id"), nullable=False, index=True)


class CourseEnrolment(Base):
    """A client on a course (their education track); ``completed_at`` is set when every lesson was read."""

    __tablename__ = "advisor_course_enrolments"
    __table_args__ = (UniqueConstraint("course_item_id", "client_user_id", name="uq_advisor_course_enrolments"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    course_item_id: Mapped[int] = mapped_column(ForeignKey("advisor_content_items.id"), nullable=False)
    client_user_id: Mapped[int] = mapped_column(Integer, nullable=False, index=True)
    category: Mapped[str] = mapped_column(String(2), nullable=False)
    enrolled_by: Mapped[str] = mapped_column(String(64), nullable=False)
    enrolled_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class LessonProgress(Base):
    """A lesson the enrolled client read: which approved version, when, and the behaviour event that said so."""

    __tablename__ = "advisor_lesson_progress"
    __table_args__ = (UniqueConstraint("enrolment_id", "lesson_item_id", name="uq_advisor_lesson_progress"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("advisor_course_enrolments.id"), nullable=False, index=True)
    lesson_item_id: Mapped[int] = mapped_column(Integer, nullable=False)
    lesson_version_id: Mapped[int] = mapped_column(Integer, nullable=False)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    event_id: Mapped[str | None] = mapped_column(String(64), nullable=True)


class WeComContactRow(Base):
    """The external-contact directory: a client's binding code and, once WeCom shows it, the contact it bound to.

    Tandem issues the code; the client adds their advisor through a 联系我 link whose ``state`` is the code, so
    WeCom's ``follow_user[].state`` names the client. Until the sync finds it, ``external_userid`` is None and
    the client is *not bound*: nothing is sent to them on WeCom (no id is ever guessed).
    """

    __tablename__ = "advisor_wecom_contacts"

    client_user_id: Mapped[int] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), primary_key=True)
    binding_code: Mapped[str] = mapped_column(String(30), nullable=False, unique=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)
    member_userid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    external_userid: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), nullable=True)
    follow_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    source: Mapped[str | None] = mapped_column(String(32), nullable=True)
    synced_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)

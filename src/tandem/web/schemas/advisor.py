"""Schemas of the advisor workbench API (``/api/v1/advisor``): book rows, client page, tasks, assignments."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class BookRowPublic(BaseModel):
    """One client in the book; the name is masked."""

    model_config = ConfigDict(from_attributes=True)

    user_id: int
    name: str
    category: str | None
    valid_until: datetime | None
    days_left: int | None
    plan_status: str | None
    holdings_value: float
    drift: float
    drawdown: float
    watch_codes: list[str]
    last_contact_at: datetime | None
    open_tasks: int


class BookPagePublic(BaseModel):
    """One page of the client book."""

    items: list[BookRowPublic]
    total: int
    page: int
    page_size: int


class TaskPublic(BaseModel):
    """A follow-up task."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    client_user_id: int
    title: str
    due_at: datetime
    status: str
    note: str | None


class TaskDone(BaseModel):
    """Closing a task needs a note."""

    note: str = Field(min_length=1, max_length=500)


class ContactCreate(BaseModel):
    """A contact with the client for the service history."""

    kind: str = Field(pattern="^(call|wecom|meeting|visit|other)$")
    note: str = Field(min_length=1, max_length=500)


class LessonPublic(BaseModel):
    """One lesson of a course on a client's track, and when the client read it (None: not yet)."""

    position: int
    item_id: int
    title: str
    read_at: datetime | None


class TrackPublic(BaseModel):
    """One course on a client's education track: progress, the next lesson, completion."""

    enrolment_id: int
    course_item_id: int
    title: str
    audience_risk: str
    enrolled_at: datetime
    completed_at: datetime | None
    done: int
    total: int
    next_lesson: LessonPublic | None
    lessons: list[LessonPublic]


class EnrolmentCreate(BaseModel):
    """Enrol the client in an approved course (suitability: course audience ≤ client level)."""

    course_item_id: int = Field(ge=1)


class CourseLessonsUpdate(BaseModel):
    """The course's lessons in order: approved articles within the course's audience level."""

    lesson_item_ids: list[int] = Field(min_length=1, max_length=50)


class WeComBindingPublic(BaseModel):
    """The client's WeCom binding: the code for the 联系我 link, and whether the directory sync found them."""

    binding_code: str
    bound: bool
    member_userid: str | None
    follow_at: datetime | None


class WeComMemberUpdate(BaseModel):
    """An advisor's WeCom member userid (成员账号), whose customers the directory sync lists."""

    userid: str = Field(min_length=1, max_length=64)


class ClientPagePublic(BaseModel):
    """The client screen: summary, masked contact data, assessments, tags, service history, tasks, education."""

    summary: BookRowPublic
    phone: str | None
    assessments: list[dict[str, str]]
    tags: list[str]
    service: list[dict[str, str]]
    tasks: list[TaskPublic]
    education: list[TrackPublic] = Field(default_factory=list)


class AssignmentCreate(BaseModel):
    """Operations assign clients (one or a segment) to an advisor."""

    client_user_ids: list[int] = Field(min_length=1, max_length=5000)
    advisor_id: int
    reason: str = Field(min_length=1, max_length=200)


class ContentCreate(BaseModel):
    """A new library item (its first draft)."""

    kind: str = Field(pattern="^(article|course|template)$")
    title: str = Field(min_length=1, max_length=120)
    category: str = Field(min_length=1, max_length=32)
    tags: list[str] = Field(default_factory=list, max_length=20)
    audience_risk: str = Field(pattern="^R[1-5]$")
    body: str = Field(min_length=1, max_length=20_000)
    lessons: list[str] = Field(default_factory=list, max_length=100)


class ContentVersionPublic(BaseModel):
    """One version of a library item and its review state."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    item_id: int
    version: int
    status: str
    review_reasons: list[str]


class ReviewDecision(BaseModel):
    """Compliance's decision on a submitted version (a rejection needs reasons)."""

    approve: bool
    reasons: list[str] = Field(default_factory=list, max_length=20)


class SendCreate(BaseModel):
    """Send an approved library item to one client or a segment of the advisor's clients."""

    item_id: int
    client_user_ids: list[int] = Field(min_length=1, max_length=5000)
    channel: str = Field(default="wecom", pattern="^(wecom|inapp|email)$")


class SendReportPublic(BaseModel):
    """Per-recipient outcome of a send."""

    send_id: str
    sent: list[int]
    rejected: list[dict[str, str | int]]

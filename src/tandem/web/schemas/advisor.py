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


class ClientPagePublic(BaseModel):
    """The client screen: summary, masked contact data, assessments, tags, service history, tasks."""

    summary: BookRowPublic
    phone: str | None
    assessments: list[dict[str, str]]
    tags: list[str]
    service: list[dict[str, str]]
    tasks: list[TaskPublic]


class AssignmentCreate(BaseModel):
    """Operations assign clients (one or a segment) to an advisor."""

    client_user_ids: list[int] = Field(min_length=1, max_length=5000)
    advisor_id: int
    reason: str = Field(min_length=1, max_length=200)

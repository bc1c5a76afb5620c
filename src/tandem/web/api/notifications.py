"""``/api/v1/notifications``: the caller's in-app pushes (what the delivery policy let through), newest first."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from tandem.engagement.delivery.channels.inapp import notifications_for
from tandem.web.deps import CurrentUser, StateDep
from tandem.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/notifications", tags=["engagement"], responses=PROBLEM_RESPONSES)


class NotificationPublic(BaseModel):
    """One in-app notification; ``reason`` says why it was sent (the rule that fired)."""

    id: int
    category: str
    title: str
    body: str
    reason: str | None
    created_at: datetime
    read: bool


@router.get("", summary="My notifications")
def list_notifications(
    user: CurrentUser, state: StateDep, limit: Annotated[int, Query(ge=1, le=100)] = 50
) -> list[NotificationPublic]:
    """Only the caller's own; the same rows the 资讯 tab shows under 我的提醒."""
    rows = notifications_for(state.sessions, client_id=str(user.id), limit=limit)
    return [
        NotificationPublic(
            id=r.id,
            category=r.category,
            title=r.title,
            body=r.body,
            reason=str(r.payload.get("reason") or r.payload.get("rule") or "") or None,
            created_at=r.created_at,
            read=r.read_at is not None,
        )
        for r in rows
    ]

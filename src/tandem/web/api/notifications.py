"""``/api/v1/notifications``: the caller's in-app pushes, newest first, and ``/stream``: the same ones live (SSE).

The list holds what the delivery policy let through; the stream sends them while the page is open.

The stream sends ``event: notification`` with ``id: <notification id>`` and the :class:`NotificationPublic` JSON;
a reconnecting browser sends ``Last-Event-ID`` and gets exactly what it missed. A ``: heartbeat`` comment goes out
after a quiet spell; the server ends each stream after a while (the browser reconnects at once), so a shutdown or
a redeploy never waits on open pages for long (``tandem serve`` also bounds the graceful shutdown).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel

from tandem.engagement.delivery.channels.inapp import latest_notification_id, notifications_for
from tandem.engagement.delivery.live import Heartbeat, follow, parse_cursor
from tandem.engagement.delivery.models import NotificationRow
from tandem.web.deps import ApiCaller, CurrentUser, StateDep
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
    return [_public(r) for r in rows]


def _public(r: NotificationRow) -> NotificationPublic:
    return NotificationPublic(
        id=r.id,
        category=r.category,
        title=r.title,
        body=r.body,
        reason=str(r.payload.get("reason") or r.payload.get("rule") or "") or None,
        created_at=r.created_at,
        read=r.read_at is not None,
    )


@router.get(
    "/stream",
    summary="My notifications live (server-sent events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_notifications(
    caller: ApiCaller,
    state: StateDep,
    last_event_id: Annotated[
        str | None, Header(alias="Last-Event-ID", max_length=40, description="The last notification id the page saw")
    ] = None,
    after: Annotated[
        int | None,
        Query(ge=0, le=2**62, description="Start after this notification id (the page's newest when rendered)"),
    ] = None,
) -> Response:
    """``event: notification`` per new notification of the caller (only theirs), ``: heartbeat`` when quiet.

    Starts after ``Last-Event-ID`` (a reconnect), else after ``after`` (the page), else from now.

    Authenticated with :data:`ApiCaller`, which closes its database session before the stream starts: a stream
    lives for minutes and must not hold a pooled connection all that time.
    """
    cfg = state.live
    owner = str(caller.user_id)
    resume = parse_cursor(last_event_id)  # a reconnect's header wins over the URL the page first opened
    if resume is not None:
        after = resume
    elif after is None:
        after = await run_in_threadpool(latest_notification_id, state.sessions, client_id=owner)

    async def frames() -> AsyncIterator[bytes]:
        # the id-only block sets the browser's Last-Event-ID without an event, so a reconnect before the first
        # notification still resumes from here instead of from "now" (which would skip what came in between)
        yield f"retry: {int(cfg.retry * 1000)}\nid: {after}\n\n".encode()
        async for item in follow(
            sessions=state.sessions,
            waiters=state.waiters,
            client_id=owner,
            after=after,
            heartbeat=cfg.heartbeat,
            poll=cfg.poll,
            lifetime=cfg.lifetime,
        ):
            if isinstance(item, Heartbeat):
                yield b": heartbeat\n\n"
                continue
            data = json.dumps(_public(item).model_dump(mode="json"), ensure_ascii=False)
            yield f"id: {item.id}\nevent: notification\ndata: {data}\n\n".encode()

    return StreamingResponse(
        frames(), media_type="text/event-stream", headers={"cache-control": "no-store", "x-accel-buffering": "no"}
    )

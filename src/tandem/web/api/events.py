"""``POST /api/v1/events``: the app's behaviour events, validated as a batch and stored append-only.

A bad batch is answered 422 with every problem (``errors``: index, field, message) and stores nothing; replayed
event ids are counted as duplicates and change nothing. The client is always the signed-in user. A
``content_read`` of a course lesson (``content:<item id>``) also moves the client's education track on
(:func:`tandem.advisor.education.record_reads`, idempotent, so a replayed batch changes nothing there either).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from tandem.advisor.education import record_reads
from tandem.engagement.event_errors import EventBatchError
from tandem.engagement.ingest import EventIngestService
from tandem.web.deps import CurrentUser, SessionDep
from tandem.web.problems import PROBLEM_JSON, PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/events", tags=["events"], responses=PROBLEM_RESPONSES)


class EventBatchCreate(BaseModel):
    """Up to 500 events (see the event schema in the docs: event_id, type, client_id, client_time, session_id…)."""

    events: list[dict[str, Any]] = Field(min_length=1, max_length=500)


class EventBatchPublic(BaseModel):
    """What happened to the batch: ``stored`` new events, ``duplicates`` already seen (replays)."""

    received: int
    stored: int
    duplicates: int


def get_ingest(request: Request) -> EventIngestService:
    """The ingest service ``create_app`` put on the app."""
    svc: EventIngestService = request.app.state.events
    return svc


@router.post("", summary="Record a batch of my behaviour events", status_code=202, response_model=EventBatchPublic)
def post_events(
    body: EventBatchCreate, user: CurrentUser, request: Request, db: SessionDep
) -> EventBatchPublic | JSONResponse:
    """All or nothing: one bad event refuses the whole batch with its index and field."""
    try:
        result = get_ingest(request).ingest(body.events, client_id=user.id)
    except EventBatchError as exc:
        errors = [{"index": p.index, "field": p.field, "message": p.message} for p in exc.detail]
        payload = {
            "type": "about:blank",
            "title": "Unprocessable Content",
            "status": 422,
            "detail": str(exc),
            "instance": request.url.path,
            "errors": errors,
        }
        return JSONResponse(payload, status_code=422, media_type=PROBLEM_JSON)
    if record_reads(db, result.events):
        db.commit()
    return EventBatchPublic(received=result.received, stored=result.stored, duplicates=result.duplicates)

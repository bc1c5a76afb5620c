"""``/api/v1/me/tags``: the interest tags the app inferred about me, and deleting them for good (PIPL Art.24).

The profile service (and its item catalogue) is built on first use, not at start-up, so workers stay cheap to
start. A deleted tag is recorded and never recomputed from old events.
"""

from __future__ import annotations

import threading
from datetime import date

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from tandem.engagement.event_factory import event_store_root
from tandem.engagement.event_store import ParquetEventStore
from tandem.engagement.items import build_items
from tandem.engagement.profile_service import ProfileService, ProfileStateStore
from tandem.web.deps import CurrentUser, StateDep
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.state import AppState

router = APIRouter(prefix="/api/v1/me/tags", tags=["engagement"], responses=PROBLEM_RESPONSES)
_LOCK = threading.Lock()


class TagPublic(BaseModel):
    """One tag: ``key`` to delete it, ``label`` in words, ``share`` of its kind, ``why`` (board tags: which stocks)."""

    key: str
    label: str
    share: float
    why: str = ""


class TagsPublic(BaseModel):
    """What the app has inferred about me from my own use of it."""

    tags: list[TagPublic]
    activity: str
    risk_category: str | None


def _service(request: Request, state: AppState) -> ProfileService:
    svc: ProfileService | None = getattr(request.app.state, "profiles", None)
    if svc is None:
        with _LOCK:
            svc = getattr(request.app.state, "profiles", None)
            if svc is None:
                last = state.store.info().get("last_date")
                as_of = last if isinstance(last, date) else date.fromisoformat(str(last))
                root = event_store_root(state.settings)
                svc = ProfileService(
                    events=ParquetEventStore(root),
                    state=ProfileStateStore(state.settings.home / "engagement" / "profiles"),
                    sessions=state.sessions,
                    catalogue=build_items(state.store, as_of=as_of),
                )
                request.app.state.profiles = svc
    return svc


@router.get("", summary="My interest tags")
def my_tags(request: Request, user: CurrentUser, state: StateDep) -> TagsPublic:
    """Folded from my events up to now; empty for a new client."""
    svc = _service(request, state)
    profile = svc.profile(user.id, state=svc.update())
    return TagsPublic(
        tags=[TagPublic(key=t.key, label=t.label_zh, share=round(t.share, 4), why=t.why_zh) for t in profile.tags],
        activity=profile.activity,
        risk_category=profile.risk_category,
    )


@router.delete("/{tag}", summary="Delete one of my tags for good", status_code=204)
def delete_tag(tag: str, request: Request, user: CurrentUser, state: StateDep) -> Response:
    """404 when I have no such tag; after deletion it never comes back from old or new events."""
    svc = _service(request, state)
    svc.update()
    svc.delete_tag(client_id=user.id, tag=tag)
    return Response(status_code=204)


@router.delete("", summary="Delete all of my tags for good", status_code=204)
def delete_all(request: Request, user: CurrentUser, state: StateDep) -> Response:
    """Every current and future tag inferred before now is dropped."""
    svc = _service(request, state)
    svc.update()
    svc.delete_all_tags(client_id=user.id)
    return Response(status_code=204)

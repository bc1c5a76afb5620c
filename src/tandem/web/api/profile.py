"""``/api/v1/me/tags``: the interest tags the app inferred about me, and deleting them for good (PIPL Art.24).

The profile service (and its item catalogue) is built on first use, not at start-up, so workers stay cheap to
start. A deleted tag is recorded and never recomputed from old events.
"""

from __future__ import annotations

from fastapi import APIRouter, Response
from pydantic import BaseModel

from tandem.engagement.tag_rows import tag_rows
from tandem.web.deps import CurrentUser, LangDep, ProfilesDep
from tandem.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/me/tags", tags=["engagement"], responses=PROBLEM_RESPONSES)


class TagPublic(BaseModel):
    """One tag: ``key`` to delete it, ``label`` in words, ``share`` of its kind, ``why`` the acts that built it."""

    key: str
    label: str
    share: float
    why: str


class TagsPublic(BaseModel):
    """What the app has inferred about me from my own use of it."""

    tags: list[TagPublic]
    activity: str
    risk_category: str | None


@router.get("", summary="My interest tags")
def my_tags(user: CurrentUser, svc: ProfilesDep, lang: LangDep) -> TagsPublic:
    """Folded from my events up to now; empty for a new client."""
    profile = svc.profile(user.id, state=svc.update())
    rows = tag_rows(profile, svc.evidence(client_id=user.id, tags=[t.key for t in profile.tags]), lang)
    return TagsPublic(
        tags=[TagPublic(key=r.key, label=r.label, share=round(r.share, 4), why=r.why) for r in rows],
        activity=profile.activity,
        risk_category=profile.risk_category,
    )


@router.delete("/{tag}", summary="Delete one of my tags for good", status_code=204)
def delete_tag(tag: str, user: CurrentUser, svc: ProfilesDep) -> Response:
    """404 when I have no such tag; after deletion it never comes back from old or new events."""
    svc.update()
    svc.delete_tag(client_id=user.id, tag=tag)
    return Response(status_code=204)


@router.delete("", summary="Delete all of my tags for good", status_code=204)
def delete_all(user: CurrentUser, svc: ProfilesDep) -> Response:
    """Every current and future tag inferred before now is dropped."""
    svc.update()
    svc.delete_all_tags(client_id=user.id)
    return Response(status_code=204)

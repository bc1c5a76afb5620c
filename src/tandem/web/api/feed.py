"""``/api/v1/feed`` and the endpoints backed by the analysis services (diagnosis, backtests, wealth)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool

from tandem.engagement.feed import build_feed
from tandem.web.deps import CurrentUser, LangDep, SessionDep, StateDep
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.schemas import FeedItemPublic, Page

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES)


@router.get("/feed", tags=["feed"], summary="My feed, newest first")
async def get_feed(
    user: CurrentUser,
    state: StateDep,
    db: SessionDep,
    lang: LangDep,
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[FeedItemPublic]:
    """Watched stocks' latest moves and diagnosis changes, watchlist events and articles, plain chronological."""

    def run() -> list[FeedItemPublic]:
        items = build_feed(db, state.store, user=user, lang=lang, limit=1100, changes=state.changes)
        return [FeedItemPublic.model_validate(i) for i in items]

    items = await run_in_threadpool(run)
    return Page(items=items[offset : offset + limit], total=len(items), offset=offset, limit=limit)

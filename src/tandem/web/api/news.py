"""``/api/v1/news``: real news items newest first, optionally those naming one stock (public, like quotes).

A malformed ``code`` is a 400 and a well-formed code the store does not know a 404 with a did-you-mean, the same
words as the quote endpoints; a known stock no item names is an empty page.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from tandem.core.models import normalize_code
from tandem.marketdata.news.query import latest_news
from tandem.marketdata.quote import instrument
from tandem.web.caching import mark_cacheable
from tandem.web.deps import PublicCaller, StateDep
from tandem.web.problems import PROBLEM_RESPONSES, RATE_LIMITED_RESPONSES
from tandem.web.schemas import Page
from tandem.web.schemas.news import NewsItemPublic

router = APIRouter(prefix="/api/v1/news", tags=["news"], responses=PROBLEM_RESPONSES)


@router.get(
    "", summary="Real news items newest first, or those naming one stock (public)", responses=RATE_LIMITED_RESPONSES
)
async def list_news(
    caller: PublicCaller,
    request: Request,
    response: Response,
    state: StateDep,
    code: Annotated[
        str | None, Query(min_length=1, max_length=20, description="600519.SH, 600519 or sh.600519")
    ] = None,
    offset: Annotated[int, Query(ge=0, le=10_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> Page[NewsItemPublic]:
    """Each item carries its publisher, link, Beijing time and the stocks and industries recognised in it."""

    def run() -> Page[NewsItemPublic]:
        canonical = instrument(state.store, normalize_code(code)).code if code is not None else None
        page = latest_news(state.store, code=canonical, offset=offset, limit=limit)
        items = [NewsItemPublic.model_validate(i) for i in page.items]
        return Page(items=items, total=page.total, offset=offset, limit=limit)

    out = await run_in_threadpool(run)
    mark_cacheable(response, request, anonymous=caller is None)
    return out

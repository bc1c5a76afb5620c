"""``/api/v1/market``: the market landing state, public like quotes, K-line and search (see :mod:`.stocks`)."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.concurrency import run_in_threadpool

from tandem.web.caching import mark_cacheable
from tandem.web.deps import PublicCaller, StateDep
from tandem.web.problems import PROBLEM_RESPONSES, RATE_LIMITED_RESPONSES
from tandem.web.schemas.market import MarketHomePublic

router = APIRouter(prefix="/api/v1/market", tags=["market"], responses=PROBLEM_RESPONSES)


@router.get(
    "/home",
    summary="The landing state: CSI 300, top gainers and losers, top scores with login (public)",
    responses=RATE_LIMITED_RESPONSES,
)
async def get_home(caller: PublicCaller, request: Request, response: Response, state: StateDep) -> MarketHomePublic:
    """As of the store's latest session of stocks; ``top_scores`` (diagnosis) is null for a visitor without login."""
    home = await run_in_threadpool(state.home.get, state.store, state.diagnosis)
    mark_cacheable(response, request, anonymous=caller is None)
    return MarketHomePublic.of(home, with_scores=caller is not None)

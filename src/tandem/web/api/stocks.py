"""``/api/v1/stocks``: search, quote and chart bars (public, as in every broker app) and the diagnosis (login).

Visitors without an account are rate-limited per client address and their answers may be cached by shared caches
(:mod:`tandem.web.caching`); the diagnosis is an advisory service for signed-in users only.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool

from tandem.diagnosis.chart import chart_bars
from tandem.diagnosis.render.jsonout import to_dict
from tandem.marketdata.quote import AdjustParam, quote
from tandem.web.caching import mark_cacheable
from tandem.web.deps import ApiCaller, PublicCaller, StateDep, StockDep
from tandem.web.problems import PROBLEM_RESPONSES, RATE_LIMITED_RESPONSES
from tandem.web.response_cache import accepts_gzip, finish_gzip, json_body, json_response
from tandem.web.schemas import BarsPublic, InstrumentPublic, Page, QuotePublic

router = APIRouter(prefix="/api/v1/stocks", tags=["stocks"], responses=PROBLEM_RESPONSES)


@router.get(
    "", summary="Search stocks by code, Chinese name or pinyin initials (public)", responses=RATE_LIMITED_RESPONSES
)
async def search_stocks(
    caller: PublicCaller,
    request: Request,
    response: Response,
    state: StateDep,
    q: Annotated[str, Query(min_length=1, max_length=40, description="600519, 贵州茅台 or gzmt")],
    offset: Annotated[int, Query(ge=0, le=1000)] = 0,
    limit: Annotated[int, Query(ge=1, le=50)] = 10,
) -> Page[InstrumentPublic]:
    """Matches best first; ``total`` counts up to the first 200 matches."""

    def run() -> list[InstrumentPublic]:
        return [InstrumentPublic.of(i) for i in state.store.search(q, limit=200)]

    hits = await run_in_threadpool(run)
    mark_cacheable(response, request, anonymous=caller is None)
    return Page(items=hits[offset : offset + limit], total=len(hits), offset=offset, limit=limit)


@router.get(
    "/{code}/quote",
    summary="Latest quote summary (public)",
    response_model=QuotePublic,
    responses=RATE_LIMITED_RESPONSES,
)
async def get_quote(caller: PublicCaller, request: Request, state: StateDep, inst: StockDep) -> Response:
    """The latest daily bar with change, P/E, P/B and the 52-week range; unknown codes get a did-you-mean."""

    def build() -> bytes:
        return json_body(QuotePublic, QuotePublic.model_validate(quote(state.store, inst.code)))

    body, gz = await state.responses.answer("quote", inst.code, build, gzip=_gzip(request))
    return _answer(body, gz, request, caller)


@router.get(
    "/{code}/bars",
    summary="Daily bars with MA5/20/60 for charts (public)",
    response_model=BarsPublic,
    responses=RATE_LIMITED_RESPONSES,
)
async def get_bars(
    caller: PublicCaller,
    request: Request,
    state: StateDep,
    inst: StockDep,
    adjust: Annotated[AdjustParam, Query(description="qfq (forward), hfq (backward) or none")] = "qfq",
    start: Annotated[date | None, Query(description="First day, YYYY-MM-DD")] = None,
    end: Annotated[date | None, Query(description="Last day, YYYY-MM-DD")] = None,
) -> Response:
    """Bars in ``[start, end]``; moving averages use the whole history before ``start`` so they are exact."""

    def build() -> bytes:
        bars = chart_bars(state.store, inst.code, adjust=adjust, start=start, end=end)
        return json_body(BarsPublic, BarsPublic.model_validate(bars))

    key = (inst.code, adjust, start, end)
    body, gz = await state.responses.answer("bars", key, build, gzip=_gzip(request))
    return _answer(body, gz, request, caller)


@router.get(
    "/{code}/diagnosis",
    summary="Point-in-time diagnosis with the three-minute brief (login)",
    response_model=dict[str, Any],
)
async def get_diagnosis(
    user: ApiCaller,
    request: Request,
    state: StateDep,
    inst: StockDep,
    as_of: Annotated[date | None, Query(description="Diagnose as of this day (default: the store's last day)")] = None,
) -> Response:
    """code, name, as_of, composite {score, rank}, dimensions with evidence, brief {zh, en} and the disclaimer."""

    def build() -> bytes:
        return json_body(dict[str, Any], to_dict(state.diagnosis.diagnose(inst.code, as_of)))

    body, gz = await state.responses.answer("diagnosis", (inst.code, as_of), build, gzip=_gzip(request))
    out = json_response(body)
    return finish_gzip(out) if gz else out


def _gzip(request: Request) -> bool:
    """Whether the answer goes out compressed (the test GZipMiddleware applies to the same request)."""
    return accepts_gzip(request.headers.get("accept-encoding"))


def _answer(body: bytes, gz: bool, request: Request, caller: object | None) -> Response:
    """A public market answer: the body, the caller's cache headers, then gzip's headers when compressed."""
    out = json_response(body)
    mark_cacheable(out, request, anonymous=caller is None)
    return finish_gzip(out) if gz else out

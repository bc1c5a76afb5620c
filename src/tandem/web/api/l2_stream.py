"""Level-2 of a stock: what it has (a recorded day, daily capital flow), and the live replay over SSE.

``GET /api/v1/stocks/{code}/l2/stream?speed=10`` replays the recorded day through the live engine and sends one
``minute`` event per finished minute (the :class:`~tandem.level2.live.MinuteUpdate` JSON), then ``end``.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, model_validator

from tandem.core.errors import NotFoundError
from tandem.core.i18n import translate
from tandem.level2 import replay as l2_replay
from tandem.level2.overview import FlowClass, level2_overview, recorded_dirs
from tandem.marketdata.quote import instrument
from tandem.web.deps import CurrentUser, StateDep
from tandem.web.errors import TooManyRequestsError
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.state import AppState

router = APIRouter(prefix="/api/v1/stocks", tags=["level2"], responses=PROBLEM_RESPONSES)
CodePath = Annotated[str, Path(min_length=1, max_length=20, description="e.g. 600519.SH or 600519")]
ThresholdsQuery = Annotated[str, Query(pattern="^(eastmoney|amount_only|shares_only)$")]
MAX_STREAMS = 32
"""Concurrent replays per server process (each holds an order book and a flow accumulator)."""


class FlowRow(BaseModel):
    """Daily capital flow of one order-size class (CNY); from :class:`tandem.level2.overview.FlowClass`."""

    model_config = ConfigDict(from_attributes=True)

    cls: str
    label_zh: str  # the API's field since it was published; rendered from the catalogue (``l2.<cls>``)
    buy_amount: float
    sell_amount: float
    net_amount: float

    @model_validator(mode="before")
    @classmethod
    def _label(cls, data: Any) -> Any:
        """A domain :class:`FlowClass` carries no sentence: the Chinese class name is rendered here."""
        if isinstance(data, FlowClass):
            return {**asdict(data), "label_zh": translate("zh", f"l2.{data.cls}")}
        return data


class Level2Public(BaseModel):
    """What the stock page can show: a recorded day to replay and/or the latest daily capital flow."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    replay_date: str | None
    flow_date: str | None
    threshold_set: str | None
    method: str
    daily_flow: list[FlowRow]
    main_net: float | None


def overview(state: AppState, code: str) -> Level2Public:
    """The stock's Level-2 overview in the API's shape."""
    info = level2_overview(state.store, code=code, dirs=recorded_dirs(state.settings.home))
    return Level2Public.model_validate(info, from_attributes=True)


@router.get("/{code}/l2", summary="Level-2 availability and the latest daily capital flow")
async def get_level2(user: CurrentUser, state: StateDep, code: CodePath) -> Level2Public:
    """``replay_date`` is set when a recorded day can be streamed; ``daily_flow`` holds the store's latest day."""
    return await run_in_threadpool(overview, state, code)


async def _sse(request: Request, updates: AsyncIterator[Any]) -> AsyncIterator[bytes]:
    app_state = request.app.state
    try:
        yield b"retry: 600000\n\n"  # a finished replay must not be restarted by the browser's auto-reconnect
        async for u in updates:
            if await request.is_disconnected():
                return
            yield f"event: minute\ndata: {u.to_json()}\n\n".encode()
        yield b'event: end\ndata: {"done":true}\n\n'
    finally:
        app_state.l2_streams = getattr(app_state, "l2_streams", 1) - 1


@router.get(
    "/{code}/l2/stream",
    summary="Replay the recorded Level-2 day as a live feed (server-sent events)",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}},
)
async def stream_level2(
    request: Request,
    user: CurrentUser,
    state: StateDep,
    code: CodePath,
    speed: Annotated[float, Query(ge=0, le=3600, description="× real time; 0 = as fast as possible")] = 10.0,
    thresholds: ThresholdsQuery = "eastmoney",
) -> Response:
    """``event: minute`` with per-class buy/sell/net amounts, 主力 net and its running total, last price; ``end``."""
    inst = instrument(state.store, code)
    day = l2_replay.find_day(recorded_dirs(state.settings.home), inst.code)
    if day is None:
        raise NotFoundError(f"no recorded Level-2 day for {inst.code} {inst.name}; only daily capital flow if any")
    active = getattr(request.app.state, "l2_streams", 0)
    if active >= MAX_STREAMS:
        raise TooManyRequestsError(f"{active} replays are running on this server; try again shortly", retry_after=5)
    await asyncio.to_thread(l2_replay.load_day, day.path)  # read the file off the event loop
    request.app.state.l2_streams = active + 1
    return StreamingResponse(
        _sse(request, l2_replay.replay(day, speed, thresholds)),
        media_type="text/event-stream",
        headers={"cache-control": "no-store", "x-accel-buffering": "no"},
    )

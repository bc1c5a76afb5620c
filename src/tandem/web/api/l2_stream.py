"""Level-2 on the stock page: what a stock has (a recorded day, daily capital flow), and the live replay over SSE.

``GET /api/v1/stocks/{code}/l2/stream?speed=10`` replays the recorded day through the live engine and sends one
``minute`` event per finished minute (the :class:`~tandem.level2.live.MinuteUpdate` JSON), then ``end``.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path as FsPath
from typing import Annotated, Any

import pandas as pd
from fastapi import APIRouter, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response, StreamingResponse
from pydantic import BaseModel

from tandem.core.errors import NotFoundError, UserError
from tandem.level2.thresholds import CLASS_LABELS_ZH, CLASSES, MAIN_FORCE_CLASSES, THRESHOLD_SETS
from tandem.web import l2_replay
from tandem.web.deps import CurrentUser, LangDep, StateDep
from tandem.web.errors import TooManyRequestsError
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.state import AppState
from tandem.web.templating import make_templates, render

router = APIRouter(prefix="/api/v1/stocks", tags=["level2"], responses=PROBLEM_RESPONSES)
pages_router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
templates = make_templates()
CodePath = Annotated[str, Path(min_length=1, max_length=20, description="e.g. 600519.SH or 600519")]
ThresholdsQuery = Annotated[str, Query(pattern="^(eastmoney|amount_only|shares_only)$")]
MAX_STREAMS = 32
"""Concurrent replays per server process (each holds an order book and a flow accumulator)."""


class FlowRow(BaseModel):
    """Daily capital flow of one order-size class (CNY)."""

    cls: str
    label_zh: str
    buy_amount: float
    sell_amount: float
    net_amount: float


class Level2Public(BaseModel):
    """What the stock page can show: a recorded day to replay and/or the latest daily capital flow."""

    code: str
    replay_date: str | None
    flow_date: str | None
    threshold_set: str | None
    method: str
    daily_flow: list[FlowRow]
    main_net: float | None


def _flow_row(cls: str, r: pd.Series) -> FlowRow:
    return FlowRow(
        cls=cls, label_zh=CLASS_LABELS_ZH[cls], buy_amount=float(r["buy_amount"]), sell_amount=float(r["sell_amount"]),
        net_amount=float(r["net_amount"]),
    )  # fmt: skip


def _dirs(state: AppState) -> list[FsPath]:
    return [state.settings.home / "level2", l2_replay.SAMPLE_L2_DIR]


def overview(state: AppState, code: str) -> Level2Public:
    """The recorded day (if any) and the latest day of daily capital flow in the store (if any)."""
    with state.store_lock:
        inst = state.store.instrument(code)
        flow = state.store.capital_flow(inst.code)
    day = l2_replay.find_day(_dirs(state), inst.code)
    rows: list[FlowRow] = []
    flow_date = ts_name = None
    if len(flow):
        last = flow[flow["date"] == flow["date"].max()]
        ts_name = "eastmoney" if (last["threshold_set"] == "eastmoney").any() else str(last["threshold_set"].iloc[0])
        last = last[last["threshold_set"] == ts_name].set_index("class").reindex(list(CLASSES)).dropna(how="all")
        flow_date = str(pd.Timestamp(flow["date"].max()).date())
        rows = [_flow_row(str(c), r) for c, r in last.iterrows()]
    main = sum(r.net_amount for r in rows if r.cls in MAIN_FORCE_CLASSES) if rows else None
    ts = THRESHOLD_SETS.get(ts_name or "eastmoney", THRESHOLD_SETS["eastmoney"])
    return Level2Public(
        code=inst.code, replay_date=day.date if day else None, flow_date=flow_date, threshold_set=ts.name,
        method=f"主力 = 超大单 + 大单; {ts.name}: {ts.source}", daily_flow=rows, main_net=main,
    )  # fmt: skip


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
    with state.store_lock:
        inst = state.store.instrument(code)
    day = l2_replay.find_day(_dirs(state), inst.code)
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


@pages_router.get("/market/l2/{code}")
def l2_panel(request: Request, code: str, user: CurrentUser, state: StateDep, lang: LangDep) -> Response:
    """Htmx partial under the K-line: the live replay panel, else the daily capital flow, else nothing."""
    try:
        info = overview(state, code)
    except UserError:  # an unknown code already shows its error in the stock panel
        return HTMLResponse("")
    if info.replay_date is None and not info.daily_flow:
        return HTMLResponse("")
    chart = {
        "labels": [r.label_zh if lang == "zh" else r.cls.replace("_", " ") for r in info.daily_flow],
        "net": [round(r.net_amount / 1e4, 2) for r in info.daily_flow],
    }
    return render(
        templates, request, "partials/l2_panel.html", lang, info=info,
        flow_json=json.dumps(chart, ensure_ascii=False).replace("<", "\\u003c"),
    )  # fmt: skip

"""``/api/v1/stocks/{code}/video``: the 个股三分钟 video (MP4) and its WebVTT subtitles.

Rendered on the first request for this content and kept under the data home (``videos/``), so the play button
waits once (seconds) and then streams a file. Left out of the OpenAPI document: it returns media, not JSON, and
a fuzzer asking for every stock's video would render the whole market.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from tandem.core.i18n import Lang
from tandem.diagnosis.render.video import video_inputs, vtt_path_for
from tandem.diagnosis.render.video.on_demand import video_file
from tandem.web.deps import ApiCaller, StateDep, StockDep
from tandem.web.state import AppState

router = APIRouter(prefix="/api/v1/stocks", tags=["stocks"], include_in_schema=False)
LangQuery = Annotated[Lang, Query(description="zh (default) or en narration and subtitles")]


def _render(state: AppState, code: str, lang: Lang) -> Path:
    diag = state.diagnosis.diagnose(code)
    return video_file(diag, video_inputs(state.store, diag), state.settings.home / "videos", lang=lang)


@router.get("/{code}/video")
async def get_video(user: ApiCaller, state: StateDep, inst: StockDep, lang: LangQuery = "zh") -> FileResponse:
    """The vertical 1080×1920 MP4 (H.264/AAC, burned-in subtitles, AI label and disclaimer where required)."""
    path = await run_in_threadpool(_render, state, inst.code, lang)
    return FileResponse(path, media_type="video/mp4", filename=f"{inst.code}-{lang}.mp4")


@router.get("/{code}/video.vtt")
async def get_video_subtitles(user: ApiCaller, state: StateDep, inst: StockDep, lang: LangQuery = "zh") -> FileResponse:
    """The WebVTT subtitle track of the same video (every number traceable to the diagnosis report)."""
    path = await run_in_threadpool(_render, state, inst.code, lang)
    return FileResponse(vtt_path_for(path), media_type="text/vtt; charset=utf-8")

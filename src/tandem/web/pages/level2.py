"""The Level-2 panel under the stock page's K-line (an htmx partial): the live replay, else the daily flow."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from tandem.core.errors import UserError
from tandem.core.i18n import translate
from tandem.web.api.l2_stream import overview
from tandem.web.deps import CurrentUser, LangDep, StateDep
from tandem.web.pages.base import templates
from tandem.web.templating import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)


@router.get("/market/l2/{code}")
def l2_panel(request: Request, code: str, user: CurrentUser, state: StateDep, lang: LangDep) -> Response:
    """Htmx partial under the K-line: the live replay panel, else the daily capital flow, else nothing."""
    try:
        info = overview(state, code)
    except UserError:  # an unknown code already shows its error in the stock panel
        return HTMLResponse("")
    if info.replay_date is None and not info.daily_flow:
        return HTMLResponse("")
    chart = {
        "labels": [translate(lang, f"l2.chart.{r.cls}") for r in info.daily_flow],
        "net": [round(r.net_amount / 1e4, 2) for r in info.daily_flow],
    }
    return render(
        templates, request, "partials/l2_panel.html", lang, info=info,
        flow_json=json.dumps(chart, ensure_ascii=False).replace("<", "\\u003c"),
    )  # fmt: skip

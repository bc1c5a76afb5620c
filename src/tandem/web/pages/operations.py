"""The operations dashboard (``/ops``: funnel chart, attribution, cohorts) and the partner page (``/partner``).

Handlers are thin: they call the same ``operations`` services as the JSON API, and the partner page shows only
the suppressed cells of :func:`tandem.operations.partner.partner_view` (its CSV link is the API's export).
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from tandem.engagement.event_factory import event_store_root
from tandem.identity import User
from tandem.operations.attribution import attribution
from tandem.operations.cohorts import cohorts
from tandem.operations.funnel import FunnelQuery, funnel
from tandem.operations.partner import PartnerPolicy, partner_of, partner_view
from tandem.operations.scan import EventScan, Period
from tandem.operations.steps import SOURCES, STEP_LABELS_ZH
from tandem.web.deps import LangDep, SessionDep, StateDep, require_role
from tandem.web.pages.base import base_context, script_safe, templates
from tandem.web.templating import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
OpsUser = Annotated[User, Depends(require_role("operations", "admin"))]
PartnerUser = Annotated[User, Depends(require_role("partner"))]
Slug = Annotated[str | None, Query(pattern=r"^([a-z0-9][a-z0-9_-]{1,31})?$")]


def _period(start: date | None, end: date | None) -> Period:
    last = end or date.today()
    first = start or last - timedelta(days=89)
    return Period(min(first, last), max(first, last))


@router.get("/ops")
async def ops_page(
    request: Request, user: OpsUser, state: StateDep, lang: LangDep,
    start: Annotated[date | None, Query(alias="from")] = None, end: Annotated[date | None, Query(alias="to")] = None,
    source: Slug = None, partner: Slug = None, campaign: Slug = None,
) -> Response:  # fmt: skip
    """Funnel (ECharts), attribution by source and weekly cohorts for the filters."""
    period = _period(start, end)
    scan = EventScan(event_store_root(state.settings))
    q = FunnelQuery(period=period, source=source or None, partner=partner or None, campaign=campaign or None)

    def work() -> tuple[object, object, object]:
        return funnel(scan, q), attribution(scan, period=period, dimension="source"), cohorts(scan, period=period)

    f, a, c = await run_in_threadpool(work)
    chart = {"labels": [STEP_LABELS_ZH[s.step] for s in f.steps], "values": [s.clients for s in f.steps]}  # type: ignore[attr-defined]
    return render(
        templates, request, "operations/dashboard.html", lang, **base_context(request, state, user, "ops"),
        funnel=f, attribution=a, cohorts=c, q=q, sources=SOURCES, labels=STEP_LABELS_ZH,
        chart_json=script_safe(json.dumps(chart, ensure_ascii=False)),
    )  # fmt: skip


@router.get("/partner")
async def partner_page(
    request: Request, user: PartnerUser, state: StateDep, db: SessionDep, lang: LangDep,
    start: Annotated[date | None, Query(alias="from")] = None, end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:  # fmt: skip
    """The partner's own daily step counts, small cells shown as “<k”."""
    code = partner_of(db, user_id=user.id)
    period = _period(start, end)
    view = await run_in_threadpool(
        lambda: partner_view(
            EventScan(event_store_root(state.settings)), partner=code, period=period, policy=PartnerPolicy()
        )
    )
    return render(
        templates, request, "operations/partner.html", lang, **base_context(request, state, user, "partner"),
        view=view, labels=STEP_LABELS_ZH,
    )  # fmt: skip

"""The operations dashboard (``/ops``: funnel chart, attribution, cohorts) and the partner page (``/partner``).

Handlers are thin: they call the same ``operations`` services as the JSON API, and the partner page shows only
the suppressed cells of :func:`tandem.operations.partner.partner_view` (its CSV link is the API's export).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.identity import User
from tandem.operations import dashboard_view as ops
from tandem.operations import referrals
from tandem.operations.campaign_form import draft_from_form
from tandem.operations.campaign_service import create_campaign
from tandem.operations.funnel import FunnelQuery
from tandem.operations.partner import PartnerPolicy, partner_of, partner_view
from tandem.operations.steps import SOURCES, STEP_LABELS_ZH
from tandem.web.deps import LangDep, SessionDep, StateDep, require_role
from tandem.web.pages.base import base_context, script_safe, templates
from tandem.web.templating import render

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
OpsUser = Annotated[User, Depends(require_role("operations", "admin"))]
PartnerUser = Annotated[User, Depends(require_role("partner"))]
Slug = Annotated[str | None, Query(pattern=r"^([a-z0-9][a-z0-9_-]{1,31})?$")]


@router.get("/ops")
async def ops_page(
    request: Request, user: OpsUser, state: StateDep, lang: LangDep,
    start: Annotated[date | None, Query(alias="from")] = None, end: Annotated[date | None, Query(alias="to")] = None,
    source: Slug = None, partner: Slug = None, campaign: Slug = None,
) -> Response:  # fmt: skip
    """Funnel (ECharts), attribution by source and weekly cohorts for the filters."""
    period = ops.page_period(start, end)
    q = FunnelQuery(period=period, source=source or None, partner=partner or None, campaign=campaign or None)
    d = await run_in_threadpool(ops.dashboard, ops.event_scan(state.settings), q)
    return render(
        templates, request, "operations/dashboard.html", lang, **base_context(request, state, user, "ops"),
        funnel=d.funnel, attribution=d.attribution, cohorts=d.cohorts, q=q, sources=SOURCES, labels=STEP_LABELS_ZH,
        chart_json=script_safe(json.dumps(d.chart, ensure_ascii=False)),
    )  # fmt: skip


@router.get("/partner")
async def partner_page(
    request: Request, user: PartnerUser, state: StateDep, db: SessionDep, lang: LangDep,
    start: Annotated[date | None, Query(alias="from")] = None, end: Annotated[date | None, Query(alias="to")] = None,
) -> Response:  # fmt: skip
    """The partner's own daily step counts, small cells shown as “<k”."""
    code = partner_of(db, user_id=user.id)
    period = ops.page_period(start, end)
    scan = ops.event_scan(state.settings)
    view = await run_in_threadpool(lambda: partner_view(scan, partner=code, period=period, policy=PartnerPolicy()))
    return render(
        templates, request, "operations/partner.html", lang, **base_context(request, state, user, "partner"),
        view=view, labels=STEP_LABELS_ZH,
    )  # fmt: skip


# ---------------------------------------------------------------------------------------------------- campaigns
def _campaign_context(request: Request, state: StateDep, db: SessionDep) -> dict[str, Any]:
    return ops.campaign_board(db, state.settings, base_url=state.settings.public_url or str(request.base_url))


@router.get("/ops/campaigns")
def campaigns_page(request: Request, user: OpsUser, state: StateDep, db: SessionDep, lang: LangDep) -> Response:
    """Campaigns with their control groups and uplift; define and launch them; referral links and QR codes."""
    return render(
        templates, request, "operations/campaigns.html", lang, **base_context(request, state, user, "ops-campaigns"),
        **_campaign_context(request, state, db),
    )  # fmt: skip


def _board(request: Request, state: StateDep, db: SessionDep, lang: LangDep, **extra: Any) -> Response:
    ctx = {**_campaign_context(request, state, db), **extra}
    return render(templates, request, "operations/campaign_board.html", lang, **ctx)


@router.post("/ops/campaigns")
async def campaigns_create(request: Request, user: OpsUser, state: StateDep, db: SessionDep, lang: LangDep) -> Response:
    """htmx: define a campaign from the form; the board comes back with every problem listed, or the new row."""
    form = await request.form()
    fields = {k: [str(v) for v in form.getlist(k)] for k in form}
    try:
        view = create_campaign(db, draft_from_form(fields), created_by=user.id)
        db.commit()
    except ValidationFailed as exc:
        db.rollback()
        return _board(request, state, db, lang, errors=exc.problems or [str(exc)])
    return _board(request, state, db, lang, message=f"已创建活动 {view.code}")


@router.post("/ops/campaigns/{code}/launch")
def campaigns_launch(
    code: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{1,31}$")], request: Request, user: OpsUser,
    state: StateDep, db: SessionDep, lang: LangDep,
) -> Response:  # fmt: skip
    """htmx: launch once (snapshot, control group, pushes through the delivery policy), then the board."""
    try:
        result = ops.launch_now(db, code, state.settings, data_date=date.today())
        db.commit()
    except (ConflictError, NotFoundError) as exc:
        db.rollback()
        return _board(request, state, db, lang, errors=[str(exc)])
    message = ops.launch_message(code, result, lang)
    return _board(request, state, db, lang, message=message)


@router.post("/ops/links")
async def links_create(request: Request, user: OpsUser, state: StateDep, db: SessionDep, lang: LangDep) -> Response:
    """htmx: a new referral link (its QR code appears in the list)."""
    form = await request.form()
    try:
        link = referrals.create_link(
            db, source=str(form.get("source", "")), partner=str(form.get("partner") or "direct"),
            campaign=str(form.get("campaign") or "direct"),
        )  # fmt: skip
        db.commit()
    except ValidationFailed as exc:
        db.rollback()
        return _board(request, state, db, lang, errors=exc.problems or [str(exc)])
    return _board(request, state, db, lang, message=f"已创建推广链接 {link.code}")

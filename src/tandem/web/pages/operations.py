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
from tandem.web.pages.base import PageCall, script_safe

router = APIRouter(include_in_schema=False, default_response_class=HTMLResponse)
OpsUser = Annotated[User, Depends(require_role("operations", "admin"))]
PartnerUser = Annotated[User, Depends(require_role("partner"))]
Slug = Annotated[str | None, Query(pattern=r"^([a-z0-9][a-z0-9_-]{1,31})?$")]
From = Annotated[date | None, Query(alias="from")]
To = Annotated[date | None, Query(alias="to")]


def ops_page_call(user: OpsUser, request: Request, state: StateDep, db: SessionDep, lang: LangDep) -> PageCall[User]:
    """An operations page (role gate first)."""
    return PageCall(request=request, state=state, db=db, lang=lang, user=user)


def partner_page_call(
    user: PartnerUser, request: Request, state: StateDep, db: SessionDep, lang: LangDep
) -> PageCall[User]:
    """The partner page (role gate first)."""
    return PageCall(request=request, state=state, db=db, lang=lang, user=user)


OpsPage = Annotated[PageCall[User], Depends(ops_page_call)]
PartnerPage = Annotated[PageCall[User], Depends(partner_page_call)]


@router.get("/ops")
async def ops_page(
    p: OpsPage, start: From = None, end: To = None, source: Slug = None, partner: Slug = None, campaign: Slug = None
) -> Response:
    """Funnel (ECharts), attribution by source and weekly cohorts for the filters."""
    period = ops.page_period(start, end)
    q = FunnelQuery(period=period, source=source or None, partner=partner or None, campaign=campaign or None)
    d = await run_in_threadpool(ops.dashboard, ops.event_scan(p.state.settings), q)
    return p.render(
        "operations/dashboard.html", "ops", funnel=d.funnel, attribution=d.attribution, cohorts=d.cohorts, q=q,
        sources=SOURCES, labels=STEP_LABELS_ZH, chart_json=script_safe(json.dumps(d.chart, ensure_ascii=False)),
    )  # fmt: skip


@router.get("/partner")
async def partner_page(p: PartnerPage, start: From = None, end: To = None) -> Response:
    """The partner's own daily step counts, small cells shown as “<k”."""
    code = partner_of(p.db, user_id=p.user.id)
    period = ops.page_period(start, end)
    scan = ops.event_scan(p.state.settings)
    view = await run_in_threadpool(lambda: partner_view(scan, partner=code, period=period, policy=PartnerPolicy()))
    return p.render("operations/partner.html", "partner", view=view, labels=STEP_LABELS_ZH)


# ---------------------------------------------------------------------------------------------------- campaigns
def _campaign_context(p: PageCall[User]) -> dict[str, Any]:
    base = p.state.settings.public_url or str(p.request.base_url)
    return ops.campaign_board(p.db, p.state.settings, base_url=base)


@router.get("/ops/campaigns")
def campaigns_page(p: OpsPage) -> Response:
    """Campaigns with their control groups and uplift; define and launch them; referral links and QR codes."""
    return p.render("operations/campaigns.html", "ops-campaigns", **_campaign_context(p))


def _board(p: PageCall[User], **extra: Any) -> Response:
    return p.render("operations/campaign_board.html", **{**_campaign_context(p), **extra})


@router.post("/ops/campaigns")
async def campaigns_create(p: OpsPage) -> Response:
    """htmx: define a campaign from the form; the board comes back with every problem listed, or the new row."""
    form = await p.request.form()
    fields = {k: [str(v) for v in form.getlist(k)] for k in form}
    try:
        view = create_campaign(p.db, draft_from_form(fields), created_by=p.user.id)
        p.db.commit()
    except ValidationFailed as exc:
        p.db.rollback()
        return _board(p, errors=exc.problems or [str(exc)])
    return _board(p, message=f"已创建活动 {view.code}")


@router.post("/ops/campaigns/{code}/launch")
def campaigns_launch(code: Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{1,31}$")], p: OpsPage) -> Response:
    """htmx: launch once (snapshot, control group, pushes through the delivery policy), then the board."""
    try:
        result = ops.launch_now(p.db, code, p.state.settings, data_date=date.today())
        p.db.commit()
    except (ConflictError, NotFoundError) as exc:
        p.db.rollback()
        return _board(p, errors=[str(exc)])
    return _board(p, message=ops.launch_message(code, result, p.lang))


@router.post("/ops/links")
async def links_create(p: OpsPage) -> Response:
    """htmx: a new referral link (its QR code appears in the list)."""
    form = await p.request.form()
    try:
        link = referrals.create_link(
            p.db, source=str(form.get("source", "")), partner=str(form.get("partner") or "direct"),
            campaign=str(form.get("campaign") or "direct"),
        )  # fmt: skip
        p.db.commit()
    except ValidationFailed as exc:
        p.db.rollback()
        return _board(p, errors=exc.problems or [str(exc)])
    return _board(p, message=f"已创建推广链接 {link.code}")

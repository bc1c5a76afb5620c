"""The operations dashboard (``/ops``: funnel chart, attribution, cohorts) and the partner page (``/partner``).

Handlers are thin: they call the same ``operations`` services as the JSON API, and the partner page shows only
the suppressed cells of :func:`tandem.operations.partner.partner_view` (its CSV link is the API's export).
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import HTMLResponse, Response

from tandem.advisor.content import list_approved
from tandem.compliance.audit import audit_in
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.core.i18n import translate
from tandem.engagement.delivery.policy import DeliveryPolicy, PolicyConfig
from tandem.engagement.delivery.service import PushService
from tandem.engagement.event_factory import event_store_root
from tandem.engagement.profile_service import ProfileStateStore
from tandem.identity import User
from tandem.operations import referrals
from tandem.operations.attribution import attribution
from tandem.operations.audience import TIERS
from tandem.operations.campaign_form import draft_from_form
from tandem.operations.campaign_service import CHANNELS, campaign_rows, create_campaign, launch_campaign
from tandem.operations.cohorts import cohorts
from tandem.operations.funnel import FunnelQuery, funnel
from tandem.operations.link_codes import landing_url
from tandem.operations.partner import PartnerPolicy, partner_of, partner_view
from tandem.operations.scan import EventScan, Period
from tandem.operations.steps import SOURCES, STEP_LABELS_ZH, STEP_NAMES
from tandem.operations.uplift import MIN_GROUP
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


# ---------------------------------------------------------------------------------------------------- campaigns
def _campaign_context(request: Request, state: StateDep, db: SessionDep) -> dict[str, Any]:
    """The campaign board, the approved library items a campaign may send, and the referral links with QR codes."""
    scan = EventScan(event_store_root(state.settings))
    base = state.settings.public_url or str(request.base_url)
    links = [(k, landing_url(base, k)) for k in referrals.list_links(db)]
    return {
        "rows": campaign_rows(db, scan=scan, now=datetime.now(UTC)), "library": list_approved(db),
        "channels": CHANNELS, "steps": STEP_NAMES[1:], "labels": STEP_LABELS_ZH, "tiers": TIERS,
        "sources": SOURCES, "links": links, "errors": [], "message": "", "min_group": MIN_GROUP,
    }  # fmt: skip


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
        result = launch_campaign(
            db, code, scan=EventScan(event_store_root(state.settings)),
            profiles=ProfileStateStore(state.settings.home / "engagement" / "profiles").load(),
            push=PushService(policy=DeliveryPolicy(config=PolicyConfig.from_settings(state.settings),
                                                   suitability=SuitabilityService(audit=audit_in(db)))),
            now=datetime.now(UTC), data_date=date.today(),
        )  # fmt: skip
        db.commit()
    except (ConflictError, NotFoundError) as exc:
        db.rollback()
        return _board(request, state, db, lang, errors=[str(exc)])
    outcomes = "，".join(f"{translate(lang, f'ops.outcome.{k}')} {v}" for k, v in sorted(result.outcomes.items()))
    outcomes = outcomes or "无推送"
    message = f"{code} 已投放：实验组 {result.treated}，对照组 {result.control}；{outcomes}"
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

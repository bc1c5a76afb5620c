"""``/api/v1/ops/…`` (operations role) and ``/api/v1/partner/…`` (partner role): thin handlers over ``operations``.

The partner routes take the partner from the caller's account, never from the request, and return only the
suppressed aggregates of :mod:`tandem.operations.partner` (JSON or CSV built from the same cells).
"""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import Response
from pydantic import BaseModel, Field

from tandem.identity import User
from tandem.operations import dashboard_view as ops
from tandem.operations import referrals
from tandem.operations.attribution import attribution
from tandem.operations.cohorts import cohorts
from tandem.operations.funnel import FunnelQuery, funnel
from tandem.operations.link_codes import landing_url, qr_svg
from tandem.operations.partner import PartnerPolicy, check_link_scope, own_links, partner_csv, partner_of, partner_view
from tandem.operations.scan import EventScan
from tandem.web.deps import SessionDep, StateDep, require_role
from tandem.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1", responses=PROBLEM_RESPONSES, tags=["operations"])
OpsUser = Annotated[User, Depends(require_role("operations", "admin"))]
PartnerUser = Annotated[User, Depends(require_role("partner"))]
FromQ = Annotated[date | None, Query(alias="from", description="first Beijing day; default 90 days before `to`")]
ToQ = Annotated[date | None, Query(alias="to", description="last Beijing day; default today")]
Slug = Annotated[str | None, Query(pattern=r"^[a-z0-9][a-z0-9_-]{1,31}$")]


_period = ops.api_period


def _scan(state: StateDep) -> EventScan:
    return ops.event_scan(state.settings)


@router.get("/ops/funnel", summary="Ordered account-opening funnel")
async def ops_funnel(
    _: OpsUser, state: StateDep, start: FromQ = None, end: ToQ = None, source: Slug = None, partner: Slug = None,
    campaign: Slug = None, window_days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> dict[str, Any]:  # fmt: skip
    """Step counts, conversion, drop-off and time to convert for landings in the period."""
    q = FunnelQuery(period=_period(start, end), window=timedelta(days=window_days), source=source, partner=partner,
                    campaign=campaign)  # fmt: skip
    result = await run_in_threadpool(funnel, _scan(state), q)
    return {"from": q.period.start, "to": q.period.end, "steps": [dataclasses.asdict(s) for s in result.steps]}


@router.get("/ops/cohorts", summary="Weekly cohorts with retention")
async def ops_cohorts(
    _: OpsUser, state: StateDep, start: FromQ = None, end: ToQ = None,
    weeks: Annotated[int, Query(ge=0, le=52)] = 8,
) -> dict[str, Any]:  # fmt: skip
    """Cohorts of opened accounts by week, retention as any activity and as trading."""
    rows = await run_in_threadpool(lambda: cohorts(_scan(state), period=_period(start, end), weeks=weeks))
    return {"weeks": weeks, "cohorts": [dataclasses.asdict(r) for r in rows]}


@router.get("/ops/attribution", summary="First-touch, last-touch and position-based attribution")
async def ops_attribution(
    _: OpsUser, state: StateDep, start: FromQ = None, end: ToQ = None,
    by: Annotated[str, Query(pattern="^(source|partner|campaign)$")] = "source",
    target: Annotated[str, Query(pattern="^(sign_up|identity_verified|risk_questionnaire|account_opened|"
                                         "first_deposit|first_trade)$")] = "first_deposit",
) -> dict[str, Any]:  # fmt: skip
    """Credit per source, partner or campaign under the three models."""
    res = await run_in_threadpool(
        lambda: attribution(_scan(state), period=_period(start, end), dimension=by, target=target)
    )
    return dataclasses.asdict(res)


class LinkCreate(BaseModel):
    """A new referral link: the acquisition channel, and the partner and campaign it credits (``direct`` = none)."""

    source: str = Field(description="partner_app, wechat, search, video or offline_qr")
    partner: str = Field(default="direct", max_length=32)
    campaign: str = Field(default="direct", max_length=32)


class LinkPublic(BaseModel):
    """A referral link with the URL to publish and where its QR code is."""

    code: str
    source: str
    partner: str
    campaign: str
    url: str
    qr: str


def _base_url(request: Request, state: StateDep) -> str:
    return state.settings.public_url or str(request.base_url)


def _link_public(request: Request, state: StateDep, link: referrals.LinkParams) -> LinkPublic:
    return LinkPublic(
        code=link.code, source=link.source, partner=link.partner, campaign=link.campaign,
        url=landing_url(_base_url(request, state), link), qr=f"/api/v1/ops/links/{link.code}/qr.svg",
    )  # fmt: skip


@router.post("/ops/links", summary="Create a referral link (and its QR code)", status_code=201)
def ops_create_link(body: LinkCreate, _: OpsUser, request: Request, state: StateDep, db: SessionDep) -> LinkPublic:
    """The partner and campaign must be slugs; a campaign must exist. Every problem is named; nothing is created."""
    link = referrals.create_link(db, source=body.source, partner=body.partner, campaign=body.campaign)
    db.commit()
    return _link_public(request, state, link)


@router.get("/ops/links", summary="Referral links, newest first")
def ops_links(
    _: OpsUser, request: Request, state: StateDep, db: SessionDep, partner: Slug = None, campaign: Slug = None
) -> list[LinkPublic]:
    """Optionally only one partner's or one campaign's links."""
    return [_link_public(request, state, k) for k in referrals.list_links(db, partner=partner, campaign=campaign)]


@router.get(
    "/ops/links/{code}/qr.svg",
    summary="A referral link's QR code (SVG)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The QR code encoding the landing URL"}},
)
def ops_link_qr(code: str, _: OpsUser, request: Request, state: StateDep, db: SessionDep) -> Response:
    """The QR code a poster or a partner's page prints; it encodes the same URL as ``url``."""
    link = referrals.find_link(db, code)
    return Response(qr_svg(landing_url(_base_url(request, state), link)), media_type="image/svg+xml",
                    headers={"content-disposition": f'inline; filename="tandem-{code}.svg"'})  # fmt: skip


@router.get("/partner/funnel", summary="My links' daily step counts (aggregates, small cells suppressed)")
async def partner_funnel(
    user: PartnerUser, state: StateDep, db: SessionDep, start: FromQ = None, end: ToQ = None,
    link: Annotated[str | None, Query(pattern=r"^[A-Za-z0-9]{6,32}$")] = None,
    fmt: Annotated[str, Query(alias="format", pattern="^(json|csv)$")] = "json",
) -> Any:  # fmt: skip
    """Counts per step and Beijing day for the caller's own links only; cells below k are withheld."""
    partner = partner_of(db, user_id=user.id)
    check_link_scope(link, own_links(db, partner=partner))
    view = await run_in_threadpool(
        lambda: partner_view(
            _scan(state), partner=partner, period=_period(start, end), policy=PartnerPolicy(), link=link
        )
    )
    if fmt == "csv":
        return Response(partner_csv(view), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{partner}-funnel.csv"'})  # fmt: skip
    return {"partner": partner, "k": view.k, "from": view.period.start, "to": view.period.end,
            "cells": [{"day": c.day, "step": c.step, "clients": c.clients, "suppressed": c.suppressed}
                      for c in view.cells]}  # fmt: skip


@router.get("/partner/links", summary="My referral links with their URLs and QR codes")
def partner_links(user: PartnerUser, request: Request, state: StateDep, db: SessionDep) -> list[LinkPublic]:
    """Only the caller's own links; the QR route below refuses any other code with the same words."""
    partner = partner_of(db, user_id=user.id)
    return [
        _link_public(request, state, k).model_copy(update={"qr": f"/api/v1/partner/links/{k.code}/qr.svg"})
        for k in referrals.list_links(db, partner=partner)
    ]


@router.get(
    "/partner/links/{code}/qr.svg",
    summary="One of my referral links' QR code (SVG)",
    response_class=Response,
    responses={200: {"content": {"image/svg+xml": {}}, "description": "The QR code encoding the landing URL"}},
)
def partner_link_qr(code: str, user: PartnerUser, request: Request, state: StateDep, db: SessionDep) -> Response:
    """A code that is not the partner's own is refused whether it exists or not."""
    check_link_scope(code, own_links(db, partner=partner_of(db, user_id=user.id)))
    link = referrals.find_link(db, code)
    return Response(qr_svg(landing_url(_base_url(request, state), link)), media_type="image/svg+xml")

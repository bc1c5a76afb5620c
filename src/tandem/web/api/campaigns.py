"""``/api/v1/ops/campaigns``: define, launch and measure campaigns (operations role).

Thin handlers over :mod:`tandem.operations.campaign_service`. A launch reads the audience from the client
accounts and the last saved engagement profiles, and stages its pushes through the delivery policy in the
request's transaction: the response lists the policy's outcomes, and a failed launch leaves no snapshot and no
push behind.
"""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, Field

from tandem.core.errors import UserError
from tandem.identity import User
from tandem.operations.campaign_service import (
    CampaignDraft,
    CampaignView,
    campaign_uplift,
    create_campaign,
    get_campaign,
    list_campaigns,
)
from tandem.operations.dashboard_view import event_scan, launch_now
from tandem.operations.scan import EventScan
from tandem.web.deps import SessionDep, StateDep, require_role
from tandem.web.problems import PROBLEM_RESPONSES
from tandem.web.state import AppState

router = APIRouter(prefix="/api/v1/ops/campaigns", responses=PROBLEM_RESPONSES, tags=["operations"])
OpsUser = Annotated[User, Depends(require_role("operations", "admin"))]
Code = Annotated[str, Path(pattern=r"^[a-z0-9][a-z0-9_-]{1,31}$")]


class SegmentIn(BaseModel):
    """Audience conditions (all must hold; empty = everyone).

    ``tiers`` are investor categories C1…C5 or ``unassessed``; ``stages`` the furthest funnel step reached; tags
    apply only to clients with personalisation on.
    """

    tags_all: list[str] = Field(default_factory=list, max_length=20)
    tiers: list[str] = Field(default_factory=list, max_length=6)
    min_active_days_30: int = Field(default=0, ge=0, le=30)
    stages: list[str] = Field(default_factory=list, max_length=7)


class CampaignCreate(BaseModel):
    """A campaign to define: the approved library item it sends, who gets it, when, and what it should move."""

    code: str = Field(max_length=32)
    name: str = Field(max_length=80)
    channel: str = Field(default="inapp", description="inapp or email")
    target_step: str = Field(default="first_deposit", description="the funnel step the campaign should move")
    content_id: int = Field(ge=1, le=2**31 - 1, description="an advisor content-library item with an approved version")
    content_version: int | None = Field(
        default=None, ge=1, le=2**31 - 1, description="pinned approved version; default the latest"
    )
    segment: SegmentIn = Field(default_factory=SegmentIn)
    starts_at: datetime
    ends_at: datetime
    control_share: float = Field(default=0.1, ge=0.01, le=0.5, description="share held out as control")
    window_days: int = Field(default=14, ge=1, le=90, description="days after the start in which a conversion counts")


class CampaignPublic(BaseModel):
    """A campaign with its status; group sizes once launched."""

    code: str
    name: str
    status: str
    channel: str
    target_step: str
    content_id: int
    content_version: int
    content_title: str
    segment: dict[str, Any]
    control_share: float
    window_days: int
    starts_at: datetime
    ends_at: datetime
    launched_at: datetime | None
    treated: int
    control: int


class LaunchPublic(BaseModel):
    """The audience split and the delivery policy's outcome counts (accepted, deferred, refused …)."""

    code: str
    treated: int
    control: int
    outcomes: dict[str, int]


class UpliftPublic(BaseModel):
    """Target-step rates of treated and control, their difference with its interval, and a small-sample warning."""

    treated: int
    treated_converted: int
    control: int
    control_converted: int
    rate_treated: float | None
    rate_control: float | None
    difference: float | None
    low: float | None
    high: float | None
    confidence: float
    method: str
    warning: str | None


def _public(view: CampaignView) -> CampaignPublic:
    fields = dataclasses.asdict(view)
    return CampaignPublic(status=view.status(datetime.now(UTC)), **fields)


def _scan(state: AppState) -> EventScan:
    return event_scan(state.settings)


@router.post("", summary="Define a campaign", status_code=201)
def create(body: CampaignCreate, user: OpsUser, db: SessionDep) -> CampaignPublic:
    """Every problem (code taken, unknown step or channel, unapproved content, bad schedule) is named.

    Nothing is stored when any is found.
    """
    draft = CampaignDraft(**body.model_dump(exclude={"segment"}), segment=body.segment.model_dump())
    view = create_campaign(db, draft, created_by=user.id)
    db.commit()
    return _public(view)


@router.get("", summary="Campaigns, newest first")
def index(_: OpsUser, db: SessionDep) -> list[CampaignPublic]:
    """Each with its status: scheduled, ready, launched or ended."""
    return [_public(v) for v in list_campaigns(db)]


@router.get("/{code}", summary="One campaign")
def show(code: Code, _: OpsUser, db: SessionDep) -> CampaignPublic:
    """404 for an unknown code."""
    return _public(get_campaign(db, code))


@router.post("/{code}/launch", summary="Launch a campaign once")
def launch(code: Code, _: OpsUser, request: Request, state: StateDep, db: SessionDep) -> LaunchPublic:
    """Select the audience, hold out the control group, snapshot both and stage the pushes — in one transaction.

    409 when already launched, not started yet or ended; the snapshot and the pushes exist only if all succeeded.
    """
    try:
        data_date = state.diagnosis.latest_day()
    except UserError:  # a store without stock bars: the push is dated today
        data_date = date.today()
    result = launch_now(db, code, state.settings, data_date=data_date)
    db.commit()
    return LaunchPublic(**dataclasses.asdict(result))


@router.get("/{code}/uplift", summary="Uplift of the target step against control")
async def uplift(
    code: Code, _: OpsUser, state: StateDep, db: SessionDep,
    confidence: Annotated[float, Query(gt=0.5, lt=1.0)] = 0.95,
) -> UpliftPublic:  # fmt: skip
    """Counts from the event store over the launch's snapshot; ``warning`` says when the sample cannot conclude."""
    result = await run_in_threadpool(lambda: campaign_uplift(db, code, scan=_scan(state), confidence=confidence))
    return UpliftPublic(**dataclasses.asdict(result))

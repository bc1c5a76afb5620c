"""Campaigns as operations runs them: define, launch once, measure uplift against the held-out control group.

* :func:`create_campaign` checks everything before writing anything — code, name, channel, target step, segment,
  schedule, control share, and that the content is an **approved** version of the advisor's library (compliance
  review passed; the version is pinned, so later edits need a new approval and a new campaign). Every problem is
  named in one :class:`~tandem.core.errors.ValidationFailed`; nothing is stored when any is found.
* :func:`launch_campaign` selects the audience from the real client accounts (:mod:`tandem.operations.audience`),
  draws the seeded control group, stores the audience snapshot and stages one push per treated client through
  engagement's delivery policy (suitability, switches, quiet hours, caps — each decision logged there), all in the
  caller's transaction: a launch either happened completely or not at all, and it happens once.
* :func:`campaign_uplift` counts each group's clients reaching the target step in the measurement window, from
  the event store, against the stored snapshot (:func:`tandem.operations.campaigns.measure`).
"""

from __future__ import annotations

import json
import secrets
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.advisor.models import ContentItem, ContentVersion
from tandem.compliance.suitability import ProductRisk
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.engagement.clients import client_contexts
from tandem.engagement.delivery.service import PushService
from tandem.engagement.profiles import ProfileState
from tandem.operations.audience import audience_members
from tandem.operations.campaigns import Audience, CampaignSpec, Segment, measure, push_candidates, select_audience
from tandem.operations.content import ContentItem as PlainContent
from tandem.operations.errors import SegmentError
from tandem.operations.models import Campaign, CampaignMember
from tandem.operations.referrals import check_slug
from tandem.operations.scan import EventScan
from tandem.operations.steps import STEP_NAMES
from tandem.operations.uplift import Uplift

MAX_DAYS = 92
"""Longest campaign (a quarter): longer ones mix seasons and make the control comparison meaningless."""
SEGMENT_FIELDS = ("tags_all", "tiers", "min_active_days_30", "stages")
CHANNELS = ("inapp", "email")
"""Channels a campaign may use: the dispatcher's in-app and e-mail channels. WeCom is the advisors' own channel
(one advisor to their clients, with its monthly mass-send allowance), not a marketing broadcast."""


@dataclass(frozen=True, slots=True)
class CampaignDraft:
    """What operations submits to define a campaign (checked by :func:`create_campaign`)."""

    code: str
    name: str
    channel: str
    target_step: str
    content_id: int
    segment: dict[str, object]
    starts_at: datetime
    ends_at: datetime
    content_version: int | None = None
    control_share: float = 0.1
    window_days: int = 14
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class CampaignView:
    """A stored campaign with its status and, once launched, its group sizes."""

    code: str
    name: str
    channel: str
    target_step: str
    content_id: int
    content_version: int
    content_title: str
    segment: dict[str, object]
    control_share: float
    window_days: int
    starts_at: datetime
    ends_at: datetime
    launched_at: datetime | None
    treated: int
    control: int

    def status(self, now: datetime) -> str:
        """``scheduled`` (not started), ``ready`` (running, not launched), ``launched`` or ``ended``."""
        if self.launched_at is not None:
            return "launched"
        if now < self.starts_at:
            return "scheduled"
        return "ended" if now > self.ends_at else "ready"


@dataclass(frozen=True, slots=True)
class LaunchResult:
    """What a launch did: the audience split and the delivery policy's outcome counts for the treated group."""

    code: str
    treated: int
    control: int
    outcomes: dict[str, int]


def segment_from_json(raw: dict[str, object]) -> Segment:
    """A :class:`Segment` from its stored/submitted JSON form; unknown fields and wrong types are named."""
    known = ", ".join(SEGMENT_FIELDS)
    problems = [f"segment.{k}: unknown condition; use {known}" for k in raw if k not in SEGMENT_FIELDS]
    sets: dict[str, frozenset[str]] = {}
    for key in ("tags_all", "tiers", "stages"):
        value = raw.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            problems.append(f"segment.{key}: must be a list of non-empty strings")
            value = []
        sets[key] = frozenset(value)
    days = raw.get("min_active_days_30", 0)
    if not isinstance(days, int) or isinstance(days, bool):
        problems.append("segment.min_active_days_30: must be an integer 0…30")
        days = 0
    if problems:
        raise SegmentError("the audience segment is not valid", problems)
    return Segment(tags_all=sets["tags_all"], tiers=sets["tiers"], min_active_days_30=days, stages=sets["stages"])


def segment_to_json(segment: Segment) -> dict[str, object]:
    """The stored form of a segment (sorted lists, so equal segments store equal text)."""
    return {
        "tags_all": sorted(segment.tags_all),
        "tiers": sorted(segment.tiers),
        "min_active_days_30": segment.min_active_days_30,
        "stages": sorted(segment.stages),
    }


def create_campaign(db: Session, draft: CampaignDraft, *, created_by: int | None = None) -> CampaignView:
    """Validate ``draft`` completely, then store it (the caller commits)."""
    problems: list[str] = []
    code = check_slug("code", draft.code, problems)
    if code and db.scalar(select(Campaign.id).where(Campaign.code == code)) is not None:
        problems.append(f"code: a campaign {code!r} already exists; choose another code")
    name = draft.name.strip()
    if not 1 <= len(name) <= 80:
        problems.append("name: give 1–80 characters")
    if draft.channel not in CHANNELS:
        problems.append(f"channel: {draft.channel!r} is not a delivery channel; use {', '.join(CHANNELS)}")
    if draft.target_step not in STEP_NAMES[1:]:
        steps = ", ".join(STEP_NAMES[1:])
        problems.append(f"target_step: {draft.target_step!r} is not a funnel step after landing; use {steps}")
    if not 0.01 <= draft.control_share <= 0.5:
        problems.append(f"control_share: {draft.control_share} must be 0.01…0.5")
    if not 1 <= draft.window_days <= 90:
        problems.append(f"window_days: {draft.window_days} must be 1…90")
    starts, ends = _utc(draft.starts_at), _utc(draft.ends_at)
    if ends <= starts:
        problems.append("ends_at: must be after starts_at")
    elif ends - starts > timedelta(days=MAX_DAYS):
        problems.append(f"ends_at: a campaign runs at most {MAX_DAYS} days; split a longer one")
    try:
        segment = segment_from_json(draft.segment)
    except SegmentError as exc:
        problems.extend(exc.problems or [str(exc)])
        segment = Segment()
    version = _approved_version(db, draft.content_id, draft.content_version, problems)
    if problems:
        raise ValidationFailed(f"campaign {draft.code!r} was not created", problems)
    assert version is not None
    row = Campaign(
        code=code, name=name, channel=draft.channel, target_step=draft.target_step,
        content_id=str(draft.content_id), content_version=version.version,
        audience=json.dumps(segment_to_json(segment), ensure_ascii=False), control_share=draft.control_share,
        seed=draft.seed if draft.seed is not None else secrets.randbelow(2**31), starts_at=starts, ends_at=ends,
        window_days=draft.window_days, created_by=created_by,
    )  # fmt: skip
    db.add(row)
    db.flush()
    return _view(db, row)


def list_campaigns(db: Session) -> list[CampaignView]:
    """Every campaign, newest first."""
    return [_view(db, c) for c in db.scalars(select(Campaign).order_by(Campaign.id.desc()))]


def get_campaign(db: Session, code: str) -> CampaignView:
    """One campaign by code, or NotFoundError."""
    return _view(db, _row(db, code))


def launch_campaign(
    db: Session,
    code: str,
    *,
    scan: EventScan,
    profiles: ProfileState | None,
    push: PushService,
    now: datetime,
    data_date: date,
) -> LaunchResult:
    """Select, split, snapshot and push — once, while the campaign runs; everything in the caller's transaction."""
    row = _row(db, code, lock=True)
    if row.launched_at is not None:
        raise ConflictError(f"campaign {code!r} was already launched at {_utc(row.launched_at).isoformat()}")
    spec = _spec(row)
    if now < spec.starts_at:
        raise ConflictError(f"campaign {code!r} starts at {spec.starts_at.isoformat()}; launch it then")
    if now > spec.ends_at:
        raise ConflictError(f"campaign {code!r} ended at {spec.ends_at.isoformat()}; create a new one")
    content = _content(db, row)
    audience = select_audience(spec, audience_members(db, scan, profiles, now=now))
    db.add_all(CampaignMember(campaign_id=row.id, client_id=c, control=False) for c in audience.treated)
    db.add_all(CampaignMember(campaign_id=row.id, client_id=c, control=True) for c in audience.control)
    candidates = push_candidates(spec, audience, content, data_date=data_date, body=content.body)
    decisions = push.submit(db, candidates=candidates, clients=client_contexts(db, audience.treated, now=now), now=now)
    row.launched_at = now
    db.flush()
    outcomes = dict(Counter(d.outcome.value for d in decisions))
    return LaunchResult(code, len(audience.treated), len(audience.control), outcomes)


def campaign_uplift(db: Session, code: str, *, scan: EventScan, confidence: float = 0.95) -> Uplift:
    """Uplift of the target step, treated against control, over the stored audience snapshot."""
    row = _row(db, code)
    if row.launched_at is None:
        raise ConflictError(f"campaign {code!r} has not been launched; there is no audience to measure yet")
    members = db.execute(
        select(CampaignMember.client_id, CampaignMember.control).where(CampaignMember.campaign_id == row.id)
    )
    treated: list[int] = []
    control: list[int] = []
    for client, held in members:
        (control if held else treated).append(int(client))
    return measure(scan, _spec(row), Audience(tuple(sorted(treated)), tuple(sorted(control))), confidence=confidence)


# ---------------------------------------------------------------------------------------------------- helpers
@dataclass(frozen=True, slots=True)
class _Content(PlainContent):
    """The pinned approved version as a push needs it: the operations content port plus the approved body."""

    body: str = ""


def _approved_version(db: Session, item_id: int, version: int | None, problems: list[str]) -> ContentVersion | None:
    item = db.get(ContentItem, item_id)
    if item is None:
        problems.append(f"content_id: no content item {item_id} in the library")
        return None
    q = select(ContentVersion).where(ContentVersion.item_id == item_id, ContentVersion.status == "approved")
    if version is not None:
        q = q.where(ContentVersion.version == version)
    found = db.scalar(q.order_by(ContentVersion.version.desc()))
    if found is None:
        which = f"version {version}" if version is not None else "any version"
        problems.append(f"content_id: item {item_id} has no approved {which}; it must pass compliance review first")
    return found


def _content(db: Session, row: Campaign) -> _Content:
    item = db.get(ContentItem, int(row.content_id))
    v = db.scalar(
        select(ContentVersion).where(
            ContentVersion.item_id == int(row.content_id),
            ContentVersion.version == row.content_version,
            ContentVersion.status == "approved",
        )
    )
    if item is None or v is None:
        raise ConflictError(
            f"campaign {row.code!r}: content {row.content_id} v{row.content_version} is no longer approved; "
            "create a new campaign with an approved version"
        )
    return _Content(str(item.id), v.version, item.title, ProductRisk(item.audience_risk), v.body)


def _row(db: Session, code: str, *, lock: bool = False) -> Campaign:
    q = select(Campaign).where(Campaign.code == code)
    row = db.scalar(q.with_for_update() if lock else q)
    if row is None:
        raise NotFoundError(f"no campaign {code!r}; list them with GET /api/v1/ops/campaigns")
    return row


def _spec(row: Campaign) -> CampaignSpec:
    return CampaignSpec(
        code=row.code, channel=row.channel, target_step=row.target_step,
        segment=segment_from_json(json.loads(row.audience)), starts_at=_utc(row.starts_at), ends_at=_utc(row.ends_at),
        seed=row.seed, control_share=row.control_share, window=timedelta(days=row.window_days),
    )  # fmt: skip


def _view(db: Session, row: Campaign) -> CampaignView:
    groups = Counter(
        bool(held) for (held,) in db.execute(select(CampaignMember.control).where(CampaignMember.campaign_id == row.id))
    )
    item = db.get(ContentItem, int(row.content_id))
    return CampaignView(
        code=row.code, name=row.name, channel=row.channel, target_step=row.target_step,
        content_id=int(row.content_id), content_version=row.content_version,
        content_title=item.title if item is not None else "", segment=json.loads(row.audience),
        control_share=row.control_share, window_days=row.window_days, starts_at=_utc(row.starts_at),
        ends_at=_utc(row.ends_at), launched_at=_utc(row.launched_at) if row.launched_at else None,
        treated=groups[False], control=groups[True],
    )  # fmt: skip


def _utc(t: datetime) -> datetime:
    """Aware UTC (SQLite hands back naive datetimes for timezone columns; they are UTC)."""
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


@dataclass(frozen=True, slots=True)
class CampaignRow:
    """A campaign as the operations page lists it: the stored view, its status now, and its uplift once launched."""

    view: CampaignView
    status: str
    uplift: Uplift | None


def campaign_rows(db: Session, *, scan: EventScan, now: datetime) -> list[CampaignRow]:
    """Every campaign, newest first, with the uplift of the launched ones (one event-store query each)."""
    rows = []
    for view in list_campaigns(db):
        measured = campaign_uplift(db, view.code, scan=scan) if view.launched_at is not None else None
        rows.append(CampaignRow(view, view.status(now), measured))
    return rows

"""Campaigns: an audience from a segment, a seeded control group held out, pushes through the delivery policy.

* **Audience.** A :class:`Segment` selects :class:`AudienceMember` records (tags, tier, recent activity, funnel
  stage — what the engagement profiles and the funnel know about a client); every condition set must hold.
* **Control group.** Each member is held out with probability ``control_share`` by a hash of (campaign seed,
  campaign code, client id): stable across runs and processes, independent of audience order and size, and
  different per campaign. The control group gets nothing.
* **Delivery.** The treated group becomes :class:`~tandem.engagement.delivery.records.PushCandidate` records
  carrying the approved content's id, version and risk level as ``product_risk``, so engagement's delivery
  policy applies suitability (never above the client's level, audited), quiet hours and caps — nothing here
  decides whether a push goes out.
* **Measurement** (:func:`measure`) counts clients of each group reaching the target step after the campaign
  started, in DuckDB over the event store, and :func:`tandem.operations.uplift.uplift` compares them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from tandem.engagement.delivery.records import PushCandidate
from tandem.operations.content import ApprovedContent
from tandem.operations.errors import SegmentError
from tandem.operations.scan import EventScan
from tandem.operations.steps import STEP_NAMES, step_index
from tandem.operations.uplift import Uplift, uplift


@dataclass(frozen=True, slots=True)
class AudienceMember:
    """What a segment may test about one client (no personal data: an id, tags, tier, activity, funnel stage)."""

    client_id: int
    tags: frozenset[str] = frozenset()
    tier: str = "standard"
    active_days_30: int = 0
    stage: str = "landing"
    risk_category: str | None = None


@dataclass(frozen=True, slots=True)
class Segment:
    """Conditions on members; unset conditions match everyone. ``stage`` is the furthest funnel step reached."""

    tags_all: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    min_active_days_30: int = 0
    stages: frozenset[str] = frozenset()

    def __post_init__(self) -> None:
        bad = sorted(self.stages - set(STEP_NAMES))
        if bad:
            raise SegmentError(f"segment stages {bad} are not funnel steps", [f"stages: use {', '.join(STEP_NAMES)}"])
        if not 0 <= self.min_active_days_30 <= 30:
            raise SegmentError(f"min_active_days_30 must be 0…30, got {self.min_active_days_30}")

    def matches(self, m: AudienceMember) -> bool:
        """Whether ``m`` meets every set condition."""
        return (
            self.tags_all <= m.tags
            and (not self.tiers or m.tier in self.tiers)
            and m.active_days_30 >= self.min_active_days_30
            and (not self.stages or m.stage in self.stages)
        )


@dataclass(frozen=True, slots=True)
class CampaignSpec:
    """A campaign as operations defines it (persisted as :class:`~tandem.operations.models.Campaign`)."""

    code: str
    channel: str
    target_step: str
    segment: Segment
    starts_at: datetime
    ends_at: datetime
    seed: int
    control_share: float = 0.1
    window: timedelta = field(default=timedelta(days=14))

    def __post_init__(self) -> None:
        step_index(self.target_step)
        if not 0.01 <= self.control_share <= 0.5:
            raise ValueError(f"control_share must be 0.01…0.5, got {self.control_share}")
        if self.ends_at <= self.starts_at:
            raise ValueError("a campaign must end after it starts")


def in_control(spec: CampaignSpec, client_id: int) -> bool:
    """The stable, seeded hold-out draw for one client."""
    digest = hashlib.sha256(f"{spec.seed}\x1f{spec.code}\x1f{client_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < spec.control_share


@dataclass(frozen=True, slots=True)
class Audience:
    """The members a segment selected, split into the treated and the held-out control group (client ids)."""

    treated: tuple[int, ...]
    control: tuple[int, ...]


def select_audience(spec: CampaignSpec, members: Sequence[AudienceMember]) -> Audience:
    """Members matching the segment, split by :func:`in_control`."""
    chosen = sorted({m.client_id for m in members if spec.segment.matches(m)})
    control = tuple(c for c in chosen if in_control(spec, c))
    held = set(control)
    return Audience(treated=tuple(c for c in chosen if c not in held), control=control)


def push_candidates(
    spec: CampaignSpec, audience: Audience, content: ApprovedContent, *, data_date: date, body: str
) -> list[PushCandidate]:
    """One candidate per treated client for the delivery policy (which checks suitability, quiet hours, caps)."""
    return [
        PushCandidate(
            client_id=str(cid),
            category="recommendation",
            channel=spec.channel,
            title=content.title,
            body=body,
            rule=f"campaign:{spec.code}",
            dedup_key=f"campaign:{spec.code}:{content.id}:{content.version}",
            data_date=data_date,
            source_events=(f"campaign:{spec.code}",),
            evidence={"campaign": spec.code, "content": content.id, "version": content.version},
            product_code=f"content:{content.id}",
            product_risk=content.risk_level,
        )
        for cid in audience.treated
    ]


def measure(scan: EventScan, spec: CampaignSpec, audience: Audience, *, confidence: float = 0.95) -> Uplift:
    """Clients of each group reaching the target step in ``[starts_at, starts_at + window]``, and the uplift."""
    converted: set[int] = set()
    everyone = [*audience.treated, *audience.control]
    if scan.has_events() and everyone:
        start, end = spec.starts_at, spec.starts_at + spec.window
        base, params = scan.relation(types=(spec.target_step,), first_day=start.date(), last_day=end.date())
        sql = f"SELECT DISTINCT client_id FROM ({base}) WHERE ts >= ? AND ts <= ? AND list_contains(?, client_id)"
        with scan.connect() as con:
            converted = {int(r[0]) for r in con.execute(sql, [*params, start, end, everyone]).fetchall()}
    return uplift(
        treated=len(audience.treated), treated_converted=sum(c in converted for c in audience.treated),
        control=len(audience.control), control_converted=sum(c in converted for c in audience.control),
        confidence=confidence,
    )  # fmt: skip

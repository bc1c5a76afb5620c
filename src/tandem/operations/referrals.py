"""Referral links and their landing: validate the URL's UTM-like parameters, resolve the link, record the landing.

A landing URL is ``/r/<code>?utm_source=…&utm_campaign=…&utm_content=<partner>`` (the QR code encodes the same
URL). The code alone decides channel, partner and campaign — the ``utm_*`` parameters are only checked for
consistency, so a tampered URL cannot credit another partner. Every problem is collected before anything is
recorded; a refused landing writes no event.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.core.db import utcnow
from tandem.core.errors import NotFoundError
from tandem.engagement.events import Event, EventType
from tandem.engagement.ingest import EventIngestService
from tandem.operations.errors import CampaignEndedError, ReferralParamsError
from tandem.operations.models import Campaign, ReferralLink
from tandem.operations.steps import DIRECT, SOURCES

SLUG = re.compile(r"[a-z0-9][a-z0-9_-]{1,31}")
CODE = re.compile(r"[A-Za-z0-9]{6,32}")
QUERY_KEYS = frozenset({"utm_source", "utm_campaign", "utm_content", "utm_medium"})


@dataclass(frozen=True, slots=True)
class LinkParams:
    """What a referral link says: its code, source channel, partner and campaign (``direct`` when none)."""

    code: str
    source: str
    partner: str
    campaign: str

    def properties(self) -> dict[str, str | int | float | bool]:
        """The ``landing`` event's properties (the names the event schema requires)."""
        return {"link": self.code, "source": self.source, "partner": self.partner, "campaign": self.campaign}


def check_slug(name: str, value: object, problems: list[str]) -> str:
    """``value`` if it is a slug (2–32 of ``a-z 0-9 _ -``), else record a problem saying so."""
    if not isinstance(value, str) or not SLUG.fullmatch(value):
        problems.append(f"{name}: {value!r} is not valid; use 2–32 characters a-z, 0-9, '_' or '-', starting a-z/0-9")
        return ""
    return value


def check_query(code: str, query: Mapping[str, str]) -> dict[str, str]:
    """Validate a landing URL's code and parameters; raise :class:`ReferralParamsError` listing every problem."""
    problems: list[str] = []
    if not CODE.fullmatch(code):
        problems.append(f"code: {code!r} is not a referral code (6–32 letters or digits); rescan the QR code")
    for key in sorted(set(query) - QUERY_KEYS):
        problems.append(f"{key}: unknown parameter; a referral URL carries only {', '.join(sorted(QUERY_KEYS))}")
    checked = {k: check_slug(k, v, problems) for k, v in query.items() if k in QUERY_KEYS}
    source = checked.get("utm_source")
    if source and source not in SOURCES:
        problems.append(f"utm_source: {source!r} is not a source; use one of {', '.join(SOURCES)}")
    if problems:
        raise ReferralParamsError(f"referral link rejected, nothing recorded: {problems[0]}", problems)
    return checked


def create_link(db: Session, *, source: str, partner: str = DIRECT, campaign: str = DIRECT) -> LinkParams:
    """Create a referral link for a channel, partner and campaign (the campaign must exist unless ``direct``)."""
    problems: list[str] = []
    if source not in SOURCES:
        problems.append(f"source: {source!r} is not a source; use one of {', '.join(SOURCES)}")
    check_slug("partner", partner, problems)
    check_slug("campaign", campaign, problems)
    if campaign != DIRECT and not problems and db.scalar(select(Campaign.id).where(Campaign.code == campaign)) is None:
        problems.append(f"campaign: no campaign {campaign!r}; create it first or use {DIRECT!r}")
    if problems:
        raise ReferralParamsError(f"referral link not created: {problems[0]}", problems)
    link = ReferralLink(code=secrets.token_hex(6), source=source, partner=partner, campaign=campaign)
    db.add(link)
    db.flush()
    return LinkParams(link.code, source, partner, campaign)


def list_links(db: Session, *, partner: str | None = None, campaign: str | None = None) -> list[LinkParams]:
    """Every referral link (newest first), optionally of one partner or campaign."""
    query = select(ReferralLink).order_by(ReferralLink.id.desc())
    if partner is not None:
        query = query.where(ReferralLink.partner == partner)
    if campaign is not None:
        query = query.where(ReferralLink.campaign == campaign)
    return [LinkParams(r.code, r.source, r.partner, r.campaign) for r in db.scalars(query)]


def find_link(db: Session, code: str) -> LinkParams:
    """One link by code, or a 404-style error naming it."""
    row = db.scalar(select(ReferralLink).where(ReferralLink.code == code))
    if row is None:
        raise NotFoundError(f"no referral link {code!r}; list them with GET /api/v1/ops/links")
    return LinkParams(row.code, row.source, row.partner, row.campaign)


def resolve_link(db: Session, *, code: str, query: Mapping[str, str], now: datetime | None = None) -> LinkParams:
    """The link a landing URL names, after checking its parameters agree and its campaign is running."""
    checked = check_query(code, query)
    link = db.scalar(select(ReferralLink).where(ReferralLink.code == code))
    if link is None:
        raise NotFoundError(f"no referral link {code!r}; the QR code may be from another site or mistyped")
    params = LinkParams(link.code, link.source, link.partner, link.campaign)
    expected = {"utm_source": params.source, "utm_campaign": params.campaign, "utm_content": params.partner}
    wrong = [f"{k}: is {v!r} but link {code} says {expected[k]!r}" for k, v in checked.items() if k in expected
             and v != expected[k]]  # fmt: skip
    if wrong:
        raise ReferralParamsError(f"referral link rejected, nothing recorded: {wrong[0]}", wrong)
    if params.campaign != DIRECT:
        campaign = db.scalar(select(Campaign).where(Campaign.code == params.campaign))
        at = now or utcnow()
        if campaign is not None and not _running(campaign, at):
            ends = _aware(campaign.ends_at)
            when = "ended" if at >= ends else "has not started"
            raise CampaignEndedError(
                f"campaign {campaign.name!r} {when} (runs {_aware(campaign.starts_at):%Y-%m-%d} – {ends:%Y-%m-%d}); "
                "this link no longer opens an offer — open the app from its home page instead"
            )
    return params


def record_landing(
    db: Session, events: EventIngestService, *, code: str, query: Mapping[str, str], visitor_id: int
) -> Event:
    """Resolve the link and store a ``landing`` event for ``visitor_id``; a refused link records nothing."""
    params = resolve_link(db, code=code, query=query)
    return events.emit(client_id=visitor_id, type=EventType.LANDING, object_id=None, properties=params.properties())


def _aware(when: datetime) -> datetime:
    """SQLite hands back naive datetimes for timezone columns; they were written in UTC."""
    return when if when.tzinfo is not None else when.replace(tzinfo=utcnow().tzinfo)


def _running(campaign: Campaign, at: datetime) -> bool:
    return _aware(campaign.starts_at) <= at < _aware(campaign.ends_at)

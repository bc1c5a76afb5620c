"""Tables of operations (on the shared :class:`tandem.core.db.Base`): referral links, campaigns, partner members.

A referral link is what a landing page's URL or QR code carries (``/r/<code>``); its channel, partner and campaign
are copied into every ``landing`` event so the analytics read the event store alone. A partner member ties a
``partner`` role user to the one partner whose links it may see aggregates of (CSRC 2018 referral guidance: the
partner receives no client data).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.db import Base, utcnow


class Campaign(Base):
    """A campaign: audience segment, approved content, channel, schedule, target step and its control group."""

    __tablename__ = "ops_campaigns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    name: Mapped[str] = mapped_column(String(80))
    channel: Mapped[str] = mapped_column(String(16))
    target_step: Mapped[str] = mapped_column(String(24))
    content_id: Mapped[str] = mapped_column(String(64))
    content_version: Mapped[int] = mapped_column(Integer)
    audience: Mapped[str] = mapped_column(Text, default="{}")  # the segment as JSON (see operations.campaigns)
    control_share: Mapped[float] = mapped_column(Float, default=0.1)
    seed: Mapped[int] = mapped_column(Integer)
    starts_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    ends_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    window_days: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    created_by: Mapped[int | None] = mapped_column(Integer, nullable=True)
    launched_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class CampaignMember(Base):
    """The audience snapshot taken at launch: each selected client and whether it was held out as control.

    Measurement reads this snapshot, never a re-selection, so tags or activity changing after the launch cannot
    move a client between groups.
    """

    __tablename__ = "ops_campaign_members"

    campaign_id: Mapped[int] = mapped_column(ForeignKey("ops_campaigns.id", ondelete="CASCADE"), primary_key=True)
    client_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    control: Mapped[bool] = mapped_column(Boolean)


class ReferralLink(Base):
    """One referral link / QR landing page: a short code naming its source channel, partner and campaign."""

    __tablename__ = "ops_referral_links"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True, index=True)
    source: Mapped[str] = mapped_column(String(32))
    partner: Mapped[str] = mapped_column(String(32), index=True)
    campaign: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PartnerMember(Base):
    """A ``partner`` role user and the partner code whose aggregates it may read (one partner per user)."""

    __tablename__ = "ops_partner_members"

    user_id: Mapped[int] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), primary_key=True)
    partner: Mapped[str] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

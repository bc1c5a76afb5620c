"""Tables of push delivery: the outbox, its dead letters, the decision log, in-app notifications, receipts.

* ``engagement_outbox`` — one row per push to deliver, written in the caller's transaction (the transactional
  outbox); ``idempotency_key`` is unique, so the same fact is enqueued once per channel and client. The
  dispatcher leases rows (``locked_by`` / ``locked_until``); an expired lease means a dispatcher died and the
  row is delivered again (at-least-once; channels are idempotent on the key).
* ``engagement_dead_letters`` — pushes that kept failing, for an operator to list and replay.
* ``engagement_push_decisions`` — every policy decision with its reason, rule and source events (the trace).
* ``engagement_notifications`` — the in-app channel's stored notifications (feed and live page read them).
* ``engagement_channel_receipts`` — what a non-idempotent channel (SMTP) has handed off, by key.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, DateTime, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.db import Base, utcnow


class OutboxRow(Base):
    """One push waiting for (or done with) delivery."""

    __tablename__ = "engagement_outbox"
    __table_args__ = (
        Index("ix_engagement_outbox_due", "status", "next_attempt_at"),
        Index("ix_engagement_outbox_client_day", "client_id", "local_day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    rule: Mapped[str] = mapped_column(String(64), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    local_day: Mapped[date] = mapped_column(Date, nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False, default="pending")
    attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    locked_by: Mapped[str | None] = mapped_column(String(40), nullable=True)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class DeadLetterRow(Base):
    """A push that exhausted its retries or failed permanently; ``replayed_at`` is set when re-queued."""

    __tablename__ = "engagement_dead_letters"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("engagement_outbox.id"), nullable=False, index=True)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    error: Mapped[str] = mapped_column(Text, nullable=False)
    dead_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    replayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    replayed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)


class PushDecisionRow(Base):
    """One policy decision: what was proposed, by which rule and events, and what happened to it and why."""

    __tablename__ = "engagement_push_decisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    rule: Mapped[str] = mapped_column(String(64), nullable=False)
    dedup_key: Mapped[str] = mapped_column(String(200), nullable=False)
    candidate_key: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    outbox_key: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    outcome: Mapped[str] = mapped_column(String(16), nullable=False)
    reason: Mapped[str] = mapped_column(String(32), nullable=False)
    detail: Mapped[str] = mapped_column(Text, nullable=False)
    trace: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)


class NotificationRow(Base):
    """A stored in-app notification (the 资讯 feed and the live page notification read these)."""

    __tablename__ = "engagement_notifications"
    __table_args__ = (Index("ix_engagement_notifications_client_created", "client_id", "created_at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    idempotency_key: Mapped[str] = mapped_column(String(64), nullable=False, unique=True)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False)
    category: Mapped[str] = mapped_column(String(32), nullable=False)
    title: Mapped[str] = mapped_column(String(200), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ChannelReceiptRow(Base):
    """A hand-off a channel cannot undo (an SMTP server accepted the mail), keyed by channel and push key."""

    __tablename__ = "engagement_channel_receipts"
    __table_args__ = (UniqueConstraint("channel", "idempotency_key", name="uq_engagement_channel_receipts_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16), nullable=False)
    idempotency_key: Mapped[str] = mapped_column(String(64), nullable=False)
    sent_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)
    detail: Mapped[str] = mapped_column(String(200), nullable=False)

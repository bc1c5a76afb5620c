"""Receipts of hand-offs a channel cannot take back, so a redelivered key is skipped instead of sent twice."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tandem.core.db import session_scope
from tandem.engagement.delivery.models import ChannelReceiptRow


class ReceiptLedger:
    """``engagement_channel_receipts`` for one channel: has this key been handed off, and record that it was."""

    def __init__(self, *, sessions: sessionmaker[Session], channel: str) -> None:
        self._sessions = sessions
        self._channel = channel

    def has(self, key: str) -> bool:
        """Whether ``key`` was already handed off on this channel."""
        stmt = select(ChannelReceiptRow.id).where(
            ChannelReceiptRow.channel == self._channel, ChannelReceiptRow.idempotency_key == key
        )
        with session_scope(self._sessions) as s:
            return s.scalar(stmt) is not None

    def record(self, key: str, detail: str) -> None:
        """Record a hand-off (a second record of the same key is a no-op)."""
        try:
            with session_scope(self._sessions) as s:
                s.add(ChannelReceiptRow(channel=self._channel, idempotency_key=key, detail=detail[:200]))
        except IntegrityError:
            return

"""Persisted tag deletions: the client's "delete this tag" (or "delete all") that the profile must honour forever.

A row ``(client_id, tag, deleted_at)`` means: evidence for ``tag`` from events up to ``deleted_at`` is dropped and
never folded back, however often the profile is recomputed from the event store; ``tag = "*"`` covers every tag
(the "delete all" button). Evidence from behaviour *after* the deletion may build the tag anew — the account page
says so, and the non-personalised switch stops profiling altogether. Deleting again moves ``deleted_at`` forward.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, DateTime, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.db import Base, utcnow

ALL_TAGS = "*"


class ProfileTagSuppression(Base):
    """One deletion a client made of one tag (or of all, ``tag = "*"``), with when it happened."""

    __tablename__ = "engagement_tag_suppressions"
    __table_args__ = (UniqueConstraint("client_id", "tag", name="uq_engagement_tag_suppressions_client_tag"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[int] = mapped_column(BigInteger, nullable=False, index=True)
    tag: Mapped[str] = mapped_column(String(96), nullable=False)
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow)

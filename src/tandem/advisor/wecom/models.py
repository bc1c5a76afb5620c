"""The table linking a Tandem client to the WeCom account advisor messages go to (``advisor_wecom_links``).

A client gets WeCom messages only once their advisor (or operations) has recorded the WeCom user id the client
uses with the firm's WeCom; an unlinked client's message is dead-lettered by the channel with that reason, never
sent to a guessed address. One link per client; relinking overwrites it and records who did it and when.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.db import Base, utcnow


class WeComLink(Base):
    """Client → WeCom user id (``touser`` of ``message/send``)."""

    __tablename__ = "advisor_wecom_links"

    client_user_id: Mapped[int] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), primary_key=True)
    wecom_userid: Mapped[str] = mapped_column(String(64), nullable=False)
    linked_by: Mapped[str] = mapped_column(String(64), nullable=False)
    linked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

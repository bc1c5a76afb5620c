"""Tables of engagement (on the shared :class:`tandem.core.db.Base`): the watchlist and price alerts.

The table predates the move out of the web package and keeps its name; owners are :mod:`tandem.identity.models` users.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, DateTime, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.db import Base, utcnow


class WatchItem(Base):
    """One stock on one user's watchlist."""

    __tablename__ = "watchlist_items"
    __table_args__ = (UniqueConstraint("user_id", "code", name="uq_watchlist_items_user_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(12))
    note: Mapped[str | None] = mapped_column(String(200), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class PriceAlertRow(Base):
    """A client's own price alert: tell me when ``code`` closes at or beyond ``price``; fires once, then disarmed."""

    __tablename__ = "engagement_price_alerts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_users.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(12))
    direction: Mapped[str] = mapped_column(String(5))
    price: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    fired_on: Mapped[date | None] = mapped_column(Date, nullable=True)

"""The simulated-holdings table (on the shared :class:`tandem.core.db.Base`), next to wealth's plan tables.

Its name predates the move out of the web package and stays; ``plan_id`` points into ``wealth_plan``.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from tandem.core.db import Base, utcnow


class SimHoldingRow(Base):
    """One simulated fund position of one client, from the plan that created it."""

    __tablename__ = "wealth_sim_holdings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(64), nullable=False, index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("wealth_plan.id"), nullable=False)
    code: Mapped[str] = mapped_column(String(12), nullable=False)
    name: Mapped[str] = mapped_column(String(80), nullable=False)
    risk_level: Mapped[str] = mapped_column(String(2), nullable=False)
    asset_class: Mapped[str] = mapped_column(String(16), nullable=False)
    units: Mapped[float] = mapped_column(Float, nullable=False)
    nav: Mapped[float] = mapped_column(Float, nullable=False)
    cost: Mapped[float] = mapped_column(Float, nullable=False)
    subscribed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, nullable=False)

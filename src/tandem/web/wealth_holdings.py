"""Simulated holdings: what a client "owns" after accepting a plan (a simulated subscription; no money moves).

Accepting a plan replaces the client's positions with the plan's target positions, because a plan is built on
the client's current holdings plus the new amount (its targets are the whole portfolio after rebalancing).
Units are bought at the fund's latest catalogue NAV; every query is scoped by the owner.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, delete, select
from sqlalchemy.orm import Mapped, Session, mapped_column

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


def current_holdings(db: Session, *, client_id: str) -> list[SimHoldingRow]:
    """The client's positions, largest cost first."""
    rows = db.scalars(
        select(SimHoldingRow)
        .where(SimHoldingRow.client_id == client_id)
        .order_by(SimHoldingRow.cost.desc(), SimHoldingRow.code)
    )
    return list(rows)


def held_amounts(db: Session, *, client_id: str, navs: Mapping[str, float]) -> dict[str, float]:
    """Current value per fund code (units × latest NAV when known, else the cost), for plan building."""
    return {
        r.code: round(r.units * navs[r.code], 2) if r.code in navs else r.cost
        for r in current_holdings(db, client_id=client_id)
    }


def replace_holdings(
    db: Session, *, client_id: str, plan_id: int, holdings: list[dict[str, Any]], navs: Mapping[str, float]
) -> list[SimHoldingRow]:
    """Replace the client's positions by the accepted plan's ``holdings`` (``Plan.to_dict()['holdings']``).

    A fund without a known NAV is subscribed at NAV 1.0 (units = amount) so nothing is silently dropped.
    """
    db.execute(delete(SimHoldingRow).where(SimHoldingRow.client_id == client_id))
    at = utcnow()
    rows = []
    for h in holdings:
        amount = float(h["amount"])
        if amount <= 0:
            continue
        nav = float(navs.get(str(h["code"]), 1.0)) or 1.0
        rows.append(
            SimHoldingRow(
                client_id=client_id,
                plan_id=plan_id,
                code=str(h["code"]),
                name=str(h["name"]),
                risk_level=str(h["risk_level"]),
                asset_class=str(h["asset_class"]),
                units=round(amount / nav, 4),
                nav=nav,
                cost=amount,
                subscribed_at=at,
            )
        )
    db.add_all(rows)
    db.flush()
    return rows

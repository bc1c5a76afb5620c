"""Simulated holdings: what a client "owns" after accepting a plan (a simulated subscription; no money moves).

Accepting a plan replaces the client's positions with the plan's target positions, because a plan is built on
the client's current holdings plus the new amount (its targets are the whole portfolio after rebalancing).
Units are bought at the fund's latest catalogue NAV; every query is scoped by the owner. The table is
:mod:`tandem.wealth.holdings.models`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from tandem.compliance.suitability import ProductRisk
from tandem.core.db import utcnow
from tandem.wealth.holdings.models import SimHoldingRow


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

    The plan's own units are used when it records them (whole lots on the exchange, off-exchange units truncated
    to 2 decimals), so the simulated position is what the plan said would be bought; older plans without units
    are subscribed at the latest NAV. A fund without a known NAV is subscribed at NAV 1.0 (units = amount) so
    nothing is silently dropped.
    """
    db.execute(delete(SimHoldingRow).where(SimHoldingRow.client_id == client_id))
    at = utcnow()
    rows = []
    for h in holdings:
        amount = float(h["amount"])
        if amount <= 0:
            continue
        nav = float(navs.get(str(h["code"]), 1.0)) or 1.0
        units = float(h["units"]) if h.get("units") else round(amount / nav, 4)
        rows.append(
            SimHoldingRow(
                client_id=client_id,
                plan_id=plan_id,
                code=str(h["code"]),
                name=str(h["name"]),
                risk_level=str(h["risk_level"]),
                asset_class=str(h["asset_class"]),
                units=units,
                nav=nav,
                cost=amount,
                subscribed_at=at,
            )
        )
    db.add_all(rows)
    db.flush()
    return rows


@dataclass(frozen=True, slots=True)
class HoldingValue:
    """One position valued at the latest NAV; ``above_level`` when its risk exceeds the client's current level."""

    row: SimHoldingRow
    value: float
    above_level: bool


def value_holdings(
    rows: list[SimHoldingRow], *, navs: Mapping[str, float], level_rank: int | None
) -> list[HoldingValue]:
    """Each position at the latest NAV (its own NAV when the catalogue lost the fund), checked against the level."""
    return [
        HoldingValue(
            row=r,
            value=round(r.units * navs.get(r.code, r.nav), 2),
            above_level=level_rank is not None and ProductRisk(r.risk_level).rank > level_rank,
        )
        for r in rows
    ]

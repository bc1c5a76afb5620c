"""Price alerts a client sets for themselves: create, list, delete (owner-scoped), and the armed set for triggers.

An alert fires once: the session trigger (:mod:`tandem.engagement.triggers.price_alerts`) proposes the push, and
:func:`disarm` records the session day in the same transaction as the push, so a replayed session never fires it
again. Alerts are on instruments the store has prices for, with a price the market could plausibly reach from the
last close (within a tenfold move either way) — a typo such as 1800 for 18.00 is refused with the last close named.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.engagement.models import PriceAlertRow
from tandem.engagement.triggers.records import PriceAlert
from tandem.marketdata.quote import instrument, quote
from tandem.marketdata.store import MarketStore

MAX_ARMED = 50
DIRECTIONS = ("above", "below")


def create_alert(
    db: Session, store: MarketStore, *, user_id: int, code: str, direction: str, price: float
) -> PriceAlertRow:
    """Arm a new alert; every problem is named, nothing is stored when any is found."""
    problems: list[str] = []
    if direction not in DIRECTIONS:
        problems.append(f"direction: {direction!r}; use 'above' or 'below'")
    inst = instrument(store, code)  # unknown codes: NotFoundError with a did-you-mean
    last = quote(store, inst.code).close
    if not price > 0:
        problems.append(f"price: {price} must be above 0")
    elif last and not last / 10 <= price <= last * 10:
        problems.append(f"price: {price} is more than a tenfold move from the last close {last:.2f}; check the price")
    armed = db.scalar(select(func.count()).where(PriceAlertRow.user_id == user_id, PriceAlertRow.fired_on.is_(None)))
    if (armed or 0) >= MAX_ARMED:
        raise ConflictError(f"at most {MAX_ARMED} armed price alerts; delete one first")
    if problems:
        raise ValidationFailed(f"price alert on {inst.code} not created", problems)
    row = PriceAlertRow(user_id=user_id, code=inst.code, direction=direction, price=float(price))
    db.add(row)
    db.flush()
    return row


def list_alerts(db: Session, *, user_id: int) -> list[PriceAlertRow]:
    """The user's alerts, newest first (fired ones keep their day)."""
    q = select(PriceAlertRow).where(PriceAlertRow.user_id == user_id).order_by(PriceAlertRow.id.desc())
    return list(db.scalars(q))


def delete_alert(db: Session, *, user_id: int, alert_id: int) -> None:
    """Delete the user's alert; another user's is simply not found."""
    row = db.scalar(select(PriceAlertRow).where(PriceAlertRow.id == alert_id, PriceAlertRow.user_id == user_id))
    if row is None:
        raise NotFoundError(f"no price alert {alert_id}")
    db.delete(row)


def armed_alerts(db: Session) -> list[PriceAlert]:
    """Every armed alert, as the session triggers take them (``alert_id`` is the row id)."""
    rows = db.scalars(select(PriceAlertRow).where(PriceAlertRow.fired_on.is_(None)).order_by(PriceAlertRow.id))
    return [PriceAlert(str(r.id), str(r.user_id), r.code, r.direction, r.price) for r in rows]  # type: ignore[arg-type]


def disarm(db: Session, alert_ids: Iterable[str], *, day: date) -> int:
    """Record that these alerts fired on ``day`` (only armed ones change); returns how many changed."""
    ids = [int(a) for a in alert_ids]
    if not ids:
        return 0
    done = db.execute(
        update(PriceAlertRow).where(PriceAlertRow.id.in_(ids), PriceAlertRow.fired_on.is_(None)).values(fired_on=day)
    )
    return int(getattr(done, "rowcount", 0))

"""``/api/v1/me/alerts``: my price alerts (create, list, delete; owner-scoped).

They fire once, after the session that reaches the price is imported (``tandem engagement triggers``), as a push
through the delivery policy.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from fastapi import APIRouter, Path, status
from pydantic import BaseModel, ConfigDict, Field

from tandem.engagement import price_alerts
from tandem.engagement.models import PriceAlertRow
from tandem.web.deps import CurrentUser, SessionDep, StateDep
from tandem.web.problems import PROBLEM_RESPONSES

router = APIRouter(prefix="/api/v1/me/alerts", tags=["engagement"], responses=PROBLEM_RESPONSES)
AlertId = Annotated[int, Path(ge=1, le=2**31 - 1)]


class AlertCreate(BaseModel):
    """Tell me when ``code`` closes at or above (or at or below) ``price``."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=1, max_length=20)
    direction: Literal["above", "below"]
    price: float = Field(gt=0, le=1_000_000)


class AlertPublic(BaseModel):
    """One alert; ``fired_on`` is the session day it fired (None while armed)."""

    id: int
    code: str
    direction: str
    price: float
    created_at: datetime
    fired_on: date | None


def _public(row: PriceAlertRow) -> AlertPublic:
    return AlertPublic.model_validate(row, from_attributes=True)


@router.get("", summary="My price alerts")
def list_alerts(user: CurrentUser, db: SessionDep) -> list[AlertPublic]:
    """Newest first, fired ones with their day."""
    return [_public(r) for r in price_alerts.list_alerts(db, user_id=user.id)]


@router.post("", summary="Set a price alert", status_code=status.HTTP_201_CREATED)
def create_alert(body: AlertCreate, user: CurrentUser, state: StateDep, db: SessionDep) -> AlertPublic:
    """Unknown codes are a 404 with a suggestion; an implausible price (a tenfold move) is a 400 naming the close."""
    row = price_alerts.create_alert(
        db, state.store, user_id=user.id, code=body.code, direction=body.direction, price=body.price
    )
    db.commit()
    return _public(row)


@router.delete("/{alert_id}", summary="Delete a price alert", status_code=status.HTTP_204_NO_CONTENT)
def delete_alert(alert_id: AlertId, user: CurrentUser, db: SessionDep) -> None:
    """404 unless the alert is mine."""
    price_alerts.delete_alert(db, user_id=user.id, alert_id=alert_id)
    db.commit()

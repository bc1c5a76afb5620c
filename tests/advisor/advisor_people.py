"""Small builders for advisor tests: users without the cost of password hashing, assessments, plans, holdings."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from tandem.advisor.models import AdvisorProfile, WeComContactRow
from tandem.identity import User
from tandem.wealth.holdings.models import SimHoldingRow
from tandem.wealth.models import PlanRow, RiskAssessmentRow


def add_user(db: Session, role: str, name: str | None = None, *, created_at: datetime | None = None) -> User:
    """A user row of ``role`` (login fields are opaque test bytes; these users never log in)."""
    user = User(
        login_hash=uuid.uuid4().hex,
        login_enc=b"x",
        login_kind="email",
        display_name=name,
        role=role,
        password_hash="not-a-hash",
    )
    if created_at is not None:
        user.created_at = created_at
    db.add(user)
    db.flush()
    return user


def add_assessment(db: Session, user_id: int, category: str, *, assessed: datetime, valid_days: int = 365) -> None:
    """A stored questionnaire result for the client."""
    db.add(
        RiskAssessmentRow(
            client_id=f"user:{user_id}",
            questionnaire_version="test",
            answers={},
            score=50,
            category=category,
            assessed_at=assessed,
            valid_until=assessed + timedelta(days=valid_days),
        )
    )
    db.flush()


def add_plan(db: Session, user_id: int, weights: dict[str, float], *, status: str = "accepted") -> PlanRow:
    """A plan whose payload holds ``weights`` (code → target weight)."""
    plan = PlanRow(
        client_id=f"user:{user_id}",
        level="C3",
        strategy="balanced",
        amount=100_000.0,
        status=status,
        rule_version="test",
        payload={"holdings": [{"code": c, "weight": w, "risk_level": "R3"} for c, w in weights.items()]},
    )
    db.add(plan)
    db.flush()
    return plan


def add_holding(db: Session, user_id: int, plan_id: int, code: str, *, value: float, cost: float) -> None:
    """A simulated position worth ``value`` (units × NAV) that cost ``cost``."""
    db.add(
        SimHoldingRow(
            client_id=f"user:{user_id}",
            plan_id=plan_id,
            code=code,
            name=code,
            risk_level="R3",
            asset_class="equity",
            units=value,
            nav=1.0,
            cost=cost,
        )
    )
    db.flush()


def bind_wecom(db: Session, advisor_id: int, *user_ids: int) -> None:
    """The advisor's WeCom member account, and directory rows as a sync leaves them after each client added it."""
    member = f"member{advisor_id}"
    profile = db.get(AdvisorProfile, advisor_id)
    if profile is None:
        raise ValueError(f"advisor {advisor_id} needs a profile (registration number) before a WeCom account")
    profile.wecom_userid = member
    for uid in user_ids:
        db.add(
            WeComContactRow(
                client_user_id=uid, binding_code=f"tdm-test{uid}", member_userid=member, external_userid=f"wmTEST{uid}"
            )
        )
    db.flush()

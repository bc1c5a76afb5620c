"""A working day for the staff demo accounts: SYNTHETIC clients for the demo advisor, content and tasks.

Called by ``tandem accounts seed-demo`` after the demo accounts exist. The clients are simulated (names
``模拟客户NN``, logins ``demo-client-NN@demo.tandem``) and labelled synthetic; the registration number is a
demo value, not a real SAC number. The advisor gets the clients (and the demo investor), assessments in every
state (valid, expiring within 30 days, expired, never), an approved article to send and tasks from the SOP
rules; compliance gets a submitted article in the review queue; operations see the workload. Idempotent:
a second run changes nothing that the first created.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff
from tandem.advisor.assignments import assign_clients, set_registration_no
from tandem.advisor.content import create_item, review, submit
from tandem.advisor.models import ContentItem
from tandem.advisor.tasks import run_rules
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import SYNTHETIC_LABEL, risk_disclaimer
from tandem.compliance.models import AuditLogRow
from tandem.core.db import utcnow
from tandem.identity import Keys
from tandem.identity.accounts import create_user, find_user
from tandem.wealth.models import RiskAssessmentRow

DEMO_REGISTRATION_NO = "DEMO0000000001"
DEMO_CLIENTS = 12
_CATEGORIES = ("C1", "C2", "C3", "C4", "C5")
APPROVED_TITLE = "基金定投入门（演示）"
PENDING_TITLE = "如何看懂个股诊断（演示）"


def _staff(db: Session, keys: Keys, username: str, role: str) -> Staff:
    user = find_user(db, keys, username=username)
    if user is None:
        raise LookupError(f"demo account {username} is missing; seed the demo accounts first")
    return Staff(user_id=user.id, role=role)


def _clients(db: Session, keys: Keys, password: str, now: datetime) -> list[int]:
    ids = []
    for i in range(1, DEMO_CLIENTS + 1):
        login = f"demo-client-{i:02d}@demo.tandem"
        user = find_user(db, keys, username=login)
        if user is None:
            user = create_user(db, keys, username=login, password=password, display_name=f"模拟客户{i:02d}")
            if i % 4 != 0:  # every fourth client has never been assessed
                assessed = now - timedelta(days=345 if i % 3 == 0 else 400 if i % 5 == 0 else 30 * i)
                db.add(
                    RiskAssessmentRow(
                        client_id=f"user:{user.id}",
                        questionnaire_version="demo",
                        answers={},
                        score=20 * (i % 5),
                        category=_CATEGORIES[i % 5],
                        assessed_at=assessed,
                        valid_until=assessed + timedelta(days=365),
                    )
                )
        ids.append(user.id)
    investor = find_user(db, keys, username="investor@demo.tandem")
    if investor is not None:
        ids.append(investor.id)
    db.flush()
    return ids


def seed_advisor_demo(db: Session, keys: Keys, *, password: str, now: datetime | None = None) -> int:
    """Give the staff demo accounts their working day; returns the number of tasks created."""
    t = now or utcnow()
    ops = _staff(db, keys, "ops@demo.tandem", "operations")
    adv = _staff(db, keys, "advisor@demo.tandem", "advisor")
    comp = _staff(db, keys, "compliance@demo.tandem", "compliance")
    set_registration_no(db, ops, advisor_id=adv.user_id, registration_no=DEMO_REGISTRATION_NO)
    clients = _clients(db, keys, password, t)
    assign_clients(
        db, ops, client_user_ids=clients, advisor_id=adv.user_id, reason="演示数据分配", now=t - timedelta(days=5)
    )
    audit = MemoryAuditLog()
    titles = set(db.scalars(select(ContentItem.title)))
    body = f"{SYNTHETIC_LABEL['zh']}。定投把买入分散到多个时点，平滑成本。\n" + risk_disclaimer("zh", kind="fund")
    if APPROVED_TITLE not in titles:
        v = create_item(
            db,
            adv,
            kind="article",
            title=APPROVED_TITLE,
            category="投教",
            tags=["定投", "基金"],
            audience_risk="R2",
            body=body,
        )
        submit(db, adv, item_id=v.item_id, now=t)
        review(db, comp, audit, version_id=v.id, approve=True, reasons=[], now=t)
    if PENDING_TITLE not in titles:
        v = create_item(
            db,
            adv,
            kind="article",
            title=PENDING_TITLE,
            category="投教",
            tags=["诊断"],
            audience_risk="R3",
            body=body.replace("定投把买入分散到多个时点，平滑成本", "诊断评分的五个维度"),
        )
        submit(db, adv, item_id=v.item_id, now=t)
    for e in audit.query():  # same transaction as the rest of the seed
        db.add(
            AuditLogRow(
                at=e.at,
                actor=e.actor,
                action=e.action,
                subject=e.subject,
                decision=e.decision,
                rule_version=e.rule_version,
                detail=dict(e.detail) if e.detail else None,
            )
        )
    return run_rules(db, now=t, advisor_id=adv.user_id).created

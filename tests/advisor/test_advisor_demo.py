"""The staff demo seed: the advisor gets SYNTHETIC clients, an approved article and tasks; compliance a review
queue; a second run creates nothing new."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff
from tandem.advisor.book import BookQuery, client_book
from tandem.advisor.content import list_approved, review_queue
from tandem.advisor.demo import DEMO_CLIENTS, seed_advisor_demo
from tandem.advisor.models import AdvisorTask
from tandem.identity import make_keys, seed_demo_accounts
from tandem.identity.accounts import find_user

KEYS = make_keys(b"advisor-demo-secret-0123456789abcdef")
NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def test_demo_seed_gives_each_staff_role_a_working_day_and_is_idempotent(db: Session) -> None:
    seed_demo_accounts(db, KEYS)
    created = seed_advisor_demo(db, KEYS, password="TandemDemo2025", now=NOW)
    advisor = find_user(db, KEYS, username="advisor@demo.tandem")
    assert advisor is not None
    book = client_book(db, Staff(advisor.id, "advisor"), query=BookQuery(), now=NOW)
    assert book.total == DEMO_CLIENTS + 1
    assert {r.category for r in book.rows} >= {None, "C1", "C2", "C3"}
    assert [c.title for c in list_approved(db)] == ["基金定投入门（演示）"]
    assert [i.title for i, _ in review_queue(db)] == ["如何看懂个股诊断（演示）"]
    assert created > 0 and {t.kind for t in db.scalars(select(AdvisorTask))} >= {"first_contact", "assessment_expiring"}
    assert seed_advisor_demo(db, KEYS, password="TandemDemo2025", now=NOW) == 0
    assert db.scalar(select(func.count()).select_from(AdvisorTask)) == created

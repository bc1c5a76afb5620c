"""The client page: masked profile, assessment history, consented tags, service history, tasks — and 404 for
another advisor's client."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from advisor_people import add_assessment, add_user
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_staff
from tandem.advisor.assignments import assign_clients
from tandem.advisor.client_page import client_page, record_contact
from tandem.advisor.tasks import run_rules
from tandem.core.errors import NotFoundError, ValidationFailed
from tandem.engagement.profile_service import ClientProfile, Tag
from tandem.identity import make_keys
from tandem.identity.pii import encrypt

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
KEYS = make_keys(b"advisor-test-secret-0123456789abcdef")


class Profiles:
    def profile(self, client_id: int) -> ClientProfile:
        return ClientProfile(client_id, (Tag("industry:银行", "银行", 1.0, 1.0),), "active", "C3", None, None)


def test_client_page_masks_pii_lists_history_and_honours_consent(db: Session) -> None:
    ops = require_staff(user_id=add_user(db, "operations").id, role="operations")
    adv = require_staff(user_id=add_user(db, "advisor").id, role="advisor")
    client = add_user(db, "investor", "张三丰")
    client.login_enc = encrypt(KEYS.fernet, "zhang@example.com")
    client.phone_enc = encrypt(KEYS.fernet, "13812345678")
    assign_clients(
        db, ops, client_user_ids=[client.id], advisor_id=adv.user_id, reason="分配", now=NOW - timedelta(days=9)
    )
    add_assessment(db, client.id, "C2", assessed=NOW - timedelta(days=700))
    add_assessment(db, client.id, "C3", assessed=NOW - timedelta(days=340))
    run_rules(db, now=NOW)  # assessment expiring + first contact
    record_contact(db, adv, client_user_id=client.id, kind="call", note="介绍测评更新", now=NOW)

    page = client_page(db, adv, KEYS, client_user_id=client.id, profiles=Profiles(), now=NOW)
    assert page.account.phone == "138****5678"
    assert page.summary.name == "张**" and page.summary.category == "C3"
    assert [a.category for a in page.assessments] == ["C3", "C2"]
    assert page.tags == ("银行",)
    assert [s.note for s in page.service] == ["介绍测评更新"]
    assert sorted(t.kind for t in page.tasks) == ["assessment_expiring", "first_contact"]
    assert [h.to_advisor_id for h in page.advisors] == [adv.user_id]

    client.non_personalised = True
    assert client_page(db, adv, KEYS, client_user_id=client.id, profiles=Profiles(), now=NOW).tags == ()

    other = require_staff(user_id=add_user(db, "advisor").id, role="advisor")
    with pytest.raises(NotFoundError, match="in your client book"):
        client_page(db, other, KEYS, client_user_id=client.id)
    with pytest.raises(NotFoundError):
        record_contact(db, other, client_user_id=client.id, kind="call", note="x")
    with pytest.raises(ValidationFailed, match="contact kind"):
        record_contact(db, adv, client_user_id=client.id, kind="fax", note="x")


def test_contact_closes_the_first_contact_rule(db: Session) -> None:
    ops = require_staff(user_id=add_user(db, "operations").id, role="operations")
    adv: Staff = require_staff(user_id=add_user(db, "advisor").id, role="advisor")
    c = add_user(db, "investor").id
    assign_clients(db, ops, client_user_ids=[c], advisor_id=adv.user_id, reason="分配", now=NOW - timedelta(days=5))
    record_contact(db, adv, client_user_id=c, kind="wecom", note="加企业微信", now=NOW - timedelta(days=4))
    assert run_rules(db, now=NOW).created == 0

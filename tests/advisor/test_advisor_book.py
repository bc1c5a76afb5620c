"""Client book: assignment with history, object-level authorisation, and the book's facts, filters and pages."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from advisor_people import add_assessment, add_holding, add_plan, add_user
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, StaffOnlyError, require_client_access, require_staff
from tandem.advisor.assignments import assign_clients, history, set_registration_no
from tandem.advisor.book import BookQuery, client_book, mask_name
from tandem.advisor.models import ClientAssignment, ServiceRecord
from tandem.core.errors import NotFoundError, ValidationFailed
from tandem.core.i18n import Message
from tandem.engagement.models import WatchItem
from tandem.engagement.score_changes import ScoreChange

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def staff_of(db: Session, role: str, name: str = "staff") -> tuple[int, Staff]:
    user = add_user(db, role, name)
    return user.id, require_staff(user_id=user.id, role=role)


def test_assignment_is_one_advisor_per_client_and_keeps_history(db: Session) -> None:
    _, ops = staff_of(db, "operations")
    a1, a2 = add_user(db, "advisor", "甲").id, add_user(db, "advisor", "乙").id
    client = add_user(db, "investor", "张三").id
    assign_clients(db, ops, client_user_ids=[client], advisor_id=a1, reason="新客户分配", now=NOW)
    again = assign_clients(db, ops, client_user_ids=[client], advisor_id=a1, reason="重复", now=NOW)
    assert again == []  # unchanged clients leave no history row
    assign_clients(db, ops, client_user_ids=[client], advisor_id=a2, reason="投顾离职交接", now=NOW + timedelta(days=1))
    assert db.get(ClientAssignment, client).advisor_id == a2  # type: ignore[union-attr]
    steps = [(h.from_advisor_id, h.to_advisor_id, h.reason) for h in history(db, client_user_id=client)]
    assert steps == [(None, a1, "新客户分配"), (a1, a2, "投顾离职交接")]


def test_bulk_assignment_with_one_bad_client_assigns_nothing(db: Session) -> None:
    _, ops = staff_of(db, "operations")
    advisor = add_user(db, "advisor").id
    good = add_user(db, "investor").id
    other_advisor = add_user(db, "advisor").id
    with pytest.raises(ValidationFailed, match=r"not investor accounts; nothing was assigned"):
        assign_clients(db, ops, client_user_ids=[good, other_advisor], advisor_id=advisor, reason="批量")
    assert db.get(ClientAssignment, good) is None


def test_only_operations_assign_and_only_to_an_advisor(db: Session) -> None:
    _, adv = staff_of(db, "advisor")
    _, ops = staff_of(db, "operations")
    client = add_user(db, "investor").id
    with pytest.raises(StaffOnlyError, match="needs role operations"):
        assign_clients(db, adv, client_user_ids=[client], advisor_id=adv.user_id, reason="x")
    with pytest.raises(NotFoundError, match="no advisor with user id"):
        assign_clients(db, ops, client_user_ids=[client], advisor_id=client, reason="x")
    with pytest.raises(StaffOnlyError, match="for staff"):
        require_staff(user_id=client, role="investor")


def test_an_advisor_cannot_open_another_advisors_client(db: Session) -> None:
    _, ops = staff_of(db, "operations")
    mine_id, mine = staff_of(db, "advisor")
    theirs_id, _ = staff_of(db, "advisor")
    c1, c2 = add_user(db, "investor").id, add_user(db, "investor").id
    assign_clients(db, ops, client_user_ids=[c1], advisor_id=mine_id, reason="分配")
    assign_clients(db, ops, client_user_ids=[c2], advisor_id=theirs_id, reason="分配")
    assert require_client_access(db, mine, client_user_id=c1) is not None
    with pytest.raises(NotFoundError, match=f"no client {c2} in your client book"):
        require_client_access(db, mine, client_user_id=c2)
    assert require_client_access(db, ops, client_user_id=c2) is not None
    page = client_book(db, mine, query=BookQuery())
    assert [r.user_id for r in page.rows] == [c1]
    # an advisor naming another advisor's book still gets their own
    page = client_book(db, mine, query=BookQuery(), advisor_id=theirs_id)
    assert [r.user_id for r in page.rows] == [c1]


def test_registration_number_is_validated_and_stored(db: Session) -> None:
    adv_id, adv = staff_of(db, "advisor")
    assert set_registration_no(db, adv, advisor_id=adv_id, registration_no=" a0123456789012 ").registration_no == (
        "A0123456789012"
    )
    with pytest.raises(ValidationFailed, match="6–32 letters or digits"):
        set_registration_no(db, adv, advisor_id=adv_id, registration_no="12-34")


class FixedChanges:
    def for_codes(self, codes: object) -> dict[str, ScoreChange]:
        change = ScoreChange(
            "600519", "贵州茅台", date(2026, 5, 29), date(2026, 5, 28), 61, 75, Message("diag.dim.technical"), -9
        )
        return {"600519": change}


def test_book_rows_carry_tier_expiry_plan_drift_watch_changes_and_filter(db: Session) -> None:
    _, ops = staff_of(db, "operations")
    adv_id, adv = staff_of(db, "advisor")
    a = add_user(db, "investor", "张三丰").id
    b = add_user(db, "investor", "李四").id
    c = add_user(db, "investor", None).id
    assign_clients(db, ops, client_user_ids=[a, b, c], advisor_id=adv_id, reason="分配", now=NOW)
    add_assessment(db, a, "C3", assessed=NOW - timedelta(days=350))  # 15 days left
    add_assessment(db, b, "C2", assessed=NOW - timedelta(days=10))
    plan = add_plan(db, a, {"F1": 0.5, "F2": 0.5})
    add_holding(db, a, plan.id, "F1", value=70_000, cost=60_000)
    add_holding(db, a, plan.id, "F2", value=30_000, cost=50_000)
    db.add(WatchItem(user_id=a, code="600519"))
    db.add(ServiceRecord(client_user_id=b, advisor_id=adv_id, at=NOW - timedelta(days=2), kind="call", note="首次联系"))
    db.flush()

    page = client_book(db, adv, query=BookQuery(), changes=FixedChanges(), now=NOW)
    rows = {r.user_id: r for r in page.rows}
    assert page.total == 3
    ra = rows[a]
    assert (ra.name, ra.category, ra.days_left, ra.plan_status) == ("张**", "C3", 15, "accepted")
    assert ra.holdings_value == 100_000
    assert ra.drift == pytest.approx(0.2)
    assert ra.drawdown == pytest.approx(1 - 100_000 / 110_000)
    assert [ch.delta for ch in ra.watch_changes] == [-14]
    assert ra.assessment_alert
    assert rows[b].last_contact_at == NOW - timedelta(days=2)
    assert not rows[b].assessment_alert
    assert rows[c].name == f"客户 #{c}" and rows[c].category is None and rows[c].assessment_alert
    # default sort: never assessed first, then soonest expiry
    assert [r.user_id for r in page.rows] == [c, a, b]

    def ids(**kw: object) -> list[int]:
        return [r.user_id for r in client_book(db, adv, query=BookQuery(**kw), now=NOW).rows]

    assert ids(category="C2") == [b]
    assert ids(expiring_within_days=30) == [c, a]
    assert ids(search="李") == [b]
    assert ids(search=str(c)) == [c]
    assert ids(sort="drift")[0] == a
    assert ids(page=2, page_size=2) == [b]
    with pytest.raises(ValidationFailed, match="page_size must be between 1 and 200"):
        BookQuery(page_size=500)


def test_mask_name_keeps_only_the_first_character() -> None:
    assert mask_name("欧阳修", 1) == "欧**"
    assert mask_name("王", 1) == "王*"

"""Tasks: each SOP rule fires on its occasion only, runs are idempotent, done/snooze need notes, leads see overdue."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from advisor_people import add_assessment, add_holding, add_plan, add_user
from sqlalchemy import select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_staff
from tandem.advisor.assignments import assign_clients
from tandem.advisor.models import AdvisorProfile, AdvisorTask, ServiceRecord
from tandem.advisor.tasks import complete, overdue, queue, run_rules, snooze
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed
from tandem.engagement.models import WatchItem
from tandem.engagement.score_changes import ScoreChange

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def staff(db: Session, role: str) -> Staff:
    return require_staff(user_id=add_user(db, role).id, role=role)


def book(db: Session, n: int, *, assigned: datetime = NOW - timedelta(days=10)) -> tuple[Staff, list[int]]:
    ops, adv = staff(db, "operations"), staff(db, "advisor")
    clients = [add_user(db, "investor").id for _ in range(n)]
    assign_clients(db, ops, client_user_ids=clients, advisor_id=adv.user_id, reason="分配", now=assigned)
    for c in clients:  # contacted, so only the rule under test fires
        db.add(ServiceRecord(client_user_id=c, advisor_id=adv.user_id, at=assigned, kind="call", note="首次联系"))
    db.flush()
    return adv, clients


def kinds(db: Session) -> list[tuple[str, int]]:
    return sorted((t.kind, t.client_user_id) for t in db.scalars(select(AdvisorTask)))


def test_each_rule_fires_on_its_occasion_and_not_beside_it(db: Session) -> None:
    _adv, (expiring, fresh, drifted, balanced, losing, watcher) = book(db, 6)
    add_assessment(db, expiring, "C3", assessed=NOW - timedelta(days=340))  # 25 days left
    add_assessment(db, fresh, "C3", assessed=NOW - timedelta(days=300))  # 65 days left
    p = add_plan(db, drifted, {"F1": 0.5, "F2": 0.5})
    add_holding(db, drifted, p.id, "F1", value=58_000, cost=58_000)  # 8 % drift, no loss
    add_holding(db, drifted, p.id, "F2", value=42_000, cost=42_000)
    p = add_plan(db, balanced, {"F1": 0.5, "F2": 0.5})
    add_holding(db, balanced, p.id, "F1", value=52_000, cost=52_000)  # 2 % drift: inside the band
    add_holding(db, balanced, p.id, "F2", value=48_000, cost=48_000)
    p = add_plan(db, losing, {"F1": 1.0})
    add_holding(db, losing, p.id, "F1", value=85_000, cost=100_000)  # 15 % below cost
    db.add_all([WatchItem(user_id=watcher, code="600519"), WatchItem(user_id=watcher, code="000001")])
    db.flush()
    changes = {
        "600519": ScoreChange("600519", "贵州茅台", date(2026, 5, 29), date(2026, 5, 28), 60, 75, None, 0),
        "000001": ScoreChange("000001", "平安银行", date(2026, 5, 29), date(2026, 5, 28), 66, 70, None, 0),
    }
    summary = run_rules(db, now=NOW, changes=changes)
    assert kinds(db) == sorted(
        [
            ("assessment_expiring", expiring),
            ("plan_drift", drifted),
            ("large_drawdown", losing),
            ("diagnosis_drop", watcher),
        ]
    )
    assert (summary.created, summary.existing) == (4, 0)
    task = db.scalar(select(AdvisorTask).where(AdvisorTask.kind == "assessment_expiring"))
    assert task is not None and "2026-06-26" in task.title
    drop = db.scalar(select(AdvisorTask).where(AdvisorTask.kind == "diagnosis_drop"))
    assert drop is not None and "75→60" in drop.title


def test_rule_runs_are_idempotent_and_a_new_occasion_is_a_new_task(db: Session) -> None:
    _adv, (c,) = book(db, 1)
    p = add_plan(db, c, {"F1": 0.5, "F2": 0.5})
    add_holding(db, c, p.id, "F1", value=60_000, cost=60_000)
    add_holding(db, c, p.id, "F2", value=40_000, cost=40_000)
    assert run_rules(db, now=NOW).created == 1
    again = run_rules(db, now=NOW + timedelta(hours=5))
    assert (again.created, again.existing) == (0, 1)
    assert run_rules(db, now=NOW + timedelta(days=7)).created == 1  # next week, drift still there
    assert len(kinds(db)) == 2


def test_a_new_client_without_contact_gets_a_first_contact_task_after_three_days(db: Session) -> None:
    ops, adv = staff(db, "operations"), staff(db, "advisor")
    c = add_user(db, "investor").id
    assign_clients(db, ops, client_user_ids=[c], advisor_id=adv.user_id, reason="分配", now=NOW - timedelta(days=2))
    assert run_rules(db, now=NOW).created == 0
    assert run_rules(db, now=NOW + timedelta(days=1)).created == 1
    assert kinds(db) == [("first_contact", c)]


def test_queue_done_and_snooze_belong_to_the_advisor_and_need_a_note(db: Session) -> None:
    adv, (c,) = book(db, 1)
    add_assessment(db, c, "C2", assessed=NOW - timedelta(days=360))
    run_rules(db, now=NOW)
    (task,) = queue(db, adv, now=NOW)
    other = staff(db, "advisor")
    with pytest.raises(NotFoundError, match=f"no task {task.id} in your queue"):
        complete(db, other, task_id=task.id, note="不是我的")
    with pytest.raises(ValidationFailed, match="write a note"):
        complete(db, adv, task_id=task.id, note="  ")
    with pytest.raises(ValidationFailed, match="not in the future"):
        snooze(db, adv, task_id=task.id, until=NOW - timedelta(hours=1), note="稍后", now=NOW)
    snooze(db, adv, task_id=task.id, until=NOW + timedelta(days=2), note="客户出差，周三再联系", now=NOW)
    assert queue(db, adv, now=NOW + timedelta(days=1)) == []
    assert [t.id for t in queue(db, adv, now=NOW + timedelta(days=3))] == [task.id]
    complete(db, adv, task_id=task.id, note="已邀请客户重新测评", now=NOW + timedelta(days=3))
    assert queue(db, adv, now=NOW + timedelta(days=30)) == []
    with pytest.raises(ConflictError, match="already done"):
        complete(db, adv, task_id=task.id, note="again")


def test_overdue_view_shows_the_team_leads_advisors_only(db: Session) -> None:
    lead = staff(db, "advisor")
    adv, (c,) = book(db, 1)
    _stranger, (d,) = book(db, 1)
    db.add(AdvisorProfile(user_id=adv.user_id, registration_no="A0000000000001", team_lead_id=lead.user_id))
    for x in (c, d):
        add_assessment(db, x, "C2", assessed=NOW - timedelta(days=360))
    run_rules(db, now=NOW)
    assert overdue(db, lead, now=NOW) == []  # due dates not reached yet
    late = NOW + timedelta(days=10)
    assert [t.client_user_id for t in overdue(db, lead, now=late)] == [c]
    assert sorted(t.client_user_id for t in overdue(db, staff(db, "operations"), now=late)) == sorted([c, d])

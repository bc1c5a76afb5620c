"""Sending: suitability per recipient at send time (audited), the registration number on every text, one outbox
row per accepted recipient, every recipient archived, searchable and exportable; a refused request writes nothing."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from advisor_people import add_assessment, add_user, bind_wecom
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tandem.advisor.access import Staff, require_staff
from tandem.advisor.archive import purge_expired, search, to_csv
from tandem.advisor.assignments import assign_clients, set_registration_no
from tandem.advisor.content import create_item, get_approved, review, submit
from tandem.advisor.models import SendArchiveRow
from tandem.advisor.sending import item_from_content, send
from tandem.compliance.audit import MemoryAuditLog
from tandem.compliance.disclaimers import risk_disclaimer
from tandem.core.errors import ConflictError
from tandem.engagement.delivery.models import OutboxRow

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)
BODY = "本期介绍一只偏股混合基金组合的思路。\n" + risk_disclaimer("zh", kind="fund")


def staff(db: Session, role: str, name: str = "王顾问") -> Staff:
    return require_staff(user_id=add_user(db, role, name).id, role=role)


def setup(db: Session, risk: str = "R4") -> tuple[Staff, MemoryAuditLog, int, dict[str, int]]:
    ops, adv, comp = staff(db, "operations"), staff(db, "advisor"), staff(db, "compliance")
    set_registration_no(db, ops, advisor_id=adv.user_id, registration_no="A0150620080001")
    clients = {k: add_user(db, "investor", k).id for k in ("c4", "c2", "expired", "never", "left")}
    assign_clients(db, ops, client_user_ids=list(clients.values()), advisor_id=adv.user_id, reason="分配", now=NOW)
    add_assessment(db, clients["c4"], "C4", assessed=NOW - timedelta(days=10))
    add_assessment(db, clients["c2"], "C2", assessed=NOW - timedelta(days=10))
    add_assessment(db, clients["expired"], "C5", assessed=NOW - timedelta(days=400))
    add_assessment(db, clients["left"], "C5", assessed=NOW - timedelta(days=10))
    bind_wecom(db, adv.user_id, *clients.values())
    other = staff(db, "advisor", "赵顾问")
    assign_clients(db, ops, client_user_ids=[clients["left"]], advisor_id=other.user_id, reason="转出", now=NOW)
    audit = MemoryAuditLog()
    v = create_item(
        db, adv, kind="article", title="偏股组合思路", category="投顾", tags=[], audience_risk=risk, body=BODY
    )
    submit(db, adv, item_id=v.item_id)
    review(db, comp, audit, version_id=v.id, approve=True, reasons=[])
    return adv, audit, v.item_id, clients


def test_an_r4_item_reaches_the_c4_client_only_and_every_recipient_is_archived(db: Session) -> None:
    adv, audit, item_id, clients = setup(db)
    item = item_from_content(get_approved(db, item_id=item_id), data_date=date(2026, 5, 29))
    report = send(db, adv, audit, item=item, client_user_ids=list(clients.values()), channel="wecom", now=NOW)
    assert report.sent == (clients["c4"],)
    reasons = {r.client_user_id: r.reason for r in report.rejected}
    assert set(reasons) == {clients["c2"], clients["expired"], clients["never"], clients["left"]}
    assert "no valid risk assessment" in reasons[clients["expired"]]
    assert "not in your client book" in reasons[clients["left"]]
    checks = audit.query(action="suitability.check")
    subjects = {e.subject: e.decision for e in checks}  # only clients with a valid level are checked
    assert set(subjects) == {f"client:user:{clients['c4']}", f"client:user:{clients['c2']}"}
    assert subjects[f"client:user:{clients['c4']}"] == "allowed" != subjects[f"client:user:{clients['c2']}"]
    (row,) = db.scalars(select(OutboxRow)).all()
    assert row.client_id == f"user:{clients['c4']}" and row.channel == "wecom" and row.status == "pending"
    assert "执业编号 A0150620080001" in row.body and "数据截至 2026-05-29" in row.body
    assert row.body.count(risk_disclaimer("zh", kind="fund")) == 1
    entries = search(db, adv)
    assert len(entries) == 5
    by_client = {e.row.client_user_id: e for e in entries}
    assert by_client[clients["c4"]].delivery_status == "pending"
    assert by_client[clients["c4"]].row.content_version_id == item.content_version_id
    assert by_client[clients["c2"]].delivery_status == "rejected" and by_client[clients["c2"]].row.body is None
    table = list(csv.DictReader(io.StringIO(to_csv(entries))))
    assert {r["decision"] for r in table} == {"sent", "rejected"} and table[0]["channel"] == "wecom"


def test_a_send_without_a_registration_number_writes_nothing(db: Session) -> None:
    ops, adv = staff(db, "operations"), staff(db, "advisor")
    c = add_user(db, "investor").id
    assign_clients(db, ops, client_user_ids=[c], advisor_id=adv.user_id, reason="分配")
    add_assessment(db, c, "C5", assessed=NOW - timedelta(days=1))
    audit = MemoryAuditLog()
    from tandem.advisor.sending import SendItem
    from tandem.compliance.suitability import ProductRisk

    item = SendItem("brief", "贵州茅台诊断", "诊断正文", ProductRisk.R3, "stock", date(2026, 5, 29), ai_generated=True)
    with pytest.raises(ConflictError, match="执业编号"):
        send(db, adv, audit, item=item, client_user_ids=[c], channel="wecom", now=NOW)
    assert db.scalar(select(func.count()).select_from(SendArchiveRow)) == 0
    assert db.scalar(select(func.count()).select_from(OutboxRow)) == 0
    set_registration_no(db, ops, advisor_id=adv.user_id, registration_no="A0150620080002")
    bind_wecom(db, adv.user_id, c)
    send(db, adv, audit, item=item, client_user_ids=[c], channel="wecom", now=NOW)
    body = db.scalars(select(OutboxRow.body)).one()
    assert "本内容由人工智能生成" in body and risk_disclaimer("zh", kind="stock") in body


def test_archive_search_is_scoped_and_retention_purges_only_old_rows(db: Session) -> None:
    adv, audit, item_id, clients = setup(db, risk="R1")
    item = item_from_content(get_approved(db, item_id=item_id), data_date=date(2026, 5, 29))
    send(db, adv, audit, item=item, client_user_ids=[clients["c2"]], channel="wecom", now=NOW - timedelta(days=3000))
    send(db, adv, audit, item=item, client_user_ids=[clients["c4"]], channel="wecom", now=NOW)
    other = staff(db, "advisor", "钱顾问")
    assert search(db, other) == []
    assert [e.row.client_user_id for e in search(db, adv, client_user_id=clients["c4"])] == [clients["c4"]]
    assert len(search(db, adv, since=NOW - timedelta(days=1))) == 1
    assert purge_expired(db, retention_years=20, now=NOW) == 0
    assert purge_expired(db, retention_years=5, now=NOW) == 1
    assert [e.row.client_user_id for e in search(db, staff(db, "compliance"))] == [clients["c4"]]


def test_plan_and_brief_items_carry_their_risk_and_labels(db: Session) -> None:
    from advisor_people import add_plan

    from tandem.advisor.sending import advice_text, item_from_brief, item_from_plan
    from tandem.compliance.suitability import ProductRisk

    c = add_user(db, "investor").id
    plan = add_plan(db, c, {"F1": 0.7, "F2": 0.3})
    plan.payload = {
        "explanation_zh": "稳健配置。",
        "expected": {"end": "2026-05-29"},
        "holdings": [
            {"code": "F1", "name": "债基", "weight": 0.7, "risk_level": "R2"},
            {"code": "F2", "name": "股基", "weight": 0.3, "risk_level": "R4"},
        ],
    }
    item = item_from_plan(plan)
    assert (item.product_risk, item.data_date, item.disclaimer_kind) == (ProductRisk.R4, date(2026, 5, 29), "fund")
    assert "股基（F2）30%" in item.body
    brief = item_from_brief(
        code="600519",
        name="贵州茅台",
        text="评分 72。",
        data_date=date(2026, 5, 29),
        product_risk=ProductRisk.R3,
        ai_generated=True,
    )
    text = advice_text(brief, advisor_name="王", registration_no="A1")
    assert text.splitlines()[-2:] == ["本内容由人工智能生成", "投资顾问：王（执业编号 A1）"]
    assert risk_disclaimer("zh", kind="stock") in text and "数据截至 2026-05-29" in text

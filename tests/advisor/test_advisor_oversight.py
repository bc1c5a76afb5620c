"""Compliance and operations views: audit search by client/advisor/product/date, a reproducible sample of sent
advice, advisor workload; other roles are refused."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from advisor_people import add_assessment, add_user, bind_wecom
from sqlalchemy.orm import Session, sessionmaker

from tandem.advisor.access import StaffOnlyError, require_staff
from tandem.advisor.assignments import assign_clients, set_registration_no
from tandem.advisor.oversight import audit_search, sample_sent, workload
from tandem.advisor.sending import SendItem, send
from tandem.advisor.tasks import run_rules
from tandem.compliance.audit import SqlAuditLog
from tandem.compliance.suitability import ProductRisk

NOW = datetime(2026, 6, 1, 2, 0, tzinfo=UTC)


def test_audit_search_sample_and_workload(sessions: sessionmaker[Session]) -> None:
    audit = SqlAuditLog(sessions)
    with sessions() as db:
        ops = require_staff(user_id=add_user(db, "operations").id, role="operations")
        comp = require_staff(user_id=add_user(db, "compliance").id, role="compliance")
        adv = require_staff(user_id=add_user(db, "advisor", "王").id, role="advisor")
        idle = add_user(db, "advisor", "李").id
        set_registration_no(db, ops, advisor_id=adv.user_id, registration_no="A0150620080001")
        clients = [add_user(db, "investor").id for _ in range(12)]
        assign_clients(db, ops, client_user_ids=clients, advisor_id=adv.user_id, reason="分配", now=NOW)
        for i, c in enumerate(clients):
            add_assessment(db, c, "C4" if i % 2 else "C1", assessed=NOW - timedelta(days=360))
        bind_wecom(db, adv.user_id, *clients)
        db.commit()
        item = SendItem(
            "brief", "诊断", "正文", ProductRisk.R3, "stock", date(2026, 5, 29), True, product_code="600519"
        )
        send(db, adv, audit, item=item, client_user_ids=clients, channel="wecom", now=NOW)
        db.commit()
        checks = audit_search(db, comp, client_user_id=clients[1], product="600519")
        assert [(r.action, r.decision) for r in checks] == [("suitability.check", "allowed")]
        assert len(audit_search(db, comp, advisor_id=adv.user_id, action="suitability.check")) == 12
        assert audit_search(db, comp, product="000001") == []
        assert audit_search(db, comp, since=NOW + timedelta(days=1)) == []
        with pytest.raises(StaffOnlyError):
            audit_search(db, adv)

        first = sample_sent(db, comp, since=NOW - timedelta(days=1), until=NOW + timedelta(days=1), size=3, seed=42)
        again = sample_sent(db, comp, since=NOW - timedelta(days=1), until=NOW + timedelta(days=1), size=3, seed=42)
        assert [r.id for r in first] == [r.id for r in again] and len(first) == 3
        assert all(r.decision == "sent" and r.client_user_id in clients[1::2] for r in first)

        run_rules(db, now=NOW)
        loads = {w.advisor_id: w for w in workload(db, ops, now=NOW + timedelta(days=30))}
        assert (loads[adv.user_id].clients, loads[adv.user_id].open_tasks) == (12, 12)
        assert loads[adv.user_id].overdue_tasks == 12 and loads[adv.user_id].registration_no == "A0150620080001"
        assert (loads[idle].clients, loads[idle].registration_no) == (0, None)

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DatabaseError
from sqlalchemy.orm import Session, sessionmaker

from tandem.compliance.audit import MemoryAuditLog, SqlAuditLog
from tandem.compliance.models import AuditLogRow
from tandem.compliance.suitability import InvestorCategory, ProductRisk, Verdict
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.db import Base, make_engine, make_sessionmaker
from tandem.core.errors import ConflictError, UserError


def _factory(url: str) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(url)
    Base.metadata.drop_all(engine, tables=[AuditLogRow.__table__])  # type: ignore[list-item]
    Base.metadata.create_all(engine, tables=[AuditLogRow.__table__])  # type: ignore[list-item]
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def sessions(tmp_path) -> Iterator[sessionmaker[Session]]:  # type: ignore[no-untyped-def]
    yield from _factory(f"sqlite:///{tmp_path / 'audit.db'}")


def _append(log: SqlAuditLog) -> None:
    log.append(actor="advisor:1", action="suitability.check", subject="client:7", decision="allowed", rule_version="v1")


def test_append_and_query(sessions: sessionmaker[Session]) -> None:
    log = SqlAuditLog(sessions)
    _append(log)
    log.append(actor="advisor:2", action="other", subject="client:8", decision="x", rule_version="v1", detail={"a": 1})
    rows = log.query(subject="client:8")
    assert len(rows) == 1 and rows[0].detail == {"a": 1} and rows[0].id is not None and rows[0].at is not None
    assert [e.actor for e in log.query()] == ["advisor:1", "advisor:2"]
    assert not hasattr(log, "update") and not hasattr(log, "delete")


def test_empty_who_is_rejected(sessions: sessionmaker[Session]) -> None:
    with pytest.raises(UserError, match="actor"):
        SqlAuditLog(sessions).append(actor=" ", action="a", subject="s", decision="d", rule_version="v")


def _assert_rows_immutable(sessions: sessionmaker[Session]) -> None:
    _append(SqlAuditLog(sessions))
    with sessions() as s, pytest.raises(DatabaseError, match="append-only"):
        s.execute(update(AuditLogRow).values(decision="blocked"))
        s.commit()
    with sessions() as s, pytest.raises(DatabaseError, match="append-only"):
        s.execute(delete(AuditLogRow))
        s.commit()
    with sessions() as s:
        assert s.execute(text("select decision from audit_log")).scalar_one() == "allowed"


def test_sqlite_trigger_blocks_update_and_delete(sessions: sessionmaker[Session]) -> None:
    _assert_rows_immutable(sessions)


@pytest.mark.postgres
def test_postgres_trigger_blocks_update_and_delete(postgres_url: str) -> None:
    for factory in _factory(postgres_url):
        _assert_rows_immutable(factory)


def test_service_audits_check_warning_and_confirmation(sessions: sessionmaker[Session]) -> None:
    log = SqlAuditLog(sessions)
    svc = SuitabilityService(audit=log)
    d = svc.check(
        actor="advisor:1",
        client_id="42",
        product_code="110022",
        category=InvestorCategory.C3,
        product_risk=ProductRisk.R4,
    )
    assert d.verdict is Verdict.NEEDS_WARNING_AND_CONFIRMATION
    svc.record_warning(actor="advisor:1", client_id="42", product_code="110022", decision=d)
    svc.record_confirmation(
        actor="client:42", client_id="42", product_code="110022", decision=d, statement="我已阅读并自愿承担风险"
    )
    actions = [e.action for e in log.query(subject="client:42")]
    assert actions == ["suitability.check", "suitability.warning_shown", "suitability.confirmed"]
    assert all(e.rule_version == svc.rule_version for e in log.query())


def test_confirmation_cannot_override_block() -> None:
    log = MemoryAuditLog()
    svc = SuitabilityService(audit=log)
    d = svc.check(actor="a", client_id="1", product_code="x", category=InvestorCategory.C1, product_risk=ProductRisk.R2)
    assert d.verdict is Verdict.BLOCKED
    with pytest.raises(ConflictError, match="hard block"):
        svc.record_confirmation(actor="a", client_id="1", product_code="x", decision=d, statement="ok")
    with pytest.raises(ConflictError, match="mismatch"):
        svc.record_warning(actor="a", client_id="1", product_code="x", decision=d)
    ok = svc.check(
        actor="a", client_id="1", product_code="y", category=InvestorCategory.C1, product_risk=ProductRisk.R1
    )
    with pytest.raises(ConflictError, match="nothing to confirm"):
        svc.record_confirmation(actor="a", client_id="1", product_code="y", decision=ok, statement="ok")
    assert len(log.query(action="suitability.check")) == 2


def test_check_many_writes_one_row_per_product() -> None:
    log = MemoryAuditLog()
    svc = SuitabilityService(audit=log)
    out = svc.check_many(
        actor="a",
        client_id="9",
        category=InvestorCategory.C2,
        products={"p1": ProductRisk.R1, "p4": ProductRisk.R4},
    )
    assert out["p1"].may_recommend and not out["p4"].may_recommend
    assert {e.detail["product"] for e in log.query(subject="client:9") if e.detail} == {"p1", "p4"}

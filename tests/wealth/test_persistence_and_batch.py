from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tandem.compliance.audit import MemoryAuditLog, SqlAuditLog
from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.compute import LocalPoolRunner, RayRunner
from tandem.core.db import Base, make_engine, make_sessionmaker
from tandem.core.errors import ConflictError, NotFoundError
from tandem.wealth.batch import plan_book
from tandem.wealth.catalogue import Catalogue
from tandem.wealth.plan_store import PlanRepository
from tandem.wealth.plans import PlanBuilder
from tandem.wealth.synthetic import synthetic_clients

DATA = Path(__file__).parent / "data"


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    Base.metadata.create_all(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def test_plan_saved_with_history_and_audit(sessions: sessionmaker[Session], catalogue: Catalogue) -> None:
    audit = SqlAuditLog(sessions)
    builder = PlanBuilder(catalogue=catalogue, suitability=SuitabilityService(audit=audit))
    repo = PlanRepository(sessions=sessions, audit=audit)
    first = repo.save(
        actor="advisor:1",
        plan=builder.build(actor="advisor:1", client_id="9", category=InvestorCategory.C3, amount=200_000),
    )
    second = repo.save(
        actor="advisor:1",
        plan=builder.build(actor="advisor:1", client_id="9", category=InvestorCategory.C3, amount=300_000),
    )
    assert repo.get(plan_id=first).status == "superseded"
    accepted = repo.accept(actor="client:9", plan_id=second)
    assert accepted.status == "accepted" and accepted.payload["amount"] == 300_000
    with pytest.raises(ConflictError, match="only a proposed plan"):
        repo.accept(actor="client:9", plan_id=second)
    with pytest.raises(NotFoundError):
        repo.get(plan_id=999)
    assert [e.event for e in repo.history(plan_id=first)] == ["proposed", "superseded"]
    assert [e.event for e in repo.history(plan_id=second)] == ["proposed", "accepted"]
    assert repo.latest_for(client_id="9").id == second  # type: ignore[union-attr]
    actions = [e.action for e in audit.query(subject="client:9")]
    assert actions.count("plan.proposed") == 2 and "plan.accepted" in actions
    assert actions.count("suitability.check") >= 2


def test_synthetic_generator_is_seeded_and_labelled() -> None:
    a = synthetic_clients(50, seed=3, fund_codes=["110022", "217011"])
    assert a == synthetic_clients(50, seed=3, fund_codes=["110022", "217011"])
    assert a != synthetic_clients(50, seed=4, fund_codes=["110022", "217011"])
    assert all(c.client_id.startswith("SYN-") and "SYNTHETIC" in c.label for c in a)
    assert any(c.holdings for c in a)


def test_batch_in_process_and_pool() -> None:
    clients = synthetic_clients(40, seed=1, fund_codes=["110022"])
    one = plan_book(clients, funds_path=DATA / "funds.parquet", nav_path=DATA / "fund_nav.parquet")
    with LocalPoolRunner(2) as pool:
        two = plan_book(clients, funds_path=DATA / "funds.parquet", nav_path=DATA / "fund_nav.parquet", runner=pool)
    assert one.synthetic and "SYNTHETIC" in one.label and all(p["synthetic"] for p in one.plans)
    assert len(one.plans) + len(one.errors) == 40 and one.plans == two.plans
    assert one.audited_checks >= len(one.plans)
    for p in one.plans:
        level = int(p["level"][1])
        assert all(int(risk[1]) <= level for _, risk, _ in p["holdings"])


@pytest.mark.ray
def test_batch_on_ray_local() -> None:
    pytest.importorskip("ray")
    clients = synthetic_clients(10, seed=2)
    with RayRunner(2) as ray:
        out = plan_book(clients, funds_path=DATA / "funds.parquet", nav_path=DATA / "fund_nav.parquet", runner=ray)
    local = plan_book(clients, funds_path=DATA / "funds.parquet", nav_path=DATA / "fund_nav.parquet")
    assert out.plans == local.plans


def test_memory_audit_for_batch() -> None:
    assert MemoryAuditLog().query() == []

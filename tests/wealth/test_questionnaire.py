from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tandem.compliance.audit import SqlAuditLog
from tandem.compliance.suitability import InvestorCategory
from tandem.core.db import Base, make_engine, make_sessionmaker
from tandem.core.errors import UserError, ValidationFailed
from tandem.wealth.assessment import AssessmentService
from tandem.wealth.questionnaire import load_questionnaire, score_answers

Q = load_questionnaire()
BEST = {q.id: max(q.options, key=lambda o: o.score).key for q in Q.questions}
MIDDLE = {"age": "b", "income": "b", "assets": "b", "debts": "b", "experience": "b", "horizon": "b",
          "loss_tolerance": "b", "purpose": "c"}  # fmt: skip


def test_covers_required_topics_in_both_languages() -> None:
    ids = {q.id for q in Q.questions}
    assert {"income", "assets", "debts", "experience", "horizon", "loss_tolerance", "purpose", "age"} <= ids
    assert all(q.zh and q.en and all(o.zh and o.en for o in q.options) for q in Q.questions)
    assert Q.validity_days == 365


def test_scoring_bands() -> None:
    assert score_answers(Q, BEST).category is InvestorCategory.C5
    mid = score_answers(Q, MIDDLE)
    assert mid.category in (InvestorCategory.C2, InvestorCategory.C3) and not mid.lowest_category


@pytest.mark.parametrize(
    ("override", "reason"),
    [({"loss_tolerance": "a"}, "loss_tolerance=a"), ({"purpose": "a"}, "purpose=a"),
     ({"age": "e", "experience": "a"}, "70岁及以上且无投资经验")],
)  # fmt: skip
def test_lowest_category_forced_by_rule(override: dict[str, str], reason: str) -> None:
    result = score_answers(Q, {**BEST, **override})
    assert result.category is InvestorCategory.C1 and result.lowest_category and reason in result.forced_by


def test_incomplete_and_invalid_answers() -> None:
    partial = dict(BEST)
    del partial["debts"], partial["horizon"]
    with pytest.raises(UserError, match="no answer for debts, horizon"):
        score_answers(Q, partial)
    with pytest.raises(ValidationFailed, match="income: 'z' is not an option") as info:
        score_answers(Q, {**BEST, "income": "z", "shoe_size": "a"})
    assert len(info.value.problems) == 2


def test_bad_yaml_file(tmp_path: Path) -> None:
    bad = tmp_path / "q.yaml"
    bad.write_text("version: x\nquestions: []\n", encoding="utf-8")
    with pytest.raises(ValidationFailed, match="not a valid questionnaire"):
        load_questionnaire(bad)


@pytest.fixture
def sessions(tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    engine = make_engine(f"sqlite:///{tmp_path / 'w.db'}")
    Base.metadata.create_all(engine)
    yield make_sessionmaker(engine)
    engine.dispose()


def test_assessment_stored_audited_and_expires(sessions: sessionmaker[Session]) -> None:
    audit = SqlAuditLog(sessions)
    svc = AssessmentService(sessions=sessions, audit=audit, questionnaire=Q)
    with pytest.raises(UserError, match="no risk assessment"):
        svc.current_category(client_id="7")
    then = datetime(2025, 1, 10, tzinfo=UTC)
    stored = svc.submit(actor="client:7", client_id="7", answers=BEST, now=then)
    assert stored.valid_until == then + timedelta(days=365)
    assert svc.current_category(client_id="7", now=then + timedelta(days=10)) is InvestorCategory.C5
    with pytest.raises(UserError, match="expired on 2026-01-10"):
        svc.current_category(client_id="7", now=then + timedelta(days=366))
    svc.submit(actor="client:7", client_id="7", answers={**BEST, "loss_tolerance": "a"}, now=then)
    assert svc.latest(client_id="7").category is InvestorCategory.C1  # type: ignore[union-attr]
    log = audit.query(subject="client:7", action="questionnaire.assessed")
    assert [e.decision for e in log] == ["C5", "C1"] and log[0].rule_version == Q.version

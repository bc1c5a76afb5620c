"""Risk assessment service: score a questionnaire, store answers and result, audit it, enforce validity.

A result is valid for the questionnaire's ``validity_days`` (one year by default); after that, or with no
assessment at all, :meth:`AssessmentService.current_category` refuses and asks for a re-assessment.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tandem.compliance.audit import AuditSink
from tandem.compliance.suitability import InvestorCategory
from tandem.core.db import session_scope, utcnow
from tandem.core.errors import UserError
from tandem.wealth.models import RiskAssessmentRow
from tandem.wealth.questionnaire import Questionnaire, score_answers


@dataclass(frozen=True, slots=True)
class Assessment:
    """A stored assessment."""

    id: int
    client_id: str
    category: InvestorCategory
    score: int
    lowest_category: bool
    forced_by: tuple[str, ...]
    assessed_at: datetime
    valid_until: datetime
    questionnaire_version: str


class AssessmentService:
    """Submit answers and read the client's valid category (keyword-only arguments)."""

    def __init__(self, *, sessions: sessionmaker[Session], audit: AuditSink, questionnaire: Questionnaire) -> None:
        self._sessions = sessions
        self._audit = audit
        self._q = questionnaire

    def submit(
        self, *, actor: str, client_id: str, answers: Mapping[str, str], now: datetime | None = None
    ) -> Assessment:
        """Score, store and audit one completed questionnaire."""
        result = score_answers(self._q, answers)
        at = now or utcnow()
        with session_scope(self._sessions) as s:
            row = RiskAssessmentRow(
                client_id=client_id,
                questionnaire_version=result.questionnaire_version,
                answers=dict(answers),
                score=result.score,
                category=result.category.value,
                lowest_category=result.lowest_category,
                forced_by=list(result.forced_by) or None,
                assessed_at=at,
                valid_until=at + timedelta(days=self._q.validity_days),
            )
            s.add(row)
            s.flush()
            stored = _to_assessment(row)
        self._audit.append(
            actor=actor,
            action="questionnaire.assessed",
            subject=f"client:{client_id}",
            decision=result.category.value,
            rule_version=result.questionnaire_version,
            detail={"score": result.score, "forced_by": list(result.forced_by), "assessment_id": stored.id},
        )
        return stored

    def latest(self, *, client_id: str) -> Assessment | None:
        """The client's most recent assessment, valid or not."""
        with session_scope(self._sessions) as s:
            row = s.scalars(
                select(RiskAssessmentRow)
                .where(RiskAssessmentRow.client_id == client_id)
                .order_by(RiskAssessmentRow.id.desc())
                .limit(1)
            ).first()
            return None if row is None else _to_assessment(row)

    def current_category(self, *, client_id: str, now: datetime | None = None) -> InvestorCategory:
        """The category of a still-valid assessment; otherwise a UserError asking to (re-)assess."""
        latest = self.latest(client_id=client_id)
        if latest is None:
            raise UserError(f"client {client_id} has no risk assessment; complete the questionnaire first")
        when = now or utcnow()
        if when >= latest.valid_until:
            raise UserError(
                f"client {client_id}'s risk assessment expired on {latest.valid_until.date().isoformat()}; "
                "complete the questionnaire again"
            )
        return latest.category


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def _to_assessment(row: RiskAssessmentRow) -> Assessment:
    return Assessment(
        row.id,
        row.client_id,
        InvestorCategory(row.category),
        row.score,
        row.lowest_category,
        tuple(row.forced_by or ()),
        _aware(row.assessed_at),
        _aware(row.valid_until),
        row.questionnaire_version,
    )

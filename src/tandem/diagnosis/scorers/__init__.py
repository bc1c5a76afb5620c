"""The diagnosis dimensions, in display order."""

from __future__ import annotations

from tandem.diagnosis.scorers.base import Scorer
from tandem.diagnosis.scorers.fundamentals import GrowthScorer, HealthScorer, ProfitabilityScorer
from tandem.diagnosis.scorers.market import CapitalFlowScorer, RelativeStrengthScorer, TechnicalScorer
from tandem.diagnosis.scorers.risk import IndustryStandingScorer, RiskScorer
from tandem.diagnosis.scorers.valuation import ValuationScorer


def all_scorers() -> tuple[Scorer, ...]:
    """One instance of every scorer, in display order."""
    return (
        ValuationScorer(),
        ProfitabilityScorer(),
        GrowthScorer(),
        HealthScorer(),
        TechnicalScorer(),
        RelativeStrengthScorer(),
        CapitalFlowScorer(),
        RiskScorer(),
        IndustryStandingScorer(),
    )


__all__ = ["Scorer", "all_scorers"]

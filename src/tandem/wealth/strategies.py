"""Model strategies for fund advisory (基金投顾组合策略), each mapped to the client categories it may serve.

A strategy's risk grade is the highest product grade it may hold; by the suitability matrix it serves exactly
the categories for which that grade is *allowed* (C ≥ R). Weights come from the allocation engine on the
catalogue's funds at or below that grade, with the asset-class bands of the strategy's base category.
``max_weight`` is 20% except where the catalogue offers too few low-risk funds for that cap to be feasible
(cash management holds money-market funds only; steady income allows 30% across the R1–R2 funds).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pandas as pd

from tandem.compliance.suitability import InvestorCategory, ProductRisk, Verdict, check_suitability
from tandem.core.errors import UserError
from tandem.core.i18n import Message
from tandem.wealth.allocation.constraints import CLASS_BANDS_BY_CATEGORY, AllocationConstraints
from tandem.wealth.allocation.estimators import HistoricalMeanReturns, LedoitWolfCovariance
from tandem.wealth.allocation.optimizers import MaximumSharpe, MinimumVariance, RiskParity, TargetVolatility
from tandem.wealth.catalogue import Catalogue

OptimizerName = Literal["minimum_variance", "risk_parity", "maximum_sharpe", "target_volatility"]


@dataclass(frozen=True, slots=True)
class ModelStrategy:
    """A named model portfolio recipe."""

    key: str
    risk: ProductRisk
    optimizer: OptimizerName
    max_weight: float
    target_volatility: float | None = None

    @property
    def name(self) -> Message:
        """The strategy's display name (``均衡配置`` / ``Balanced``)."""
        return Message(f"wealth.strategy.{self.key}.name")

    @property
    def description(self) -> Message:
        """One sentence on what the strategy holds and aims for."""
        return Message(f"wealth.strategy.{self.key}.description")

    @property
    def base_category(self) -> InvestorCategory:
        """The lowest category this strategy matches (C with the same rank as its grade)."""
        return InvestorCategory(f"C{self.risk.rank}")

    def serves(self, category: InvestorCategory) -> bool:
        """Whether the suitability matrix allows (not merely tolerates) this strategy for ``category``."""
        return check_suitability(category=category, product_risk=self.risk).verdict is Verdict.ALLOWED


STRATEGIES: tuple[ModelStrategy, ...] = (
    ModelStrategy("cash", ProductRisk.R1, "minimum_variance", 1.0),
    ModelStrategy("steady", ProductRisk.R2, "minimum_variance", 0.30),
    ModelStrategy("balanced", ProductRisk.R3, "risk_parity", 0.20),
    ModelStrategy("growth", ProductRisk.R4, "maximum_sharpe", 0.20),
)
"""Names and descriptions are in the catalogue under ``wealth.strategy.<key>.name`` / ``.description``."""


def strategy_by_key(key: str, strategies: tuple[ModelStrategy, ...] = STRATEGIES) -> ModelStrategy:
    """Look a strategy up by key or Chinese name."""
    for s in strategies:
        if key in (s.key, s.name.render("zh")):
            return s
    known = ", ".join(f"{s.key} ({s.name.render('zh')})" for s in strategies)
    raise UserError(f"unknown strategy {key!r}; choose one of {known}")


def constraints_for(strategy: ModelStrategy, catalogue: Catalogue, codes: list[str]) -> AllocationConstraints:
    """The constraint set a strategy imposes on the given catalogue assets."""
    products = catalogue.products
    return AllocationConstraints(
        max_weight=strategy.max_weight,
        class_bands=CLASS_BANDS_BY_CATEGORY[strategy.base_category],
        max_risk=strategy.risk,
        asset_classes={c: products[c].asset_class for c in codes},
        asset_risk={c: products[c].risk for c in codes},
    )


def allocate(strategy: ModelStrategy, catalogue: Catalogue, returns: pd.DataFrame, *, risk_free: float) -> pd.Series:
    """Target weights of ``strategy`` estimated on ``returns`` (only funds within its grade are considered)."""
    codes = [p.code for p in catalogue.eligible(max_risk=strategy.risk) if p.code in returns.columns]
    if not codes:
        raise UserError(f"strategy {strategy.key}: the catalogue has no fund graded {strategy.risk.value} or lower")
    window = returns[codes]
    cov = LedoitWolfCovariance().fit(window).covariance_
    mu = HistoricalMeanReturns().fit(window).expected_returns_
    cons = constraints_for(strategy, catalogue, codes)
    if strategy.optimizer == "minimum_variance":
        return MinimumVariance(constraints=cons).fit(mu, cov).weights_
    if strategy.optimizer == "risk_parity":
        return RiskParity(constraints=cons).fit(mu, cov).weights_
    if strategy.optimizer == "maximum_sharpe":
        return MaximumSharpe(constraints=cons, risk_free=risk_free).fit(mu, cov).weights_
    target = strategy.target_volatility or 0.10
    return TargetVolatility(constraints=cons, target_volatility=target).fit(mu, cov).weights_

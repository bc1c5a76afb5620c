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
from tandem.wealth.allocation.constraints import CLASS_BANDS_BY_CATEGORY, AllocationConstraints
from tandem.wealth.allocation.estimators import HistoricalMeanReturns, LedoitWolfCovariance
from tandem.wealth.allocation.optimizers import MaximumSharpe, MinimumVariance, RiskParity, TargetVolatility
from tandem.wealth.catalogue import Catalogue

OptimizerName = Literal["minimum_variance", "risk_parity", "maximum_sharpe", "target_volatility"]


@dataclass(frozen=True, slots=True)
class ModelStrategy:
    """A named model portfolio recipe."""

    key: str
    name_zh: str
    name_en: str
    risk: ProductRisk
    optimizer: OptimizerName
    max_weight: float
    description_zh: str
    description_en: str
    target_volatility: float | None = None

    @property
    def base_category(self) -> InvestorCategory:
        """The lowest category this strategy matches (C with the same rank as its grade)."""
        return InvestorCategory(f"C{self.risk.rank}")

    def serves(self, category: InvestorCategory) -> bool:
        """Whether the suitability matrix allows (not merely tolerates) this strategy for ``category``."""
        return check_suitability(category=category, product_risk=self.risk).verdict is Verdict.ALLOWED


STRATEGIES: tuple[ModelStrategy, ...] = (
    ModelStrategy(
        "cash", "现金管理", "Cash management", ProductRisk.R1, "minimum_variance", 1.0,
        "只投资货币市场基金，追求流动性和本金波动最小。", "Money-market funds only: liquidity and minimal swings.",
    ),
    ModelStrategy(
        "steady", "稳健理财", "Steady income", ProductRisk.R2, "minimum_variance", 0.30,
        "以债券基金为主、货币基金为辅，追求低波动。", "Mostly bond funds plus cash, aiming for low volatility.",
    ),
    ModelStrategy(
        "balanced", "均衡配置", "Balanced", ProductRisk.R3, "risk_parity", 0.20,
        "债券与混合基金按风险均衡配置，各类资产承担相近的风险。",
        "Bond and mixed funds weighted so each carries a similar share of risk.",
    ),
    ModelStrategy(
        "growth", "积极进取", "Growth", ProductRisk.R4, "maximum_sharpe", 0.20,
        "在股票、债券、海外与黄金基金间分散配置，追求风险调整后收益。",
        "Diversified across equity, bond, overseas and gold funds for risk-adjusted return.",
    ),
)  # fmt: skip


def strategy_by_key(key: str, strategies: tuple[ModelStrategy, ...] = STRATEGIES) -> ModelStrategy:
    """Look a strategy up by key or Chinese name."""
    for s in strategies:
        if key in (s.key, s.name_zh):
            return s
    known = ", ".join(f"{s.key} ({s.name_zh})" for s in strategies)
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

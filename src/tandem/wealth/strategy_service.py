"""Strategy listing gated by suitability: a client sees only strategies that match, and every check is audited.

Performance (the real walk-forward backtest) is returned only for a matching strategy; asking for another
raises :class:`~tandem.core.errors.ConflictError` after the refused check has been logged.
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import ConflictError
from tandem.wealth.catalogue import Catalogue
from tandem.wealth.strategies import STRATEGIES, ModelStrategy, strategy_by_key
from tandem.wealth.strategy_backtest import StrategyBacktest, backtest_strategy


@dataclass(frozen=True)
class StrategyView:
    """What a client is shown about one matching strategy."""

    strategy: ModelStrategy
    backtest: StrategyBacktest


class StrategyService:
    """Lists strategies and their backtests for a client, enforcing and auditing suitability."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        suitability: SuitabilityService,
        strategies: tuple[ModelStrategy, ...] = STRATEGIES,
        risk_free: float = 0.02,
    ) -> None:
        self._catalogue = catalogue
        self._suitability = suitability
        self._strategies = strategies
        self._risk_free = risk_free
        self._backtests: dict[str, StrategyBacktest] = {}

    def _matches(self, *, actor: str, client_id: str, category: InvestorCategory, strategy: ModelStrategy) -> bool:
        decision = self._suitability.check(
            actor=actor,
            client_id=client_id,
            product_code=f"strategy:{strategy.key}",
            category=category,
            product_risk=strategy.risk,
        )
        return decision.may_recommend

    def _backtest(self, strategy: ModelStrategy) -> StrategyBacktest:
        if strategy.key not in self._backtests:
            self._backtests[strategy.key] = backtest_strategy(strategy, self._catalogue, risk_free=self._risk_free)
        return self._backtests[strategy.key]

    def list_for(self, *, actor: str, client_id: str, category: InvestorCategory) -> list[StrategyView]:
        """Matching strategies with their backtests, lowest risk first; the others are not shown at all."""
        return [
            StrategyView(s, self._backtest(s))
            for s in self._strategies
            if self._matches(actor=actor, client_id=client_id, category=category, strategy=s)
        ]

    def performance(self, *, actor: str, client_id: str, category: InvestorCategory, key: str) -> StrategyBacktest:
        """Backtest of one strategy, only if it matches the client's category."""
        strategy = strategy_by_key(key, self._strategies)
        if not self._matches(actor=actor, client_id=client_id, category=category, strategy=strategy):
            raise ConflictError(
                f"strategy {strategy.key} ({strategy.name.render('zh')}) is graded {strategy.risk.value}, above the "
                "client's "
                f"category {category.value}; its performance is shown only to matching clients"
            )
        return self._backtest(strategy)

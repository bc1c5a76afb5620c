"""Client plans: target weights, amounts rounded to each fund's minimum purchase, expected risk, explanation.

A plan uses only strategies and products the suitability matrix *allows* for the client (never a mismatch,
never a blocked grade), every product in it is checked and audited, and its text passes the phrase guard.
Minimum purchase: see ``product_rules.MIN_PURCHASE_SOURCE``. Amounts are rounded down to the step; what
rounding leaves over is reported as uninvested cash. Expected figures are the fixed-weight portfolio's
historical statistics over the catalogue window — history, not a forecast.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any

import pandas as pd

from tandem.compliance.disclaimers import data_date_line, risk_disclaimer
from tandem.compliance.phrase_guard import ensure_no_forbidden_phrases
from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import ConflictError, UserError
from tandem.wealth.catalogue import Catalogue
from tandem.wealth.explain import explain
from tandem.wealth.rebalance import RebalanceSuggestion, suggest_rebalance
from tandem.wealth.stats import performance
from tandem.wealth.strategies import STRATEGIES, ModelStrategy, allocate, strategy_by_key


@dataclass(frozen=True, slots=True)
class PlanHolding:
    """One fund in a plan."""

    code: str
    name: str
    risk_level: str
    asset_class: str
    weight: float
    amount: float
    min_purchase: float


@dataclass(frozen=True, slots=True)
class Expected:
    """Historical figures of the target portfolio (not a forecast)."""

    annual_return: float
    volatility: float
    max_drawdown: float
    basis: str


@dataclass(frozen=True)
class Plan:
    """A complete, persistable advisory plan."""

    client_id: str
    level: str
    strategy: str
    strategy_name: str
    amount: float
    invested: float
    cash_residual: float
    horizon_years: float
    holdings: tuple[PlanHolding, ...]
    expected: Expected
    explanation_zh: str
    explanation_en: str
    disclaimer_zh: str
    disclaimer_en: str
    data_line: str
    rule_version: str
    rebalance: tuple[RebalanceSuggestion, ...] = ()
    synthetic: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``expected`` uses the CLI contract keys (return, volatility, max_drawdown)."""
        out = asdict(self)
        out["expected"] = {
            "return": self.expected.annual_return,
            "volatility": self.expected.volatility,
            "max_drawdown": self.expected.max_drawdown,
            "basis": self.expected.basis,
        }
        out["disclaimer"] = self.disclaimer_zh
        return out


class PlanBuilder:
    """Builds plans for clients; weights per strategy are computed once and reused (keyword-only API)."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        suitability: SuitabilityService,
        strategies: tuple[ModelStrategy, ...] = STRATEGIES,
        risk_free: float = 0.02,
        drift_threshold: float = 0.05,
    ) -> None:
        self._catalogue = catalogue
        self._suitability = suitability
        self._strategies = strategies
        self._risk_free = risk_free
        self._drift = drift_threshold
        self._weights: dict[tuple[str, frozenset[str]], pd.Series] = {}
        self._expected: dict[tuple[str, frozenset[str]], Expected] = {}

    def choose_strategy(
        self, *, category: InvestorCategory, horizon_years: float, key: str | None = None
    ) -> ModelStrategy:
        """The requested strategy if it matches, else the riskiest matching one (≤ R2 for horizons under 1 year)."""
        if key is not None:
            chosen = strategy_by_key(key, self._strategies)
            if not chosen.serves(category):
                raise UserError(
                    f"strategy {chosen.key} ({chosen.name_zh}) is graded {chosen.risk.value} and does not match "
                    f"category {category.value}; choose one of "
                    + ", ".join(s.key for s in self._strategies if s.serves(category))
                )
            return chosen
        cap = 2 if horizon_years < 1 else 5
        matching = [s for s in self._strategies if s.serves(category) and s.risk.rank <= cap]
        if not matching:
            raise UserError(f"no model strategy matches category {category.value}")
        return max(matching, key=lambda s: s.risk.rank)

    def target_weights(self, strategy: ModelStrategy, exclude: frozenset[str] = frozenset()) -> pd.Series:
        """Strategy weights on the full catalogue window without the ``exclude`` funds (cached)."""
        key = (strategy.key, exclude)
        if key not in self._weights:
            returns = self._catalogue.returns.drop(columns=list(exclude))
            w = allocate(strategy, self._catalogue, returns, risk_free=self._risk_free)
            self._weights[key] = w[w > 1e-4] / w[w > 1e-4].sum()
        return self._weights[key]

    def expected(self, strategy: ModelStrategy, exclude: frozenset[str] = frozenset()) -> Expected:
        """Historical statistics of the strategy's fixed target weights over the catalogue window (cached)."""
        key = (strategy.key, exclude)
        if key not in self._expected:
            weights = self.target_weights(strategy, exclude)
            port = (self._catalogue.returns[list(weights.index)] @ weights).rename("plan")
            st = performance(port, risk_free=self._risk_free)
            basis = f"historical {st.start}..{st.end}"
            self._expected[key] = Expected(st.annual_return, st.volatility, st.max_drawdown, basis)
        return self._expected[key]

    def fit_to_amount(self, strategy: ModelStrategy, total: float) -> tuple[pd.Series, frozenset[str]]:
        """Weights whose every position reaches its fund's minimum purchase at ``total``.

        Funds whose share would fall below their minimum are dropped and the strategy re-optimised without
        them (at most 4 rounds); if that is impossible the first failing fund is named with the amount needed.
        """
        exclude: frozenset[str] = frozenset()
        first_problem: str | None = None
        for _ in range(4):
            try:
                weights = self.target_weights(strategy, exclude)
            except UserError as exc:
                if first_problem is None:
                    raise
                raise UserError(f"{first_problem} (re-optimising without those funds failed: {exc})") from exc
            short = [str(c) for c, w in weights.items() if w * total < self._catalogue.products[str(c)].min_purchase]
            if not short:
                return weights, exclude
            if first_problem is None:
                first_problem = self._too_small(weights, short[0], total)
            exclude = exclude | frozenset(short)
        raise UserError(str(first_problem))

    def _too_small(self, weights: pd.Series, code: str, total: float) -> str:
        p = self._catalogue.products[code]
        w = float(weights[code])
        need = math.ceil(p.min_purchase / w)
        return (
            f"amount ¥{total:,.0f} is too small: fund {p.code} {p.name} gets {w:.1%} = ¥{w * total:,.0f}, "
            f"below its minimum purchase ¥{p.min_purchase:,.2f}; this plan needs at least ¥{need:,}"
        )

    def build(
        self,
        *,
        actor: str,
        client_id: str,
        category: InvestorCategory,
        amount: float,
        horizon_years: float = 3.0,
        holdings: dict[str, float] | None = None,
        strategy: str | None = None,
        synthetic: bool = False,
    ) -> Plan:
        """Build one plan; raises :class:`UserError` naming the fund or constraint when it cannot be met."""
        if not math.isfinite(amount) or amount <= 0:
            raise UserError(f"amount={amount} must be a positive number of CNY")
        chosen = self.choose_strategy(category=category, horizon_years=horizon_years, key=strategy)
        current = {c: float(v) for c, v in (holdings or {}).items() if v > 0}
        total = amount + sum(current.values())
        weights, dropped = self.fit_to_amount(chosen, total)
        products = self._catalogue.products
        decisions = self._suitability.check_many(
            actor=actor,
            client_id=client_id,
            category=category,
            products={c: products[c].risk for c in weights.index},
        )
        refused = [c for c, d in decisions.items() if not d.may_recommend]
        if refused:
            raise ConflictError(f"plan for {client_id}: {', '.join(refused)} do not match {category.value}")
        rows = self._round(weights, total, chosen.max_weight)
        invested = sum(h.amount for h in rows)
        expected = self.expected(chosen, dropped)
        zh, en = explain(
            strategy=chosen, category=category, holdings=rows, expected=expected, catalogue=self._catalogue
        )
        ensure_no_forbidden_phrases(zh + "\n" + en, where=f"plan explanation for client {client_id}")
        end = self._catalogue.end
        start = self._catalogue.start
        return Plan(
            client_id=client_id,
            level=category.value,
            strategy=chosen.key,
            strategy_name=chosen.name_zh,
            amount=amount,
            invested=round(invested, 2),
            cash_residual=round(total - invested, 2),
            horizon_years=horizon_years,
            holdings=tuple(rows),
            expected=expected,
            explanation_zh=zh,
            explanation_en=en,
            disclaimer_zh=risk_disclaimer("zh"),
            disclaimer_en=risk_disclaimer("en"),
            data_line=data_date_line(end, "zh", start=start) if end else "",
            rule_version=self._suitability.rule_version,
            rebalance=tuple(suggest_rebalance(targets=rows, current=current, threshold=self._drift, total=total)),
            synthetic=synthetic,
            notes=tuple(f"{c}: 低于起购金额，未纳入 / below its minimum purchase, left out" for c in sorted(dropped)),
        )

    def _round(self, weights: pd.Series, total: float, cap: float) -> list[PlanHolding]:
        """Round each target down to its purchase step, then top up small-step funds with what is left.

        Exchange-traded funds trade in lots worth thousands of CNY, so rounding down can leave a lot of cash;
        the remainder is spread over the funds with the smallest step in proportion to their weights, never
        lifting a fund above ``cap`` of the total.
        """
        products = self._catalogue.products
        codes = [str(c) for c in weights.index]
        amounts = {
            c: math.floor(float(weights[c]) * total / products[c].min_purchase + 1e-9) * products[c].min_purchase
            for c in codes
        }
        left = total - sum(amounts.values())
        small = [c for c in codes if products[c].min_purchase <= 100.0]
        share = sum(float(weights[c]) for c in small)
        for c in small:
            step = products[c].min_purchase
            room = cap * total - amounts[c]
            extra = min(left * float(weights[c]) / share, room) if share > 0 else 0.0
            amounts[c] += max(0.0, math.floor(extra / step + 1e-9) * step)
        return [
            PlanHolding(
                c,
                products[c].name,
                products[c].risk.value,
                products[c].asset_class.value,
                float(weights[c]),
                round(amounts[c], 2),
                products[c].min_purchase,
            )
            for c in codes
        ]

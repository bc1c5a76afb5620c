"""Client plans: target weights, amounts rounded to each fund's minimum purchase, expected risk, explanation.

A plan uses only strategies and products the suitability matrix *allows* for the client (never a mismatch,
never a blocked grade), every product in it is checked and audited, and its text passes the phrase guard.
Minimum purchase: see ``product_rules.MIN_PURCHASE_SOURCE``. Amounts are rounded down to the step; what
rounding leaves over is reported as uninvested cash. Expected figures are the fixed-weight portfolio's
historical statistics over the catalogue window — history, not a forecast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from tandem.compliance.disclaimers import data_date_line, risk_disclaimer
from tandem.compliance.phrase_guard import ensure_no_forbidden_phrases
from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import ConflictError, UserError
from tandem.wealth.catalogue import Catalogue
from tandem.wealth.explain import explain
from tandem.wealth.minimum import fit, smallest_amount
from tandem.wealth.rebalance import RebalanceSuggestion, suggest_rebalance
from tandem.wealth.stats import performance
from tandem.wealth.strategies import STRATEGIES, ModelStrategy, allocate, strategy_by_key


class AmountTooSmallError(UserError):
    """The amount cannot buy every fund's minimum; ``minimum`` is the exact new amount (CNY) the plan needs."""

    def __init__(self, message: str, *, minimum: int) -> None:
        super().__init__(message)
        self.minimum = minimum


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
    invested_weight: float = 0.0  # amount / plan total after rounding to purchase steps (beside the target)


@dataclass(frozen=True, slots=True)
class Expected:
    """Historical figures of the target portfolio (not a forecast)."""

    annual_return: float
    volatility: float
    max_drawdown: float
    basis: str
    start: str = ""  # first and last day of the return series the figures were computed on
    end: str = ""


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


def _iso(day: str) -> str:
    """A statistics window bound (``str`` of a timestamp) as ``YYYY-MM-DD``; empty stays empty."""
    return str(pd.Timestamp(day).date()) if day else ""


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
        self._failed: dict[tuple[str, frozenset[str]], str] = {}
        self._minimum: dict[tuple[str, float], int] = {}
        self._minimums = {c: p.min_purchase for c, p in catalogue.products.items()}

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
        """Strategy weights on the full catalogue window without the ``exclude`` funds (cached, failures too)."""
        key = (strategy.key, exclude)
        if key in self._failed:
            raise UserError(self._failed[key])
        if key not in self._weights:
            returns = self._catalogue.returns.drop(columns=list(exclude))
            try:
                w = allocate(strategy, self._catalogue, returns, risk_free=self._risk_free)
            except UserError as exc:
                self._failed[key] = str(exc)
                raise
            self._weights[key] = w[w > 1e-4] / w[w > 1e-4].sum()
        return self._weights[key]

    def expected(self, strategy: ModelStrategy, exclude: frozenset[str] = frozenset()) -> Expected:
        """Historical statistics of the strategy's fixed target weights over the catalogue window (cached)."""
        key = (strategy.key, exclude)
        if key not in self._expected:
            weights = self.target_weights(strategy, exclude)
            port = (self._catalogue.returns[list(weights.index)] @ weights).rename("plan")
            st = performance(port, risk_free=self._risk_free)
            basis = f"historical {_iso(st.start)}..{_iso(st.end)}"
            self._expected[key] = Expected(
                st.annual_return, st.volatility, st.max_drawdown, basis, start=_iso(st.start), end=_iso(st.end)
            )
        return self._expected[key]

    def fit_to_amount(
        self, strategy: ModelStrategy, total: float, *, held: float = 0.0
    ) -> tuple[pd.Series, frozenset[str]]:
        """Weights whose every position reaches its fund's minimum purchase at ``total`` (holdings included).

        Funds whose share would fall below their minimum are left out and the strategy re-optimised without
        them (see :mod:`tandem.wealth.minimum`); when no round fits, :class:`AmountTooSmallError` names the first
        fund that fell short and the exact amount the plan needs (new money on top of ``held``).
        """
        outcome = fit(self._weights_without(strategy), self._minimums, total)
        if outcome.weights is not None:
            return outcome.weights, outcome.excluded
        first = outcome.first_short
        if first is None:  # fit() only fails after some fund fell short
            raise UserError(f"strategy {strategy.key}: no allocation fits ¥{total:,.0f}")
        minimum = self.minimum_amount(strategy, held=held)
        p = self._catalogue.products[first.code]
        if held > 0:
            need = (
                f"this plan needs at least ¥{math.ceil(minimum + held):,} in total, "
                f"i.e. ¥{minimum:,} of new money on top of the ¥{held:,.0f} already held"
            )
        else:
            need = f"this plan needs at least ¥{minimum:,}"
        asked = f"amount ¥{total:,.0f}"
        if held > 0:
            asked = f"amount ¥{total - held:,.0f} plus the ¥{held:,.0f} already held"
        raise AmountTooSmallError(
            f"{asked} is too small: fund {p.code} {p.name} gets {first.weight:.1%} = "
            f"¥{first.share:,.2f}, below its minimum purchase ¥{p.min_purchase:,.2f}, and {strategy.name_zh} "
            f"({strategy.key}) cannot be built without the funds that fall short; {need}",
            minimum=minimum,
        )

    def minimum_amount(self, strategy: ModelStrategy, *, held: float = 0.0) -> int:
        """Exact smallest whole-yuan new amount (on top of ``held``) from which ``strategy`` always builds.

        The plan builds at this amount and every larger one and fails one yuan below it (cached; see
        :func:`tandem.wealth.minimum.smallest_amount`).
        """
        key = (strategy.key, held)
        if key not in self._minimum:
            self._minimum[key] = smallest_amount(self._weights_without(strategy), self._minimums, held=held)
        return self._minimum[key]

    def _weights_without(self, strategy: ModelStrategy) -> Callable[[frozenset[str]], pd.Series]:
        return lambda exclude: self.target_weights(strategy, exclude)

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
        held = sum(current.values())
        total = amount + held
        weights, dropped = self.fit_to_amount(chosen, total, held=held)
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
        # The data window quoted is the one the statistics used (the funds' common history), not the catalogue's.
        end = date.fromisoformat(expected.end) if expected.end else self._catalogue.end
        start = date.fromisoformat(expected.start) if expected.start else self._catalogue.start
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
                round(amounts[c] / total, 4) if total > 0 else 0.0,
            )
            for c in codes
        ]

"""Client plans: target weights, amounts rounded to each fund's minimum purchase, expected risk, explanation.

A plan uses only strategies and products the suitability matrix *allows* for the client (never a mismatch,
never a blocked grade), every product in it is checked and audited, and its text passes the phrase guard.
Minimum purchase: see ``product_rules.MIN_PURCHASE_SOURCE``. Exchange-traded funds are bought in whole board
lots; off-exchange funds are subscribed in yuan to the fen, with fractional units (``UNIT_DECIMALS``). All
rounding is done in integer fen, so uninvested cash + holdings equals the amount exactly. Expected figures are
the fixed-weight portfolio's historical statistics over the catalogue window — history, not a forecast.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

import pandas as pd

from tandem.compliance.disclaimers import data_date_line
from tandem.compliance.phrase_guard import ensure_no_forbidden_phrases
from tandem.compliance.suitability import InvestorCategory
from tandem.compliance.suitability_service import SuitabilityService
from tandem.core.errors import ConflictError, UserError
from tandem.core.i18n import LANGS, Message, translate
from tandem.wealth.catalogue import Catalogue
from tandem.wealth.explain import explain
from tandem.wealth.minimum import fit, smallest_amount
from tandem.wealth.product_rules import UNIT_DECIMALS, Channel
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
    """One fund in a plan: how it is bought (channel), for how much, how many units, and its minimum's source.

    ``units`` are whole lots × lot size on the exchange and amount ÷ ``nav`` truncated to ``UNIT_DECIMALS``
    off it; ``min_purchase_source`` is a ``product_rules.MIN_SOURCE_*`` key (worded in the i18n catalogue).
    """

    code: str
    name: str
    risk_level: str
    asset_class: str
    weight: float
    amount: float
    min_purchase: float
    invested_weight: float = 0.0  # amount / plan total after rounding to purchase steps (beside the target)
    channel: str = Channel.OTC.value
    units: float = 0.0
    nav: float = 0.0  # the last NAV (off-exchange) or close (exchange) the units are priced at
    lots: int | None = None  # whole board lots, exchange only
    min_purchase_source: str = ""


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
    explanation: Message
    disclaimer: Message
    data_line: str
    rule_version: str
    rebalance: tuple[RebalanceSuggestion, ...] = ()
    synthetic: bool = False
    notes: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; ``expected`` uses the CLI contract keys (return, volatility, max_drawdown)."""
        out: dict[str, Any] = {}
        for name, value in asdict(self).items():
            if name in ("explanation", "disclaimer"):
                # The persisted payload and the API keep their bilingual fields: both languages rendered here.
                text: Message = getattr(self, name)
                out |= {f"{name}_{lang}": text.render(lang) for lang in LANGS}
            else:
                out[name] = value
        out["expected"] = {
            "return": self.expected.annual_return,
            "volatility": self.expected.volatility,
            "max_drawdown": self.expected.max_drawdown,
            "basis": self.expected.basis,
        }
        out["disclaimer"] = self.disclaimer.render("zh")
        return out


def _yuan(value: float) -> str:
    """``1,000`` for whole yuan, ``1,234.56`` otherwise (an asked amount is shown as given, never rounded)."""
    return f"{value:,.0f}" if abs(value - round(value)) < 0.005 else f"{value:,.2f}"


def _iso(day: str) -> str:
    """A statistics window bound (``str`` of a timestamp) as ``YYYY-MM-DD``; empty stays empty."""
    return str(pd.Timestamp(day).date()) if day else ""


DRIFT_BAND = 0.05
_BELOW_MINIMUM = " / ".join(translate(lang, "wealth.below_minimum_note") for lang in LANGS)
"""A builder note is stored as ``code: 中文 / English`` (the plan payload's format; the view shows one half)."""
"""A fund whose weight is more than 5 percentage points off its target triggers a rebalance (plan page and push)."""


class PlanBuilder:
    """Builds plans for clients; weights per strategy are computed once and reused (keyword-only API)."""

    def __init__(
        self,
        *,
        catalogue: Catalogue,
        suitability: SuitabilityService,
        strategies: tuple[ModelStrategy, ...] = STRATEGIES,
        risk_free: float = 0.02,
        drift_threshold: float = DRIFT_BAND,
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
                    f"strategy {chosen.key} ({chosen.name.render('zh')}) is graded {chosen.risk.value} and does not "
                    "match "
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
        asked = f"amount ¥{_yuan(total)}"
        if held > 0:
            asked = f"amount ¥{_yuan(total - held)} plus the ¥{_yuan(held)} already held"
        how = (
            f"one lot of {p.lot_units} units on the exchange"
            if p.channel is Channel.EXCHANGE
            else f"off-exchange, {'from the fund master' if p.min_purchase_source == 'fund_master' else 'default'}"
        )
        raise AmountTooSmallError(
            f"{asked} is too small: fund {p.code} {p.name} gets {first.weight:.1%} = "
            f"¥{first.share:,.2f}, below its minimum purchase ¥{p.min_purchase:,.2f} ({how}), and "
            f"{strategy.name.render('zh')} "
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
        if abs(amount * 100 - round(amount * 100)) > 1e-6:
            raise UserError(f"amount={amount} has fractions of a fen; give CNY with at most 2 decimals")
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
        invested_fen = sum(round(h.amount * 100) for h in rows)
        invested = invested_fen / 100
        expected = self.expected(chosen, dropped)
        explanation = explain(
            strategy=chosen, category=category, holdings=rows, expected=expected, catalogue=self._catalogue
        )
        texts = "\n".join(explanation.render(lang) for lang in LANGS)
        ensure_no_forbidden_phrases(texts, where=f"plan explanation for client {client_id}")
        # The data window quoted is the one the statistics used (the funds' common history), not the catalogue's.
        end = date.fromisoformat(expected.end) if expected.end else self._catalogue.end
        start = date.fromisoformat(expected.start) if expected.start else self._catalogue.start
        return Plan(
            client_id=client_id,
            level=category.value,
            strategy=chosen.key,
            strategy_name=chosen.name.render("zh"),
            amount=amount,
            invested=invested,
            cash_residual=(math.floor(total * 100 + 1e-6) - invested_fen) / 100,
            horizon_years=horizon_years,
            holdings=tuple(rows),
            expected=expected,
            explanation=explanation,
            disclaimer=Message("disclaimer.fund"),
            data_line=data_date_line(end, "zh", start=start) if end else "",
            rule_version=self._suitability.rule_version,
            rebalance=tuple(suggest_rebalance(targets=rows, current=current, threshold=self._drift, total=total)),
            synthetic=synthetic,
            notes=tuple(f"{c}: {_BELOW_MINIMUM}" for c in sorted(dropped)),
        )

    def _round(self, weights: pd.Series, total: float, cap: float) -> list[PlanHolding]:
        """Whole lots on the exchange, fen amounts off it; what lots leave over tops up the off-exchange funds.

        Rounding is done in integer fen so that uninvested cash + holdings equals ``total`` exactly. An exchange
        position is rounded down to whole lots (a lot costs thousands of CNY for some ETFs, so this can leave a
        lot of cash); off-exchange positions are rounded down to the fen, then the remainder is spread over them
        in proportion to their weights, never lifting a fund above ``cap`` of the total. Weights reaching each
        fund's minimum (guaranteed by :meth:`fit_to_amount`) still reach it after rounding: a minimum is a whole
        number of lots or of fen.
        """
        products = self._catalogue.products
        codes = [str(c) for c in weights.index]
        total_fen = math.floor(total * 100 + 1e-6)
        fen: dict[str, int] = {}
        for c in codes:
            target = float(weights[c]) * total * 100
            if products[c].channel is Channel.EXCHANGE:
                lot = round(products[c].min_purchase * 100)
                fen[c] = math.floor(target / lot + 1e-9) * lot
            else:
                fen[c] = math.floor(target + 1e-6)
        targets = {c: float(weights[c]) * total * 100 for c in codes}
        cap_fen = math.floor(cap * total * 100 + 1e-6)
        self._add_lots(fen, targets, total_fen - sum(fen.values()), cap_fen)
        left = total_fen - sum(fen.values())
        otc = [c for c in codes if products[c].channel is Channel.OTC]
        share = sum(float(weights[c]) for c in otc)
        if left > 0 and share > 0:
            extras = {c: math.floor(left * float(weights[c]) / share) for c in otc}
            for c in otc:
                fen[c] += max(0, min(extras[c], cap_fen - fen[c]))
        return [self._holding(c, float(weights[c]), fen[c], total) for c in codes]

    def _add_lots(self, fen: dict[str, int], targets: dict[str, float], left: int, cap_fen: int) -> None:
        """Buy one more lot of the exchange fund furthest below its target while that lot brings it closer.

        Rounding every exchange position down can leave several lots' worth of cash (three money-market ETFs at
        ¥10,000 a lot); a lot is added only when the position's shortfall exceeds half a lot, the cash covers it
        and the fund stays within the cap — so positions only move towards their targets.
        """
        products = self._catalogue.products
        lots = {c: round(products[c].min_purchase * 100) for c in fen if products[c].channel is Channel.EXCHANGE}
        while True:
            short = [
                (targets[c] - fen[c], c)
                for c, lot in lots.items()
                if 2 * (targets[c] - fen[c]) > lot and lot <= left and fen[c] + lot <= cap_fen
            ]
            if not short:
                return
            _, code = max(short)
            fen[code] += lots[code]
            left -= lots[code]

    def _holding(self, code: str, weight: float, fen: int, total: float) -> PlanHolding:
        """One plan row from its amount in fen (units from lots on the exchange, amount ÷ NAV off it)."""
        p = self._catalogue.products[code]
        amount = fen / 100
        if p.channel is Channel.EXCHANGE:
            lots = round(fen / round(p.min_purchase * 100))
            units = float(lots * (p.lot_units or 0))
        else:
            lots = None
            scale = 10**UNIT_DECIMALS
            units = math.floor(amount / p.last_nav * scale + 1e-9) / scale
        return PlanHolding(
            code,
            p.name,
            p.risk.value,
            p.asset_class.value,
            weight,
            amount,
            p.min_purchase,
            round(amount / total, 4) if total > 0 else 0.0,
            channel=p.channel.value,
            units=units,
            nav=p.last_nav,
            lots=lots,
            min_purchase_source=p.min_purchase_source,
        )

"""Investor suitability (适当性): the C1–C5 × R1–R5 matrix as dated, versioned rule data.

Legal basis: 《证券期货投资者适当性管理办法》 (CSRC Order No. 130, in force 2017-07-01) and the Securities
Association's 《证券经营机构投资者适当性管理实施指引（试行）》 (2017). Ordinary investors are graded C1 (lowest)
to C5, products R1 (lowest risk) to R5. The rules encoded here:

* a product at or below the client's level is *allowed* and may be recommended;
* the lowest category (C1, 最低风险承受能力类别) may buy only R1 products — anything above is *blocked*;
* for every other category a product above the client's level is a mismatch: the firm must give an explicit
  special warning and hold the client's recorded confirmation before selling, and must never recommend it.

Rules are data: each :class:`SuitabilityRules` carries its version string and effective date, and
:func:`rules_in_force` picks the one that applied on a given day, so an audit replay of 2018 uses 2018 rules.
To change the rules add a new dated instance to ``RULEBOOK``; never edit one that is in force.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tandem.core.errors import UserError
from tandem.core.i18n import Message


class InvestorCategory(StrEnum):
    """Risk tolerance category of an ordinary investor, C1 (lowest) to C5."""

    C1 = "C1"
    C2 = "C2"
    C3 = "C3"
    C4 = "C4"
    C5 = "C5"

    @property
    def rank(self) -> int:
        """1 for C1 … 5 for C5."""
        return int(self.value[1])

    @classmethod
    def parse(cls, text: str) -> InvestorCategory:
        """Parse ``C3``/``c3``; a bad value is a :class:`UserError` naming the valid ones."""
        try:
            return cls(text.strip().upper())
        except ValueError:
            raise UserError(f"unknown risk category {text!r}; use one of C1, C2, C3, C4, C5") from None


class ProductRisk(StrEnum):
    """Risk grade of a product, R1 (lowest) to R5."""

    R1 = "R1"
    R2 = "R2"
    R3 = "R3"
    R4 = "R4"
    R5 = "R5"

    @property
    def rank(self) -> int:
        """1 for R1 … 5 for R5."""
        return int(self.value[1])

    @classmethod
    def of_rank(cls, rank: int) -> ProductRisk:
        """Return the grade with the given rank, clamped to R1..R5."""
        return cls(f"R{min(5, max(1, rank))}")


CATEGORY_LABELS_ZH: dict[InvestorCategory, str] = {
    InvestorCategory.C1: "保守型（最低风险承受能力）",
    InvestorCategory.C2: "谨慎型",
    InvestorCategory.C3: "稳健型",
    InvestorCategory.C4: "积极型",
    InvestorCategory.C5: "激进型",
}
CATEGORY_LABELS_EN: dict[InvestorCategory, str] = {
    InvestorCategory.C1: "conservative (lowest risk tolerance)",
    InvestorCategory.C2: "cautious",
    InvestorCategory.C3: "balanced",
    InvestorCategory.C4: "growth",
    InvestorCategory.C5: "aggressive",
}


class Verdict(StrEnum):
    """Outcome of one suitability check."""

    ALLOWED = "allowed"
    NEEDS_WARNING_AND_CONFIRMATION = "needs_warning_and_confirmation"
    BLOCKED = "blocked"


@dataclass(frozen=True, slots=True)
class SuitabilityRules:
    """One dated version of the matrix: which product grade each category may hold without a warning."""

    version: str
    effective_from: date
    max_matching_risk: dict[InvestorCategory, ProductRisk]
    lowest_category: InvestorCategory
    lowest_category_max_risk: ProductRisk
    source: str


RULEBOOK: tuple[SuitabilityRules, ...] = (
    SuitabilityRules(
        version="CSRC-Order130-2017-07-01/v1",
        effective_from=date(2017, 7, 1),
        max_matching_risk={c: ProductRisk.of_rank(c.rank) for c in InvestorCategory},
        lowest_category=InvestorCategory.C1,
        lowest_category_max_risk=ProductRisk.R1,
        source="证券期货投资者适当性管理办法 (CSRC Order No. 130) arts. 18-21; SAC 实施指引（试行） 2017",
    ),
)


def rules_in_force(day: date | None = None) -> SuitabilityRules:
    """Return the latest rule version effective on ``day`` (today when omitted)."""
    when = day or date.today()
    candidates = [r for r in RULEBOOK if r.effective_from <= when]
    if not candidates:
        raise UserError(f"no suitability rules were in force on {when.isoformat()}; the earliest start 2017-07-01")
    return max(candidates, key=lambda r: r.effective_from)


@dataclass(frozen=True, slots=True)
class SuitabilityDecision:
    """A typed answer: the verdict, the message to show (a catalogue sentence), and the rule version behind it."""

    category: InvestorCategory
    product_risk: ProductRisk
    verdict: Verdict
    message: Message
    rule_version: str

    @property
    def may_recommend(self) -> bool:
        """Only a matching product may ever be proactively recommended."""
        return self.verdict is Verdict.ALLOWED

    @property
    def may_sell(self) -> bool:
        """Whether a sale can go ahead at all (a mismatch still needs warning + confirmation first)."""
        return self.verdict is not Verdict.BLOCKED


def check_suitability(
    *, category: InvestorCategory, product_risk: ProductRisk, rules: SuitabilityRules | None = None
) -> SuitabilityDecision:
    """Decide whether a client of ``category`` may hold a product graded ``product_risk``; pure, no audit."""
    active = rules or rules_in_force()
    c, r = category.value, product_risk.value
    if category is active.lowest_category and product_risk.rank > active.lowest_category_max_risk.rank:
        return SuitabilityDecision(
            category,
            product_risk,
            Verdict.BLOCKED,
            Message("suitability.blocked", {"c": c, "r": r, "max": active.lowest_category_max_risk.value}),
            active.version,
        )
    if product_risk.rank > active.max_matching_risk[category].rank:
        return SuitabilityDecision(
            category,
            product_risk,
            Verdict.NEEDS_WARNING_AND_CONFIRMATION,
            Message("suitability.warning", {"c": c, "r": r}),
            active.version,
        )
    return SuitabilityDecision(
        category,
        product_risk,
        Verdict.ALLOWED,
        Message("suitability.allowed", {"c": c, "r": r}),
        active.version,
    )

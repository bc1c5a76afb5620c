"""Plain-language explanation of a plan in Chinese and English (template text, not model-generated).

The sentence is a catalogue message (``wealth.explain``); the plan carries it and the edge renders it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol

from tandem.compliance.suitability import InvestorCategory
from tandem.core.i18n import Joined, Message
from tandem.wealth.catalogue import Catalogue
from tandem.wealth.product_rules import ASSET_CLASS_LABELS_ZH, AssetClass
from tandem.wealth.strategies import ModelStrategy


class _Holding(Protocol):
    @property
    def asset_class(self) -> str: ...
    @property
    def weight(self) -> float: ...


class _Expected(Protocol):
    @property
    def annual_return(self) -> float: ...
    @property
    def volatility(self) -> float: ...
    @property
    def max_drawdown(self) -> float: ...
    @property
    def start(self) -> str: ...
    @property
    def end(self) -> str: ...


def explain(
    *,
    strategy: ModelStrategy,
    category: InvestorCategory,
    holdings: Sequence[_Holding],
    expected: _Expected,
    catalogue: Catalogue,
) -> Message:
    """Why this plan fits and what its history looks like, as one catalogue sentence (both languages)."""
    by_class: dict[str, float] = defaultdict(float)
    for h in holdings:
        by_class[h.asset_class] += h.weight
    mix = Joined(
        tuple(
            Message(
                "wealth.explain.mix_item",
                {"label": ASSET_CLASS_LABELS_ZH[AssetClass(k)], "asset_class": k, "weight": v},
            )
            for k, v in sorted(by_class.items())
        ),
        "sep.comma",
    )
    start, end = expected.start or catalogue.start, expected.end or catalogue.end  # the window the figures used
    return Message(
        "wealth.explain",
        {
            "category": category.value,
            "category_label": Message(f"wealth.category.{category.value}"),
            "strategy": strategy.name,
            "risk": strategy.risk.value,
            "description": strategy.description,
            "funds": len(holdings),
            "mix": mix,
            "start": start,
            "end": end,
            "annual": expected.annual_return,
            "volatility": expected.volatility,
            "drawdown": abs(expected.max_drawdown),
        },
    )

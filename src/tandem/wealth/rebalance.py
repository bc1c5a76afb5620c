"""Rebalancing suggestions: trade back to target when a holding drifts more than a threshold."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol


class _Target(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def weight(self) -> float: ...


@dataclass(frozen=True, slots=True)
class RebalanceSuggestion:
    """Buy or sell ``amount`` CNY of ``code`` because its weight drifted from target."""

    code: str
    action: str
    amount: float
    current_weight: float
    target_weight: float


def suggest_rebalance(
    *, targets: Sequence[_Target], current: Mapping[str, float], threshold: float, total: float
) -> list[RebalanceSuggestion]:
    """Suggestions for every fund whose weight differs from target by more than ``threshold``.

    ``current`` maps fund code → held CNY; funds held but not in the targets have target weight 0 (sell).
    Nothing is suggested when no fund drifts past the threshold, or when the client holds nothing yet.
    """
    if not current or total <= 0:
        return []
    target_w = {t.code: t.weight for t in targets}
    codes = sorted(set(target_w) | set(current))
    drift = {c: current.get(c, 0.0) / total - target_w.get(c, 0.0) for c in codes}
    if max(abs(d) for d in drift.values()) <= threshold:
        return []
    return [
        RebalanceSuggestion(
            c, "sell" if d > 0 else "buy", round(abs(d) * total, 2), current.get(c, 0.0) / total, target_w.get(c, 0.0)
        )
        for c, d in drift.items()
        if abs(d) > 1e-6
    ]

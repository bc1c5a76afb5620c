"""Named order-size threshold sets for capital flow (资金流向) classes, each with its source.

Vendors disagree on what a "large order" is, which is why their 主力 numbers differ; Tandem names the set it
used next to every figure. A parent order is in the highest class whose share *or* amount bound it reaches.
主力 (main force) is defined here once: 超大单 + 大单 (``MAIN_FORCE_CLASSES``).

To add a set, append a :class:`ThresholdSet` to ``THRESHOLD_SETS`` with bounds for super-large, large and
medium (ascending classes fall through to small) and say where the definition comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.core.errors import UserError

CLASSES = ("super_large", "large", "medium", "small")
CLASS_LABELS_ZH = {"super_large": "超大单", "large": "大单", "medium": "中单", "small": "小单"}
MAIN_FORCE_CLASSES = ("super_large", "large")  # 主力 = 超大单 + 大单


@dataclass(frozen=True, slots=True)
class ThresholdSet:
    """Lower bounds (inclusive) for super-large, large and medium orders; 0 disables a criterion."""

    name: str
    source: str
    min_shares: tuple[int, int, int]
    min_amount_cny: tuple[int, int, int]


THRESHOLD_SETS: dict[str, ThresholdSet] = {
    s.name: s
    for s in (
        ThresholdSet(
            "eastmoney",
            "East Money (东方财富) published definition: 超大单 ≥ 50万股 or ≥ 100万元; 大单 ≥ 10万股 or ≥ 20万元; "
            "中单 ≥ 2万股 or ≥ 4万元; 小单 below both",
            (500_000, 100_000, 20_000),
            (1_000_000, 200_000, 40_000),
        ),
        ThresholdSet(
            "amount_only",
            "Tandem: the East Money amount bounds alone (100万/20万/4万元), so high-priced and low-priced stocks are "
            "classified by money, not by share count",
            (0, 0, 0),
            (1_000_000, 200_000, 40_000),
        ),
        ThresholdSet(
            "shares_only",
            "Tandem: the East Money share bounds alone (50万/10万/2万股), the older share-count convention",
            (500_000, 100_000, 20_000),
            (0, 0, 0),
        ),
    )
}


def threshold_set(name: str) -> ThresholdSet:
    """The set called ``name``; raises :class:`UserError` listing the known names otherwise."""
    try:
        return THRESHOLD_SETS[name]
    except KeyError:
        known = ", ".join(sorted(THRESHOLD_SETS))
        raise UserError(f"unknown threshold set {name!r}; choose one of: {known}") from None

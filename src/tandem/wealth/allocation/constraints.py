"""Allocation constraints as first-class inputs, and their cvxpy form.

Every constraint is written in *homogeneous* form on an unnormalised vector ``y`` and a scale ``k``
(weights ``w = y / k``): ``k = 1`` for minimum variance / target volatility, a free ``k ≥ 0`` for the
Cornuejols–Tütüncü maximum-Sharpe problem and ``k = sum(y)`` for log-barrier risk parity. One builder serves
all optimizers, and each group carries a name so an infeasible set is reported by the constraint at fault.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from tandem.compliance.suitability import InvestorCategory, ProductRisk
from tandem.core.errors import UserError
from tandem.wealth.allocation.lazy_cvxpy import cvxpy
from tandem.wealth.product_rules import AssetClass

Band = tuple[float, float]

CLASS_BANDS_BY_CATEGORY: dict[InvestorCategory, dict[AssetClass, Band]] = {
    InvestorCategory.C1: {AssetClass.CASH: (1.0, 1.0)},
    InvestorCategory.C2: {AssetClass.CASH: (0.0, 0.6), AssetClass.BOND: (0.4, 1.0)},
    InvestorCategory.C3: {AssetClass.CASH: (0.0, 0.3), AssetClass.BOND: (0.3, 0.8), AssetClass.MIXED: (0.1, 0.6)},
    InvestorCategory.C4: {
        AssetClass.CASH: (0.0, 0.2),
        AssetClass.BOND: (0.1, 0.6),
        AssetClass.MIXED: (0.0, 0.6),
        AssetClass.EQUITY: (0.1, 0.6),
        AssetClass.QDII: (0.0, 0.2),
        AssetClass.COMMODITY: (0.0, 0.1),
    },
    InvestorCategory.C5: {
        AssetClass.BOND: (0.0, 0.5),
        AssetClass.EQUITY: (0.1, 0.8),
        AssetClass.QDII: (0.0, 0.3),
        AssetClass.COMMODITY: (0.0, 0.15),
    },
}
"""Asset-class bands (lo, hi) per client category; a class not listed is unconstrained (0..1)."""


@dataclass(frozen=True)
class AllocationConstraints:
    """What an allocation must respect; all weights are fractions of the portfolio.

    ``asset_classes`` and ``asset_risk`` give, per asset code, its class and R-level (needed for bands and
    ``max_risk``). ``current_weights`` is the client's present portfolio for the turnover and fee budgets.
    """

    max_weight: float = 0.20
    min_weight: float = 0.0
    max_assets: int | None = None
    class_bands: Mapping[AssetClass, Band] = field(default_factory=dict)
    max_risk: ProductRisk | None = None
    asset_classes: Mapping[str, AssetClass] = field(default_factory=dict)
    asset_risk: Mapping[str, ProductRisk] = field(default_factory=dict)
    current_weights: Mapping[str, float] = field(default_factory=dict)
    max_turnover: float | None = None
    fee_rates: Mapping[str, float] = field(default_factory=dict)
    max_fee: float | None = None

    def __post_init__(self) -> None:
        if not 0 < self.max_weight <= 1:
            raise UserError(f"max_weight={self.max_weight} must be in (0, 1]")
        if not 0 <= self.min_weight <= self.max_weight:
            raise UserError(f"min_weight={self.min_weight} must be between 0 and max_weight={self.max_weight}")
        if self.max_assets is not None and self.max_assets < 1:
            raise UserError(f"max_assets={self.max_assets} must be at least 1")
        for cls, (lo, hi) in self.class_bands.items():
            if not 0 <= lo <= hi <= 1:
                raise UserError(f"class_bands[{cls}]=({lo}, {hi}) must satisfy 0 ≤ lo ≤ hi ≤ 1")

    def allowed(self, codes: list[str]) -> np.ndarray:
        """Mask of assets that may hold weight: within ``max_risk`` and not in a class capped at 0."""
        mask = np.ones(len(codes), dtype=bool)
        for i, code in enumerate(codes):
            if self.max_risk is not None:
                risk = self.asset_risk.get(code)
                if risk is None:
                    raise UserError(f"asset {code} has no R-level in asset_risk; max_risk cannot be enforced")
                mask[i] &= risk.rank <= self.max_risk.rank
            cls = self.asset_classes.get(code)
            if cls is not None and cls in self.class_bands and self.class_bands[cls][1] == 0:
                mask[i] = False
        return mask

    def precheck(self, codes: list[str], allowed: np.ndarray) -> None:
        """Catch the common infeasible sets before solving, naming the constraint."""
        n = int(allowed.sum())
        if n == 0:
            raise UserError(f"max_risk={self.max_risk}: no asset is allowed; add funds at or below that R-level")
        if n * self.max_weight < 1 - 1e-9:
            raise UserError(
                f"max_weight={self.max_weight:.0%} needs at least {int(np.ceil(1 / self.max_weight))} allowed funds, "
                f"only {n} are allowed (max_risk={self.max_risk}); raise max_weight or widen the fund list"
            )
        if self.max_assets is not None and self.max_assets * self.max_weight < 1 - 1e-9:
            raise UserError(f"max_assets={self.max_assets} × max_weight={self.max_weight:.0%} is below 100%")
        present = {self.asset_classes.get(c) for c, a in zip(codes, allowed, strict=True) if a}
        lo_sum = sum(lo for cls, (lo, _) in self.class_bands.items() if lo > 0)
        if lo_sum > 1 + 1e-9:
            raise UserError(f"class_bands lower bounds add up to {lo_sum:.0%} > 100%")
        for cls, (lo, _) in self.class_bands.items():
            if lo > 0 and cls not in present:
                raise UserError(
                    f"class_bands[{cls.value}] needs at least {lo:.0%} in {cls.value} but no allowed fund is in "
                    "that class; add one or lower the band"
                )
        hi_sum = sum(self.class_bands.get(cls, (0.0, 1.0))[1] for cls in present if cls is not None)
        if self.class_bands and None not in present and hi_sum < 1 - 1e-9:
            raise UserError(f"class_bands upper bounds of the available classes add up to {hi_sum:.0%} < 100%")


def build(
    cons: AllocationConstraints,
    codes: list[str],
    y: Any,
    k: Any,
    *,
    active: np.ndarray,
    floor: np.ndarray | None = None,
) -> dict[str, list[Any]]:
    """Named cvxpy constraint groups on ``y`` with scale ``k`` over the ``active`` assets."""
    cp = cvxpy()
    groups: dict[str, list[Any]] = {
        "long_only": [y >= 0],
        "budget": [cp.sum(y) == k],
        "max_weight": [y <= cons.max_weight * k],
    }
    inactive = np.flatnonzero(~active)
    if inactive.size:
        groups["max_risk/excluded"] = [y[inactive] == 0]
    if floor is not None and floor.any():
        groups["min_weight"] = [y >= floor * k]
    bands: list[Any] = []
    for cls, (lo, hi) in cons.class_bands.items():
        members = np.array([cons.asset_classes.get(c) == cls for c in codes], dtype=float)
        if members.any():
            bands += [members @ y >= lo * k, members @ y <= hi * k]
    if bands:
        groups["class_bands"] = bands
    w0 = np.array([cons.current_weights.get(c, 0.0) for c in codes])
    if cons.max_turnover is not None:
        groups["max_turnover"] = [cp.sum(cp.abs(y - w0 * k)) <= cons.max_turnover * k]
    if cons.max_fee is not None:
        fees = np.array([cons.fee_rates.get(c, 0.0) for c in codes])
        groups["max_fee"] = [fees @ cp.abs(y - w0 * k) <= cons.max_fee * k]
    return groups

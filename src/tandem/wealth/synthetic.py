"""Seeded generator of SYNTHETIC client books for batch runs and benchmarks (never real clients).

Every generated client id starts with ``SYN-`` and every batch output carries ``synthetic=True`` and the
synthetic label, so simulated results can never be mistaken for real ones. Distributions are illustrative
only: categories skewed toward C2–C3, amounts log-normal around ¥100k (at least ¥50k), horizons 0.5–10 years,
and a third of clients holding one or two existing funds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np

from tandem.compliance.disclaimers import SYNTHETIC_LABEL
from tandem.compliance.suitability import InvestorCategory

CATEGORY_SHARES = (0.10, 0.25, 0.35, 0.20, 0.10)


@dataclass(frozen=True, slots=True)
class SyntheticClient:
    """One simulated client."""

    client_id: str
    category: InvestorCategory
    amount: float
    horizon_years: float
    holdings: dict[str, float] = field(default_factory=dict)
    label: str = SYNTHETIC_LABEL["en"]


def synthetic_clients(n: int, *, seed: int = 7, fund_codes: Sequence[str] = ()) -> list[SyntheticClient]:
    """Generate ``n`` SYNTHETIC clients reproducibly from ``seed``."""
    rng = np.random.default_rng(seed)
    cats = rng.choice(5, size=n, p=CATEGORY_SHARES)
    amounts = np.maximum(50_000.0, np.round(rng.lognormal(np.log(100_000), 0.8, size=n), -2))
    horizons = np.round(rng.uniform(0.5, 10.0, size=n), 1)
    has_holdings = rng.random(n) < (1 / 3) if fund_codes else np.zeros(n, dtype=bool)
    clients = []
    for i in range(n):
        holdings: dict[str, float] = {}
        if has_holdings[i]:
            for code in rng.choice(list(fund_codes), size=min(len(fund_codes), int(rng.integers(1, 3))), replace=False):
                holdings[str(code)] = float(np.round(rng.uniform(5_000, 50_000), -2))
        clients.append(
            SyntheticClient(
                f"SYN-{seed}-{i:06d}",
                InvestorCategory(f"C{cats[i] + 1}"),
                float(amounts[i]),
                float(horizons[i]),
                holdings,
            )
        )
    return clients

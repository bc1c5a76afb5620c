"""The composite score: a documented weighted mean over the dimensions that could be scored.

Weights (sum 1.0) — fundamentals 50 %, market behaviour 30 %, risk and standing 20 %:

================  ======
valuation          0.15
profitability      0.15
growth             0.10
health             0.10
technical          0.10
relative_strength  0.10
capital_flow       0.05
risk               0.15
industry           0.10
================  ======

When a dimension is missing, the composite is re-weighted over the available ones (each weight divided by the
sum of available weights) and the note says which were left out. Fewer than ``MIN_DIMENSIONS`` available means
no composite at all. The rank is 1 = best among every stock with a composite that day.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

WEIGHTS: dict[str, float] = {
    "valuation": 0.15,
    "profitability": 0.15,
    "growth": 0.10,
    "health": 0.10,
    "technical": 0.10,
    "relative_strength": 0.10,
    "capital_flow": 0.05,
    "risk": 0.15,
    "industry": 0.10,
}
MIN_DIMENSIONS = 4


def composite_scores(scores: pd.DataFrame) -> pd.DataFrame:
    """Per code: ``composite`` (0–100 or NaN), ``rank`` (1 = best), ``available`` (count), from a code × key frame."""
    keys = [k for k in WEIGHTS if k in scores.columns]
    s = scores[keys]
    w = pd.Series(WEIGHTS)[keys]
    avail = s.notna()
    weight_sum = avail.mul(w, axis=1).sum(axis=1)
    comp = s.fillna(0.0).mul(w, axis=1).sum(axis=1) / weight_sum.replace(0.0, np.nan)
    comp = comp.where(avail.sum(axis=1) >= MIN_DIMENSIONS)
    out = pd.DataFrame({"composite": comp, "available": avail.sum(axis=1), "weight_sum": weight_sum})
    out["rank"] = comp.round(0).rank(ascending=False, method="min")
    return out


def effective_weights(available: list[str]) -> dict[str, float]:
    """Weights re-normalised over ``available`` dimension keys (missing keys get 0)."""
    total = sum(WEIGHTS[k] for k in available)
    return {k: (WEIGHTS[k] / total if k in available and total > 0 else 0.0) for k in WEIGHTS}

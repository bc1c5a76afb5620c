"""Uplift of a campaign's target step against its held-out control group, with a confidence interval.

Method: the difference of proportions p_t − p_c with **Newcombe's hybrid score interval** (Newcombe 1998, method
10): each proportion gets its Wilson score interval, and the difference's limits combine them
(``δ − sqrt((p_t − l_t)² + (u_c − p_c)²)``, ``δ + sqrt((u_t − p_t)² + (p_c − l_c)²)``). Unlike the Wald interval it
stays inside [−1, 1] and keeps its coverage for small counts and rates near 0, which campaign conversions are.

The result warns when the sample is too small to conclude: a group under ``min_group`` clients, or fewer than 5
conversions or 5 non-conversions in a group (the usual rule below which no normal-based interval is trusted).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from statistics import NormalDist

MIN_GROUP = 100


@dataclass(frozen=True, slots=True)
class Uplift:
    """Rates of treated and control, their difference and its interval, and a warning when not conclusive."""

    treated: int
    treated_converted: int
    control: int
    control_converted: int
    rate_treated: float | None
    rate_control: float | None
    difference: float | None
    low: float | None
    high: float | None
    confidence: float
    method: str
    warning: str | None


def wilson(successes: int, n: int, z: float) -> tuple[float, float]:
    """Wilson score interval of a proportion."""
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def uplift(
    *, treated: int, treated_converted: int, control: int, control_converted: int, confidence: float = 0.95,
    min_group: int = MIN_GROUP,
) -> Uplift:  # fmt: skip
    """Uplift with Newcombe's hybrid score interval; counts must be consistent (0 ≤ converted ≤ group)."""
    for name, conv, n in (("treated", treated_converted, treated), ("control", control_converted, control)):
        if n < 0 or not 0 <= conv <= n:
            raise ValueError(f"{name}: {conv} converted out of {n} is impossible; check the counts")
    if not 0.5 < confidence < 1:
        raise ValueError(f"confidence must be between 0.5 and 1, got {confidence}")
    warning = _warning(treated, treated_converted, control, control_converted, min_group)
    method = "difference of proportions, Newcombe hybrid score (Wilson) interval"
    if treated == 0 or control == 0:
        return Uplift(treated, treated_converted, control, control_converted, None, None, None, None, None,
                      confidence, method, warning)  # fmt: skip
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    pt, pc = treated_converted / treated, control_converted / control
    lt, ut = wilson(treated_converted, treated, z)
    lc, uc = wilson(control_converted, control, z)
    d = pt - pc
    low = d - math.sqrt((pt - lt) ** 2 + (uc - pc) ** 2)
    high = d + math.sqrt((ut - pt) ** 2 + (pc - lc) ** 2)
    return Uplift(treated, treated_converted, control, control_converted, pt, pc, d, low, high, confidence, method,
                  warning)  # fmt: skip


def _warning(nt: int, xt: int, nc: int, xc: int, min_group: int) -> str | None:
    if min(nt, nc) < min_group:
        return f"sample too small to conclude: treated {nt}, control {nc} clients (need ≥ {min_group} in each)"
    if min(xt, nt - xt, xc, nc - xc) < 5:
        return "sample too small to conclude: fewer than 5 conversions or non-conversions in a group"
    return None

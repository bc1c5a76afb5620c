"""Fitting strategy weights to an amount, and the exact smallest amount a plan needs.

A plan holds each fund only if its share of the amount reaches the fund's minimum purchase (its off-exchange
initial minimum, or one 100-unit lot on the exchange; see ``product_rules``). :func:`fit` follows the builder's
rule: take the strategy's weights, leave out every fund whose share falls short, re-optimise without them, and
repeat (at most ``ROUNDS`` times). Whether that succeeds depends on the amount only through comparisons
``w·total < minimum``, so the outcome is constant between the thresholds ``minimum / w`` of the weight vectors
the rule visits.

:func:`smallest_amount` uses this to find the exact answer instead of a bound: it evaluates the rule at every
threshold (whole yuan) up to the amount at which the unreduced weights already fit, learns the weight vectors
visited there, adds their thresholds, and repeats until no new vector appears. The answer is the first
amount after the last failing interval — the plan builds at it and at every larger whole-yuan amount, and
fails one yuan below it. Weights come from the caller's cache, so each re-optimisation runs once.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from tandem.core.errors import UserError

ROUNDS = 8
"""Re-optimisation rounds before giving up (the first round uses the full weights). Eight, not four: with
off-exchange minimums of ¥10 a small growth plan sheds exchange lots over several rounds (maximum Sharpe moves
weight onto another ETF each time) and only then settles on off-exchange funds; each round's weights are cached."""

WeightsOf = Callable[[frozenset[str]], pd.Series]
"""Strategy weights without the given funds; raises :class:`UserError` when no allocation exists without them."""


@dataclass(frozen=True)
class Shortfall:
    """The first fund that falls below its minimum purchase at the asked amount."""

    code: str
    weight: float
    share: float
    min_purchase: float


@dataclass(frozen=True)
class Fit:
    """Outcome of fitting weights to one total: ``weights`` when every position reaches its minimum."""

    weights: pd.Series | None
    excluded: frozenset[str]
    visited: frozenset[frozenset[str]]
    first_short: Shortfall | None


def fit(weights_of: WeightsOf, minimums: Mapping[str, float], total: float) -> Fit:
    """Apply the leave-out-and-re-optimise rule at ``total`` (CNY, holdings included).

    An error from the *unreduced* weights is not an amount problem and propagates; an error after funds were
    left out means the amount is too small (the plan cannot be built without those funds).
    """
    exclude: frozenset[str] = frozenset()
    visited: set[frozenset[str]] = set()
    first: Shortfall | None = None
    for _ in range(ROUNDS):
        visited.add(exclude)
        try:
            weights = weights_of(exclude)
        except UserError:
            if first is None:
                raise
            return Fit(None, exclude, frozenset(visited), first)
        short = [str(c) for c, w in weights.items() if float(w) * total < minimums[str(c)]]
        if not short:
            return Fit(weights, exclude, frozenset(visited), first)
        if first is None:
            w0 = float(weights[short[0]])
            first = Shortfall(short[0], w0, w0 * total, minimums[short[0]])
        exclude = exclude | frozenset(short)
    return Fit(None, exclude, frozenset(visited), first)


def _threshold(weight: float, minimum: float, held: float) -> int:
    """Smallest whole-yuan amount ``a`` with ``weight·(a + held) ≥ minimum`` in the same float arithmetic."""
    a = math.ceil(minimum / weight - held)
    while weight * (float(a - 1) + held) >= minimum:
        a -= 1
    while weight * (float(a) + held) < minimum:
        a += 1
    return a


def smallest_amount(weights_of: WeightsOf, minimums: Mapping[str, float], *, held: float = 0.0) -> int:
    """The exact smallest whole-yuan new amount (on top of ``held``) from which the plan always builds.

    Raises what the unreduced weights raise when the strategy cannot be built at any amount.
    """
    full = weights_of(frozenset())
    upper = max(1, *(_threshold(float(w), minimums[str(c)], held) for c, w in full.items()))
    known: set[frozenset[str]] = {frozenset()}
    thresholds: dict[frozenset[str], list[int]] = {}
    while True:
        for s in known - thresholds.keys():
            try:
                w = weights_of(s)
            except UserError:
                thresholds[s] = []
                continue
            thresholds[s] = [_threshold(float(v), minimums[str(c)], held) for c, v in w.items()]
        cands = sorted({1, upper} | {t for ts in thresholds.values() for t in ts if 1 < t < upper})
        outcomes = [fit(weights_of, minimums, float(a) + held) for a in cands]
        seen = set().union(*(o.visited for o in outcomes))
        if seen <= known:
            break
        known |= seen
    failing = np.flatnonzero([o.weights is None for o in outcomes])
    return int(cands[failing[-1] + 1]) if failing.size else 1

"""The smallest amount a plan really needs, verified, for "amount too small" answers.

The plan builder names the first fund that falls below its minimum purchase and the amount that would lift that
one fund over it; after re-optimising without small funds another fund may fall short, so that figure is a lower
bound, not an amount that works. Here the figure is followed until the weights actually fit (no audit rows: only
the weights are computed), so the client is offered an amount that will build.
"""

from __future__ import annotations

import re

from tandem.compliance.suitability import InvestorCategory
from tandem.core.errors import UserError
from tandem.wealth.plans import PlanBuilder

_NEEDS = re.compile(r"needs at least ¥([\d,]+)")
MAX_ROUNDS = 8


class AmountTooSmallError(UserError):
    """The amount cannot buy every fund's minimum; ``minimum`` is a verified amount that works (or None)."""

    def __init__(self, message: str, minimum: int | None) -> None:
        super().__init__(message)
        self.minimum = minimum


def needs_at_least(message: str) -> int | None:
    """The CNY figure of a builder's "needs at least ¥N" message, if any."""
    match = _NEEDS.search(message)
    return int(match.group(1).replace(",", "")) if match else None


def verified_minimum(
    builder: PlanBuilder,
    *,
    category: InvestorCategory,
    horizon_years: float,
    strategy: str | None,
    first_need: int,
    held: float,
) -> int | None:
    """The smallest new amount (CNY, on top of ``held``) at which the strategy's weights fit, or None."""
    chosen = builder.choose_strategy(category=category, horizon_years=horizon_years, key=strategy)
    total = first_need
    for _ in range(MAX_ROUNDS):
        try:
            builder.fit_to_amount(chosen, float(total))
        except UserError as exc:
            nxt = needs_at_least(str(exc))
            if nxt is None or nxt <= total:
                return None
            total = nxt
            continue
        return max(1, int(total - held) + 1)
    return None


def too_small_message(*, amount: float, minimum: int | None, detail: str, strategy: str, lang: str) -> str:
    """The client-facing message (the builder's detail kept, since it names the fund and its minimum)."""
    if lang == "zh":
        head = f"投资金额 ¥{amount:,.0f} 不足"
        need = f"：「{strategy}」方案至少需要投入 ¥{minimum:,}" if minimum else ""
        return f"{head}{need}。原因：{detail}"
    need = f"; {strategy} needs at least ¥{minimum:,}" if minimum else ""
    return f"amount ¥{amount:,.0f} is too small{need}. Reason: {detail}"

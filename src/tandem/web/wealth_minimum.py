"""The client-facing "amount too small" answer, carrying the exact minimum the plan builder computed."""

from __future__ import annotations

from tandem.core.errors import UserError


class AmountTooSmallError(UserError):
    """The amount cannot buy every fund's minimum; ``minimum`` is the exact new amount that works."""

    def __init__(self, message: str, minimum: int | None) -> None:
        super().__init__(message)
        self.minimum = minimum


def too_small_message(*, amount: float, minimum: int | None, detail: str, strategy: str, lang: str) -> str:
    """The client-facing message (the builder's detail kept, since it names the fund and its minimum)."""
    if lang == "zh":
        head = f"投资金额 ¥{amount:,.0f} 不足"
        need = f"：「{strategy}」方案至少需要投入 ¥{minimum:,}" if minimum else ""
        return f"{head}{need}。原因：{detail}"
    need = f"; {strategy} needs at least ¥{minimum:,}" if minimum else ""
    return f"amount ¥{amount:,.0f} is too small{need}. Reason: {detail}"

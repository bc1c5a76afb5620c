"""Execution settings of a backtest: which A-share rules apply, fees, fill timing, slippage and caps.

Every rule can be switched off on its own so that a run can be compared with a frictionless reference
(the vectorbt benchmark runs with :meth:`ExecutionConfig.frictionless`). The rates themselves (stamp duty,
transfer fee, limit bands, lots) are not configured here: they come from the dated rulebook in
:mod:`tandem.core.rulebook`, so a backtest of 2021 pays 2021's stamp duty.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Literal

from tandem.backtest.slippage import FixedBps, SlippageModel
from tandem.core.errors import ValidationFailed

FillAt = Literal["next_open", "close"]


@dataclass(frozen=True, slots=True)
class RuleSwitches:
    """On/off switch per A-share rule (all on by default)."""

    t_plus_one: bool = True
    price_limits: bool = True
    suspensions: bool = True
    lots: bool = True
    min_commission: bool = True
    stamp_duty: bool = True
    transfer_fee: bool = True
    corporate_actions: bool = True

    @classmethod
    def none(cls) -> RuleSwitches:
        """Every rule off: fractional shares, no limits, no T+1, no taxes."""
        return cls(False, False, False, False, False, False, False, False)


@dataclass(frozen=True, slots=True)
class ExecutionConfig:
    """How orders become fills.

    ``fill_at``: ``"next_open"`` fills a decision taken on day t's close at day t+1's open; ``"close"`` fills
    it at day t's close. ``max_participation`` caps a fill at that fraction of the day's volume (0 = no cap).
    ``commission_rate`` is the broker rate (the 5-yuan minimum comes from the rulebook).
    """

    initial_cash: float = 1_000_000.0
    fill_at: FillAt = "next_open"
    commission_rate: float = 0.00025
    max_participation: float = 0.1
    slippage: SlippageModel = field(default_factory=lambda: FixedBps(0.0))
    rules: RuleSwitches = field(default_factory=RuleSwitches)
    retry_blocked: bool = True

    def __post_init__(self) -> None:
        if self.fill_at not in ("next_open", "close"):
            raise ValidationFailed(f"fill_at must be 'next_open' or 'close', not {self.fill_at!r}")
        if not self.initial_cash > 0:
            raise ValidationFailed(f"initial_cash must be positive, got {self.initial_cash}")
        if not 0 <= self.commission_rate <= 0.003:
            raise ValidationFailed(f"commission_rate {self.commission_rate} is outside 0..0.003 (the legal cap)")
        if not 0 <= self.max_participation <= 1:
            raise ValidationFailed(f"max_participation {self.max_participation} must be within 0..1 (0 = no cap)")

    @classmethod
    def frictionless(cls, initial_cash: float = 1_000_000.0, fill_at: FillAt = "close") -> ExecutionConfig:
        """A-share rules, caps and fees all off: the reference a generic backtester computes."""
        return cls(
            initial_cash=initial_cash,
            fill_at=fill_at,
            commission_rate=0.0,
            max_participation=0.0,
            slippage=FixedBps(0.0),
            rules=RuleSwitches.none(),
        )

    def with_(self, **changes: object) -> ExecutionConfig:
        """A copy with some fields changed (the config itself is immutable)."""
        return replace(self, **changes)  # type: ignore[arg-type]

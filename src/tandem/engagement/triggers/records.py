"""Typed inputs of the triggers: client books, price alerts, one session's bars, and what each trigger found."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

import numpy as np
import numpy.typing as npt

from tandem.compliance.suitability import ProductRisk
from tandem.core.errors import UserError

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True, slots=True)
class ClientBook:
    """The stocks a client holds and watches (normalised codes such as ``600000.SH``)."""

    client_id: str
    holdings: frozenset[str] = frozenset()
    watchlist: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class PriceAlert:
    """A client's own alert: tell me when ``code`` trades at or above / at or below ``price``."""

    alert_id: str
    client_id: str
    code: str
    direction: Literal["above", "below"]
    price: float

    def __post_init__(self) -> None:
        if self.direction not in ("above", "below"):
            raise UserError(
                f"price alert {self.alert_id}: direction must be 'above' or 'below', not {self.direction!r}"
            )
        if not np.isfinite(self.price) or self.price <= 0:
            raise UserError(f"price alert {self.alert_id}: price must be a positive number, not {self.price!r}")


@dataclass(frozen=True, slots=True)
class SessionBars:
    """One session's bars for every stock, column-wise, with what the triggers compare them to.

    ``limit_up``/``limit_down`` are the day's limit prices from the rulebook (NaN: no band that day);
    ``prev_high``/``prev_low`` the previous session's range; ``avg_volume`` the mean volume of the previous
    ``lookback`` sessions (NaN when there were none).
    """

    day: date
    codes: npt.NDArray[np.str_]
    names: npt.NDArray[np.str_]
    open: F64
    high: F64
    low: F64
    close: F64
    preclose: F64
    volume: F64
    avg_volume: F64
    prev_high: F64
    prev_low: F64
    limit_up: F64
    limit_down: F64
    synthetic: bool = False

    def __post_init__(self) -> None:
        n = len(self.codes)
        for name in ("names", "open", "high", "low", "close", "preclose", "volume", "avg_volume", "prev_high",
                     "prev_low", "limit_up", "limit_down"):  # fmt: skip
            if len(getattr(self, name)) != n:
                raise UserError(
                    f"session bars of {self.day}: column {name} has {len(getattr(self, name))} rows, not {n}"
                )


MoverKind = Literal[
    "limit_up_hit", "limit_up_opened", "limit_down_hit", "limit_down_opened", "volume_spike", "gap_up", "gap_down"
]


@dataclass(frozen=True, slots=True)
class Mover:
    """One 异动 of one stock in one session, with the figures that made it one."""

    code: str
    name: str
    day: date
    kind: MoverKind
    evidence: Mapping[str, float | None] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ScoreMove:
    """A diagnosis composite that moved by at least the threshold between two sessions."""

    code: str
    name: str
    day: date
    prev_day: date
    composite: float
    prev_composite: float

    @property
    def delta(self) -> float:
        """New minus previous composite (points of 100)."""
        return self.composite - self.prev_composite


@dataclass(frozen=True, slots=True)
class FlowAnomaly:
    """A minute whose main-force (主力) net inflow stood out from the stock's recent minutes during a replay."""

    code: str
    day: date
    minute: str
    main_net: float
    cum_main_net: float
    baseline: float


@dataclass(frozen=True, slots=True)
class PlanPosition:
    """A client's accepted plan: target weights, what each fund is worth now (CNY), risks and the drift band."""

    client_id: str
    plan_id: str
    targets: Mapping[str, float]
    values: Mapping[str, float]
    risks: Mapping[str, ProductRisk]
    band: float
    as_of: date


@dataclass(frozen=True, slots=True)
class AssessmentStatus:
    """When a client's risk assessment stops being valid."""

    client_id: str
    valid_until: datetime

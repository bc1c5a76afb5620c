"""Slippage models: each is a one-method class returning the adverse price move as a fraction.

The execution core buys at ``price * (1 + s)`` and sells at ``price * (1 - s)`` where ``s`` comes from
:meth:`SlippageModel.fraction`, evaluated once for the whole date × code panel before the loop runs (so the
compiled loop never calls back into Python). To add a model, subclass :class:`SlippageModel` and implement
``fraction(price, volume)`` returning a non-negative float64 array of the same shape; for example a spread
model that reads a bid/ask panel would store the panel in ``__init__`` and return half the relative spread.
Limit checks always use the raw quoted price, never the slipped one.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from tandem.core.errors import ValidationFailed

FloatArray = npt.NDArray[np.float64]


class SlippageModel(ABC):
    """Adverse price move per (date, code) as a fraction of the quoted fill price."""

    @abstractmethod
    def fraction(self, price: FloatArray, volume: FloatArray) -> FloatArray:
        """Return ``s >= 0`` with the shape of ``price`` (``volume`` in shares, same shape)."""


@dataclass(frozen=True)
class FixedBps(SlippageModel):
    """The same slippage on every fill, in basis points (1 bp = 0.01%)."""

    bps: float = 0.0

    def __post_init__(self) -> None:
        if not 0 <= self.bps < 1000:
            raise ValidationFailed(f"slippage bps {self.bps} must be within 0..1000")

    def fraction(self, price: FloatArray, volume: FloatArray) -> FloatArray:
        """Constant ``bps / 10_000``."""
        return np.full(np.shape(price), self.bps / 10_000.0)


@dataclass(frozen=True)
class TickSlippage(SlippageModel):
    """A fixed number of 0.01-yuan ticks, so cheap stocks slip more in relative terms."""

    ticks: int = 1

    def fraction(self, price: FloatArray, volume: FloatArray) -> FloatArray:
        """``ticks * 0.01 / price`` (0 where the price is missing)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            s = self.ticks * 0.01 / np.asarray(price, dtype=np.float64)
        return np.where(np.isfinite(s), s, 0.0)


@dataclass(frozen=True)
class LiquiditySlippage(SlippageModel):
    """More slippage on thinly traded days: ``base_bps + k_bps * sqrt(1e6 / max(volume, 1))``, capped."""

    base_bps: float = 2.0
    k_bps: float = 5.0
    cap_bps: float = 100.0

    def fraction(self, price: FloatArray, volume: FloatArray) -> FloatArray:
        """Square-root impact in the day's share volume."""
        v = np.maximum(np.nan_to_num(np.asarray(volume, dtype=np.float64), nan=0.0), 1.0)
        bps = np.minimum(self.base_bps + self.k_bps * np.sqrt(1e6 / v), self.cap_bps)
        out: FloatArray = bps / 10_000.0
        return out

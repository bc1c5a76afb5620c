"""Declarative strategies (the only kind the web service accepts): universe/screen + ranking + rebalance + sizing.

A spec never contains code. On every rebalance day the screen expression picks candidates among the codes
traded that day, ``rank_by`` (an expression of the same language) orders them, the top ``max_positions``
get weights by ``sizing``, and the resulting weights frame runs through the vectorized engine.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from tandem.backtest.config import ExecutionConfig
from tandem.backtest.screener.syntax import ScreenSyntaxError, parse
from tandem.backtest.slippage import FixedBps
from tandem.core.models import normalize_code


class ExecutionSpec(BaseModel):
    """The execution settings a user may choose."""

    model_config = ConfigDict(extra="forbid")

    fill_at: Literal["next_open", "close"] = "next_open"
    commission_rate: float = Field(0.00025, ge=0, le=0.003)
    slippage_bps: float = Field(0.0, ge=0, le=500)
    max_participation: float = Field(0.1, ge=0, le=1)
    initial_cash: float = Field(1_000_000.0, gt=0, le=1e11)

    def config(self) -> ExecutionConfig:
        """The engine configuration (all A-share rules on)."""
        return ExecutionConfig(
            initial_cash=self.initial_cash,
            fill_at=self.fill_at,
            commission_rate=self.commission_rate,
            max_participation=self.max_participation,
            slippage=FixedBps(self.slippage_bps),
        )


class StrategySpec(BaseModel):
    """A declarative strategy: which stocks, how to rank them, when to rebalance and how to size."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field("strategy", max_length=80)
    universe: list[str] | None = Field(None, description="Codes to consider; None = every stock in the store.")
    screen: str | None = Field(None, max_length=2000, description="Filter expression, e.g. pe_ttm < 20 and roe > 0.1")
    rank_by: str | None = Field(None, max_length=2000, description="Expression to order candidates by.")
    ascending: bool = Field(True, description="Rank smallest first (e.g. small caps, low PE).")
    max_positions: int = Field(10, ge=1, le=300)
    rebalance: Literal["daily", "weekly", "monthly", "quarterly"] = "monthly"
    sizing: Literal["equal", "rank"] = "equal"
    start: date | None = None
    end: date | None = None
    benchmark: str | None = "000300.SH"
    execution: ExecutionSpec = Field(default_factory=ExecutionSpec)

    @field_validator("universe")
    @classmethod
    def _codes(cls, v: list[str] | None) -> list[str] | None:
        if v is None:
            return v
        if not 1 <= len(v) <= 5000:
            raise ValueError("universe must list 1..5000 codes (or be omitted for all stocks)")
        return [normalize_code(c) for c in v]

    @field_validator("screen", "rank_by")
    @classmethod
    def _expr(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                parse(v)
            except ScreenSyntaxError as exc:  # pydantic collects ValueErrors into one report
                raise ValueError(str(exc)) from exc
        return v

"""API schemas of the 量化 tab: screens and backtest jobs (``XCreate / XPublic`` naming, no ORM rows out)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tandem.web.money import Fen, FenCurve, FenOptional

Cell = float | str | None


class ScreenRun(BaseModel):
    """A screen to evaluate point-in-time on one day."""

    model_config = ConfigDict(extra="forbid")

    expression: str = Field(
        min_length=1, max_length=2000, examples=["pe_ttm > 0 and pe_ttm < 20 and roe > 0.1 and close > ma(close, 60)"]
    )
    date: dt.date | None = Field(None, description="Screen day (default: the last day in the store)")
    limit: int = Field(100, ge=1, le=500, description="Rows to return (the count covers all matches)")
    industry: str | None = Field(
        None, max_length=40, description="Only this industry (name or CSRC code) in the classification as of date"
    )


class ScreenResultPublic(BaseModel):
    """Stocks that pass the screen on ``date`` with every field the expression mentions."""

    expression: str
    date: dt.date
    count: int = Field(ge=0)
    columns: list[str]
    rows: list[list[Cell]]
    truncated: bool


class SavedScreenCreate(BaseModel):
    """A named screen to keep."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=80)
    expression: str = Field(min_length=1, max_length=2000)


class SavedScreenPublic(BaseModel):
    """One of the caller's saved screens."""

    id: int
    name: str
    expression: str
    created_at: dt.datetime


class TradePublic(BaseModel):
    """One fill."""

    date: str
    code: str
    side: str
    qty: float
    price: Fen
    fee: Fen


class RuleEventPublic(BaseModel):
    """A trading rule that changed what the strategy wanted (e.g. a buy blocked at limit-up)."""

    date: str
    code: str
    rule: str
    detail: str


class BacktestResultPublic(BaseModel):
    """What a finished backtest produced (daily positions and the tear sheet have their own endpoints)."""

    name: str
    start: str
    end: str
    benchmark: str | None
    metrics: dict[str, float | None]
    final_equity: FenOptional
    equity: FenCurve  # CNY; the benchmark curve is in index points and keeps its precision
    benchmark_curve: list[tuple[str, float | None]]
    trades: list[TradePublic]
    rule_events: list[RuleEventPublic]


class BacktestJobSummary(BaseModel):
    """A job in the caller's list."""

    id: int
    name: str
    status: str
    progress: float
    error: str | None
    total_return: float | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


class BacktestJobPublic(BaseModel):
    """A job with its spec, status, progress and (when done) its result."""

    id: int
    name: str
    status: str
    progress: float
    error: str | None
    spec: dict[str, Any]
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    result: BacktestResultPublic | None

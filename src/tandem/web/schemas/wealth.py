"""Pydantic schemas of the wealth API (``XCreate / XPublic``); handlers and pages return these, never ORM rows.

Figures are fractions (0.035 = 3.5%) and amounts CNY. Performance appears only inside a strategy the client's
level matches; questionnaire scores are not exposed (they are compliance data, not something to aim at).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from tandem.web.money import Fen

QuestionId = Annotated[str, StringConstraints(min_length=1, max_length=40)]
OptionKey = Annotated[str, StringConstraints(min_length=1, max_length=8)]


class OptionPublic(BaseModel):
    """One answer choice of a question."""

    key: str
    text: str


class QuestionPublic(BaseModel):
    """One question of the risk questionnaire."""

    id: str
    text: str
    options: list[OptionPublic]


class QuestionnairePublic(BaseModel):
    """The risk questionnaire in one language."""

    version: str
    lang: Literal["zh", "en"]
    validity_days: int
    questions: list[QuestionPublic]


class AssessmentCreate(BaseModel):
    """Answers to the questionnaire: question id → option key (every question must be answered)."""

    model_config = ConfigDict(extra="forbid")

    answers: dict[QuestionId, OptionKey] = Field(max_length=40, examples=[{"age": "b", "income": "b"}])


class AssessmentPublic(BaseModel):
    """A stored risk assessment (C1–C5) and how long it is valid."""

    id: int
    level: str = Field(description="C1 (lowest) to C5")
    label: str
    lowest_category: bool = Field(description="True when the client is in the lowest category (R1 products only)")
    forced_by: list[str] = Field(description="The answers or rules that forced the lowest category")
    assessed_at: datetime
    valid_until: datetime
    questionnaire_version: str


class LevelPublic(BaseModel):
    """The client's current risk level, its expiry, and whether a (re-)assessment is needed."""

    assessed: bool
    level: str | None = None
    label: str | None = None
    lowest_category: bool = False
    lowest_category_note: str | None = None
    assessed_at: datetime | None = None
    valid_until: datetime | None = None
    days_left: int | None = None
    expired: bool = False
    reassessment_needed: bool


class CurvePoint(BaseModel):
    """One point of a backtest's equity curve (start = 1.0)."""

    date: date
    value: float


class BacktestPublic(BaseModel):
    """A strategy's walk-forward backtest on real fund NAVs, with subscription/redemption costs."""

    annual_return: float | None
    volatility: float | None
    max_drawdown: float | None
    sharpe: float | None
    start: str
    end: str
    observations: int
    costs: float = Field(description="Trading costs paid over the backtest, as a fraction of the start value")
    rebalances: int
    method: str
    curve: list[CurvePoint]


class StrategyPublic(BaseModel):
    """A model strategy the client's level matches, with its real backtest."""

    key: str
    name: str
    description: str
    risk_level: str = Field(description="R1–R5: the highest product grade the strategy may hold")
    levels: list[str] = Field(description="Client levels the strategy matches")
    backtest: BacktestPublic


class StrategyListPublic(BaseModel):
    """The strategies shown to a client: only those matching the client's level."""

    level: str
    items: list[StrategyPublic]


class PlanCreate(BaseModel):
    """Ask for a plan: how much to invest, optionally which (matching) strategy and the horizon in years."""

    model_config = ConfigDict(extra="forbid")

    amount: float = Field(gt=0, le=1e10, description="CNY to invest")
    strategy: str | None = Field(default=None, min_length=1, max_length=32, description="Strategy key, e.g. steady")
    horizon_years: float = Field(default=3.0, ge=0.25, le=50)


class PlanHoldingPublic(BaseModel):
    """One fund of a plan: target weight, how it is bought, amount, units and the minimum with its source.

    The channel fields are ``None`` only on plans stored before channels were recorded.
    """

    code: str
    name: str
    risk_level: str
    asset_class: str
    weight: float
    amount: Fen
    min_purchase: Fen
    channel: Literal["exchange", "otc"] | None = Field(
        default=None, description="exchange: whole board lots; otc: off-exchange subscription in CNY"
    )
    units: float | None = Field(
        default=None, description="Fund units: lots × 100 on the exchange, amount ÷ NAV truncated to 2 decimals off it"
    )
    nav: float | None = Field(default=None, description="Last NAV (off-exchange) or close (exchange) used for units")
    lots: int | None = Field(default=None, description="Whole board lots (exchange only)")
    min_purchase_source: Literal["exchange_lot", "fund_master", "default"] | None = Field(
        default=None,
        description="exchange_lot: one lot at the last close; fund_master: the fund's stated minimum "
        "(Tushare fund_basic); default: the documented ¥10 default",
    )


class ExpectedPublic(BaseModel):
    """Historical figures of the plan's target portfolio (not a forecast)."""

    annual_return: float | None
    volatility: float | None
    max_drawdown: float | None
    basis: str


class RebalancePublic(BaseModel):
    """Trade back to target because a current holding drifted past the threshold."""

    code: str
    action: Literal["buy", "sell"]
    amount: Fen
    current_weight: float
    target_weight: float


class PlanPublic(BaseModel):
    """A persisted advisory plan of the caller."""

    id: int
    status: str = Field(description="proposed, accepted or superseded")
    level: str
    strategy: str
    strategy_name: str
    amount: Fen
    invested: Fen
    cash_residual: Fen
    horizon_years: float
    holdings: list[PlanHoldingPublic]
    expected: ExpectedPublic
    explanation: str
    disclaimer: str
    data_line: str
    notes: list[str]
    rebalance: list[RebalancePublic]
    rule_version: str
    matches_current_level: bool = Field(description="False when the client's level is now lower than the plan's")
    created_at: datetime


class SimHoldingPublic(BaseModel):
    """One simulated fund position (no real money moved)."""

    code: str
    name: str
    risk_level: str
    asset_class: str
    units: float
    nav: float = Field(description="NAV at the simulated subscription")
    cost: Fen
    value: Fen = Field(description="Units at the latest NAV in the catalogue")
    above_level: bool = Field(description="True when the fund is now above the client's level (consider selling)")


class HoldingsPublic(BaseModel):
    """The client's simulated holdings from the last accepted plan."""

    simulated: bool = True
    plan_id: int | None
    subscribed_at: datetime | None
    items: list[SimHoldingPublic]
    total_cost: Fen
    total_value: Fen
    note: str


class WealthTabPublic(BaseModel):
    """Everything the 财富 tab shows for the caller (validated from :func:`tandem.wealth.tab_view.tab_view`)."""

    level: LevelPublic
    questionnaire: QuestionnairePublic
    strategies: StrategyListPublic | None
    unavailable: str | None
    sparks: dict[str, str]
    plan: PlanPublic | None
    holdings: HoldingsPublic
    presets: tuple[int, ...]
    class_labels: dict[str, str]

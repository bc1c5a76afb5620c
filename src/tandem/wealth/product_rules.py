"""Rule data for fund products: type classification, R-level grading, typical fees and minimum purchase.

R-level rules (version ``RISK_GRADING_VERSION``), first by fund type, then only ever *raised* by realised
volatility — realised calm never lowers a grade:

=================  =====  ==============================================
type               base   raised when realised annual volatility …
=================  =====  ==============================================
money market       R1     > 1%  → R2
bond               R2     > 6%  → R3
mixed / FOF        R3     > 25% → R4
equity, index/ETF  R4     > 35% → R5
QDII, commodity    R4     > 35% → R5
leveraged / other  R5
=================  =====  ==============================================

Fees are *typical rates for the fund type, not fund-specific* (front-end subscription before platform
discounts, redemption for holdings of 7 days to 1 year, annual management + custody), as printed in mainland
prospectuses around 2020; exchange-traded funds pay the broker commission instead. Fund size and manager tenure
are not in the market data and are reported as unknown rather than guessed.

How a fund is bought (its :class:`Channel`) decides its minimum purchase:

- **exchange** (场内: ETFs, and LOFs when bought on the exchange): whole board lots of ``LOT_UNITS`` units at the
  last close (the rulebook's fund lot rule), so the minimum is one lot's cost and amounts are multiples of it;
- **off-exchange** (场外 subscription of open-end funds and LOFs at the fund company or a platform): an amount
  in yuan, to the fen, from the fund's own initial minimum when the fund master states one
  (:mod:`tandem.wealth.fund_master`), else ``OTC_DEFAULT_MINIMUM``; units are the amount over the last NAV
  to ``UNIT_DECIMALS`` decimals (份额保留小数点后两位, as mainland prospectuses typically state), truncated
  rather than rounded so a plan never spends more than its amount. Subscription fees, which lower the units a
  fund company credits, are shown separately as typical rates; the plan's units are before fees.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from tandem.compliance.suitability import ProductRisk

RISK_GRADING_VERSION = "tandem-fund-risk-grading/v1"
FEE_SOURCE = "typical rate for type, not fund-specific"
LOT_UNITS = 100
"""Units per exchange board lot for funds (``tandem.core.rulebook`` LOT_RULES, Board.FUND)."""
UNIT_DECIMALS = 2
"""Decimals of off-exchange fund units (truncated, not rounded: the remainder stays uninvested cash)."""
OTC_DEFAULT_MINIMUM = 10.0
"""Off-exchange initial minimum (CNY) used when the fund master states none for the fund — a DEFAULT, not a
fund's figure. ¥10 is the median of the 3,637 stated minimums in the Tushare ``fund_basic`` master staged in
``funds/tushare_fund_basic_2022`` (¥1: 1,751 funds, ¥10: 1,579, ¥100: 173, ¥1,000: 112, other values: 22);
91.6% of those funds start at ¥10 or less. The platform confirms the real figure when the order is placed."""

MIN_SOURCE_EXCHANGE = "exchange_lot"
"""Minimum = one board lot at the last close (i18n ``wealth.min_source.exchange_lot`` says so in zh and en)."""
MIN_SOURCE_MASTER = "fund_master"
"""Minimum = the fund master's ``min_amount`` (万元 × 10,000)."""
MIN_SOURCE_DEFAULT = "default"
"""Minimum = ``OTC_DEFAULT_MINIMUM``, because the fund master states none for the fund."""
MIN_PURCHASE_SOURCE = (
    "exchange: one board lot of 100 units at the last close; off-exchange: the fund master's min_amount "
    "(Tushare fund_basic, 万元 × 10,000), else a DEFAULT of ¥10 (the median of the master's stated minimums)"
)


class Channel(StrEnum):
    """Where a fund is bought: on the exchange in board lots, or subscribed off the exchange in yuan."""

    EXCHANGE = "exchange"
    OTC = "otc"


class FundType(StrEnum):
    """Fund types the catalogue distinguishes."""

    MONEY_MARKET = "money_market"
    BOND = "bond"
    MIXED = "mixed"
    EQUITY = "equity"
    INDEX = "index"
    QDII = "qdii"
    COMMODITY = "commodity"
    LEVERAGED = "leveraged"
    OTHER = "other"


class AssetClass(StrEnum):
    """Asset classes used by allocation bands."""

    CASH = "cash"
    BOND = "bond"
    MIXED = "mixed"
    EQUITY = "equity"
    QDII = "qdii"
    COMMODITY = "commodity"


ASSET_CLASS_LABELS_ZH: dict[AssetClass, str] = {
    AssetClass.CASH: "货币类",
    AssetClass.BOND: "债券类",
    AssetClass.MIXED: "混合类",
    AssetClass.EQUITY: "股票类",
    AssetClass.QDII: "海外（QDII）",
    AssetClass.COMMODITY: "商品（黄金）",
}

ASSET_CLASS_OF: dict[FundType, AssetClass] = {
    FundType.MONEY_MARKET: AssetClass.CASH,
    FundType.BOND: AssetClass.BOND,
    FundType.MIXED: AssetClass.MIXED,
    FundType.EQUITY: AssetClass.EQUITY,
    FundType.INDEX: AssetClass.EQUITY,
    FundType.QDII: AssetClass.QDII,
    FundType.COMMODITY: AssetClass.COMMODITY,
    FundType.LEVERAGED: AssetClass.EQUITY,
    FundType.OTHER: AssetClass.EQUITY,
}

BASE_RISK: dict[FundType, ProductRisk] = {
    FundType.MONEY_MARKET: ProductRisk.R1,
    FundType.BOND: ProductRisk.R2,
    FundType.MIXED: ProductRisk.R3,
    FundType.EQUITY: ProductRisk.R4,
    FundType.INDEX: ProductRisk.R4,
    FundType.QDII: ProductRisk.R4,
    FundType.COMMODITY: ProductRisk.R4,
    FundType.LEVERAGED: ProductRisk.R5,
    FundType.OTHER: ProductRisk.R5,
}

VOL_RAISE: dict[ProductRisk, float] = {
    ProductRisk.R1: 0.01,
    ProductRisk.R2: 0.06,
    ProductRisk.R3: 0.25,
    ProductRisk.R4: 0.35,
}

_MONEY_WORDS = ("货币", "日利", "添益", "现金", "money market")
_BOND_WORDS = ("债", "bond")
_COMMODITY_WORDS = ("黄金", "原油", "商品", "白银", "gold", "commodity")


def classify_fund(fund_type: str, name: str) -> FundType:
    """Map a source type string (East Money 混合型/债券型/ETF-场内 … or English) and the name to a FundType."""
    t, n = fund_type.lower(), name.lower()
    if any(w in n for w in _COMMODITY_WORDS):
        return FundType.COMMODITY
    if "qdii" in t or "qdii" in n:
        return FundType.QDII
    if "杠杆" in t or "leverag" in t:
        return FundType.LEVERAGED
    if any(w in t for w in _MONEY_WORDS) or any(w in n for w in _MONEY_WORDS):
        return FundType.MONEY_MARKET
    if any(w in t for w in _BOND_WORDS) or "固定收益" in t or any(w in n for w in _BOND_WORDS):
        return FundType.BOND
    if any(w in t for w in ("指数", "etf", "联接", "index")):
        return FundType.INDEX
    if "股票" in t or "equity" in t or "stock" in t:
        return FundType.EQUITY
    if "混合" in t or "fof" in t or "mixed" in t:
        return FundType.MIXED
    return FundType.OTHER


def grade_risk(fund_type: FundType, realised_vol: float | None) -> tuple[ProductRisk, str]:
    """R-level and the rule that produced it (base by type, raised one step per exceeded volatility bar)."""
    risk = BASE_RISK[fund_type]
    rule = f"{fund_type.value}→{risk.value}"
    while realised_vol is not None and risk in VOL_RAISE and realised_vol > VOL_RAISE[risk]:
        bar = VOL_RAISE[risk]
        risk = ProductRisk.of_rank(risk.rank + 1)
        rule += f"; vol {realised_vol:.1%}>{bar:.0%}→{risk.value}"
    return risk, f"{RISK_GRADING_VERSION}: {rule}"


@dataclass(frozen=True, slots=True)
class FeeSchedule:
    """Fee rates as fractions (0.015 = 1.5%), with where they come from."""

    subscription: float
    redemption: float
    annual_management: float
    source: str = FEE_SOURCE


_OTC_FEES: dict[FundType, FeeSchedule] = {
    FundType.MONEY_MARKET: FeeSchedule(0.0, 0.0, 0.0033),
    FundType.BOND: FeeSchedule(0.008, 0.005, 0.0040),
    FundType.MIXED: FeeSchedule(0.015, 0.005, 0.0175),
    FundType.EQUITY: FeeSchedule(0.015, 0.005, 0.0175),
    FundType.INDEX: FeeSchedule(0.012, 0.005, 0.0060),
    FundType.QDII: FeeSchedule(0.015, 0.005, 0.0110),
    FundType.COMMODITY: FeeSchedule(0.006, 0.005, 0.0060),
    FundType.LEVERAGED: FeeSchedule(0.012, 0.005, 0.0100),
    FundType.OTHER: FeeSchedule(0.015, 0.005, 0.0150),
}
_ETF_MANAGEMENT: dict[FundType, float] = {
    FundType.MONEY_MARKET: 0.0030,
    FundType.BOND: 0.0020,
    FundType.COMMODITY: 0.0060,
    FundType.QDII: 0.0080,
}


_SSE_FUND_PREFIXES = ("510", "511", "512", "513", "515", "516", "517", "518", "56", "58")
"""SSE exchange-traded fund ranges (ETFs, money-market ETFs, STAR ETFs). 519xxx are SSE *off-exchange* codes."""
_SZSE_FUND_PREFIXES = ("15",)
"""SZSE exchange fund ranges: 159 ETFs, 150/151 graded shares. 16xxxx LOFs are subscribed off the exchange here:
their NAV series are off-exchange NAVs."""


def is_exchange_traded(code: str, *, name: str = "", fund_type: str = "") -> bool:
    """Whether a fund is bought on the exchange (in board lots) rather than subscribed over the counter.

    ETF feeder funds (联接) are OTC; anything named ETF or typed 场内 is exchange-traded; otherwise the code
    decides, with or without an exchange suffix: the sample and East Money list exchange funds by bare code
    (511990 华宝现金添益A is a money-market ETF although neither its name nor its type says so). A suffix must
    match the range's exchange; ``.OF`` (Tushare's off-exchange suffix) is never exchange-traded.
    """
    num, _, suffix = code.upper().partition(".")
    if suffix not in ("", "SH", "SZ") or "联接" in name:
        return False
    if "ETF" in name.upper() or "场内" in fund_type:
        return True
    sse = suffix in ("", "SH") and num.startswith(_SSE_FUND_PREFIXES)
    szse = suffix in ("", "SZ") and num.startswith(_SZSE_FUND_PREFIXES)
    return len(num) == 6 and num.isdigit() and (sse or szse)


def typical_fees(fund_type: FundType, *, exchange_traded: bool, commission: float = 0.00025) -> FeeSchedule:
    """Typical fees for the type; exchange-traded funds pay the broker commission each way instead."""
    if exchange_traded:
        return FeeSchedule(commission, commission, _ETF_MANAGEMENT.get(fund_type, 0.0060))
    return _OTC_FEES[fund_type]


@dataclass(frozen=True, slots=True)
class MinimumPurchase:
    """A fund's smallest purchase in CNY, the channel it applies to, and where the figure comes from."""

    amount: float
    channel: Channel
    source: str


def minimum_purchase(
    *, exchange_traded: bool, last_nav: float, stated: float | None = None, lot_units: int = LOT_UNITS
) -> MinimumPurchase:
    """One lot of ``lot_units`` at ``last_nav`` on the exchange; off it ``stated`` (fund master, CNY) or the default.

    ``stated`` must already be in yuan (the fund master's 万元 are converted by :mod:`tandem.wealth.fund_master`).
    """
    if not last_nav > 0:
        raise ValueError(f"last_nav={last_nav} must be positive to price a purchase")
    if exchange_traded:
        return MinimumPurchase(round(lot_units * last_nav, 2), Channel.EXCHANGE, MIN_SOURCE_EXCHANGE)
    if stated is not None:
        return MinimumPurchase(float(stated), Channel.OTC, MIN_SOURCE_MASTER)
    return MinimumPurchase(OTC_DEFAULT_MINIMUM, Channel.OTC, MIN_SOURCE_DEFAULT)

"""The dated A-share rulebook: every trading rule as named data with the day it took effect.

A backtest of 2019 must use 2019 rules, so rules are never ``if`` chains over today's regulations. Each table
below is a tuple of frozen records with ``start`` (inclusive) and ``end`` (exclusive, ``None`` = still in force).
:func:`rules_for` answers "what rules applied to instrument X on day D"; :func:`price_limit_pct_array` answers
the same question for whole arrays of (board, day, ST flag, session number) without a Python loop per row.

To add a rule change: append a record with its effective date and close the previous one's ``end`` — never edit
history. Sources are the exchanges' published trading rules and the Ministry of Finance/STA stamp-duty notices.

ST status is market data, not a rule: callers pass ``is_st`` from the store's dated ``st_periods`` (built from
BaoStock's per-day ``isST`` flag, which covers ST and *ST alike), e.g. ``MarketStore.rules_for``. On main-board
ST days before 2025-07-07 the band is 5% (600732.SH, *ST in 2019, closed at the 5% limit-up 5.12 / 5.38 / 5.65 on
2019-01-08..10 in one-price sessions).

Resumption after a trading halt (停牌后复牌) — the rule applied: the board's ordinary band (and the ST band) is in
force from the first session back, however long the halt. The exchanges' trading rules list the only first days
without a band — SSE 交易规则 (2006 text and its revisions) 3.4.15 and the SZSE rules' counterpart: a first public
listing, an additional-offering listing (older texts), a resumed *listing* after 暂停上市 (恢复上市) or a relisting
after delisting, and cases the exchange names in a notice (some major restructurings); a resumed *trading halt* is
not among them. The bars show the band holding: 600732.SH resumed on 2016-01-05 after 88 halted sessions and sat at
its 5% limit-up 8.10 (7.71 × 1.05), 600760.SH on 2016-12-13 at 10.23 (9.74 × 1.05). Of the exempt events only the
IPO window is modelled (:data:`IPO_WINDOWS`): a 恢复上市 or an exchange-named exemption is an event the bars do not
label, so such a day keeps its band here and no exemption is assumed. Its prices then lie beyond that band (000792.SZ's
恢复上市 on 2021-08-10, after 311 halted sessions, opened at 39.22 on a 10% limit-up of 9.72): the import validator
tolerates that on the first traded day after 20 or more halted sessions rather than quarantine a real row, and the
backtester, which blocks a buy only when the price sits *at* the limit, fills it at the recorded open.
(Article number as in the 2006 SSE text, not re-checked against a primary copy of the current one.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from tandem.core.models import Board, FundType, board_of

RULEBOOK_VERSION = "2025-07-07.3"


@dataclass(frozen=True, slots=True)
class PriceLimitRule:
    """Daily price-limit band (fraction of the previous close) for a board and ST status."""

    board: Board
    st: bool
    pct: float
    start: date
    end: date | None
    source: str


@dataclass(frozen=True, slots=True)
class IpoWindowRule:
    """Early trading days of a new listing without the ordinary daily limit.

    ``no_limit_days`` sessions have no band at all; when ``first_day_up``/``first_day_down`` are set, session 1 has
    that special band relative to the issue price instead (the pre-registration main-board 44%/-36% rule).
    """

    board: Board
    no_limit_days: int
    first_day_up: float | None
    first_day_down: float | None
    start: date
    end: date | None
    source: str


@dataclass(frozen=True, slots=True)
class LotRule:
    """Order-size rule: minimum buy and the increment above it. Odd lots may only be sold in full."""

    board: Board
    min_buy: int
    step: int
    start: date
    end: date | None
    source: str


@dataclass(frozen=True, slots=True)
class RateRule:
    """A proportional fee with its side(s): stamp duty, transfer fee, commission cap."""

    name: str
    buy_rate: float
    sell_rate: float
    start: date
    end: date | None
    source: str


_ANY = date(1990, 12, 19)
_CHINEXT_REFORM = date(2020, 8, 24)
_MAIN_REGISTRATION = date(2023, 4, 10)
_MAIN_ST_10PCT = date(2025, 7, 7)
_STAR_OPEN = date(2019, 7, 22)
_BSE_OPEN = date(2021, 11, 15)
"""The Beijing Stock Exchange's first trading day, under 《北京证券交易所交易规则（试行）》 (published 2021-11-02).

BSE rules below were checked on 2026-12-07 against reports of the rules, not the rule text itself (bse.cn was not
reachable from the reference corpus), each consistent with the others:

* ±30% daily band, also for risk-warning stocks; no band on the first trading day of a public offering (with
  10-minute halts at ±30% and ±60% of the open, which a daily backtest does not model); orders of at least 100
  shares, then in steps of 1 share; odd lots below 100 sold in one order — Chinanews, 2021-11-13 ("Beijing Stock
  Exchange opens on the 15th", via tellerreport.com), Economic Observer, 2021-11-14 (via breakinglatest.news),
  laitimes.com ("trading rules of the Beijing Stock Exchange", 2021-11) and rcyhjx.com (2021-12-16, 单笔申报应不低于
  100股，每笔申报可以1股为单位递增).
* Codes: listings kept their NEEQ codes (43/83/87xxxx) at opening; the 920 code range opened to new listings on
  2024-04-22 (first: 万达轴承, 920002), six existing listings switched on 2025-05-06 and the other 248 on 2025-10-09
  (21st Century Business Herald, 2025-09-12; 同花顺财经, 2025-09-14). Both ranges are ``.BJ`` / board BSE in
  :func:`tandem.core.models.board_of`; the rules do not depend on the code range.
"""

PRICE_LIMITS: tuple[PriceLimitRule, ...] = (
    PriceLimitRule(Board.SSE_MAIN, False, 0.10, date(1996, 12, 16), None, "SSE trading rules, 10% since 1996-12-16"),
    PriceLimitRule(Board.SZSE_MAIN, False, 0.10, date(1996, 12, 16), None, "SZSE trading rules, 10% since 1996-12-16"),
    PriceLimitRule(Board.SSE_MAIN, True, 0.05, date(1998, 4, 22), _MAIN_ST_10PCT, "ST 5% band (risk warning)"),
    PriceLimitRule(Board.SZSE_MAIN, True, 0.05, date(1998, 4, 22), _MAIN_ST_10PCT, "ST 5% band (risk warning)"),
    PriceLimitRule(Board.SSE_MAIN, True, 0.10, _MAIN_ST_10PCT, None, "Main-board risk-warning band 5%→10%, 2025-07-07"),
    PriceLimitRule(
        Board.SZSE_MAIN, True, 0.10, _MAIN_ST_10PCT, None, "Main-board risk-warning band 5%→10%, 2025-07-07"
    ),
    PriceLimitRule(Board.CHINEXT, False, 0.10, date(2009, 10, 30), _CHINEXT_REFORM, "ChiNext 10% before registration"),
    PriceLimitRule(Board.CHINEXT, True, 0.05, date(2009, 10, 30), _CHINEXT_REFORM, "ChiNext ST 5% before registration"),
    PriceLimitRule(Board.CHINEXT, False, 0.20, _CHINEXT_REFORM, None, "ChiNext registration reform 2020-08-24: 20%"),
    PriceLimitRule(Board.CHINEXT, True, 0.20, _CHINEXT_REFORM, None, "ChiNext registration reform 2020-08-24: ST 20%"),
    PriceLimitRule(Board.STAR, False, 0.20, _STAR_OPEN, None, "STAR Market rules: 20% since opening 2019-07-22"),
    PriceLimitRule(Board.STAR, True, 0.20, _STAR_OPEN, None, "STAR Market rules: ST also 20%"),
    PriceLimitRule(Board.BSE, False, 0.30, _BSE_OPEN, None, "北交所交易规则（试行）: ±30% since opening 2021-11-15"),
    PriceLimitRule(Board.BSE, True, 0.30, _BSE_OPEN, None, "北交所交易规则（试行）: risk-warning stocks also ±30%"),
)

IPO_WINDOWS: tuple[IpoWindowRule, ...] = (
    IpoWindowRule(Board.SSE_MAIN, 0, 0.44, -0.36, date(2014, 1, 1), _MAIN_REGISTRATION, "IPO day +44%/-36% of issue"),
    IpoWindowRule(Board.SZSE_MAIN, 0, 0.44, -0.36, date(2014, 1, 1), _MAIN_REGISTRATION, "IPO day +44%/-36% of issue"),
    IpoWindowRule(Board.SSE_MAIN, 5, None, None, _MAIN_REGISTRATION, None, "Main-board registration: 5 days no limit"),
    IpoWindowRule(Board.SZSE_MAIN, 5, None, None, _MAIN_REGISTRATION, None, "Main-board registration: 5 days no limit"),
    IpoWindowRule(Board.CHINEXT, 0, 0.44, -0.36, date(2014, 1, 1), _CHINEXT_REFORM, "IPO day +44%/-36% of issue"),
    IpoWindowRule(Board.CHINEXT, 5, None, None, _CHINEXT_REFORM, None, "ChiNext registration: 5 days no limit"),
    IpoWindowRule(Board.STAR, 5, None, None, _STAR_OPEN, None, "STAR: first 5 trading days no limit"),
    IpoWindowRule(
        Board.BSE, 1, None, None, _BSE_OPEN, None, "北交所交易规则（试行）: no band on the first trading day"
    ),
)

LOT_RULES: tuple[LotRule, ...] = (
    LotRule(Board.SSE_MAIN, 100, 100, _ANY, None, "Round lots of 100 shares"),
    LotRule(Board.SZSE_MAIN, 100, 100, _ANY, None, "Round lots of 100 shares"),
    LotRule(Board.CHINEXT, 100, 100, _ANY, None, "Round lots of 100 shares"),
    LotRule(Board.STAR, 200, 1, _STAR_OPEN, None, "STAR: at least 200 shares, then steps of 1 share"),
    LotRule(Board.BSE, 100, 1, _BSE_OPEN, None, "北交所交易规则（试行）: at least 100 shares, then steps of 1 share"),
    LotRule(Board.B_SHARE, 100, 100, _ANY, None, "Round lots of 100 shares"),
    LotRule(Board.FUND, 100, 100, _ANY, None, "Exchange-traded funds: lots of 100 units"),
)

# Stamp duty on A-share trades (rate per side). Sources: 国家税务总局/财政部 notices of each change (1997-05-12
# 国发明电〔1997〕3号 0.3%→0.5%; 1998-06-12 0.5%→0.4%; 2001-11-16 0.4%→0.2%; 2005-01-24 财税〔2005〕11号 0.1%;
# 2007-05-30 0.3%; 2008-04-24 0.1%; 2008-09-19 sells only; 2023-08-28 财政部 税务总局公告2023年第39号 halved).
# Before 1997-05-12 the rate was 0.3% on both sides (in force since 1991-10, 深沪两市 0.3%).
STAMP_DUTY: tuple[RateRule, ...] = (
    RateRule("stamp_duty", 0.003, 0.003, _ANY, date(1997, 5, 12), "0.3% both sides (1991-10 to 1997-05-11)"),
    RateRule("stamp_duty", 0.005, 0.005, date(1997, 5, 12), date(1998, 6, 12), "0.5% both sides, 国发明电〔1997〕3号"),
    RateRule("stamp_duty", 0.004, 0.004, date(1998, 6, 12), date(2001, 11, 16), "0.4% both sides from 1998-06-12"),
    RateRule("stamp_duty", 0.002, 0.002, date(2001, 11, 16), date(2005, 1, 24), "0.2% both sides from 2001-11-16"),
    RateRule("stamp_duty", 0.001, 0.001, date(2005, 1, 24), date(2007, 5, 30), "0.1% both sides, 财税〔2005〕11号"),
    RateRule("stamp_duty", 0.003, 0.003, date(2007, 5, 30), date(2008, 4, 24), "0.3% both sides"),
    RateRule("stamp_duty", 0.001, 0.001, date(2008, 4, 24), date(2008, 9, 19), "0.1% both sides"),
    RateRule("stamp_duty", 0.0, 0.001, date(2008, 9, 19), date(2023, 8, 28), "0.1% on sells only since 2008-09-19"),
    RateRule(
        "stamp_duty", 0.0, 0.0005, date(2023, 8, 28), None, "Halved to 0.05% on sells, 财政部 税务总局公告2023年第39号"
    ),
)

# Proportional transfer fee (both SH and SZ) from 2015-08-01. Before that only Shanghai charged one, per share:
# see TRANSFER_FEE_PER_SHARE. BSE has its own schedule (BSE_TRANSFER_FEE); funds pay none (FEE_EXEMPTIONS).
TRANSFER_FEE: tuple[RateRule, ...] = (
    RateRule("transfer_fee", 0.00002, 0.00002, date(2015, 8, 1), date(2022, 4, 29), "0.02‰ of value, SH and SZ"),
    RateRule("transfer_fee", 0.00001, 0.00001, date(2022, 4, 29), None, "0.01‰ of value from 2022-04-29"),
)


@dataclass(frozen=True, slots=True)
class PerShareFeeRule:
    """A fee per 1,000 shares with a per-trade minimum (the pre-2015 Shanghai transfer fee)."""

    name: str
    exchange_suffix: str
    yuan_per_1000_shares: float
    min_yuan: float
    start: date
    end: date | None
    source: str


TRANSFER_FEE_PER_SHARE: tuple[PerShareFeeRule, ...] = (
    PerShareFeeRule(
        "transfer_fee", "SH", 1.0, 1.0, _ANY, date(2012, 9, 1), "SSE: 1 yuan per 1,000 shares, minimum 1 yuan"
    ),
    PerShareFeeRule(
        "transfer_fee",
        "SH",
        0.6,
        1.0,
        date(2012, 9, 1),
        date(2015, 8, 1),
        "SSE/中国结算 fee cut 2012-09-01: 0.6 yuan per 1,000 shares, minimum 1 yuan; replaced 2015-08-01",
    ),
)

# BSE (and NEEQ before it) has its own schedule, set by 中国结算北京分公司 rather than the SSE/SZSE one. The figure
# below is UNVERIFIED: no primary source (the depository's or the exchange's fee notice) was found on 2026-12-07;
# secondary sources disagree (0.01‰ per side as commonly quoted; one claims BSE charges none since 2023). Replace
# it with the notice's figure and number when one is at hand.
BSE_TRANSFER_FEE: tuple[RateRule, ...] = (
    RateRule(
        "transfer_fee",
        0.00001,
        0.00001,
        _BSE_OPEN,
        None,
        "UNVERIFIED: 0.01‰ of value per side as commonly quoted for 中国结算北京分公司; no primary source found "
        "(searched 2026-12-07, secondary sources disagree)",
    ),
)


@dataclass(frozen=True, slots=True)
class FeeExemption:
    """A fee a board does not pay in a period (e.g. funds pay no stamp duty)."""

    fee: str
    board: Board
    start: date
    end: date | None
    source: str


FEE_EXEMPTIONS: tuple[FeeExemption, ...] = (
    FeeExemption("stamp_duty", Board.FUND, _ANY, None, "财税〔2004〕78号: 买卖证券投资基金单位暂不征收印花税"),
    FeeExemption("transfer_fee", Board.FUND, _ANY, None, "中国结算 fee schedule: no transfer fee on fund units"),
)


@dataclass(frozen=True, slots=True)
class FundRule:
    """Price band and settlement of one exchange-traded fund product type (``t_plus`` 0 = sell the day you buy)."""

    fund_type: FundType
    pct: float
    t_plus: int
    start: date
    end: date | None
    source: str


FUND_RULES: tuple[FundRule, ...] = (
    FundRule(FundType.EQUITY, 0.10, 1, _ANY, None, "SSE/SZSE trading rules: funds ±10%, T+1"),
    FundRule(
        FundType.STAR_CHINEXT_INDEX,
        0.20,
        1,
        _CHINEXT_REFORM,
        None,
        "ETFs tracking STAR/ChiNext indices: ±20% per their listing notices (交易所基金上市交易公告)",
    ),
    FundRule(FundType.STAR_CHINEXT_INDEX, 0.10, 1, _ANY, _CHINEXT_REFORM, "ChiNext-index ETFs ±10% before 2020-08-24"),
    FundRule(FundType.BOND, 0.10, 0, _ANY, None, "Bond ETFs: ±10%, T+0 (上交所交易规则 3.1.4 / 深交所交易规则)"),
    FundRule(FundType.GOLD, 0.10, 0, _ANY, None, "Gold ETFs: ±10%, T+0 (上交所交易规则 3.1.4 / 深交所交易规则)"),
    FundRule(FundType.CROSS_BORDER, 0.10, 0, _ANY, None, "Cross-border ETFs: ±10%, T+0 (上交所交易规则 3.1.4)"),
    FundRule(FundType.MONEY_MARKET, 0.10, 0, _ANY, None, "Money-market ETFs: ±10%, T+0 (上交所交易规则 3.1.4)"),
)

COMMISSION_CAP: tuple[RateRule, ...] = (
    RateRule("commission_cap", 0.003, 0.003, _ANY, None, "Commission at most 0.3% of value per trade"),
)


@dataclass(frozen=True, slots=True)
class MinimumFeeRule:
    """A per-trade minimum in yuan (the broker commission floor)."""

    name: str
    yuan: float
    start: date
    end: date | None
    source: str


MIN_COMMISSION: tuple[MinimumFeeRule, ...] = (
    MinimumFeeRule("min_commission", 5.0, _ANY, None, "Brokers' 5-yuan minimum commission per trade"),
)

PRICE_TICK = 0.01


@dataclass(frozen=True, slots=True)
class TickRule:
    """The price step of a board's orders (and so the rounding of its limit prices)."""

    board: Board
    tick: float
    start: date
    end: date | None
    source: str


TICK_RULES: tuple[TickRule, ...] = (
    TickRule(
        Board.FUND, 0.001, _ANY, None, "SSE/SZSE trading rules: funds are quoted in steps of 0.001 yuan (A shares 0.01)"
    ),
)


def tick_of(board: Board, day: date) -> float:
    """Price step of ``board`` on ``day`` (0.01 yuan unless a :data:`TICK_RULES` entry says otherwise)."""
    return next((r.tick for r in TICK_RULES if r.board == board and _active(r.start, r.end, day)), PRICE_TICK)


@dataclass(frozen=True, slots=True)
class DayRules:
    """Everything that constrains trading one instrument on one day."""

    code: str
    day: date
    board: Board
    is_st: bool
    price_limit_pct: float | None
    limit_note: str
    min_buy: int
    buy_step: int
    stamp_duty_buy: float
    stamp_duty_sell: float
    transfer_fee_rate: float
    transfer_fee_per_1000_shares: float
    transfer_fee_min: float
    commission_cap: float
    min_commission: float
    tick: float
    t_plus: int


def _active(rules_start: date, rules_end: date | None, day: date) -> bool:
    return rules_start <= day and (rules_end is None or day < rules_end)


def _pick_rate(table: tuple[RateRule, ...], day: date) -> RateRule | None:
    return next((r for r in table if _active(r.start, r.end, day)), None)


def exempt(fee: str, board: Board, day: date) -> bool:
    """Whether ``board`` pays no ``fee`` (``"stamp_duty"``/``"transfer_fee"``) on ``day``."""
    return any(e.fee == fee and e.board == board and _active(e.start, e.end, day) for e in FEE_EXEMPTIONS)


def fund_rule(fund_type: FundType, day: date) -> FundRule:
    """The band and settlement of a fund product type on ``day``."""
    for r in FUND_RULES:
        if r.fund_type == fund_type and _active(r.start, r.end, day):
            return r
    return next(r for r in FUND_RULES if r.fund_type == FundType.EQUITY)


def min_commission(day: date) -> float:
    """The per-trade minimum commission in yuan on ``day`` (0 when none applies)."""
    return next((r.yuan for r in MIN_COMMISSION if _active(r.start, r.end, day)), 0.0)


def _ipo_window(board: Board, regime_day: date) -> IpoWindowRule | None:
    return next((w for w in IPO_WINDOWS if w.board == board and _active(w.start, w.end, regime_day)), None)


def price_limit(
    board: Board,
    day: date,
    *,
    is_st: bool,
    session_no: int | None = None,
    list_date: date | None = None,
    fund_type: FundType | None = None,
) -> tuple[float | None, str]:
    """Band (fraction) in force, or ``None`` for no limit, with the rule's source as the reason.

    ``session_no`` is the 1-based count of trading sessions since listing; the IPO window that applies is the one
    in force on ``list_date`` (a stock listed under the old regime keeps it), falling back to ``day`` only when the
    listing date is not given. ``fund_type`` picks the band of a fund product type (default: equity ETF).
    """
    if board == Board.FUND:
        fr = fund_rule(fund_type or FundType.EQUITY, day)
        return fr.pct, fr.source
    if session_no is not None:
        w = _ipo_window(board, list_date or day)
        if w is not None:
            window = max(w.no_limit_days, 1 if w.first_day_up is not None else 0)
            if 1 <= session_no <= window:
                return None, w.source
    for r in PRICE_LIMITS:
        if r.board == board and r.st == is_st and _active(r.start, r.end, day):
            return r.pct, r.source
    return None, f"no price-limit rule for {board} on {day}"


def lot_rule(board: Board, day: date) -> LotRule:
    """Lot rule for a board on a day (defaults to round lots of 100)."""
    for r in LOT_RULES:
        if r.board == board and _active(r.start, r.end, day):
            return r
    return LotRule(board, 100, 100, _ANY, None, "Round lots of 100 shares")


def transfer_fee_table(code: str) -> tuple[RateRule, ...]:
    """The proportional transfer-fee table that applies to ``code``'s exchange (BSE has its own)."""
    return BSE_TRANSFER_FEE if code.endswith(".BJ") else TRANSFER_FEE


def per_share_transfer_fee(code: str, day: date) -> PerShareFeeRule | None:
    """The per-share transfer fee on ``code`` on ``day`` (Shanghai before 2015-08-01), or ``None``."""
    if exempt("transfer_fee", board_of(code), day):
        return None
    suffix = code.rpartition(".")[2]
    return next(
        (r for r in TRANSFER_FEE_PER_SHARE if r.exchange_suffix == suffix and _active(r.start, r.end, day)), None
    )


def rules_for(
    code: str,
    day: date,
    *,
    is_st: bool = False,
    session_no: int | None = None,
    list_date: date | None = None,
    fund_type: FundType | None = None,
) -> DayRules:
    """What rules applied to instrument ``code`` on ``day``.

    ``is_st`` is the instrument's risk-warning status that day, ``session_no`` its 1-based trading session since
    listing and ``list_date`` its listing day (all market data, so callers take them from the store, e.g.
    ``MarketStore.rules_for``). ``fund_type`` matters only for funds.
    """
    board = board_of(code)
    pct, note = price_limit(board, day, is_st=is_st, session_no=session_no, list_date=list_date, fund_type=fund_type)
    lot = lot_rule(board, day)
    stamp = None if exempt("stamp_duty", board, day) else _pick_rate(STAMP_DUTY, day)
    transfer = None if exempt("transfer_fee", board, day) else _pick_rate(transfer_fee_table(code), day)
    per_share = per_share_transfer_fee(code, day)
    cap = _pick_rate(COMMISSION_CAP, day)
    t_plus = fund_rule(fund_type or FundType.EQUITY, day).t_plus if board == Board.FUND else 1
    return DayRules(
        code=code,
        day=day,
        board=board,
        is_st=is_st,
        price_limit_pct=pct,
        limit_note=note,
        min_buy=lot.min_buy,
        buy_step=lot.step,
        stamp_duty_buy=stamp.buy_rate if stamp else 0.0,
        stamp_duty_sell=stamp.sell_rate if stamp else 0.0,
        transfer_fee_rate=transfer.buy_rate if transfer else 0.0,
        transfer_fee_per_1000_shares=per_share.yuan_per_1000_shares if per_share else 0.0,
        transfer_fee_min=per_share.min_yuan if per_share else 0.0,
        commission_cap=cap.buy_rate if cap else 0.003,
        min_commission=min_commission(day),
        tick=tick_of(board, day),
        t_plus=t_plus,
    )


def round_price(x: npt.ArrayLike, tick: npt.ArrayLike = PRICE_TICK) -> npt.NDArray[np.float64]:
    """Round to the tick (0.01, or per column), half away from zero, immune to binary artefacts (1.005 → 1.01)."""
    arr = np.asarray(x, dtype=np.float64)
    steps = 1.0 / np.asarray(tick, dtype=np.float64)
    return np.asarray(np.sign(arr) * np.floor(np.abs(arr) * steps + 0.5 + 1e-7) / steps, dtype=np.float64)


def limit_prices(
    preclose: npt.ArrayLike, pct: npt.ArrayLike, tick: npt.ArrayLike = PRICE_TICK
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Limit-up and limit-down prices from the previous close, rounded to ``tick``; NaN where there is no band.

    ``tick`` broadcasts against the prices (one per code column: funds are quoted to 0.001, see :func:`tick_of`).
    """
    pc = np.asarray(preclose, dtype=np.float64)
    p = np.asarray(pct, dtype=np.float64)
    return round_price(pc * (1.0 + p), tick), round_price(pc * (1.0 - p), tick)


def _day_array(days: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    return np.asarray(days, dtype="datetime64[D]")


def _end64(end: date | None) -> np.datetime64:
    return np.datetime64(end) if end is not None else np.datetime64("2262-01-01")


def price_limit_pct_array(
    boards: npt.ArrayLike,
    days: npt.ArrayLike,
    is_st: npt.ArrayLike,
    session_no: npt.ArrayLike | None = None,
    list_dates: npt.ArrayLike | None = None,
    fund_types: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64]:
    """Vectorised :func:`price_limit`: one band per row, NaN where no band applies.

    Loops over the rule table (a few dozen rows), never over the data rows. IPO first-day special bands
    (44%/-36% of the issue price) are reported as NaN here because the issue price is not a bar field. The IPO
    regime is the one in force on ``list_dates`` (NaT = listing date unknown: the regime of the row's day).
    ``fund_types`` (FundType values, "" = equity ETF) gives funds their product type's band; without it fund rows
    stay NaN (callers that do not know the product type, such as the import validator, do not check funds).
    """
    b = np.asarray(boards).astype(str)
    d = _day_array(days)
    st = np.asarray(is_st, dtype=bool)
    out = np.full(b.shape, np.nan)
    for r in PRICE_LIMITS:
        mask = (b == r.board.value) & (st == r.st) & (d >= np.datetime64(r.start)) & (d < _end64(r.end))
        out[mask] = r.pct
    is_fund = b == Board.FUND.value
    if fund_types is not None and is_fund.any():
        ft = np.broadcast_to(np.asarray(fund_types).astype(str), b.shape)
        ft = np.where(np.isin(ft, [f.value for f in FundType]), ft, FundType.EQUITY.value)
        for fr in FUND_RULES:
            mask = is_fund & (ft == fr.fund_type.value) & (d >= np.datetime64(fr.start)) & (d < _end64(fr.end))
            out[mask] = fr.pct
    if session_no is not None:
        s = np.asarray(session_no, dtype=np.int64)
        regime = d
        if list_dates is not None:
            ld = np.broadcast_to(_day_array(list_dates), b.shape)
            regime = np.where(np.isnat(ld), d, ld)
        for w in IPO_WINDOWS:
            in_window = s <= max(w.no_limit_days, 1 if w.first_day_up is not None else 0)
            active = (regime >= np.datetime64(w.start)) & (regime < _end64(w.end))
            out[(b == w.board.value) & active & in_window & (s >= 1)] = np.nan
    return out


def rate_array(table: tuple[RateRule, ...], days: npt.ArrayLike, *, side: str) -> npt.NDArray[np.float64]:
    """Vectorised rate lookup (``side`` is ``"buy"`` or ``"sell"``) for stamp duty, transfer fee or the cap."""
    if side not in ("buy", "sell"):
        raise ValueError(f"side must be 'buy' or 'sell', not {side!r}")
    d = _day_array(days)
    out = np.zeros(d.shape)
    for r in table:
        end = np.datetime64(r.end) if r.end is not None else np.datetime64("2262-01-01")
        mask = (d >= np.datetime64(r.start)) & (d < end)
        out[mask] = r.buy_rate if side == "buy" else r.sell_rate
    return out


def fee_rate_panel(fee: str, codes: list[str] | tuple[str, ...], days: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Sell-side rate of ``fee`` (``"stamp_duty"``/``"transfer_fee"``) per (day, code), zero where exempt.

    Picks each code's table (BSE's own transfer fee) and applies :data:`FEE_EXEMPTIONS` (funds pay neither).
    """
    if fee not in ("stamp_duty", "transfer_fee"):
        raise ValueError(f"fee must be 'stamp_duty' or 'transfer_fee', not {fee!r}")
    d = _day_array(days)
    out = np.zeros((d.shape[0], len(codes)))
    for j, code in enumerate(codes):
        table = STAMP_DUTY if fee == "stamp_duty" else transfer_fee_table(code)
        col = rate_array(table, d, side="sell")
        board = board_of(code)
        for e in FEE_EXEMPTIONS:
            if e.fee == fee and e.board == board:
                col[(d >= np.datetime64(e.start)) & (d < _end64(e.end))] = 0.0
        out[:, j] = col
    return out


def per_share_fee_panel(
    codes: list[str] | tuple[str, ...], days: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per-share transfer fee (yuan per share) and its per-trade minimum per (day, code), zero where none applies.

    The vectorised :func:`per_share_transfer_fee`: Shanghai's fee per 1,000 shares before 2015-08-01 (funds exempt
    by :data:`FEE_EXEMPTIONS`). A trade of ``q`` shares pays ``max(q * fee, minimum)`` where the fee is non-zero.
    """
    d = _day_array(days)
    fee = np.zeros((d.shape[0], len(codes)))
    floor = np.zeros_like(fee)
    for j, code in enumerate(codes):
        suffix = code.rpartition(".")[2]
        for r in TRANSFER_FEE_PER_SHARE:
            if r.exchange_suffix == suffix:
                mask = (d >= np.datetime64(r.start)) & (d < _end64(r.end))
                fee[mask, j] = r.yuan_per_1000_shares / 1000.0
                floor[mask, j] = r.min_yuan
        board = board_of(code)
        for e in FEE_EXEMPTIONS:
            if e.fee == "transfer_fee" and e.board == board:
                mask = (d >= np.datetime64(e.start)) & (d < _end64(e.end))
                fee[mask, j] = 0.0
                floor[mask, j] = 0.0
    return fee, floor


def t_plus_panel(
    codes: list[str] | tuple[str, ...], days: npt.ArrayLike, fund_types: list[FundType | None] | None = None
) -> npt.NDArray[np.float64]:
    """Settlement lag per (day, code): 1 (T+1: bought today, sellable next session) or 0 (T+0 funds).

    Stocks are T+1; a fund takes its product type's dated :data:`FUND_RULES` entry (``None`` = equity ETF), so
    bond, gold, cross-border and money-market ETFs bought today may be sold today.
    """
    d = _day_array(days)
    out = np.ones((d.shape[0], len(codes)))
    types = fund_types or [None] * len(codes)
    if len(types) != len(codes):
        raise ValueError(f"fund_types has {len(types)} entries for {len(codes)} codes")
    for j, code in enumerate(codes):
        if board_of(code) != Board.FUND:
            continue
        kind = types[j] or FundType.EQUITY
        for fr in FUND_RULES:
            if fr.fund_type == kind:
                out[(d >= np.datetime64(fr.start)) & (d < _end64(fr.end)), j] = float(fr.t_plus)
    return out


def buy_quantity(board: Board, day: date, shares: int) -> int:
    """Largest orderable buy quantity not above ``shares`` under the lot rule (0 if below the minimum)."""
    lot = lot_rule(board, day)
    if shares < lot.min_buy:
        return 0
    return lot.min_buy + ((shares - lot.min_buy) // lot.step) * lot.step

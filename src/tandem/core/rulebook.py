"""The dated A-share rulebook: every trading rule as named data with the day it took effect.

A backtest of 2019 must use 2019 rules, so rules are never ``if`` chains over today's regulations. Each table
below is a tuple of frozen records with ``start`` (inclusive) and ``end`` (exclusive, ``None`` = still in force).
:func:`rules_for` answers "what rules applied to instrument X on day D"; :func:`price_limit_pct_array` answers
the same question for whole arrays of (board, day, ST flag, session number) without a Python loop per row.

To add a rule change: append a record with its effective date and close the previous one's ``end`` — never edit
history. Sources are the exchanges' published trading rules and the Ministry of Finance/STA stamp-duty notices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from tandem.core.models import Board, board_of

RULEBOOK_VERSION = "2025-07-07"


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
    PriceLimitRule(Board.BSE, False, 0.30, _BSE_OPEN, None, "BSE trading rules: 30% since opening 2021-11-15"),
    PriceLimitRule(Board.BSE, True, 0.30, _BSE_OPEN, None, "BSE trading rules: ST also 30%"),
)

IPO_WINDOWS: tuple[IpoWindowRule, ...] = (
    IpoWindowRule(Board.SSE_MAIN, 0, 0.44, -0.36, date(2014, 1, 1), _MAIN_REGISTRATION, "IPO day +44%/-36% of issue"),
    IpoWindowRule(Board.SZSE_MAIN, 0, 0.44, -0.36, date(2014, 1, 1), _MAIN_REGISTRATION, "IPO day +44%/-36% of issue"),
    IpoWindowRule(Board.SSE_MAIN, 5, None, None, _MAIN_REGISTRATION, None, "Main-board registration: 5 days no limit"),
    IpoWindowRule(Board.SZSE_MAIN, 5, None, None, _MAIN_REGISTRATION, None, "Main-board registration: 5 days no limit"),
    IpoWindowRule(Board.CHINEXT, 0, 0.44, -0.36, date(2014, 1, 1), _CHINEXT_REFORM, "IPO day +44%/-36% of issue"),
    IpoWindowRule(Board.CHINEXT, 5, None, None, _CHINEXT_REFORM, None, "ChiNext registration: 5 days no limit"),
    IpoWindowRule(Board.STAR, 5, None, None, _STAR_OPEN, None, "STAR: first 5 trading days no limit"),
    IpoWindowRule(Board.BSE, 1, None, None, _BSE_OPEN, None, "BSE: first trading day no limit"),
)

LOT_RULES: tuple[LotRule, ...] = (
    LotRule(Board.SSE_MAIN, 100, 100, _ANY, None, "Round lots of 100 shares"),
    LotRule(Board.SZSE_MAIN, 100, 100, _ANY, None, "Round lots of 100 shares"),
    LotRule(Board.CHINEXT, 100, 100, _ANY, None, "Round lots of 100 shares"),
    LotRule(Board.STAR, 200, 1, _STAR_OPEN, None, "STAR: at least 200 shares, then steps of 1 share"),
    LotRule(Board.BSE, 100, 1, _BSE_OPEN, None, "BSE: at least 100 shares, then steps of 1 share"),
    LotRule(Board.B_SHARE, 100, 100, _ANY, None, "Round lots of 100 shares"),
    LotRule(Board.FUND, 100, 100, _ANY, None, "Exchange-traded funds: lots of 100 units"),
)

STAMP_DUTY: tuple[RateRule, ...] = (
    RateRule("stamp_duty", 0.003, 0.003, date(1997, 5, 12), date(1998, 6, 12), "0.3% both sides"),
    RateRule("stamp_duty", 0.002, 0.002, date(1998, 6, 12), date(2001, 11, 16), "0.2% both sides"),
    RateRule("stamp_duty", 0.002, 0.002, date(2001, 11, 16), date(2005, 1, 24), "0.2% both sides"),
    RateRule("stamp_duty", 0.001, 0.001, date(2005, 1, 24), date(2007, 5, 30), "0.1% both sides"),
    RateRule("stamp_duty", 0.003, 0.003, date(2007, 5, 30), date(2008, 4, 24), "0.3% both sides"),
    RateRule("stamp_duty", 0.001, 0.001, date(2008, 4, 24), date(2008, 9, 19), "0.1% both sides"),
    RateRule("stamp_duty", 0.0, 0.001, date(2008, 9, 19), date(2023, 8, 28), "0.1% on sells only since 2008-09-19"),
    RateRule("stamp_duty", 0.0, 0.0005, date(2023, 8, 28), None, "Halved to 0.05% on sells from 2023-08-28"),
)

TRANSFER_FEE: tuple[RateRule, ...] = (
    RateRule("transfer_fee", 0.00002, 0.00002, date(2015, 8, 1), date(2022, 4, 29), "0.02‰ of value, SH and SZ"),
    RateRule("transfer_fee", 0.00001, 0.00001, date(2022, 4, 29), None, "0.01‰ of value from 2022-04-29"),
)

COMMISSION_CAP: tuple[RateRule, ...] = (
    RateRule("commission_cap", 0.003, 0.003, _ANY, None, "Commission at most 0.3% of value per trade"),
)

MIN_COMMISSION_YUAN = 5.0
PRICE_TICK = 0.01
TRANSFER_FEE_BEFORE_2015_PER_1000_SHARES_SH = 0.6


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
    commission_cap: float
    min_commission: float
    tick: float


def _active(rules_start: date, rules_end: date | None, day: date) -> bool:
    return rules_start <= day and (rules_end is None or day < rules_end)


def _pick_rate(table: tuple[RateRule, ...], day: date) -> RateRule | None:
    return next((r for r in table if _active(r.start, r.end, day)), None)


def price_limit(board: Board, day: date, *, is_st: bool, session_no: int | None = None) -> tuple[float | None, str]:
    """Band (fraction) in force, or ``None`` for no limit, with the rule's source as the reason.

    ``session_no`` is the 1-based count of trading sessions since listing; the IPO windows apply to it.
    """
    if session_no is not None:
        for w in IPO_WINDOWS:
            window = max(w.no_limit_days, 1 if w.first_day_up is not None else 0)
            if w.board == board and _active(w.start, w.end, day) and 1 <= session_no <= window:
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


def rules_for(code: str, day: date, *, is_st: bool = False, session_no: int | None = None) -> DayRules:
    """What rules applied to instrument ``code`` on ``day``.

    ``is_st`` is the instrument's risk-warning status that day and ``session_no`` its 1-based trading session since
    listing (both are market data, so callers take them from the store, e.g. ``MarketStore.rules_for``).
    """
    board = board_of(code)
    pct, note = price_limit(board, day, is_st=is_st, session_no=session_no)
    lot = lot_rule(board, day)
    stamp = _pick_rate(STAMP_DUTY, day)
    transfer = _pick_rate(TRANSFER_FEE, day)
    cap = _pick_rate(COMMISSION_CAP, day)
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
        commission_cap=cap.buy_rate if cap else 0.003,
        min_commission=MIN_COMMISSION_YUAN,
        tick=PRICE_TICK,
    )


def round_price(x: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Round to the 0.01 tick, half away from zero, immune to binary artefacts (1.005 → 1.01)."""
    arr = np.asarray(x, dtype=np.float64)
    return np.sign(arr) * np.floor(np.abs(arr) * 100.0 + 0.5 + 1e-7) / 100.0


def limit_prices(
    preclose: npt.ArrayLike, pct: npt.ArrayLike
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Limit-up and limit-down prices from the previous close; NaN where there is no band."""
    pc = np.asarray(preclose, dtype=np.float64)
    p = np.asarray(pct, dtype=np.float64)
    return round_price(pc * (1.0 + p)), round_price(pc * (1.0 - p))


def _day_array(days: npt.ArrayLike) -> npt.NDArray[np.datetime64]:
    return np.asarray(days, dtype="datetime64[D]")


def price_limit_pct_array(
    boards: npt.ArrayLike,
    days: npt.ArrayLike,
    is_st: npt.ArrayLike,
    session_no: npt.ArrayLike | None = None,
) -> npt.NDArray[np.float64]:
    """Vectorised :func:`price_limit`: one band per row, NaN where no band applies.

    Loops over the rule table (a few dozen rows), never over the data rows. IPO first-day special bands
    (44%/-36% of the issue price) are reported as NaN here because the issue price is not a bar field.
    """
    b = np.asarray(boards).astype(str)
    d = _day_array(days)
    st = np.asarray(is_st, dtype=bool)
    out = np.full(b.shape, np.nan)
    for r in PRICE_LIMITS:
        end = np.datetime64(r.end) if r.end is not None else np.datetime64("2262-01-01")
        mask = (b == r.board.value) & (st == r.st) & (d >= np.datetime64(r.start)) & (d < end)
        out[mask] = r.pct
    if session_no is not None:
        s = np.asarray(session_no, dtype=np.int64)
        for w in IPO_WINDOWS:
            end = np.datetime64(w.end) if w.end is not None else np.datetime64("2262-01-01")
            in_window = s <= max(w.no_limit_days, 1 if w.first_day_up is not None else 0)
            mask = (b == w.board.value) & (d >= np.datetime64(w.start)) & (d < end) & in_window & (s >= 1)
            out[mask] = np.nan
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


def buy_quantity(board: Board, day: date, shares: int) -> int:
    """Largest orderable buy quantity not above ``shares`` under the lot rule (0 if below the minimum)."""
    lot = lot_rule(board, day)
    if shares < lot.min_buy:
        return 0
    return lot.min_buy + ((shares - lot.min_buy) // lot.step) * lot.step

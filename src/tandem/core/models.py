"""Typed records and enums shared by every layer: exchanges, boards, security codes.

Codes are normalised once, here, to the ``600519.SH`` form; every importer and reader calls
:func:`normalize_code` so that ``sh.600519``, ``600519.XSHG``, ``sh600519`` and ``600519`` meet as one key.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from tandem.core.errors import UserError


class Exchange(StrEnum):
    """Mainland exchanges, by the suffix used in codes."""

    SH = "SH"
    SZ = "SZ"
    BJ = "BJ"


class Board(StrEnum):
    """Listing boards whose trading rules differ (price limits, lots, IPO windows)."""

    SSE_MAIN = "SSE_MAIN"
    SZSE_MAIN = "SZSE_MAIN"
    CHINEXT = "CHINEXT"
    STAR = "STAR"
    BSE = "BSE"
    B_SHARE = "B_SHARE"
    FUND = "FUND"
    INDEX = "INDEX"


class FundType(StrEnum):
    """Exchange-traded fund product types whose trading rules differ (price band, T+0, fees).

    The exchanges publish the type in their fund lists; where only the fund's name is known,
    :func:`fund_type_of_name` reads it from the name and otherwise defaults to ``EQUITY`` (the ordinary ETF rule).
    """

    EQUITY = "EQUITY"
    STAR_CHINEXT_INDEX = "STAR_CHINEXT_INDEX"
    BOND = "BOND"
    GOLD = "GOLD"
    CROSS_BORDER = "CROSS_BORDER"
    MONEY_MARKET = "MONEY_MARKET"


# Name keywords → product type, checked in this order (the first match wins). Names are the funds' exchange short
# names (e.g. 华泰柏瑞沪深300ETF, 易方达创业板ETF, 国泰黄金ETF, 华宝添益货币ETF); a name with none of these words is an
# ordinary equity ETF. Money-market first: 货币 names also contain words such as 添益 or 日利.
FUND_NAME_KEYWORDS: tuple[tuple[str, FundType], ...] = (
    ("货币", FundType.MONEY_MARKET),
    ("添益", FundType.MONEY_MARKET),
    ("日利", FundType.MONEY_MARKET),
    ("快线", FundType.MONEY_MARKET),
    ("黄金", FundType.GOLD),
    ("上海金", FundType.GOLD),
    ("债", FundType.BOND),
    ("城投", FundType.BOND),
    ("纳斯达克", FundType.CROSS_BORDER),
    ("纳指", FundType.CROSS_BORDER),
    ("标普", FundType.CROSS_BORDER),
    ("恒生", FundType.CROSS_BORDER),
    ("港股", FundType.CROSS_BORDER),
    ("H股", FundType.CROSS_BORDER),
    ("中概", FundType.CROSS_BORDER),
    ("日经", FundType.CROSS_BORDER),
    ("德国", FundType.CROSS_BORDER),
    ("法国", FundType.CROSS_BORDER),
    ("东南亚", FundType.CROSS_BORDER),
    ("科创", FundType.STAR_CHINEXT_INDEX),
    ("创业板", FundType.STAR_CHINEXT_INDEX),
    ("创业", FundType.STAR_CHINEXT_INDEX),
    ("双创", FundType.STAR_CHINEXT_INDEX),
)


def fund_type_of_name(name: str | None) -> FundType:
    """Product type of an exchange-traded fund from its name; ``EQUITY`` when the name does not say."""
    for word, kind in FUND_NAME_KEYWORDS:
        if name and word in name:
            return kind
    return FundType.EQUITY


class InstrumentKind(StrEnum):
    """What an instrument is; indexes and funds share the code space with stocks."""

    STOCK = "stock"
    INDEX = "index"
    FUND = "fund"


BOARD_LABELS_ZH: dict[Board, str] = {
    Board.SSE_MAIN: "上交所主板",
    Board.SZSE_MAIN: "深交所主板",
    Board.CHINEXT: "创业板",
    Board.STAR: "科创板",
    Board.BSE: "北交所",
    Board.B_SHARE: "B股",
    Board.FUND: "基金",
    Board.INDEX: "指数",
}

_SUFFIX_ALIASES = {"SH": "SH", "SS": "SH", "XSHG": "SH", "SZ": "SZ", "XSHE": "SZ", "BJ": "BJ", "BSE": "BJ"}
_CODE_RE = re.compile(r"^\s*(?:(?P<pre>sh|sz|bj)\.?)?(?P<num>\d{1,6})(?:\.(?P<suf>[A-Za-z]+))?\s*$", re.I)


def infer_exchange(num: str) -> Exchange:
    """Exchange of a 6-digit *stock or fund* code (index codes are ambiguous and need a suffix)."""
    if num.startswith(("60", "68", "90", "51", "52", "56", "58", "50", "11")):
        return Exchange.SH
    if num.startswith(("00", "30", "20", "15", "16", "12", "18")):
        return Exchange.SZ
    if num.startswith(("43", "83", "87", "88", "92")):
        return Exchange.BJ
    raise UserError(f"cannot tell the exchange of code {num!r}; write it with a suffix such as {num}.SH or {num}.SZ")


def normalize_code(raw: str | int) -> str:
    """Return ``NNNNNN.XX`` for any common spelling of an A-share code.

    Accepts ``600519``, ``600519.SH``, ``600519.XSHG``, ``sh.600519``, ``sh600519`` and integers whose leading
    zeros were lost (``527`` → ``000527.SZ``). Raises :class:`UserError` naming the input otherwise.
    """
    text = str(raw)
    m = _CODE_RE.match(text)
    if m is None:
        raise UserError(f"{text!r} is not a security code; expected e.g. 600519.SH, sh.600519 or 600519")
    num = m.group("num").zfill(6)
    prefix, suffix = m.group("pre"), m.group("suf")
    if suffix is not None:
        ex = _SUFFIX_ALIASES.get(suffix.upper())
        if ex is None:
            raise UserError(f"{text!r}: unknown exchange suffix {suffix!r}; use .SH, .SZ or .BJ")
        return f"{num}.{ex}"
    if prefix is not None:
        return f"{num}.{prefix.upper()}"
    return f"{num}.{infer_exchange(num).value}"


def board_of(code: str) -> Board:
    """Listing board of a normalised stock code (``688xxx.SH`` → STAR, ``300xxx.SZ`` → ChiNext …)."""
    num, _, ex = code.partition(".")
    if ex == "SH":
        if num.startswith(("688", "689")):
            return Board.STAR
        if num.startswith(("600", "601", "603", "605")):
            return Board.SSE_MAIN
        if num.startswith("900"):
            return Board.B_SHARE
        if num.startswith("000"):
            return Board.INDEX
        return Board.FUND
    if ex == "SZ":
        if num.startswith(("300", "301", "302")):
            return Board.CHINEXT
        if num.startswith(("000", "001", "002", "003", "004")):
            return Board.SZSE_MAIN
        if num.startswith("200"):
            return Board.B_SHARE
        if num.startswith("399"):
            return Board.INDEX
        return Board.FUND
    if ex == "BJ":
        return Board.BSE
    raise UserError(f"{code!r} is not a normalised code (expected NNNNNN.SH/.SZ/.BJ)")


@dataclass(frozen=True, slots=True)
class Instrument:
    """One listed security as the store knows it."""

    code: str
    name: str
    kind: InstrumentKind
    exchange: Exchange
    board: Board
    list_date: date | None = None
    delist_date: date | None = None
    industry: str | None = None
    initials: str | None = None

    def listed_on(self, day: date) -> bool:
        """Whether the instrument was listed (and not yet delisted) on ``day``."""
        if self.list_date is not None and day < self.list_date:
            return False
        return not (self.delist_date is not None and day >= self.delist_date)

"""The quote of one stock, computed once for every caller (the web pages, the API, the CLI, the feed).

It is read from the store in bulk (column arrays, no row loops). Unknown codes raise the store's
``NotFoundError`` with a did-you-mean; a known code without bars says how to import them. The default series is
``qfq``: it is anchored at the last day, so its last row equals the traded bar and its 52-week range is
comparable across dividends; callers that show another series (``tandem quote --adjust hfq``) ask for it.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np
import pandas as pd

from tandem.core.errors import NotFoundError
from tandem.core.models import Instrument
from tandem.marketdata.store import MarketStore

AdjustParam = Literal["qfq", "hfq", "none"]
WEEKS_52 = 250  # trading sessions in the 52-week range


@dataclass(frozen=True, slots=True)
class Quote:
    """The latest bar of a stock, summarised (volume in shares, amount in CNY; prices of the ``adjust`` series)."""

    code: str
    name: str
    board: str
    industry: str | None
    date: date
    close: float
    preclose: float
    change: float
    change_pct: float
    open: float
    high: float
    low: float
    volume: float
    amount: float
    turnover: float | None
    pe_ttm: float | None
    pb_mrq: float | None
    high_52w: float
    low_52w: float
    suspended: bool
    is_st: bool


def _f(x: object) -> float | None:
    v = float(x)  # type: ignore[arg-type]
    return None if np.isnan(v) else v


class _InstrumentMemo:
    """Instruments already looked up in one store version (``MarketStore.instrument`` filters a frame, ~0.4 ms)."""

    def __init__(self) -> None:
        self.version: str | None = None
        self.by_code: dict[str, Instrument] = {}
        self.lock = threading.Lock()


_MEMOS: weakref.WeakKeyDictionary[MarketStore, _InstrumentMemo] = weakref.WeakKeyDictionary()
_MEMOS_LOCK = threading.Lock()
_MEMO_MAX = 20_000  # more than every listed A-share code; a bound only against endless spellings


def _memo(store: MarketStore) -> _InstrumentMemo:
    with _MEMOS_LOCK:
        memo = _MEMOS.get(store)
        if memo is None:
            memo = _MEMOS[store] = _InstrumentMemo()
    return memo


def remembered_instrument(store: MarketStore, code: str) -> Instrument | None:
    """The instrument if this spelling was looked up in the live store version already, else None (no I/O)."""
    memo = _memo(store)
    version = store.versioned.current_version()
    with memo.lock:
        return memo.by_code.get(code.strip().upper()) if memo.version == version else None


def instrument(store: MarketStore, code: str) -> Instrument:
    """``store.instrument(code)``, remembered per store version (an import drops the memo); unknown codes raise."""
    memo = _memo(store)
    version = store.versioned.current_version()
    key = code.strip().upper()
    with memo.lock:
        if memo.version != version:
            memo.version, memo.by_code = version, {}
        hit = memo.by_code.get(key)
    if hit is not None:
        return hit
    inst = store.instrument(code)
    with memo.lock:
        if memo.version == version and len(memo.by_code) < _MEMO_MAX:
            memo.by_code[key] = inst
    return inst


def daily_bars(store: MarketStore, inst: Instrument, adjust: AdjustParam, end: date | None = None) -> pd.DataFrame:
    """The instrument's bars of the ``adjust`` series up to ``end``; none at all is a NotFoundError with the fix."""
    bars = store.daily_bars(inst.code, end=end, adjust=None if adjust == "none" else adjust)
    if bars.empty:
        raise NotFoundError(
            f"{inst.code} {inst.name} has no daily bars in the store; import them with tandem data import"
        )
    return bars


def quote_of(inst: Instrument, bars: pd.DataFrame) -> Quote:
    """The quote of ``inst`` from its (non-empty) bars: the last row, its change and the 52-week range."""
    col = {name: bars[name].to_numpy() for name in bars.columns}  # scalar reads from arrays, not a mixed-type row

    def last(name: str) -> object:
        return col[name][-1]

    close, pre = float(last("close")), float(last("preclose"))  # type: ignore[arg-type]
    return Quote(
        code=inst.code,
        name=inst.name,
        board=inst.board.value,
        industry=inst.industry,
        date=pd.Timestamp(last("date")).date(),  # type: ignore[arg-type]
        close=close,
        preclose=pre,
        change=close - pre,
        change_pct=(close / pre - 1.0) * 100 if pre else 0.0,
        open=float(last("open")),  # type: ignore[arg-type]
        high=float(last("high")),  # type: ignore[arg-type]
        low=float(last("low")),  # type: ignore[arg-type]
        volume=float(last("volume")),  # type: ignore[arg-type]
        amount=float(last("amount")),  # type: ignore[arg-type]
        turnover=_f(last("turnover")),
        pe_ttm=_f(last("pe_ttm")),
        pb_mrq=_f(last("pb_mrq")),
        high_52w=float(np.nanmax(col["high"][-WEEKS_52:])),
        low_52w=float(np.nanmin(col["low"][-WEEKS_52:])),
        suspended=bool(last("suspended")),
        is_st=bool(last("is_st")),
    )


def quote(store: MarketStore, code: str, *, adjust: AdjustParam = "qfq") -> Quote:
    """The latest bar of ``code`` with change, valuation and the 52-week range."""
    inst = instrument(store, code)
    return quote_of(inst, daily_bars(store, inst, adjust))

"""Market-data views for the app: quote summary and chart-ready bars, computed from the store in bulk (no row loops)."""

from __future__ import annotations

import threading
import weakref
from datetime import date
from typing import Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from tandem.analytics.indicators import sma
from tandem.core.errors import NotFoundError, UserError
from tandem.core.models import Instrument
from tandem.marketdata.store import MarketStore
from tandem.web.schemas import BarsPublic, InstrumentPublic, QuotePublic

AdjustParam = Literal["qfq", "hfq", "none"]


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


def instrument(store: MarketStore, code: str) -> Instrument:
    """``store.instrument(code)``, remembered per store version (an import drops the memo); unknown codes raise."""
    with _MEMOS_LOCK:
        memo = _MEMOS.get(store)
        if memo is None:
            memo = _MEMOS[store] = _InstrumentMemo()
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


def public_instrument(inst: Instrument) -> InstrumentPublic:
    """The API shape of an instrument."""
    return InstrumentPublic(
        code=inst.code, name=inst.name, kind=inst.kind.value, board=inst.board.value, industry=inst.industry
    )


def search(store: MarketStore, q: str, limit: int) -> list[InstrumentPublic]:
    """Stocks matching a code, Chinese name or pinyin initials."""
    return [public_instrument(i) for i in store.search(q[:40], limit=limit)]


def _bars_or_fail(store: MarketStore, inst: Instrument, adjust: AdjustParam, end: date | None = None) -> pd.DataFrame:
    bars = store.daily_bars(inst.code, end=end, adjust=None if adjust == "none" else adjust)
    if bars.empty:
        raise NotFoundError(
            f"{inst.code} {inst.name} has no daily bars in the store; import them with tandem data import"
        )
    return bars


def quote(store: MarketStore, code: str) -> QuotePublic:
    """The latest bar of ``code`` with change, valuation and the 52-week range (raw, unadjusted prices)."""
    inst = instrument(store, code)
    # qfq is anchored at the last day, so its last row equals the raw bar and its 52-week range is comparable.
    bars = _bars_or_fail(store, inst, "qfq")
    col = {name: bars[name].to_numpy() for name in bars.columns}  # scalar reads from arrays, not a mixed-type row

    def last(name: str) -> object:
        return col[name][-1]

    close, pre = float(last("close")), float(last("preclose"))  # type: ignore[arg-type]
    return QuotePublic(
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
        high_52w=float(np.nanmax(col["high"][-250:])),
        low_52w=float(np.nanmin(col["low"][-250:])),
        suspended=bool(last("suspended")),
        is_st=bool(last("is_st")),
    )


def _rounded(values: npt.NDArray[np.float64]) -> list[float]:
    out: list[float] = np.round(values, 4).tolist()
    return out


def _ma(close: npt.NDArray[np.float64], period: int, sl: slice) -> list[float | None]:
    """The MA over the whole history, then only the shown slice is converted (NaN → None)."""
    values = sma(close, period)[sl] if len(close) >= period else np.full(len(close), np.nan)[sl]
    rounded = _rounded(values)
    if not np.isnan(values).any():
        return rounded  # type: ignore[return-value]
    return [None if v != v else v for v in rounded]


def bars(
    store: MarketStore, code: str, *, adjust: AdjustParam = "qfq", start: date | None = None, end: date | None = None
) -> BarsPublic:
    """Chart-ready bars in ``[start, end]``; MAs are computed over the full history so the first days are right."""
    if start is not None and end is not None and start > end:
        raise UserError(f"start {start} is after end {end}; swap them")
    inst = instrument(store, code)
    full = _bars_or_fail(store, inst, adjust, end)
    close = full["close"].to_numpy(dtype=np.float64)
    days = full["date"].to_numpy().astype("datetime64[D]")
    first = int(np.searchsorted(days, np.datetime64(start, "D"))) if start else 0
    sl = slice(first, len(full))

    def col(name: str) -> list[float]:
        return _rounded(full[name].to_numpy(dtype=np.float64)[sl])

    return BarsPublic(
        code=inst.code,
        name=inst.name,
        adjust=adjust,
        dates=days[sl].tolist(),
        open=col("open"),
        high=col("high"),
        low=col("low"),
        close=col("close"),
        volume=col("volume"),
        ma5=_ma(close, 5, sl),
        ma20=_ma(close, 20, sl),
        ma60=_ma(close, 60, sl),
    )

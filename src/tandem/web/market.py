"""Market-data views for the app: quote summary and chart-ready bars, computed from the store in bulk (no row loops)."""

from __future__ import annotations

from datetime import date
from typing import Literal

import numpy as np
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
    inst = store.instrument(code)
    # qfq is anchored at the last day, so its last row equals the raw bar and its 52-week range is comparable.
    bars = _bars_or_fail(store, inst, "qfq")
    last = bars.iloc[-1]
    close, pre = float(last["close"]), float(last["preclose"])
    year = bars.tail(250)
    return QuotePublic(
        code=inst.code,
        name=inst.name,
        board=inst.board.value,
        industry=inst.industry,
        date=pd.Timestamp(last["date"]).date(),
        close=close,
        preclose=pre,
        change=close - pre,
        change_pct=(close / pre - 1.0) * 100 if pre else 0.0,
        open=float(last["open"]),
        high=float(last["high"]),
        low=float(last["low"]),
        volume=float(last["volume"]),
        amount=float(last["amount"]),
        turnover=_f(last["turnover"]),
        pe_ttm=_f(last["pe_ttm"]),
        pb_mrq=_f(last["pb_mrq"]),
        high_52w=float(year["high"].max()),
        low_52w=float(year["low"].min()),
        suspended=bool(last["suspended"]),
        is_st=bool(last["is_st"]),
    )


def _ma(close: np.ndarray, period: int) -> list[float | None]:
    values = sma(close, period) if len(close) >= period else np.full(len(close), np.nan)
    rounded = np.round(values, 4)
    return [None if np.isnan(v) else float(v) for v in rounded]


def bars(
    store: MarketStore, code: str, *, adjust: AdjustParam = "qfq", start: date | None = None, end: date | None = None
) -> BarsPublic:
    """Chart-ready bars in ``[start, end]``; MAs are computed over the full history so the first days are right."""
    if start is not None and end is not None and start > end:
        raise UserError(f"start {start} is after end {end}; swap them")
    inst = store.instrument(code)
    full = _bars_or_fail(store, inst, adjust, end)
    close = full["close"].to_numpy(dtype=np.float64)
    ma = {p: _ma(close, p) for p in (5, 20, 60)}
    dates = pd.to_datetime(full["date"])
    first = int(np.searchsorted(dates.to_numpy(), np.datetime64(start, "ns"))) if start else 0
    sl = slice(first, len(full))
    part = full.iloc[sl]

    def col(name: str) -> list[float]:
        return [float(v) for v in np.round(part[name].to_numpy(dtype=np.float64), 4)]

    return BarsPublic(
        code=inst.code,
        name=inst.name,
        adjust=adjust,
        dates=[d.date() for d in dates.iloc[sl]],
        open=col("open"),
        high=col("high"),
        low=col("low"),
        close=col("close"),
        volume=col("volume"),
        ma5=ma[5][sl],
        ma20=ma[20][sl],
        ma60=ma[60][sl],
    )

"""Chart-ready daily bars of one stock with MA5/20/60, for the stock page and ``/api/v1/stocks/{code}/bars``.

The moving averages are analytics' TA-Lib-equal SMA over the whole history before the shown window, so the first
shown days are exact; bars come from :mod:`tandem.marketdata.quote` (the same lookups and errors as the quote).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt

from tandem.analytics.indicators import sma
from tandem.core.errors import UserError
from tandem.marketdata.quote import AdjustParam, daily_bars, instrument
from tandem.marketdata.store import MarketStore


@dataclass(frozen=True, slots=True)
class ChartBars:
    """Daily bars as parallel lists (compact for charts); MAs are of the adjusted close over the full history."""

    code: str
    name: str
    adjust: AdjustParam
    dates: list[date]
    open: list[float]
    high: list[float]
    low: list[float]
    close: list[float]
    volume: list[float]
    ma5: list[float | None]
    ma20: list[float | None]
    ma60: list[float | None]


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


def chart_bars(
    store: MarketStore, code: str, *, adjust: AdjustParam = "qfq", start: date | None = None, end: date | None = None
) -> ChartBars:
    """Chart-ready bars in ``[start, end]``; MAs are computed over the full history so the first days are right."""
    if start is not None and end is not None and start > end:
        raise UserError(f"start {start} is after end {end}; swap them")
    inst = instrument(store, code)
    full = daily_bars(store, inst, adjust, end)
    close = full["close"].to_numpy(dtype=np.float64)
    days = full["date"].to_numpy().astype("datetime64[D]")
    first = int(np.searchsorted(days, np.datetime64(start, "D"))) if start else 0
    sl = slice(first, len(full))

    def col(name: str) -> list[float]:
        return _rounded(full[name].to_numpy(dtype=np.float64)[sl])

    return ChartBars(
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

"""Screen data adapters: :class:`StoreScreenData` reads a MarketStore, :class:`FrameScreenData` plain frames."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
import polars as pl

from tandem.marketdata import industries, pit
from tandem.marketdata.store import MarketStore


class StoreScreenData:
    """Bars and point-in-time fundamentals from the market store (raw prices)."""

    def __init__(self, store: MarketStore) -> None:
        self.store = store

    def bars(self, fields: list[str], day: date, lookback: int) -> dict[str, pd.DataFrame]:
        """Panels over roughly ``lookback`` trading days ending on ``day`` (calendar padding for holidays)."""
        start = day - timedelta(days=int(lookback * 1.6) + 10)
        out = {f: self.store.panel(f, None, start, day) for f in fields}
        return {f: p.iloc[-lookback:] for f, p in out.items()}

    def fundamentals(self, day: date) -> pd.DataFrame:
        """Reports announced on or before ``day``."""
        return self.store.fundamentals_asof(day)

    def industries(self, day: date) -> pd.DataFrame:
        """The classification in force on ``day`` (``MarketStore.industry_asof``, as the diagnosis uses)."""
        return self.store.industry_asof(day)


class FrameScreenData:
    """In-memory bars (long frame: code, date, fields…) and a long fundamentals frame with announce dates."""

    def __init__(
        self, bars: pd.DataFrame, fundamentals: pd.DataFrame | None = None, classification: pd.DataFrame | None = None
    ) -> None:
        self._bars = bars.assign(date=pd.to_datetime(bars["date"]))
        self._funda = None if fundamentals is None else _long_reports(fundamentals)
        self._classes = None if classification is None else pl.from_pandas(classification)

    def industries(self, day: date) -> pd.DataFrame:
        """The ``classification`` snapshot (industry_classification rows) in force on ``day``, by the store rule."""
        if self._classes is None:
            return pd.DataFrame(columns=["code", "industry_code", "industry"])
        return industries.classification_on(self._classes, day).to_pandas()

    def bars(self, fields: list[str], day: date, lookback: int) -> dict[str, pd.DataFrame]:
        """Pivoted panels up to ``day``."""
        b = self._bars[self._bars["date"] <= pd.Timestamp(day)]
        return {f: b.pivot(index="date", columns="code", values=f).sort_index().iloc[-lookback:] for f in fields}

    def fundamentals(self, day: date) -> pd.DataFrame:
        """Latest known value per code and field on ``day`` (the one rule of :mod:`tandem.marketdata.pit`)."""
        if self._funda is None:
            return pd.DataFrame(columns=["code"])
        wide = pit.latest(self._funda, day)
        return wide.to_pandas() if wide.height else pd.DataFrame(columns=["code"])


def _long_reports(wide: pd.DataFrame) -> pl.DataFrame:
    """A wide report frame (code, report_period, announce_date, numeric field columns) as long PIT rows."""
    frame = pl.from_pandas(wide).with_columns(
        pl.col("report_period", "announce_date").cast(pl.String).str.slice(0, 10).str.to_date()
    )
    fields = [c for c, t in frame.schema.items() if c not in pit.META_COLUMNS and t.is_numeric()]
    source = ["source"] if "source" in frame.columns else []  # same-day reports of two sources: first name wins
    return pit.melt_wide(frame.select(*pit.META_COLUMNS, *source, *fields))

"""Fixtures: real BaoStock raw daily bars of 8 stocks (2020-01-02 .. 2024-12-31) copied from the shared data.

Codes: 603195.SH (IPO 2020-02-06, limit-up streak), 000792.SZ (long suspension, limit days), 000001.SZ
(limit-down 2020-02-03), 600519.SH, 688008.SH (STAR lots), 600036.SH, 000858.SZ, 300750.SZ.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tandem.backtest.market import MarketData, build_market

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def bars() -> pd.DataFrame:
    df = pd.read_csv(DATA / "bars_8codes_2020_2024.csv.gz", parse_dates=["date"])
    return df


def market_from_bars(
    bars: pd.DataFrame, codes: list[str] | None = None, start: str | None = None, end: str | None = None
) -> MarketData:
    b = bars
    if codes is not None:
        b = b[b["code"].isin(codes)]
    first = b.groupby("code")["date"].min()
    if start:
        b = b[b["date"] >= start]
    if end:
        b = b[b["date"] <= end]
    cols = list(dict.fromkeys(codes or sorted(b["code"].unique())))
    fields = {}
    for f in ("open", "high", "low", "close", "preclose", "volume", "is_st", "suspended", "adj_factor"):
        fields[f] = b.pivot(index="date", columns="code", values=f).reindex(columns=cols).astype(float).to_numpy()
    idx = b["date"].drop_duplicates().sort_values().to_numpy()
    # A code whose first bar is after the file's first day listed then (603195.SH, IPO 2020-02-06); the others
    # listed long before 2020, which for the price limits is the same as an unknown listing date.
    listed = [first[c].date() if first[c] > pd.Timestamp("2020-01-02") else None for c in cols]
    return build_market(idx, cols, fields, list_dates=listed)


@pytest.fixture(scope="session")
def market(bars: pd.DataFrame) -> MarketData:
    return market_from_bars(bars)


@pytest.fixture(scope="session")
def make_market(bars: pd.DataFrame):
    """market_from_bars bound to the fixture bars: make_market(codes, start, end)."""
    return lambda codes=None, start=None, end=None: market_from_bars(bars, codes, start, end)


@pytest.fixture(scope="session")
def profit() -> pd.DataFrame:
    """BaoStock quarterly profit data of the 8 codes, 2019-2023 (pubDate = announce_date)."""
    return pd.read_csv(DATA / "profit_8codes_2019_2023.csv")

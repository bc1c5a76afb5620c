"""Real-data fixtures for the analytics tests: six CSI 300 stocks and the CSI 300 index, 2020-01..2025-04.

See tests/analytics/data/README.md for provenance. Panels are date × code with NaN before a listing;
suspended rows (tradestatus 0) keep BaoStock's carried-forward price unless a test blanks them.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def bars() -> pd.DataFrame:
    return pd.read_csv(DATA / "daily_6stocks_raw.csv", parse_dates=["date"])


def _panel(bars: pd.DataFrame, field: str) -> pd.DataFrame:
    return bars.pivot(index="date", columns="code", values=field).sort_index()


@pytest.fixture(scope="session")
def panels(bars: pd.DataFrame) -> dict[str, pd.DataFrame]:
    fields = ("open", "high", "low", "close", "volume", "tradestatus")
    return {f: _panel(bars, f) for f in fields}


@pytest.fixture(scope="session")
def index_close() -> pd.Series:
    frame = pd.read_csv(DATA / "csi300_index_close.csv", parse_dates=["date"])
    return frame.set_index("date")["close"].sort_index()


@pytest.fixture(scope="session")
def returns(panels: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Daily close-to-close returns of the six stocks (raw prices: ex-dividend days included as-is)."""
    close = panels["close"]
    return close / close.shift(1) - 1.0


@pytest.fixture(scope="session")
def bench_returns(index_close: pd.Series, returns: pd.DataFrame) -> pd.Series:
    series = index_close / index_close.shift(1) - 1.0
    return series.reindex(returns.index)

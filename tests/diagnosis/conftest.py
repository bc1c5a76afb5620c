"""A small real-data market store for the diagnosis tests (see data/README.md), built once per session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest

from tandem.diagnosis.service import DiagnosisService
from tandem.marketdata.store import MarketStore

DATA = Path(__file__).parent / "data"
AS_OF = date(2023, 9, 1)
TABLES = ("daily_bars", "index_bars", "fundamentals", "instruments")


def build_store(root: Path, *, bars_until: date | None = None, fund_until: date | None = None) -> MarketStore:
    """A store holding the fixture, optionally cut at a day (bars by date, fundamentals by announce date)."""
    store = MarketStore.open(root)
    with store.versioned.transaction() as tx:
        for name in TABLES:
            frame = pl.read_parquet(DATA / f"{name}.parquet")
            if name == "daily_bars" and bars_until is not None:
                frame = frame.filter(pl.col("date") <= bars_until)
            if name == "fundamentals" and fund_until is not None:
                frame = frame.filter(pl.col("announce_date") <= fund_until)
            if frame.height:  # an empty upsert trips VersionedStore (reported to the store owner)
                tx.upsert(name, frame)
    return store


@pytest.fixture(scope="session")
def diag_store(tmp_path_factory: pytest.TempPathFactory) -> MarketStore:
    return build_store(tmp_path_factory.mktemp("diag-store"))


@pytest.fixture(scope="session")
def service(diag_store: MarketStore) -> DiagnosisService:
    return DiagnosisService(diag_store)


@pytest.fixture(scope="session")
def as_of() -> date:
    return AS_OF


@pytest.fixture(scope="session")
def make_store() -> object:
    return build_store


@pytest.fixture(scope="session")
def sample_service(sample_store: MarketStore) -> DiagnosisService:
    """A diagnosis service over the bundled real-data sample (109 stocks, 31 ETFs, CSI 300, Level-2 flow rows)."""
    return DiagnosisService(sample_store)

from __future__ import annotations

from pathlib import Path

import pytest

from tandem.wealth.catalogue import Catalogue, build_catalogue
from tandem.wealth.datasource import ParquetFundSource

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def fund_source() -> ParquetFundSource:
    return ParquetFundSource(funds_path=DATA / "funds.parquet", nav_path=DATA / "fund_nav.parquet")


@pytest.fixture(scope="session")
def catalogue(fund_source: ParquetFundSource) -> Catalogue:
    return build_catalogue(fund_source)

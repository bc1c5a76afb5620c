"""The port the wealth package reads fund data through, and a Parquet adapter for fixtures and demos.

``MarketStore`` (tandem.marketdata.store) satisfies :class:`FundDataSource` as is; :class:`ParquetFundSource`
reads two Parquet files with the same columns (used by tests and when no store has been imported yet).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Protocol

import pandas as pd

from tandem.core.errors import NotFoundError

FUND_COLUMNS = ("code", "name", "fund_type")
NAV_COLUMNS = ("code", "date", "nav", "acc_nav")


class FundDataSource(Protocol):
    """Fund list and NAV history, as the market store exposes them."""

    def funds(self) -> pd.DataFrame:
        """Return one row per fund: ``code, name, fund_type`` (and ``initials``)."""
        ...

    def fund_nav(
        self, codes: list[str] | None = None, start: date | None = None, end: date | None = None
    ) -> pd.DataFrame:
        """Return long NAV rows ``code, date, nav, acc_nav, daily_return``."""
        ...


class ParquetFundSource:
    """Fund data from ``funds.parquet`` + ``fund_nav.parquet`` (same columns as the store)."""

    def __init__(self, *, funds_path: Path, nav_path: Path) -> None:
        for path in (funds_path, nav_path):
            if not path.exists():
                raise NotFoundError(f"fund data file {path} does not exist; run `tandem data import` or pass a path")
        self._funds_path = funds_path
        self._nav_path = nav_path
        self._nav: pd.DataFrame | None = None

    def funds(self) -> pd.DataFrame:
        """Return the fund list."""
        return pd.read_parquet(self._funds_path)

    def fund_nav(
        self, codes: list[str] | None = None, start: date | None = None, end: date | None = None
    ) -> pd.DataFrame:
        """Return NAV rows filtered by codes and an inclusive date range."""
        if self._nav is None:
            self._nav = pd.read_parquet(self._nav_path)
        nav = self._nav
        mask = pd.Series(True, index=nav.index)
        if codes is not None:
            mask &= nav["code"].isin(list(codes))
        if start is not None:
            mask &= nav["date"] >= start
        if end is not None:
            mask &= nav["date"] <= end
        return nav.loc[mask].reset_index(drop=True)

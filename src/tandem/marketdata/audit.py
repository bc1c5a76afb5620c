"""Re-validate what the store already holds, with the same checks the importers apply."""

from __future__ import annotations

import polars as pl

from tandem.core.models import board_of
from tandem.marketdata.csvio import Problem
from tandem.marketdata.store import MarketStore
from tandem.marketdata.validate import check_bars


def audit_store(store: MarketStore) -> list[Problem]:
    """Problems in the stored daily bars, addressed as ``daily_bars/<code>:<row>``."""
    bars = store.versioned.read("daily_bars")
    if bars.height == 0:
        return []
    boards = {c: board_of(c).value for c in bars.get_column("code").unique().to_list()}
    frame = bars.with_columns(
        pl.col("code").replace_strict(boards, default=None).alias("board"),
        ("daily_bars/" + pl.col("code")).alias("_file"),
        pl.int_range(1, pl.len() + 1).over("code").alias("_line"),
    )
    problems: list[Problem] = []
    check_bars(frame, problems)
    return problems

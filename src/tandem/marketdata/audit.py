"""Re-validate what the store already holds, with the same checks the importers apply."""

from __future__ import annotations

import polars as pl

from tandem.core.models import board_of
from tandem.marketdata import st_periods
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
    problems.extend(_st_period_problems(store, bars))
    return problems


def _st_period_problems(store: MarketStore, bars: pl.DataFrame) -> list[Problem]:
    """Stored ST periods that the bars' ``is_st`` flags do not give (or that are missing), per code.

    ``st_periods`` is derived; a mismatch means it was written by something other than an import, so say how to
    rebuild it rather than which side is right.
    """
    if not store.versioned.files("st_periods"):
        return []  # a store written before the table existed: MarketStore derives the periods from the bars
    key = ["code", "start", "end"]
    stored = store.versioned.read("st_periods").select(key)
    expected = st_periods.periods_from_bars(bars).select(key)
    out: list[Problem] = []
    for frame, what in (
        (stored.join(expected, on=key, how="anti"), "not given by the bars' is_st flags"),
        (expected.join(stored, on=key, how="anti"), "given by the bars' is_st flags but not stored"),
    ):
        for i, (code, start, end) in enumerate(frame.sort(key).iter_rows(), 1):
            out.append(
                Problem(
                    f"st_periods/{code}",
                    i,
                    "period",
                    f"{start}..{end} is {what}; re-import the code's bars to rebuild its periods",
                )
            )
    return out

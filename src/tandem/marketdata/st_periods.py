"""Dated ST (risk-warning) periods, built from the per-day ``is_st`` flag of the daily bars.

BaoStock marks every bar with ``isST`` (1 = the stock traded under 风险警示 that day: ST or *ST; the flag does not
tell the two apart). A period is a run of a code's consecutive bars flagged ST: ``start`` is its first flagged
session, ``end`` its last (both inclusive). Bars missing inside a run (files with holes during long suspensions,
such as 600732.SH in 2016) do not split it: the status only changes on a bar that says so. The periods are what
the rulebook is asked with (:meth:`MarketStore.is_st`), so a backtest and a diagnosis see the same status on the
same day; they are derived, never edited: every import that touches a code's bars rebuilds that code's periods
in the same transaction (:func:`replace_for_codes`), so they cannot drift from the bars.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import polars as pl

COLUMNS = ("code", "start", "end", "sessions", "source")


def periods_from_bars(bars: pl.DataFrame) -> pl.DataFrame:
    """ST periods of every code in ``bars`` (``code, date, is_st`` and optionally ``source``), one row per run.

    ``sessions`` counts the flagged bars of the run; ``source`` names the bars' source of the run's first day.
    """
    if bars.height == 0:
        return _empty()
    src = pl.col("source") if "source" in bars.columns else pl.lit("daily_bars.is_st")
    flagged = (
        bars.select("code", "date", pl.col("is_st").fill_null(False).alias("st"), src.alias("source"))
        .sort("code", "date")
        .with_columns(pl.struct("code", "st").rle_id().alias("run"))
        .filter(pl.col("st"))
    )
    if flagged.height == 0:
        return _empty()
    return (
        flagged.group_by("run", maintain_order=True)
        .agg(
            pl.col("code").first(),
            pl.col("date").min().alias("start"),
            pl.col("date").max().alias("end"),
            pl.len().cast(pl.Int64).alias("sessions"),
            pl.col("source").first().str.replace(r"\.csv(\.gz)?$", "").alias("source"),
        )
        .select(*COLUMNS)
    )


def replace_for_codes(old: pl.DataFrame, bars: pl.DataFrame) -> pl.DataFrame:
    """``old`` periods with those of the codes in ``bars`` (their complete histories) rebuilt from the flags."""
    codes = bars.get_column("code").unique().implode()
    kept = old.filter(~pl.col("code").is_in(codes)).select(*COLUMNS) if old.height else _empty()
    return pl.concat([kept, periods_from_bars(bars)], how="vertical_relaxed").sort("code", "start")


def flags(periods: pl.DataFrame, codes: list[str], days: npt.NDArray[np.datetime64]) -> npt.NDArray[np.bool_]:
    """A days × codes mask: True where the code was under risk warning that day (a loop per period, not per day)."""
    d = np.asarray(days, dtype="datetime64[D]")
    out = np.zeros((d.shape[0], len(codes)), dtype=bool)
    col = {c: j for j, c in enumerate(codes)}
    mine = periods.filter(pl.col("code").is_in(list(col)))
    for code, start, end in mine.select("code", "start", "end").iter_rows():
        lo = int(np.searchsorted(d, np.datetime64(start, "D")))
        hi = int(np.searchsorted(d, np.datetime64(end, "D"), side="right"))
        out[lo:hi, col[code]] = True
    return out


def _empty() -> pl.DataFrame:
    return pl.DataFrame(
        schema={"code": pl.String, "start": pl.Date, "end": pl.Date, "sessions": pl.Int64, "source": pl.String}
    )

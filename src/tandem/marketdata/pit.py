"""The one point-in-time rule for fundamentals: what the market knew about a company on day D.

A report row counts on D when it was announced on or before D and carries a value. For each (code, field,
report period) the **latest announcement wins**, so a restatement replaces the original only from its own
announcement day (ties between sources announced on the same day go to the first source name, so the answer
is deterministic). Periods are then ranked per (code, field), newest first: rank 1 is "the latest known
value". Diagnosis, the screener, backtests and wealth all read fundamentals through these functions (the
store's :meth:`~tandem.marketdata.store.MarketStore.fundamentals_asof` and ``fundamentals_ranked``), so they
cannot disagree about a stock on a day.
"""

from __future__ import annotations

from datetime import date

import polars as pl

LONG_COLUMNS = ("code", "field", "value", "report_period", "announce_date", "source")
"""Columns of a long fundamentals frame (the store's ``fundamentals`` table)."""
META_COLUMNS = ("code", "report_period", "announce_date")
"""Columns of a wide frame that are not fields."""


def known_on(long: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """One row per (code, field, report period) as known on ``as_of``: the latest announcement on or before it."""
    if "source" not in long.columns:
        long = long.with_columns(pl.lit("").alias("source"))
    value = pl.col("value").cast(pl.Float64)
    return (
        long.filter((pl.col("announce_date") <= as_of) & value.is_not_null() & value.is_not_nan())
        .sort(
            ["code", "field", "report_period", "announce_date", "source"], descending=[False, False, False, True, False]
        )
        .unique(["code", "field", "report_period"], keep="first", maintain_order=True)
    )


def ranked(long: pl.DataFrame, as_of: date, *, depth: int | None = None) -> pl.DataFrame:
    """:func:`known_on` with ``rank`` per (code, field), 1 = newest report period; at most ``depth`` ranks."""
    known = known_on(long, as_of).sort(["code", "field", "report_period"], descending=[False, False, True])
    out = known.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over(["code", "field"]).alias("rank"))
    return out if depth is None else out.filter(pl.col("rank") <= depth)


def latest(long: pl.DataFrame, as_of: date) -> pl.DataFrame:
    """The latest known value of every field per code on ``as_of``, wide: code, fields…, report_period, announce_date.

    ``report_period``/``announce_date`` are the newest among the code's fields (what the row is "as of").
    """
    rank1 = ranked(long, as_of, depth=1)
    if rank1.is_empty():
        return pl.DataFrame(schema={"code": pl.String, "report_period": pl.Date, "announce_date": pl.Date})
    wide = rank1.pivot(on="field", index="code", values="value", aggregate_function="first")
    fields = sorted(c for c in wide.columns if c != "code")
    meta = rank1.group_by("code").agg(pl.col("report_period").max(), pl.col("announce_date").max())
    return wide.select("code", *fields).join(meta, on="code", how="left").sort("code")


def melt_wide(wide: pl.DataFrame) -> pl.DataFrame:
    """A wide report frame (code, report_period, announce_date, one column per field) as a long frame."""
    fields = [c for c in wide.columns if c not in META_COLUMNS and c != "source"]
    index = [c for c in (*META_COLUMNS, "source") if c in wide.columns]
    return wide.with_columns(pl.col(fields).cast(pl.Float64)).unpivot(
        on=fields, index=index, variable_name="field", value_name="value"
    )

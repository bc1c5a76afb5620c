"""Adjustment factors derived from the exchange's reference previous close.

BaoStock's ``preclose`` is the ex-rights reference price, so on an ex-date ``close[t-1] / preclose[t] > 1`` is exactly
the day's adjustment ratio (cash dividend, bonus shares, splits). The cumulative product is the back-adjustment
(hfq) factor, 1.0 on the first stored day of each code; forward adjustment (qfq) divides by the factor of the last day
in the requested window, so "qfq as of D" is anchored at D and never uses later corporate actions.
"""

from __future__ import annotations

import polars as pl

from tandem.marketdata.versioned import strictly_sorted


def with_adj_factor(bars: pl.DataFrame) -> pl.DataFrame:
    """Recompute ``adj_factor`` over each code's full history (bars must hold complete histories of their codes).

    Returns the bars sorted by (code, date). The previous close is read across the sorted frame (null on a code's
    first row) rather than in a window per code, and only the cumulative product runs per code.
    """
    ordered = bars if strictly_sorted(bars, ["code", "date"]) else bars.sort("code", "date")
    prev_close = pl.when(pl.col("code").eq_missing(pl.col("code").shift(1))).then(pl.col("close").shift(1))
    ratio = (prev_close / pl.col("preclose")).fill_null(1.0)
    ratio = pl.when(ratio.is_finite() & (ratio > 0)).then(ratio).otherwise(1.0)
    # Ratios within 1e-6 of 1 are rounding in the reference price, not corporate actions.
    ratio = pl.when((ratio - 1.0).abs() < 1e-6).then(1.0).otherwise(ratio)
    return ordered.with_columns(ratio.alias("adj_factor")).with_columns(pl.col("adj_factor").cum_prod().over("code"))


def adjusted(bars: pl.DataFrame, how: str | None) -> pl.DataFrame:
    """Apply ``how`` ∈ {None, "qfq", "hfq"} to one code's bars (sorted by date) using their ``adj_factor``."""
    if how is None or bars.height == 0:
        return bars
    if how == "hfq":
        scale = pl.col("adj_factor")
    elif how == "qfq":
        scale = pl.col("adj_factor") / pl.col("adj_factor").last()
    else:
        raise ValueError(f"adjust must be 'qfq', 'hfq' or None, not {how!r}")
    prices = ("open", "high", "low", "close", "preclose")
    return bars.with_columns([(pl.col(c) * scale).alias(c) for c in prices if c in bars.columns])

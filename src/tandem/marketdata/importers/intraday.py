"""One-minute bars → ``minute_bars`` (timestamps are bar ends, exchange local time, as the sources stamp them).

* czsc SSE Composite: ``symbol,id,dt,freq,open,close,high,low,vol`` (zip) and ``symbol,dt,open,close,high,low,vol``;
  ``000001.XSHG`` → ``000001.SH``; vol in shares.
* DolphinDB ``candle_201801.csv``: ``symbol,exchange,cycle,tradingDay,date,time(HHMMSSmmm),open,high,low,close,
  volume,turnover,unixTime``; ``exchange`` SZSE/SSE gives the suffix; turnover = amount in CNY.

``k-line/trades.csv`` (trade prints) is not imported as bars: the registry skips it with its reason.
Validation: timestamps parse, prices positive, OHLC consistent, one bar per (code, minute), the day is an XSHG
session and the minute lies inside the continuous sessions (09:31–11:30, 13:01–15:00 bar ends).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import polars as pl

from tandem.core.models import normalize_code
from tandem.marketdata.csvio import Problem, parse_many
from tandem.marketdata.importers.base import (
    LoadResult,
    check_codes,
    code_map,
    concat_parsed,
    finish,
    source_of,
    to_float,
)
from tandem.marketdata.validate import check_parsed, check_rows

_PRICES = ("open", "high", "low", "close")


def _check_minutes(typed: pl.DataFrame, problems: list[Problem]) -> pl.Series:
    bad = check_rows(
        typed.with_columns(pl.col("ts").dt.date().alias("_day")),
        problems,
        keys=("code", "ts"),
        positive=_PRICES,
        non_negative=("volume",),
        required=("ts", *_PRICES),
        trading_day="_day",
    ).to_numpy()
    flags = typed.select(
        ohlc=(pl.col("high") < pl.max_horizontal("open", "close", "low") - 1e-9)
        | (pl.col("low") > pl.min_horizontal("open", "close") + 1e-9),
        session=~(
            pl.col("ts").dt.time().is_between(pl.time(9, 30, 0, 1), pl.time(11, 30), closed="both")
            | pl.col("ts").dt.time().is_between(pl.time(13, 0, 0, 1), pl.time(15, 0), closed="both")
        ),
    )
    for name, field, msg in (
        ("ohlc", "high", "high/low inconsistent with open/close (OHLC inconsistent)"),
        ("session", "ts", "bar end outside the continuous sessions (09:31–11:30, 13:01–15:00)"),
    ):
        m = flags.get_column(name).fill_null(False).to_numpy() & ~bad
        for f, ln in typed.filter(pl.Series(m)).select("_file", "_line").iter_rows():
            problems.append(Problem(f, ln, field, msg))
        bad |= m
    return pl.Series("bad", np.asarray(bad))


class CzscMinuteBars:
    """czsc one-minute bar exports (csv or single-file zip) → ``minute_bars``."""

    name = "czsc-minute"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("symbol"), normalize_code).alias("code"),
            pl.col("dt").str.strptime(pl.Datetime("ms"), "%Y-%m-%d %H:%M:%S", strict=False).alias("ts"),
            *[to_float(c).alias(c) for c in _PRICES],
            to_float("vol").alias("volume"),
            pl.lit(None, pl.Float64).alias("amount"),
        )
        bad = check_parsed(raw, typed, {"ts": "dt", **{c: c for c in _PRICES}, "volume": "vol"}, res.problems)
        bad = bad | on_bad_line | check_codes(raw, typed, "symbol", res.problems)
        bad = bad | _check_minutes(typed, res.problems)
        out = typed.select("code", "ts", *_PRICES, "volume", "amount", source_of("czsc"))
        return finish(res, raw, bad, {"minute_bars": out})


class DolphinCandles:
    """DolphinDB tutorial ``candle_*.csv`` one-minute bars → ``minute_bars``."""

    name = "dolphindb-minute"
    _SUFFIX = {"SZSE": "SZ", "SSE": "SH"}  # noqa: RUF012

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        src_code = pl.col("symbol").str.zfill(6) + "." + pl.col("exchange").replace_strict(self._SUFFIX, default="")
        raw = raw.with_columns(src_code.alias("_code_src"))
        stamp = pl.col("date") + pl.col("time").str.zfill(9).str.slice(0, 6)
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("_code_src"), normalize_code).alias("code"),
            stamp.str.strptime(pl.Datetime("ms"), "%Y%m%d%H%M%S", strict=False).alias("ts"),
            *[to_float(c).alias(c) for c in _PRICES],
            to_float("volume").alias("volume"),
            to_float("turnover").alias("amount"),
        )
        raw = raw.with_columns(stamp.alias("_stamp"))
        cols = {"ts": "_stamp", **{c: c for c in _PRICES}, "volume": "volume", "amount": "turnover"}
        bad = check_parsed(raw, typed, cols, res.problems, date_format="YYYYMMDD + HHMMSSmmm")
        bad = bad | on_bad_line | check_codes(raw, typed, "_code_src", res.problems)
        bad = bad | _check_minutes(typed, res.problems)
        out = typed.select("code", "ts", *_PRICES, "volume", "amount", source_of("dolphindb"))
        return finish(res, raw, bad, {"minute_bars": out})

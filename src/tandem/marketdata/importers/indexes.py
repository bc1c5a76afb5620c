"""Index bars and index membership from BaoStock/CSI, JoinQuant, AKShare and a CSI change log.

* ``sh000300.csv`` style files (BaoStock): ``date,open,close,high,low,volume,amount,...``; code from the file name.
* ``h00300.csv`` (CSI total-return indices): ``date,close`` only → code ``H00300.CSI``; open/high/low stay empty.
* ``benchmark.csv`` (JoinQuant): BOM, ``money`` = amount in CNY, ``index_code`` like ``000852.XSHG``.
* ``index.parquet`` (AKShare/Sina CSI 500): no code column; the dataset is CSI 500 by provenance → ``000905.SH``.
* ``HS300_history.csv`` / ``ZZ500_history.csv``: ``2013/9/18`` dates, integer codes that lost leading zeros.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import ClassVar

import numpy as np
import polars as pl

from tandem.core.models import normalize_code
from tandem.marketdata.csvio import parse_many
from tandem.marketdata.importers.base import (
    LoadResult,
    check_codes,
    code_map,
    concat_parsed,
    finish,
    source_of,
    to_date,
    to_float,
)
from tandem.marketdata.validate import check_bars, check_parsed, check_rows

_INDEX_NAME = re.compile(r"^(sh|sz)(\d{6})|^(h)(\d{5})", re.I)
_OHLC = ("open", "high", "low", "close")


def index_code_from_name(path: Path) -> str:
    """``sh000300.csv`` → ``000300.SH``; ``h00300.csv`` → ``H00300.CSI`` (CSI's own total-return code)."""
    m = _INDEX_NAME.match(path.name)
    if m is None:
        raise ValueError(f"{path.name}: cannot read an index code like sh000300 or h00300 from the file name")
    if m.group(1):
        return f"{m.group(2)}.{m.group(1).upper()}"
    return f"H{m.group(4)}.CSI"


def _check_ohlc(typed: pl.DataFrame, res: LoadResult) -> pl.Series:
    checked = typed.with_columns(
        pl.col("close").shift(1).over("code").alias("preclose"),
        pl.lit(False).alias("is_st"),
        pl.lit(False).alias("suspended"),
        pl.lit("INDEX").alias("board"),
    )
    return check_bars(checked, res.problems, check_limits=False)


def _bars_result(
    raw: pl.DataFrame,
    typed: pl.DataFrame,
    res: LoadResult,
    prefix: str,
    on_bad_line: pl.Series | None = None,
    ohlc_files: set[str] | None = None,
) -> LoadResult:
    """Validate typed index bars (OHLC where present, calendar, duplicates, gaps) and split good from bad."""
    cols = {c: c for c in ("date", *_OHLC, "volume", "amount") if c in typed.columns}
    bad = check_parsed(raw, typed, cols, res.problems)
    for c in ("open", "high", "low", "volume", "amount"):
        if c not in typed.columns:
            typed = typed.with_columns(pl.lit(None, pl.Float64).alias(c))
    has_ohlc = typed.get_column("_file").is_in(list(ohlc_files)) if ohlc_files is not None else None
    if has_ohlc is None or has_ohlc.all():
        bad = bad | _check_ohlc(typed, res)
    else:
        # close-only files (total-return indices) get the generic checks; OHLC files the full bar checks
        mask = has_ohlc.to_numpy()
        full = np.zeros(typed.height, dtype=bool)
        full[mask] = _check_ohlc(typed.filter(has_ohlc), res).to_numpy()
        full[~mask] = check_rows(
            typed.filter(~has_ohlc),
            res.problems,
            keys=("code", "date"),
            positive=("close",),
            required=("close",),
            trading_day="date",
        ).to_numpy()
        bad = bad | pl.Series(full)
    if on_bad_line is not None:
        bad = bad | on_bad_line
    bad = bad | typed.get_column("code").is_null()
    out = typed.select("code", "date", *_OHLC, "volume", "amount", source_of(prefix))
    return finish(res, raw, bad, {"index_bars": out})


class BaostockIndex:
    """``sh000300.csv`` price indices and ``h00300.csv`` total-return indices → ``index_bars``."""

    name = "baostock-index"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate a batch of these files (see :class:`~.base.Importer`)."""
        parsed = parse_many(paths)
        for pf in parsed:
            pf.frame = pf.frame.with_columns(pl.lit(index_code_from_name(pf.path)).alias("code"))
        raw, problems, on_bad_line = concat_parsed(parsed)
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        typed = raw.select(
            "_line",
            "_file",
            "code",
            to_date("date").alias("date"),
            *[to_float(c).alias(c) for c in (*_OHLC, "volume", "amount") if c in raw.columns],
        )
        ohlc = {pf.path.name for pf in parsed if "open" in pf.frame.columns}
        return _bars_result(raw, typed, res, "baostock", on_bad_line, ohlc)


class JoinQuantIndex:
    """JoinQuant ``benchmark.csv``: ``date,open,high,low,close,volume,money,pre_close,index_code`` → ``index_bars``."""

    name = "joinquant-index"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate a batch of these files (see :class:`~.base.Importer`)."""
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("index_code"), normalize_code).alias("code"),
            to_date("date").alias("date"),
            *[to_float(c).alias(c) for c in (*_OHLC, "volume")],
            to_float("money").alias("amount"),
        )
        bad = check_codes(raw, typed, "index_code", res.problems) | on_bad_line
        return _bars_result(raw.with_columns(pl.col("money").alias("amount")), typed, res, "joinquant", bad)


class AkshareIndexParquet:
    """AKShare CSI 500 ``index.parquet`` (typed already; no code column) → ``index_bars`` as ``000905.SH``."""

    name = "akshare-index"

    def __init__(self, code: str = "000905.SH") -> None:
        self.code = code

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate a batch of these files (see :class:`~.base.Importer`)."""
        frames = []
        for p in paths:
            f = pl.read_parquet(p)
            missing = {"date", *_OHLC} - set(f.columns)
            if missing:
                raise ValueError(f"{p.name}: columns {sorted(missing)} missing; expected date,open,high,low,close")
            frames.append(
                f.select(
                    pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_line"),
                    pl.lit(p.name).alias("_file"),
                    pl.lit(self.code).alias("code"),
                    pl.col("date").cast(pl.Date),
                    *[pl.col(c).cast(pl.Float64) for c in _OHLC],
                    pl.col("volume").cast(pl.Float64) if "volume" in f.columns else pl.lit(None, pl.Float64),
                )
            )
        typed = pl.concat(frames)
        res = LoadResult(paths, rows_read=typed.height)
        return _bars_result(typed, typed, res, "akshare")


class ConstituentChanges:
    """``chang_date,code,in_out`` (takein/dropout) → ``index_membership``; index from the file name."""

    name = "index-changes"
    _INDEX: ClassVar[dict[str, str]] = {"HS300": "000300.SH", "ZZ500": "000905.SH", "ZZ1000": "000852.SH"}

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate a batch of these files (see :class:`~.base.Importer`)."""
        parsed = parse_many(paths)
        for pf in parsed:
            key = pf.path.name.split("_")[0].upper()
            if key not in self._INDEX:
                raise ValueError(f"{pf.path.name}: unknown index {key!r}; expected one of {sorted(self._INDEX)}")
            pf.frame = pf.frame.with_columns(pl.lit(self._INDEX[key]).alias("index_code"))
        raw, problems, on_bad_line = concat_parsed(parsed)
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        action = pl.col("in_out").replace_strict({"takein": "in", "dropout": "out"}, default=None)
        typed = raw.select(
            "_line",
            "_file",
            "index_code",
            # integer codes lost their leading zeros: 527 → 000527.SZ (normalize_code zero-fills and infers)
            code_map(raw.get_column("code"), normalize_code).alias("code"),
            to_date("chang_date", "%Y/%m/%d").alias("date"),
            action.alias("action"),
        )
        bad = check_parsed(raw, typed, {"date": "chang_date"}, res.problems, date_format="YYYY/M/D")
        bad = bad | check_codes(raw, typed, "code", res.problems)
        bad = bad | check_rows(
            typed,
            res.problems,
            keys=("index_code", "code", "date"),
            required=("action",),
            trading_day="date",
        )
        bad = bad | on_bad_line
        out = typed.select("index_code", "code", "date", "action", source_of("csindex-changes"))
        return finish(res, raw, bad, {"index_membership": out})

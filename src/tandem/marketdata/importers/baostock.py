"""BaoStock-derived files: raw daily bars (with valuation), vendor hfq/qfq bars, index bars, quarterly fundamentals.

Units (PROVENANCE.md): prices CNY, ``volume`` in shares, ``amount`` in CNY, ``turn`` and ``pctChg`` in percent,
``adjustflag`` 3 raw / 1 hfq / 2 qfq, ``tradestatus`` 0 = suspended, codes like ``sh.600519``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import polars as pl

from tandem.core.models import board_of, normalize_code
from tandem.marketdata.csvio import Problem, parse_batch
from tandem.marketdata.importers.base import LoadResult, to_date, to_float
from tandem.marketdata.validate import check_bars, check_parsed

_CODE_IN_NAME = re.compile(r"(sh|sz|bj)\.?(\d{6})", re.I)
_NUMERIC = (
    "open",
    "high",
    "low",
    "close",
    "preclose",
    "volume",
    "amount",
    "turn",
    "peTTM",
    "pbMRQ",
    "psTTM",
    "pcfNcfTTM",
)

_DTYPES: dict[str, type[pl.DataType]] = {"date": pl.Date, **dict.fromkeys(_NUMERIC, pl.Float64)}


def _codes(raw: pl.Series) -> pl.Series:
    """``sh.600519`` → ``600519.SH`` for a whole column (the code set is small; map over unique values)."""
    uniq = raw.unique().drop_nulls().to_list()
    mapping = {u: normalize_code(u) for u in uniq}
    return raw.replace_strict(mapping, default=None, return_dtype=pl.String)


def _source_rows(paths: list[Path], rejected: pl.DataFrame, columns: list[str]) -> pl.DataFrame:
    """The rejected rows as the source spelt them (the quarantine report shows text, not re-formatted numbers).

    Only the files holding rejected rows are parsed again, as strings; rows keep the typed frame's order.
    """
    files = set(rejected.get_column("_file").unique().to_list())
    text = _with_codes(parse_batch([p for p in paths if p.name in files]).frame)
    picked = rejected.select("_file", "_line").join(text, on=["_file", "_line"], how="left", maintain_order="left")
    return picked.select([pl.col(c) if c in text.columns else pl.lit(None, pl.String).alias(c) for c in columns])


def _with_codes(raw: pl.DataFrame) -> pl.DataFrame:
    """The qfq set (sh600519.csv) has no code column: take each row's code from its file name."""
    if "code" in raw.columns and not raw.get_column("code").null_count():
        return raw
    by_file = {f: _code_from_name(Path(f)) for f in raw.get_column("_file").unique().to_list()}
    from_name = raw.get_column("_file").replace_strict(by_file, return_dtype=pl.String)
    code = raw.get_column("code").fill_null(from_name) if "code" in raw.columns else from_name
    return raw.with_columns(code.alias("code"))


_QUALIFIED = r"(?i)^(?:(?:sh|sz|bj)\.?\d{6}|\d{6}\.(?:sh|sz|bj|xshg|xshe))$"


def _unqualified_codes(raw: pl.DataFrame, typed: pl.DataFrame, problems: list[Problem]) -> pl.Series:
    """Rows whose code names no exchange (``600732`` rather than ``sh.600732``), reported with how to fix them.

    A bare number's exchange can only be guessed from its digits, and a guess that is wrong files the bars (and an
    ST period) under another security, so sources that always spell the exchange are held to it.
    """
    code = raw.get_column("code").cast(pl.String)
    bad = ~code.fill_null("").str.contains(_QUALIFIED)
    for f, ln, c in zip(
        typed.get_column("_file").filter(bad), typed.get_column("_line").filter(bad), code.filter(bad), strict=True
    ):
        shown = "empty" if c is None or c == "" else f"'{c}'"
        problems.append(
            Problem(
                f,
                int(ln),
                "code",
                f"{shown} has no exchange prefix or suffix; write it as BaoStock does (sh.600732 for Shanghai, "
                "sz.000792 for Shenzhen) or as 600732.SH",
            )
        )
    return bad.alias("bad")


def _code_from_name(path: Path) -> str:
    m = _CODE_IN_NAME.search(path.name)
    if m is None:
        raise ValueError(f"{path.name}: cannot read a code like sh600519 from the file name")
    return normalize_code(f"{m.group(1)}.{m.group(2)}")


class BaostockDaily:
    """Raw (adjustflag 3) daily bars → ``daily_bars``; hfq/qfq files (1/2) → ``vendor_adjusted_bars``.

    Files without ``adjustflag`` take ``default_adjust`` (the qfq set states its adjustment only in its README).
    """

    def __init__(
        self, default_adjust: str = "3", name: str = "baostock-daily", *, require_exchange: bool = False
    ) -> None:
        self.default_adjust = default_adjust
        self.name = name
        self.require_exchange = require_exchange
        """Refuse bare six-digit codes instead of inferring their exchange (see :func:`_unqualified_codes`)."""

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate a batch of these files (see :class:`~.base.Importer`)."""
        batch = parse_batch(paths, dtypes=_DTYPES)
        raw, problems, on_bad_line = batch.frame, batch.problems, batch.bad_line
        raw = _with_codes(raw)
        for col in ("date", "code", "open", "high", "low", "close", "volume"):
            if col not in raw.columns:
                raise ValueError(f"{paths[0].parent.name}: column {col!r} missing; this is not a BaoStock daily file")
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        # rows on undecodable or ragged lines were reported while parsing; check (and report) only the others
        broken = raw.filter(on_bad_line)
        raw = raw.filter(~on_bad_line)
        typed = raw.select(
            pl.col("_line"),
            pl.col("_file"),
            _codes(raw.get_column("code")).alias("code"),
            pl.col("date") if batch.typed else to_date("date").alias("date"),
            *[pl.col(c) if batch.typed else to_float(c).alias(c) for c in _NUMERIC if c in raw.columns],
            pl.col("adjustflag").alias("adjustflag")
            if "adjustflag" in raw.columns
            else pl.lit(self.default_adjust).alias("adjustflag"),
            (pl.col("tradestatus") == "0").alias("suspended")
            if "tradestatus" in raw.columns
            else pl.lit(False).alias("suspended"),
            (pl.col("isST") == "1").alias("is_st") if "isST" in raw.columns else pl.lit(False).alias("is_st"),
        )
        parse_bad = (
            pl.Series("bad", np.zeros(typed.height, dtype=bool))
            if batch.typed
            else check_parsed(
                raw, typed, {c: c for c in ("date", *[x for x in _NUMERIC if x in raw.columns])}, res.problems
            )
        )
        if self.require_exchange:
            parse_bad = parse_bad | _unqualified_codes(raw, typed, res.problems)
        boards = {c: board_of(c).value for c in typed.get_column("code").unique().drop_nulls().to_list()}
        typed = typed.with_columns(pl.col("code").replace_strict(boards, default=None).alias("board"))
        flags = set(typed.get_column("adjustflag").drop_nulls().unique().to_list())
        if len(flags) > 1:
            raise ValueError(
                f"mixed adjustflag values {sorted(flags)} in one batch; import raw and adjusted separately"
            )
        raw_prices = flags <= {"3"}
        if "preclose" not in typed.columns:
            typed = typed.with_columns(pl.col("close").shift(1).over("code").alias("preclose"))
        rest = ~parse_bad
        bad_rest = check_bars(typed.filter(rest), res.problems, check_limits=raw_prices)
        bad = parse_bad.clone().scatter(rest.arg_true(), bad_rest)
        good = typed.filter(~bad)
        rejected = raw.filter(bad)
        if batch.typed and rejected.height:
            rejected = _source_rows(paths, rejected, raw.columns)
        res.quarantined = pl.concat([broken, rejected], how="diagonal_relaxed")
        src = pl.lit("baostock:") + pl.col("_file")
        if raw_prices:
            res.tables["daily_bars"] = good.select(
                "code",
                "date",
                "open",
                "high",
                "low",
                "close",
                "preclose",
                "volume",
                "amount",
                pl.col("turn").alias("turnover") if "turn" in good.columns else pl.lit(None).alias("turnover"),
                "is_st",
                "suspended",
                *[
                    pl.col(a).alias(b)
                    for a, b in (
                        ("peTTM", "pe_ttm"),
                        ("pbMRQ", "pb_mrq"),
                        ("psTTM", "ps_ttm"),
                        ("pcfNcfTTM", "pcf_ttm"),
                    )
                    if a in good.columns
                ],
                src.alias("source"),
            )
        else:
            kind = "hfq" if flags == {"1"} else "qfq"
            res.tables["vendor_adjusted_bars"] = good.select(
                "code",
                "date",
                pl.lit(kind).alias("adjust"),
                "open",
                "high",
                "low",
                "close",
                "volume",
                "amount",
                src.alias("source"),
            )
        return res

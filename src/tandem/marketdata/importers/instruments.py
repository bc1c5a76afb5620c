"""Instrument reference data from four vendors → ``instruments`` (a patch table: each source fills what it knows).

Sources and what each contributes (an importer's ``priority`` is its data vintage; later vintages are applied last,
so a 2026 name or industry wins over a 2016 one, while fields a newer source lacks keep the older value):

* JoinQuant ``stock_master.csv`` (≈2026): name, pinyin initials, list/delist dates (2200-01-01 = still listed).
* Tushare ``stock_basics.csv`` (2016): name, Sina industry, ``timeToMarket`` YYYYMMDD (0 = not yet listed).
* abu ``stock_code_CN.csv.gz`` (2017): name, Shenwan-style industry ('-' = missing, 'A股指数' marks index rows);
  ``stock_code_cn.txt``: ``market|flag|code|name|initials:…|pinyin|former names||full name`` with flag 0 = A-share,
  4 = index, 5 = fund, 14 = B-share, 15 = repo (repos are not instruments here and are left out).
* East Money ``industry.csv`` (2026): industry board; ``constituents.csv``: CSI 500 members as of a date → also
  ``index_membership`` rows with action ``member``.

The board is always derived from the code (:func:`board_of`), never copied from a vendor's own labels.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl

from tandem.core.models import Board, board_of, normalize_code
from tandem.marketdata.csvio import Problem, parse_csv, parse_many, parse_quoted
from tandem.marketdata.importers.base import (
    LoadResult,
    check_codes,
    code_map,
    concat_parsed,
    finish,
    source_of,
    to_date,
)
from tandem.marketdata.validate import check_parsed, check_rows

_COLUMNS = ("code", "name", "kind", "exchange", "board", "list_date", "delist_date", "industry", "initials", "source")


def _boards(codes: pl.Series) -> pl.Series:
    mapping = {c: board_of(c).value for c in codes.unique().drop_nulls().to_list()}
    return codes.replace_strict(mapping, default=None, return_dtype=pl.String)


def instrument_rows(typed: pl.DataFrame, prefix: str) -> pl.DataFrame:
    """Fill the derived columns (exchange, board, default kind) and select the table's columns."""
    if "kind" not in typed.columns:
        typed = typed.with_columns(pl.lit("stock").alias("kind"))
    typed = typed.with_columns(
        pl.col("code").str.split(".").list.last().alias("exchange"),
        _boards(typed.get_column("code")).alias("board"),
    ).with_columns(
        # an index code's board is INDEX whatever its digits suggest (e.g. 399xxx, 000xxx.SH)
        pl.when(pl.col("kind") == "index").then(pl.lit(Board.INDEX.value)).otherwise(pl.col("board")).alias("board")
    )
    cols = [pl.col(c) if c in typed.columns else pl.lit(None, pl.String).alias(c) for c in _COLUMNS[:-1]]
    return typed.select(*cols, source_of(prefix)).with_columns(
        pl.col("list_date").cast(pl.Date), pl.col("delist_date").cast(pl.Date)
    )


def _finish_instruments(
    res: LoadResult, raw: pl.DataFrame, typed: pl.DataFrame, bad: pl.Series, prefix: str
) -> LoadResult:
    bad = bad | check_rows(typed, res.problems, keys=("code",), required=("name",))
    return finish(res, raw, bad, {"instruments": instrument_rows(typed, prefix)})


class JoinQuantStockMaster:
    """``code,display_name,name,list_date,delist_date,type,exchange,board`` (``name`` holds pinyin initials)."""

    name = "joinquant-instruments"
    priority = 2026

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`); ``calendar.csv`` is not routed here."""
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        delist = to_date("delist_date")
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("code"), normalize_code).alias("code"),
            pl.col("display_name").alias("name"),
            pl.col("name").alias("initials"),
            to_date("list_date").alias("list_date"),
            # 2200-01-01 is the vendor's "still listed" sentinel, not a date
            pl.when(delist.dt.year() >= 2200).then(None).otherwise(delist).alias("delist_date"),
            pl.col("type").replace({"stock": "stock", "index": "index", "fund": "fund"}).alias("kind"),
        )
        bad = check_parsed(raw, typed, {"list_date": "list_date"}, res.problems)
        bad = bad | check_codes(raw, typed, "code", res.problems) | on_bad_line
        late = (typed.get_column("delist_date") < typed.get_column("list_date")).fill_null(False)
        if late.any():
            for f, ln in zip(typed["_file"].filter(late), typed["_line"].filter(late), strict=True):
                res.problems.append(Problem(f, ln, "delist_date", "delist date is before the list date"))
            bad = bad | late
        return _finish_instruments(res, raw, typed, bad, "joinquant")


def tushare_classification(instruments: pl.DataFrame, snapshot_date: date, date_basis: str) -> pl.DataFrame:
    """A Tushare industry snapshot (``industry_classification`` rows) from imported ``instruments`` rows.

    Tushare's lists carry no date: the registry passes the day the source committed the file (its known-by day).
    A listed code without an industry stays in the snapshot with none (that is what the list said).
    """
    return instruments.filter(pl.col("kind") == "stock").select(
        "code",
        pl.lit("tushare").alias("system"),
        pl.lit(snapshot_date).alias("snapshot_date"),
        pl.lit(None, pl.String).alias("industry_code"),
        "industry",
        pl.lit(date_basis).alias("date_basis"),
        "source",
    )


class TushareStockBasics:
    """Tushare ``stock_basics.csv`` (2016 snapshot): code (read as text), name, industry, ``timeToMarket``.

    With a ``snapshot_date`` its industries also become a dated Tushare snapshot (``industry_classification``).
    """

    name = "tushare-instruments"
    priority = 2016

    def __init__(self, snapshot_date: date | None = None, date_basis: str = "") -> None:
        self.snapshot_date = snapshot_date
        self.date_basis = date_basis

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        ttm = pl.col("timeToMarket")
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("code"), normalize_code).alias("code"),
            "name",
            pl.col("industry").replace("", None).alias("industry"),
            # 0 means "not listed yet" in this snapshot
            pl.when(ttm == "0")
            .then(None)
            .otherwise(ttm)
            .str.strptime(pl.Date, "%Y%m%d", strict=False)
            .alias("list_date"),
        )
        listed = raw.with_columns(pl.when(ttm == "0").then(None).otherwise(ttm).alias("timeToMarket"))
        bad = check_parsed(listed, typed, {"list_date": "timeToMarket"}, res.problems, date_format="YYYYMMDD")
        bad = bad | check_codes(raw, typed, "code", res.problems) | on_bad_line
        res = _finish_instruments(res, raw, typed, bad, "tushare")
        if self.snapshot_date is not None:
            res.tables["industry_classification"] = tushare_classification(
                res.tables["instruments"], self.snapshot_date, self.date_basis
            )
        return res


class AbuStockList:
    """abu ``stock_code_CN.csv.gz`` (names, industries) and ``stock_code_cn.txt`` (initials, kinds)."""

    name = "abu-instruments"
    priority = 2017
    _FLAG_KIND = {"0": "stock", "4": "index", "5": "fund", "14": "stock"}  # noqa: RUF012

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        res = LoadResult(paths)
        frames: list[pl.DataFrame] = []
        raws: list[pl.DataFrame] = []
        for p in paths:
            if p.name.endswith(".txt"):
                raw, typed = self._txt(p, res)
            else:
                raw, typed = self._csv(p, res)
            raws.append(raw)
            frames.append(typed)
        raw = pl.concat(raws, how="diagonal_relaxed")
        typed = pl.concat(frames, how="diagonal_relaxed")
        res.rows_read = raw.height
        bad = check_codes(raw, typed, "_code_src", res.problems)
        # the 2017 list repeats some records verbatim; a verbatim repeat is dropped (and reported), not a conflict
        repeat = ~typed.select(pl.struct(pl.all().exclude("_line")).is_first_distinct()).to_series()
        for f, ln in zip(typed["_file"].filter(repeat), typed["_line"].filter(repeat), strict=True):
            res.problems.append(Problem(f, ln, "code", "repeats an earlier record of the same code verbatim; left out"))
        bad = bad | repeat
        rest = check_rows(typed.filter(~repeat), res.problems, keys=("_file", "code"), required=("name",))
        bad = bad | pl.Series(repeat.to_numpy().copy()).scatter(repeat.not_().arg_true(), rest)
        # the csv and the txt describe the same codes: one row per code, each field from whichever file has it
        good = typed.filter(~bad & typed.get_column("kind").is_not_null())  # flag 15 = repo: not an instrument
        merged = good.group_by("code", maintain_order=True).agg(
            [pl.col(c).drop_nulls().first() for c in typed.columns if c != "code"]
        )
        res.tables["instruments"] = instrument_rows(merged, "abu")
        res.quarantined = raw.filter(bad)
        return res

    def _csv(self, path: Path, res: LoadResult) -> tuple[pl.DataFrame, pl.DataFrame]:
        raw = parse_quoted(path).frame
        raw = raw.with_columns(pl.concat_str("market", pl.lit("."), "symbol").alias("_code_src"))
        industry = pl.col("industry").replace({"-": None, "": None})
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("_code_src"), normalize_code).alias("code"),
            pl.col("co_name").alias("name"),
            pl.when(industry == "A股指数").then(pl.lit("index")).otherwise(pl.lit("stock")).alias("kind"),
            pl.when(industry == "A股指数").then(None).otherwise(industry).alias("industry"),
        )
        return raw, typed

    def _txt(self, path: Path, res: LoadResult) -> tuple[pl.DataFrame, pl.DataFrame]:
        pf = parse_csv(path, separator="|", has_header=False)
        res.problems.extend(pf.problems)
        raw = pf.frame.with_columns(pl.concat_str("c0", pl.lit("."), "c2").alias("_code_src"))
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("_code_src"), normalize_code).alias("code"),
            pl.col("c3").alias("name"),
            pl.col("c4").str.split(":").list.first().replace("", None).alias("initials"),
            pl.col("c1").replace_strict(self._FLAG_KIND, default=None).alias("kind"),
        )
        return raw, typed


class EastMoneyIndustry:
    """East Money ``industry.csv`` (code → industry board) and ``constituents.csv`` (CSI 500 members, names)."""

    name = "eastmoney-instruments"
    priority = 2026

    def __init__(self, index_code: str = "000905.SH") -> None:
        self.index_code = index_code

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        has = set(raw.columns)
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("stock_code"), normalize_code).alias("code"),
            (pl.col("stock_name") if "stock_name" in has else pl.lit(None, pl.String)).alias("name"),
            (pl.col("industry").replace("", None) if "industry" in has else pl.lit(None, pl.String)).alias("industry"),
            (to_date("as_of_date") if "as_of_date" in has else pl.lit(None, pl.Date)).alias("date"),
        )
        bad = check_codes(raw, typed, "stock_code", res.problems) | on_bad_line
        if "as_of_date" in has:
            bad = bad | check_parsed(raw, typed, {"date": "as_of_date"}, res.problems)
        bad = bad | check_rows(typed, res.problems, keys=("_file", "code"))
        members = typed.filter(pl.col("date").is_not_null()).select(
            pl.lit(self.index_code).alias("index_code"),
            "code",
            "date",
            pl.lit("member").alias("action"),
            source_of("eastmoney"),
        )
        finish(res, raw, bad, {"instruments": instrument_rows(typed, "eastmoney")})
        member_bad = bad.filter(typed.get_column("date").is_not_null())
        res.tables["index_membership"] = members.filter(~member_bad)
        # industry and constituents rows for one code are merged by the patch upsert; keep one row per code here
        res.tables["instruments"] = (
            res.tables["instruments"]
            .group_by("code", maintain_order=True)
            .agg([pl.col(c).drop_nulls().first() for c in _COLUMNS if c != "code"])
            .select(_COLUMNS)
        )
        return res

"""Dated industry classifications, East Money boards and the BSE-era stock lists → the store's snapshot tables.

Sources (see ``../shared/data/PROVENANCE.md``):

* BaoStock ``stock_industry.csv`` (``updateDate,code,code_name,industry,industryClassification``): the CSRC
  classification (证监会行业分类) dated by its own ``updateDate`` column; ``J66货币金融服务`` is split into the
  industry code ``J66`` and the name ``货币金融服务``. Codes carry an exchange prefix (``sh.600000``); one without
  is refused, because the digits alone do not say which exchange a listing is on.
* East Money ``em_board_membership.csv.gz`` (``板块名称,板块代码,代码,名称``): board → member stocks. The file has
  no date, so its snapshot date is the source commit day given to the importer (the registry passes it). Its codes
  are bare six digits by the vendor's design; they are read by the stock code ranges (60/68/90 Shanghai, 00/30/20
  Shenzhen, 43/83/87/92 Beijing); any other code (a lost leading zero, a fund or bond range) is refused with how to
  fix it.
* Tushare ``stock_basic.csv`` (2023: ``ts_code,symbol,name,area,industry,list_date``): instruments, including the
  213 BSE ``.BJ`` listings, and a Tushare industry snapshot (the same vocabulary as the 2016 ``stock_basics.csv``).
* AKShare/Sina ``sina_spot_<day>.csv``: names of every listed stock on that day, including the BSE's 920xxx codes.

Every file must be UTF-8: a GBK file is refused as a whole with the command that converts it, instead of one
problem per line. Row problems are ``file:line: field: what is wrong``; bad rows are quarantined as everywhere.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from tandem.core.errors import UserError
from tandem.core.models import normalize_code
from tandem.marketdata.csvio import Problem, parse_many, read_bytes
from tandem.marketdata.importers.base import (
    LoadResult,
    code_map,
    concat_parsed,
    finish,
    source_of,
    to_date,
)
from tandem.marketdata.importers.instruments import instrument_rows, tushare_classification
from tandem.marketdata.validate import check_parsed, check_rows

_SYSTEMS = {"证监会行业分类": "csrc"}
_CSRC = re.compile(r"^(?P<code>[A-S]\d{2})(?P<name>\S.*)$")
_BOARD_CODE = re.compile(r"^BK\d{4}$")
_HAS_EXCHANGE = re.compile(r"^\s*(?:(?:sh|sz|bj)\.?\d{6}|\d{6}\.[A-Za-z]+)\s*$", re.IGNORECASE)


def require_utf8(paths: list[Path]) -> None:
    """Refuse a file that is not UTF-8 as a whole; say which encoding it looks like and how to convert it."""
    for p in paths:
        raw = read_bytes(p)
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            try:
                raw.decode("gb18030")
                looks = "GBK (GB18030)"
            except UnicodeDecodeError:
                looks = "an unknown encoding"
            raise ValueError(
                f"{p.name}: the file is {looks}, not UTF-8 (first bad byte at offset {exc.start}); convert it with "
                f"`iconv -f GB18030 -t UTF-8 {p.name} > utf8-{p.name}` and import that file"
            ) from exc


def _strict_code(raw: str) -> str | None:
    """A code that names its exchange (``sh.600000``, ``600000.SH``, ``bj920000``); anything else is None."""
    if not _HAS_EXCHANGE.match(raw):
        return None
    try:
        return normalize_code(raw)
    except UserError:
        return None


_STOCK_RANGES = {"60": "SH", "68": "SH", "90": "SH", "00": "SZ", "30": "SZ", "20": "SZ", "43": "BJ", "83": "BJ",
                 "87": "BJ", "92": "BJ"}  # fmt: skip


def _member_code(raw: str) -> str | None:
    """A board member: a code naming its exchange, or six bare digits inside a stock code range (None otherwise)."""
    named = _strict_code(raw)
    if named is not None:
        return named
    text = raw.strip()
    if len(text) == 6 and text.isdigit() and text[:2] in _STOCK_RANGES:
        return f"{text}.{_STOCK_RANGES[text[:2]]}"
    return None


def _check_member(raw: pl.DataFrame, typed: pl.DataFrame, src: str, problems: list[Problem]) -> pl.Series:
    """Flag board members that are not stock codes, saying how to write one whose range is not a stock's."""
    values = raw.get_column(src).fill_null("")
    bad = typed.get_column("code").is_null()
    for f, ln, v in zip(typed["_file"].filter(bad), typed["_line"].filter(bad), values.filter(bad), strict=True):
        if not v.strip():
            problems.append(Problem(f, ln, "code", "missing code"))
        else:
            problems.append(
                Problem(
                    f, ln, "code",
                    f"'{v}' is not a six-digit stock code in a known range (60/68/90 SH, 00/30/20 SZ, 43/83/87/92 BJ);"
                    f" write it with its exchange, e.g. {v.strip()}.SZ",
                )
            )  # fmt: skip
    return bad


def _check_exchange(raw: pl.DataFrame, typed: pl.DataFrame, src: str, problems: list[Problem]) -> pl.Series:
    """Flag codes that do not name their exchange (or are not codes), with the spelling that would be accepted."""
    values = raw.get_column(src).fill_null("")
    bad = typed.get_column("code").is_null()
    for f, ln, v in zip(typed["_file"].filter(bad), typed["_line"].filter(bad), values.filter(bad), strict=True):
        digits = "".join(ch for ch in v if ch.isdigit())
        if not v.strip():
            problems.append(Problem(f, ln, "code", "missing code"))
        elif len(digits) == 6 and v.strip() == digits:
            problems.append(
                Problem(f, ln, "code", f"'{v}' has no exchange; write it as sh.{v}, sz.{v} or bj.{v} (or {v}.SH …)")
            )
        else:
            problems.append(Problem(f, ln, "code", f"'{v}' is not a security code; expected e.g. sh.600000"))
    return bad


class BaostockIndustry:
    """BaoStock ``query_stock_industry`` export → ``industry_classification`` (dated by ``updateDate``)."""

    name = "baostock-industry"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        require_utf8(paths)
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        text = pl.col("industry").fill_null("").str.strip_chars()
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("code"), _strict_code).alias("code"),
            pl.col("industryClassification")
            .replace_strict(_SYSTEMS, default=None, return_dtype=pl.String)
            .alias("system"),
            to_date("updateDate").alias("snapshot_date"),
            pl.when(text == "").then(None).otherwise(text.str.extract(_CSRC.pattern, 1)).alias("industry_code"),
            pl.when(text == "").then(None).otherwise(text.str.extract(_CSRC.pattern, 2)).alias("industry"),
            pl.lit("updateDate column").alias("date_basis"),
            source_of("baostock"),
        )
        bad = _check_exchange(raw, typed, "code", res.problems) | on_bad_line
        bad = bad | check_parsed(raw, typed, {"snapshot_date": "updateDate"}, res.problems)
        missing_date = raw.get_column("updateDate").fill_null("") == ""
        bad = bad | self._flag(typed, missing_date, "updateDate", "missing snapshot date", res.problems)
        unknown = typed.get_column("system").is_null()
        msg = f"unknown classification system; known: {', '.join(_SYSTEMS)}"
        bad = bad | self._flag(typed, unknown, "industryClassification", msg, res.problems)
        has_text = raw.select((text != "").fill_null(False)).to_series()
        unparsed = has_text & typed.get_column("industry").is_null()
        msg = "not a CSRC industry such as J66货币金融服务 (letter, two digits, name)"
        bad = bad | self._flag(typed, unparsed, "industry", msg, res.problems)
        bad = bad | check_rows(typed, res.problems, keys=("code", "system", "snapshot_date"))
        return finish(res, raw, bad, {"industry_classification": typed})

    @staticmethod
    def _flag(typed: pl.DataFrame, mask: pl.Series, field: str, message: str, problems: list[Problem]) -> pl.Series:
        for f, ln in zip(typed["_file"].filter(mask), typed["_line"].filter(mask), strict=True):
            problems.append(Problem(f, ln, field, message))
        return mask


class EastMoneyBoards:
    """East Money board membership (``板块名称,板块代码,代码,名称``) → ``board_membership`` on one snapshot day."""

    name = "eastmoney-boards"

    def __init__(self, snapshot_date: date, date_basis: str) -> None:
        self.snapshot_date = snapshot_date
        self.date_basis = date_basis

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        require_utf8(paths)
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        for col in ("板块名称", "板块代码", "代码"):
            if col not in raw.columns:
                raise ValueError(f"{paths[0].name}: column {col!r} missing; expected 板块名称,板块代码,代码,名称")
        typed = raw.select(
            "_line",
            "_file",
            pl.col("板块代码").str.strip_chars().alias("board_code"),
            pl.col("板块名称").str.strip_chars().replace("", None).alias("board_name"),
            code_map(raw.get_column("代码"), _member_code).alias("code"),
            pl.lit(self.snapshot_date).alias("snapshot_date"),
            pl.lit(self.date_basis).alias("date_basis"),
            source_of("eastmoney"),
        )
        bad = _check_member(raw, typed, "代码", res.problems) | on_bad_line
        bad_board = ~typed.get_column("board_code").fill_null("").str.contains(_BOARD_CODE.pattern)
        for f, ln, v in zip(
            typed["_file"].filter(bad_board), typed["_line"].filter(bad_board), raw["板块代码"].filter(bad_board),
            strict=True,
        ):  # fmt: skip
            res.problems.append(Problem(f, ln, "板块代码", f"'{v}' is not an East Money board code such as BK0477"))
        bad = bad | bad_board
        bad = bad | check_rows(typed, res.problems, keys=("board_code", "code"), required=("board_name",))
        return finish(res, raw, bad, {"board_membership": typed})


class TushareStockBasic:
    """Tushare ``stock_basic.csv`` (2023) → ``instruments`` (names, list dates, BSE included) and a Tushare snapshot."""

    name = "tushare-stock-basic"
    priority = 2023

    def __init__(self, snapshot_date: date, date_basis: str) -> None:
        self.snapshot_date = snapshot_date
        self.date_basis = date_basis

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        require_utf8(paths)
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("ts_code"), _strict_code).alias("code"),
            "name",
            pl.col("industry").replace("", None).alias("industry"),
            to_date("list_date", "%Y%m%d").alias("list_date"),
        )
        bad = _check_exchange(raw, typed, "ts_code", res.problems) | on_bad_line
        bad = bad | check_parsed(raw, typed, {"list_date": "list_date"}, res.problems, date_format="YYYYMMDD")
        bad = bad | check_rows(typed, res.problems, keys=("code",), required=("name",))
        finish(res, raw, bad, {"instruments": instrument_rows(typed, "tushare")})
        res.tables["industry_classification"] = tushare_classification(
            res.tables["instruments"], self.snapshot_date, self.date_basis
        )
        return res


class SinaSpotInstruments:
    """AKShare/Sina spot snapshot (``symbol,name,…``) → ``instruments`` names (the BSE's new 920xxx codes included).

    Only the names are taken: one day of spot quotes without a previous close or adjustment is not a bar series.
    """

    name = "sina-spot-instruments"
    priority = 2026

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        require_utf8(paths)
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        typed = raw.select("_line", "_file", code_map(raw.get_column("symbol"), _strict_code).alias("code"), "name")
        bad = _check_exchange(raw, typed, "symbol", res.problems) | on_bad_line
        bad = bad | check_rows(typed, res.problems, keys=("code",), required=("name",))
        return finish(res, raw, bad, {"instruments": instrument_rows(typed, "sina")})

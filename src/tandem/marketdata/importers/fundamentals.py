"""Quarterly fundamentals → the long, point-in-time ``fundamentals`` table (code, report_period, announce_date, field).

BaoStock ``profit_data.csv`` / ``growth_data.csv``: ``pubDate`` is the announcement date, ``statDate`` the period end;
ratios are already decimals, money in CNY, shares in shares. Fields are renamed once here (``_BAOSTOCK``).

Validation: dates parse, values parse, one row per (code, period) per file, and a report cannot be announced before
its period ends (``announce_date >= report_period``). Wide rows are checked first, then unpivoted; empty values are
simply absent (never zero).
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tandem.core.models import normalize_code
from tandem.marketdata.csvio import Problem, parse_many
from tandem.marketdata.importers.base import LoadResult, check_codes, code_map, concat_parsed, to_date, to_float
from tandem.marketdata.validate import check_parsed, check_rows

_BAOSTOCK = {
    "roeAvg": "roe_avg",
    "npMargin": "np_margin",
    "gpMargin": "gp_margin",
    "netProfit": "net_profit",
    "epsTTM": "eps_ttm",
    "MBRevenue": "revenue",
    "totalShare": "total_share",
    "liqaShare": "liq_share",
    "YOYEquity": "yoy_equity",
    "YOYAsset": "yoy_asset",
    "YOYNI": "yoy_ni",
    "YOYEPSBasic": "yoy_eps",
    "YOYPNI": "yoy_pni",
}


def announced_before_period(typed: pl.DataFrame, problems: list[Problem]) -> pl.Series:
    """Rows whose announcement date precedes the end of the period they report on (impossible for a report)."""
    early = (typed.get_column("announce_date") < typed.get_column("report_period")).fill_null(False)
    for f, ln, a, r in zip(
        typed["_file"].filter(early),
        typed["_line"].filter(early),
        typed["announce_date"].filter(early),
        typed["report_period"].filter(early),
        strict=True,
    ):
        problems.append(Problem(f, ln, "announce_date", f"announced {a} before the period it reports on ends ({r})"))
    return early


def to_long(wide: pl.DataFrame, fields: dict[str, str], source: pl.Expr) -> pl.DataFrame:
    """Unpivot checked wide rows into ``fundamentals`` rows, dropping empty values."""
    present = [c for c in fields if c in wide.columns]
    return (
        wide.select("code", "report_period", "announce_date", source.alias("source"), *present)
        .unpivot(index=["code", "report_period", "announce_date", "source"], variable_name="field", value_name="value")
        .filter(pl.col("value").is_not_null())
        .with_columns(pl.col("field").replace_strict(fields, return_dtype=pl.String))
        .select("code", "report_period", "announce_date", "field", "value", "source")
    )


class BaostockFundamentals:
    """BaoStock ``query_profit_data`` / ``query_growth_data`` exports → ``fundamentals``."""

    name = "baostock-fundamentals"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        numeric = [c for c in _BAOSTOCK if c in raw.columns]
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("code"), normalize_code).alias("code"),
            to_date("statDate").alias("report_period"),
            to_date("pubDate").alias("announce_date"),
            *[to_float(c).alias(c) for c in numeric],
        )
        cols = {"report_period": "statDate", "announce_date": "pubDate", **{c: c for c in numeric}}
        bad = check_parsed(raw, typed, cols, res.problems)
        bad = bad | check_codes(raw, typed, "code", res.problems) | on_bad_line
        bad = bad | check_rows(
            typed, res.problems, keys=("_file", "code", "report_period"), required=("report_period", "announce_date")
        )
        bad = bad | announced_before_period(typed, res.problems)
        good = typed.filter(~bad)
        res.tables["fundamentals"] = to_long(good, _BAOSTOCK, pl.lit("baostock"))
        res.quarantined = raw.filter(bad)
        return res

"""Exchange-traded fund bars, NetEase index files and daily value series (valuation, rates, foreign indices).

* ETF rotation ``<code>.SH.csv``: ``date,name,code,pre_close,open,high,low,close,vol,amount`` (vol in fund units,
  amount CNY) → ``daily_bars`` (board FUND). Rows before trading started carry no prices or placeholder 1.0 prices
  and an empty volume: they are quarantined and reported as such. A later row with prices but an empty volume is
  kept as a non-traded (suspended) day with no volume.
* NetEase ``000300.csv`` / ``000012.csv`` (GBK, newest first, code written ``'000300``; both are SSE indices)
  → ``index_bars``.
* RiceQuant ``000300_pe.csv`` → ``series`` named ``000300.SH_pe_ttm``, ``…_pe_lyr``, ``…_pb_lf``, ``…_pb_lyr``,
  ``…_pb_ttm``.
* investing.com ``*历史数据.csv`` (BOM, quoted, ``2021年1月15日``, ``13,423.44``, volume ``357.32M``/``1.22B``) →
  ``series`` ``<NAME>`` (close) and ``<NAME>_volume``; names in ``INVESTING_SERIES``.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from tandem.core.models import normalize_code
from tandem.marketdata.csvio import Problem, parse_csv, parse_many, parse_quoted
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

INVESTING_SERIES = {
    "中国十年期国债收益率": "CN10Y_yield",
    "纳斯达克综合指数": "NASDAQ_COMP",
    "美国标准普尔500指数": "SPX",
    "香港恒生指数": "HSI",
    "黄金期货": "GOLD_FUT",
}
_PRICES = ("open", "high", "low", "close")


class EtfDailyBars:
    """ETF daily prices → ``daily_bars`` with board FUND (no price-limit check: the rulebook has no ETF band)."""

    name = "etf-daily"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        raw = raw.with_columns(pl.col(pl.String).replace({"nan": None, "NaN": None, "": None}))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        no_vol = pl.col("vol").is_null()
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("code"), normalize_code).alias("code"),
            to_date("date").alias("date"),
            *[to_float(c).alias(c) for c in _PRICES],
            to_float("pre_close").alias("preclose"),
            to_float("vol").alias("volume"),
            to_float("amount").alias("amount"),
            no_vol.alias("suspended"),
            pl.lit(False).alias("is_st"),
            pl.lit("FUND").alias("board"),
        )
        cols = {"date": "date", **{c: c for c in _PRICES}, "preclose": "pre_close", "volume": "vol", "amount": "amount"}
        bad = check_parsed(raw, typed, cols, res.problems) | on_bad_line
        bad = bad | check_codes(raw, typed, "code", res.problems)
        placeholder = self._placeholders(typed, res.problems)
        rest = ~(bad | placeholder)
        bad_rest = check_bars(typed.filter(rest), res.problems, check_limits=False)
        bad = bad | placeholder | pl.Series(rest.to_numpy().copy()).scatter(rest.arg_true(), bad_rest)
        out = typed.select(
            "code", "date", *_PRICES, "preclose", "volume", "amount", "is_st", "suspended", source_of("etf_rotation")
        )
        return finish(res, raw, bad, {"daily_bars": out})

    @staticmethod
    def _placeholders(typed: pl.DataFrame, problems: list[Problem]) -> pl.Series:
        """Rows before a fund's first traded day with no prices or 1.0 placeholders and no volume."""
        first_trade = pl.when(pl.col("volume").is_not_null()).then(pl.col("date")).min().over("code")
        before = (pl.col("date") < first_trade) | first_trade.is_null()
        empty = pl.col("close").is_null()
        ones = pl.all_horizontal([pl.col(c) == 1.0 for c in _PRICES]).fill_null(False)
        flags = typed.select(
            (before & pl.col("volume").is_null() & empty).alias("e"),
            (before & pl.col("volume").is_null() & ones).alias("o"),
        )
        for name, msg in (
            ("e", "placeholder row before trading started: no prices and no volume"),
            ("o", "placeholder row before trading started: 1.0 prices and no volume"),
        ):
            m = flags.get_column(name)
            for f, ln in typed.filter(m).select("_file", "_line").iter_rows():
                problems.append(Problem(f, ln, "close", msg))
        return (flags.get_column("e") | flags.get_column("o")).fill_null(False).alias("bad")


class NetEaseIndex:
    """NetEase index history (GBK, newest first) → ``index_bars``."""

    name = "netease-index"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        raw, problems, on_bad_line = concat_parsed([parse_csv(p, encoding="gbk") for p in paths])
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        src = {
            "open": "开盘价",
            "high": "最高价",
            "low": "最低价",
            "close": "收盘价",
            "volume": "成交量",
            "amount": "成交金额",
        }
        typed = raw.select(
            "_line",
            "_file",
            # both files are SSE indices; the leading quote keeps spreadsheets from dropping zeros
            (pl.col("股票代码").str.strip_prefix("'") + ".SH").alias("code"),
            to_date("日期").alias("date"),
            *[to_float(s).alias(t) for t, s in src.items()],
            to_float("前收盘").alias("preclose"),
            pl.lit(False).alias("suspended"),
            pl.lit(False).alias("is_st"),
            pl.lit("INDEX").alias("board"),
        )
        bad = check_parsed(raw, typed, {"date": "日期", **src}, res.problems) | on_bad_line
        full = typed.get_column("open").is_not_null()
        bad_full = check_bars(typed.filter(full), res.problems, check_limits=False)
        bad_part = check_rows(
            typed.filter(~full), res.problems, keys=("code", "date"), positive=("close",), required=("close",)
        )
        mask = full.to_numpy().copy()
        merged = pl.Series(mask).scatter(full.arg_true(), bad_full).scatter((~full).arg_true(), bad_part)
        bad = bad | merged
        out = typed.select("code", "date", *_PRICES, "volume", "amount", source_of("netease"))
        return finish(res, raw, bad, {"index_bars": out})


class RiceQuantValuation:
    """``order_book_id,trade_date,pb_lf,pb_lyr,pb_ttm,pe_lyr,pe_ttm`` → ``series`` ``<code>_<ratio>``."""

    name = "ricequant-valuation"
    _RATIOS = ("pe_ttm", "pe_lyr", "pb_lf", "pb_lyr", "pb_ttm")

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        raw, problems, on_bad_line = concat_parsed(parse_many(paths))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        ratios = [r for r in self._RATIOS if r in raw.columns]
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("order_book_id"), normalize_code).alias("code"),
            to_date("trade_date").alias("date"),
            *[to_float(r).alias(r) for r in ratios],
        )
        bad = check_parsed(raw, typed, {"date": "trade_date", **{r: r for r in ratios}}, res.problems) | on_bad_line
        bad = bad | check_codes(raw, typed, "order_book_id", res.problems)
        bad = bad | check_rows(typed, res.problems, keys=("code", "date"), required=("date",), trading_day="date")
        good = typed.filter(~bad)
        res.tables["series"] = (
            good.unpivot(index=["code", "date", "_file"], on=ratios, variable_name="ratio", value_name="value")
            .filter(pl.col("value").is_not_null())
            .select((pl.col("code") + "_" + pl.col("ratio")).alias("series"), "date", "value", source_of("ricequant"))
        )
        res.quarantined = raw.filter(bad)
        return res


def _cn_number(col: str) -> pl.Expr:
    """``13,423.44`` → 13423.44; ``357.32M`` → 3.5732e8; ``1.22B`` → 1.22e9; ``-`` or empty → null."""
    s = pl.col(col).str.replace_all(",", "").replace({"-": None, "": None})
    scale = (
        pl.when(s.str.ends_with("K"))
        .then(1e3)
        .when(s.str.ends_with("M"))
        .then(1e6)
        .when(s.str.ends_with("B"))
        .then(1e9)
        .otherwise(1.0)
    )
    return s.str.strip_chars_end("KMB").cast(pl.Float64, strict=False) * scale


class InvestingSeries:
    """investing.com ``*历史数据.csv`` exports → ``series`` (close, and volume where given)."""

    name = "investing-series"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        parsed = []
        for p in paths:
            key = p.name.split("历史数据")[0]
            if key not in INVESTING_SERIES:
                raise ValueError(f"{p.name}: unknown investing.com series {key!r}; known: {sorted(INVESTING_SERIES)}")
            pf = parse_quoted(p)
            pf.frame = pf.frame.with_columns(pl.lit(INVESTING_SERIES[key]).alias("series"))
            parsed.append(pf)
        raw, problems, on_bad_line = concat_parsed(parsed)
        has_vol = "交易量" in raw.columns
        if has_vol:  # '-' = no volume published that day
            raw = raw.with_columns(pl.col("交易量").replace("-", None))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        typed = raw.select(
            "_line",
            "_file",
            "series",
            to_date("日期", "%Y年%m月%d日").alias("date"),
            _cn_number("收盘").alias("value"),
            (_cn_number("交易量") if has_vol else pl.lit(None, pl.Float64)).alias("volume"),
        )
        cols = {"date": "日期", "value": "收盘", **({"volume": "交易量"} if has_vol else {})}
        bad = check_parsed(raw, typed, cols, res.problems, date_format="YYYY年M月D日") | on_bad_line
        bad = bad | check_rows(
            typed, res.problems, keys=("series", "date"), required=("date", "value"), non_negative=("volume",)
        )
        good = typed.filter(~bad)
        res.tables["series"] = pl.concat(
            [
                good.select("series", "date", "value", source_of("investing")),
                good.filter(pl.col("volume").is_not_null()).select(
                    (pl.col("series") + "_volume").alias("series"),
                    "date",
                    pl.col("volume").alias("value"),
                    source_of("investing"),
                ),
            ]
        )
        res.quarantined = raw.filter(bad)
        return res


__all__ = ["EtfDailyBars", "InvestingSeries", "NetEaseIndex", "RiceQuantValuation", "finish"]

"""Old Tushare (Sina) quarterly report tables, 2014Q1–2016Q2 → ``fundamentals``.

Files are ``<kind>YYYY_Q.csv`` (kind ∈ report, profit, operation, growth, debtpaying, cashflow) and
``forecastYYYY_Q.csv``; the period comes from the file name. Units are converted once, here (readme.txt):

* percentages (ROE, margins, growth rates, equity ratio) → decimals (÷100);
* ``net_profits`` 万元 → CNY (×1e4); ``business_income`` 百万元 → CNY (×1e6);
* per-share values (eps, bvps, epcf, bips) stay CNY; turnover ratios (times) and days stay as they are;
* cash-flow and liquidity ratios (currentratio, quickratio, cashratio, icratio, cf_*) keep Sina's values as
  published (the source does not state their unit) under ``sina_`` names so nobody mistakes them for decimals;
* ``debt_ratio`` = 1 − sheqratio/100 (equity ratio → liabilities/assets), derived, documented here.

Announcement dates: only ``report`` rows carry one (``report_date`` MM-DD); its year is the first one that puts the
date after the period end. The other kinds take that date for the same (code, period) and otherwise the statutory
deadline (Q1 04-30, H1 08-31, Q3 10-31, annual 04-30 next year) — an upper bound, so an "as of" query never sees a
figure before it could have been published. A ``report`` row announced more than two months after the deadline is
the quirk noted in PROVENANCE.md (a later period's row filed under this one) and is quarantined.

Forecasts (业绩预告): ``pre_eps`` (last year's EPS) and the forecast change range (``8.1%~17.11%`` or one number)
as ``forecast_change_low``/``forecast_change_high`` decimals, announced on ``report_date``; the announcement may
precede the period end, so that check does not apply. The verbal type (预增/预亏…) has no numeric value and is left out.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import polars as pl

from tandem.core.models import normalize_code
from tandem.marketdata.csvio import Problem, parse_csv
from tandem.marketdata.importers.base import LoadResult, check_codes, code_map, to_float
from tandem.marketdata.importers.fundamentals import announced_before_period, to_long
from tandem.marketdata.validate import check_parsed, check_rows

_NAME = re.compile(r"^(report|profit|operation|growth|debtpaying|cashflow|forecast)(\d{4})_([1-4])\.csv", re.I)
_PERIOD_END = {1: (3, 31), 2: (6, 30), 3: (9, 30), 4: (12, 31)}
_DEADLINE = {1: (0, 4, 30), 2: (0, 8, 31), 3: (0, 10, 31), 4: (1, 4, 30)}
_LATE_SLACK_DAYS = 61

# source column → (field name, multiplier)
_FIELDS: dict[str, dict[str, tuple[str, float]]] = {
    "report": {
        "eps": ("eps", 1.0),
        "eps_yoy": ("yoy_eps", 0.01),
        "bvps": ("bvps", 1.0),
        "roe": ("roe", 0.01),
        "epcf": ("cfps", 1.0),
        "net_profits": ("net_profit", 1e4),
        "profits_yoy": ("yoy_ni", 0.01),
    },
    "profit": {
        "roe": ("roe", 0.01),
        "net_profit_ratio": ("np_margin", 0.01),
        "gross_profit_rate": ("gp_margin", 0.01),
        "net_profits": ("net_profit", 1e4),
        "eps": ("eps", 1.0),
        "business_income": ("revenue", 1e6),
        "bips": ("revenue_per_share", 1.0),
    },
    "operation": {
        "arturnover": ("ar_turnover", 1.0),
        "arturndays": ("ar_turnover_days", 1.0),
        "inventory_turnover": ("inventory_turnover", 1.0),
        "inventory_days": ("inventory_days", 1.0),
        "currentasset_turnover": ("current_asset_turnover", 1.0),
        "currentasset_days": ("current_asset_days", 1.0),
    },
    "growth": {
        "mbrg": ("yoy_revenue", 0.01),
        "nprg": ("yoy_ni", 0.01),
        "nav": ("yoy_net_assets", 0.01),
        "targ": ("yoy_asset", 0.01),
        "epsg": ("yoy_eps", 0.01),
        "seg": ("yoy_equity", 0.01),
    },
    "debtpaying": {
        "currentratio": ("sina_current_ratio", 1.0),
        "quickratio": ("sina_quick_ratio", 1.0),
        "cashratio": ("sina_cash_ratio", 1.0),
        "icratio": ("sina_interest_cover", 1.0),
        "sheqratio": ("equity_ratio", 0.01),
        "adratio": ("sina_adratio", 1.0),
    },
    "cashflow": {
        "cf_sales": ("sina_cf_sales", 1.0),
        "rateofreturn": ("sina_cf_return_on_assets", 1.0),
        "cf_nm": ("sina_cf_to_net_profit", 1.0),
        "cf_liabilities": ("sina_cf_to_liabilities", 1.0),
        "cashflowratio": ("sina_cashflow_ratio", 1.0),
    },
    "forecast": {"pre_eps": ("forecast_prev_eps", 1.0)},
}


def _period(path: Path) -> tuple[str, date, date]:
    m = _NAME.match(path.name)
    if m is None:
        raise ValueError(f"{path.name}: expected a Tushare file name like profit2015_4.csv")
    kind, year, q = m.group(1).lower(), int(m.group(2)), int(m.group(3))
    dy, dm, dd = _DEADLINE[q]
    return kind, date(year, *_PERIOD_END[q]), date(year + dy, dm, dd)


class TushareReports:
    """``report/``, ``profit/``, … and ``fore/`` files of the wengowl/stock Tushare snapshot → ``fundamentals``."""

    name = "tushare-fundamentals"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        res = LoadResult(paths)
        typed: dict[str, list[pl.DataFrame]] = {}
        raws: list[pl.DataFrame] = []
        for p in paths:
            kind, period, deadline = _period(p)
            pf = parse_csv(p)
            res.problems.extend(pf.problems)
            # Sina writes "--" for "no value"; the scrape repeats many records verbatim (kept once, not a conflict)
            frame = pf.frame.with_columns(pl.col(pl.String).replace("--", None))
            frame = frame.filter(frame.select(pl.struct(pl.all().exclude("", "_line")).is_first_distinct()).to_series())
            raw = frame.with_columns(pl.lit(period).alias("report_period"), pl.lit(deadline).alias("_deadline"))
            raws.append(raw)
            res.rows_read += raw.height
            if raw.height:
                bad_line = raw.get_column("_line").is_in(list(pf.bad_lines))
                typed.setdefault(kind, []).append(self._typed(raw, kind, bad_line, res))
        wide = {k: pl.concat(v, how="diagonal_relaxed") for k, v in typed.items()}
        if "report" in wide:
            wide["report"] = self._announce_dates(wide["report"], res)
            announced = (
                wide["report"]
                .filter(~pl.col("_bad"))
                .select("code", "report_period", "announce_date")
                .unique(subset=["code", "report_period"], keep="first")
            )
        else:
            announced = pl.DataFrame(schema={"code": pl.String, "report_period": pl.Date, "announce_date": pl.Date})
        long: list[pl.DataFrame] = []
        bad_keys: list[pl.DataFrame] = []
        for kind, frame in wide.items():
            if kind not in ("report", "forecast"):
                frame = frame.join(announced, on=["code", "report_period"], how="left").with_columns(
                    pl.coalesce("announce_date", "_deadline").alias("announce_date")
                )
            if kind != "forecast":
                ok = frame.filter(~pl.col("_bad"))
                early = announced_before_period(ok, res.problems)
                frame = frame.join(
                    ok.filter(early).select("_file", "_line", pl.lit(True).alias("_early")),
                    on=["_file", "_line"],
                    how="left",
                ).with_columns(pl.col("_bad") | pl.col("_early").fill_null(False))
            fields = {c: name for c, (name, _) in _FIELDS[kind].items()}
            if kind == "forecast":
                fields |= {"_low": "forecast_change_low", "_high": "forecast_change_high"}
            if kind == "debtpaying":
                fields["_debt_ratio"] = "debt_ratio"
            good = frame.filter(~pl.col("_bad"))
            if kind == "forecast":  # the table holds one value per period: the latest forecast
                good = good.sort("announce_date").unique(subset=["code", "report_period"], keep="last")
            long.append(to_long(good, fields, pl.lit(f"tushare_sina:{kind}")))
            bad_keys.append(frame.filter(pl.col("_bad")).select("_file", "_line"))
        if long:
            res.tables["fundamentals"] = pl.concat(long)
        if raws:
            raw_all = pl.concat(raws, how="diagonal_relaxed")
            keys = pl.concat(bad_keys) if bad_keys else raw_all.select("_file", "_line").clear()
            res.quarantined = raw_all.join(keys, on=["_file", "_line"], how="semi")
        return res

    def _typed(self, raw: pl.DataFrame, kind: str, bad_line: pl.Series, res: LoadResult) -> pl.DataFrame:
        spec = _FIELDS[kind]
        cols = [c for c in spec if c in raw.columns]
        exprs = [(to_float(c) * spec[c][1]).alias(c) for c in cols]
        extra: list[pl.Expr] = []
        if kind == "forecast":
            nums = pl.col("range").str.extract_all(r"-?\d+(?:\.\d+)?")
            extra = [
                (nums.list.first().cast(pl.Float64, strict=False) / 100).alias("_low"),
                (nums.list.last().cast(pl.Float64, strict=False) / 100).alias("_high"),
                pl.col("report_date").str.strptime(pl.Date, "%Y-%m-%d", strict=False).alias("announce_date"),
            ]
        typed = raw.select(
            "_line",
            "_file",
            code_map(raw.get_column("code"), normalize_code).alias("code"),
            "report_period",
            "_deadline",
            *exprs,
            *extra,
            *([pl.col("report_date")] if kind == "report" else []),
        )
        bad = check_parsed(raw, typed, {c: c for c in cols}, res.problems)
        bad = bad | check_codes(raw, typed, "code", res.problems) | bad_line
        if kind == "forecast":
            bad = bad | check_parsed(raw, typed, {"announce_date": "report_date"}, res.problems)
        # a company may publish several forecasts for one period: each (code, announcement) once
        keys = ("_file", "code", "announce_date") if kind == "forecast" else ("_file", "code")
        bad = bad | check_rows(typed, res.problems, keys=keys)
        if kind == "debtpaying" and "sheqratio" in cols:
            typed = typed.with_columns((1.0 - pl.col("sheqratio")).alias("_debt_ratio"))
        return typed.with_columns(bad.alias("_bad"))

    def _announce_dates(self, rep: pl.DataFrame, res: LoadResult) -> pl.DataFrame:
        """Infer ``announce_date`` from MM-DD (the first such date after the period end); mark misfiled rows bad."""
        year = pl.col("report_period").dt.year()

        def on(y: pl.Expr) -> pl.Expr:
            return pl.concat_str(y.cast(pl.String), pl.lit("-"), pl.col("report_date")).str.strptime(
                pl.Date, "%Y-%m-%d", strict=False
            )

        rep = rep.with_columns(
            pl.when(on(year) > pl.col("report_period")).then(on(year)).otherwise(on(year + 1)).alias("announce_date")
        )
        unparsed = (pl.col("report_date").is_not_null() & pl.col("announce_date").is_null()).alias("u")
        late = (pl.col("announce_date") > pl.col("_deadline") + pl.duration(days=_LATE_SLACK_DAYS)).fill_null(False)
        flags = rep.select(unparsed, late.alias("l"))
        for f, ln, v in rep.filter(flags["u"] & ~rep["_bad"]).select("_file", "_line", "report_date").iter_rows():
            res.problems.append(Problem(f, ln, "report_date", f"'{v}' is not a date (expected MM-DD)"))
        late_rows = rep.filter(flags["l"] & ~rep["_bad"]).select("_file", "_line", "announce_date", "_deadline")
        for f, ln, a, d in late_rows.iter_rows():
            res.problems.append(
                Problem(
                    f,
                    ln,
                    "report_date",
                    f"announced {a}, over two months after the {d} deadline: the row probably belongs to a later "
                    "period (see PROVENANCE.md)",
                )
            )
        return rep.with_columns((pl.col("_bad") | flags["u"] | flags["l"]).alias("_bad"))

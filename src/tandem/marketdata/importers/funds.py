"""Fund list and NAV histories from East Money (天天基金) exports → ``funds`` and ``fund_nav``.

* ``all_fund_YYYY-MM-DD.json``: ``[[code, initials, name, type, pinyin], …]`` → ``funds``.
* East Money NAV files (newest first): ``净值日期,单位净值,累计净值,日增长率,申购状态,赎回状态,分红送配``; the file is
  named by fund code (``110011.csv``, ``159919_沪深300etf.csv``) or by fund NAME (``易方达消费行业股票.csv``), which is
  resolved to a code through the fund list JSON in the same folder; ``nan`` means empty; 日增长率 ``2.25%`` → 0.0225.
* Spider files ``<code>.csv`` (``,id,time,value,hisvalue,dayrate``): ASCII plus GBK ``封闭期`` (closed period) in
  ``dayrate`` of pre-launch rows — read as GBK; such rows keep their NAV and have no daily return.

Fund codes are East Money's six digits without an exchange suffix (most funds are not exchange-traded).
Validation: dates parse, NAVs positive, one row per (code, date).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import polars as pl

from tandem.marketdata.csvio import Problem, parse_csv, read_bytes
from tandem.marketdata.importers.base import LoadResult, concat_parsed, finish, source_of, to_date, to_float
from tandem.marketdata.validate import check_parsed, check_rows

_CODE_PREFIX = re.compile(r"^(\d{6})(?:[_.]|$)")


def fund_list(folder: Path) -> pl.DataFrame:
    """The newest ``all_fund_*.json`` in ``folder`` as ``code, initials, name, fund_type`` (empty if absent)."""
    files = sorted(folder.glob("all_fund_*.json"))
    if not files:
        return pl.DataFrame(
            schema={"code": pl.String, "initials": pl.String, "name": pl.String, "fund_type": pl.String}
        )
    rows = json.loads(read_bytes(files[-1]).decode("utf-8-sig"))
    if not isinstance(rows, list) or not all(isinstance(r, list) and len(r) >= 4 for r in rows):
        raise ValueError(f"{files[-1].name}: expected a JSON list of [code, initials, name, type, pinyin] lists")
    return pl.DataFrame(
        {
            "code": [str(r[0]) for r in rows],
            "initials": [str(r[1]) for r in rows],
            "name": [str(r[2]) for r in rows],
            "fund_type": [str(r[3]) for r in rows],
        }
    )


class FundListJson:
    """``all_fund_*.json`` → ``funds`` (code, name, fund_type, initials)."""

    name = "eastmoney-fund-list"
    priority = 2021

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        frames = []
        for p in paths:
            f = fund_list(p.parent).with_columns(
                pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("_line"), pl.lit(p.name).alias("_file")
            )
            frames.append(f)
        raw = pl.concat(frames)
        res = LoadResult(paths, rows_read=raw.height)
        bad = check_rows(raw, res.problems, keys=("_file", "code"), required=("name",))
        bad = bad | ~raw.get_column("code").str.contains(r"^\d{6}$")
        out = raw.select("code", "name", "fund_type", "initials", source_of("eastmoney"))
        return finish(res, raw, bad, {"funds": out})


_TYPE_WORDS = re.compile(r"股票|混合|债券|组合|指数|型")


def _resolve_code(path: Path, funds: pl.DataFrame) -> str | None:
    """A NAV file's fund code: from its name's leading six digits, else its fund name in the fund list.

    The file names drop or change the type word (``中欧时代先锋A`` is ``中欧时代先锋股票A``), so names are compared with
    type words removed and must match exactly one fund; otherwise None (the caller reports it).
    """
    m = _CODE_PREFIX.match(path.name)
    if m:
        return m.group(1)
    stem = path.name.split(".")[0]
    exact = funds.filter(pl.col("name") == stem)
    if exact.height == 1:
        return str(exact["code"][0])
    key = _TYPE_WORDS.sub("", stem)
    loose = funds.filter(pl.col("name").str.replace_all(_TYPE_WORDS.pattern, "") == key)
    return str(loose["code"][0]) if loose.height == 1 else None


def _nav_result(
    res: LoadResult, raw: pl.DataFrame, typed: pl.DataFrame, cols: dict[str, str], prefix: str, on_bad_line: pl.Series
) -> LoadResult:
    bad = check_parsed(raw, typed, cols, res.problems) | on_bad_line
    bad = bad | check_rows(
        typed, res.problems, keys=("code", "date"), positive=("nav", "acc_nav"), required=("date", "nav")
    )
    out = typed.select("code", "date", "nav", "acc_nav", "daily_return", source_of(prefix))
    return finish(res, raw, bad, {"fund_nav": out})


def _percent(col: str) -> pl.Expr:
    """``'2.25%'`` → 0.0225; empty and ``nan`` → null."""
    return pl.col(col).replace({"nan": None, "": None}).str.strip_suffix("%").cast(pl.Float64, strict=False) / 100


class EastMoneyNav:
    """East Money NAV history files (Chinese headers, newest first) → ``fund_nav``."""

    name = "eastmoney-nav"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        parsed = [parse_csv(p) for p in paths]
        lists = {folder: fund_list(folder) for folder in {p.parent for p in paths}}
        unresolved: list[Problem] = []
        for pf in parsed:
            code = _resolve_code(pf.path, lists[pf.path.parent])
            if code is None:
                unresolved.append(
                    Problem(
                        pf.path.name,
                        1,
                        "file",
                        "named by a fund name that matches no single fund in the fund "
                        "list JSON; rename the file to its six-digit fund code",
                    )
                )
            pf.frame = pf.frame.with_columns(pl.lit(code, pl.String).alias("code"))
        raw, problems, on_bad_line = concat_parsed(parsed)
        problems.extend(unresolved)
        on_bad_line = on_bad_line | raw.get_column("code").is_null()
        raw = raw.with_columns(pl.col(pl.String).replace("nan", None))
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        typed = raw.select(
            "_line",
            "_file",
            "code",
            to_date("净值日期").alias("date"),
            to_float("单位净值").alias("nav"),
            to_float("累计净值").alias("acc_nav"),
            _percent("日增长率").alias("daily_return"),
        )
        cols = {"date": "净值日期", "nav": "单位净值", "acc_nav": "累计净值", "daily_return": "日增长率"}
        return _nav_result(res, raw, typed, cols, "eastmoney", on_bad_line)


class SpiderNav:
    """``<fundcode>.csv`` NAV files of the 2017 East Money spider (GBK 封闭期 markers) → ``fund_nav``."""

    name = "eastmoney-spider-nav"

    def load(self, paths: list[Path]) -> LoadResult:
        """Parse, type and validate (see :class:`~.base.Importer`)."""
        parsed = [parse_csv(p, encoding="gbk") for p in paths]
        for pf in parsed:
            pf.frame = pf.frame.with_columns(pl.lit(pf.path.name.split(".")[0]).alias("code"))
        raw, problems, on_bad_line = concat_parsed(parsed)
        res = LoadResult(paths, problems=problems, rows_read=raw.height)
        # 封闭期 (closed period) and purchase-status words (开放申购, 暂停申购 …) in dayrate: a day without a return
        closed = ~pl.col("dayrate").str.contains(r"\d").fill_null(False)
        typed = raw.select(
            "_line",
            "_file",
            "code",
            to_date("time").alias("date"),
            to_float("value").alias("nav"),
            to_float("hisvalue").alias("acc_nav"),
            pl.when(closed).then(None).otherwise(_percent("dayrate")).alias("daily_return"),
        )
        src = raw.with_columns(pl.when(closed).then(None).otherwise(pl.col("dayrate")).alias("dayrate"))
        cols = {"date": "time", "nav": "value", "acc_nav": "hisvalue", "daily_return": "dayrate"}
        return _nav_result(res, src, typed, cols, "eastmoney-spider", on_bad_line)

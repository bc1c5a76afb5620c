"""Which importer handles which file: by the dataset folder it sits in, then by its header.

Adding a source: write an importer (``load(path) -> LoadResult``) and register it under its dataset folder name in
``_BY_FOLDER``, or add a header signature to ``_BY_HEADER`` for loose files.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from fnmatch import fnmatch
from pathlib import Path

from tandem.marketdata.csvio import read_bytes
from tandem.marketdata.importers.baostock import BaostockDaily
from tandem.marketdata.importers.base import Importer
from tandem.marketdata.importers.classifications import (
    BaostockIndustry,
    EastMoneyBoards,
    SinaSpotInstruments,
    TushareStockBasic,
)
from tandem.marketdata.importers.fundamentals import BaostockFundamentals
from tandem.marketdata.importers.funds import EastMoneyNav, FundListJson, SpiderNav
from tandem.marketdata.importers.indexes import AkshareIndexParquet, BaostockIndex, ConstituentChanges, JoinQuantIndex
from tandem.marketdata.importers.instruments import (
    AbuStockList,
    EastMoneyIndustry,
    JoinQuantStockMaster,
    TushareStockBasics,
)
from tandem.marketdata.importers.intraday import CzscMinuteBars, DolphinCandles
from tandem.marketdata.importers.market_series import EtfDailyBars, InvestingSeries, NetEaseIndex, RiceQuantValuation
from tandem.marketdata.importers.st_history import BaostockStHistory
from tandem.marketdata.importers.tandem_parquet import TandemParquet
from tandem.marketdata.importers.tushare_reports import TushareReports

_DATA_SUFFIXES = (".csv", ".gz", ".zip", ".txt", ".json", ".parquet")


@dataclass(frozen=True, slots=True)
class Route:
    """Files of a dataset folder whose name matches ``pattern`` go to ``importer``, or are skipped for ``reason``."""

    pattern: str
    importer: Importer | None
    reason: str = ""


_LEVEL2 = "Level-2 files are read by `tandem l2` (see level2/)"

_BY_FOLDER: dict[str, tuple[Route, ...]] = {
    "csi300_baostock_raw_2020_2025": (Route("*", BaostockDaily()),),
    "hfq_baostock_2012_2023_subset40": (Route("*", BaostockDaily()),),
    "st_history_baostock_2010_2024": (Route("*", BaostockStHistory()),),
    "qfq_baostock_5stocks_to_2026": (Route("*", BaostockDaily(default_adjust="2", name="baostock-qfq")),),
    "baostock_csindex_2005_2026": (Route("*", BaostockIndex()),),
    "jq_csi1000_lfql": (Route("*", JoinQuantIndex()),),
    "akshare_csi500_2024_2026": (Route("*.parquet", AkshareIndexParquet()),),
    "constituent_changes": (Route("*", ConstituentChanges()),),
    "sample_data": (Route("*.parquet", TandemParquet()),),
    "jq_stock_master_lfql": (
        Route("stock_master.csv", JoinQuantStockMaster()),
        Route("calendar.csv", None, "the XSHG calendar comes from exchange-calendars; this copy is not imported"),
    ),
    # Files without a date of their own are dated by their source commit (PROVENANCE.md): the day the list is
    # verifiably known, so a point-in-time lookup never sees it early (marketdata/industries.py).
    "wengowl_tushare_2016": (
        Route("stock_basics.csv", TushareStockBasics(date(2016, 9, 13), "source commit 2016-09-13 (wengowl/stock)")),
    ),
    "csrc_industry_baostock_2026": (
        Route("stock_industry.csv", BaostockIndustry()),
        Route(
            "em_board_membership.csv*",
            EastMoneyBoards(date(2026, 3, 18), "source commit 2026-03-18 (mmzzl/datastore); the file has no date"),
        ),
    ),
    "tushare_stock_basic_2023": (
        Route(
            "stock_basic.csv",
            TushareStockBasic(date(2023, 8, 15), "source commit 2023-08-15 (shensz0605/index_valuation)"),
        ),
        Route("sina_spot_*.csv", SinaSpotInstruments()),
    ),
    "abu_2017": (Route("stock_code_*", AbuStockList()),),
    "eastmoney_industry_csi500_2026": (Route("*.csv", EastMoneyIndustry()),),
    "baostock_quarterly_2013_2023": (Route("*", BaostockFundamentals()),),
    "wengowl_tushare_sina_2014_2016": (Route("*.csv*", TushareReports()),),
    "fund_study_eastmoney_2015_2021": (
        Route("all_fund_*.json", FundListJson()),
        Route("000300.csv", NetEaseIndex()),
        Route("000012.csv", NetEaseIndex()),
        Route("000300_pe.csv", RiceQuantValuation()),
        Route("*历史数据.csv", InvestingSeries()),
        Route("*.csv", EastMoneyNav()),
    ),
    "spider_eastmoney_100funds_2013_2017": (Route("*.csv", SpiderNav()),),
    "etf_rotation_31etfs_to_2023": (Route("*.csv", EtfDailyBars()),),
    "czsc_sse_composite_1min": (Route("*", CzscMinuteBars()),),
    "dolphindb_000001SZ_2018": (
        Route("candle_*.csv", DolphinCandles()),
        Route(
            "trades.csv",
            None,
            "trade prints (one day, 1 s stamps) are tick data, not bars; replay them with `tandem l2` instead",
        ),
    ),
    "level2": (Route("*", None, _LEVEL2),),
    "eastmoney_newsflash_2026_02": (
        Route("*", None, "news items are imported all-or-nothing by `tandem data import-news` (marketdata/news/)"),
    ),
    "dolphindb_tutorials_cn": (Route("*", None, _LEVEL2),),
}

_BY_HEADER: list[tuple[frozenset[str], Importer]] = [
    (frozenset({"date", "code", "open", "high", "low", "close", "preclose", "adjustflag"}), BaostockDaily()),
]


def register(folder: str, importer: Importer) -> None:
    """Register an importer for every file inside a dataset folder named ``folder``."""
    _BY_FOLDER[folder] = (Route("*", importer),)


def register_header(columns: frozenset[str], importer: Importer) -> None:
    """Register an importer for loose files whose header contains ``columns``."""
    _BY_HEADER.append((columns, importer))


def discover(path: Path) -> list[Path]:
    """Data files under ``path`` (a file or a folder), in a stable order; licences and docs are left out."""
    if path.is_file():
        return [path]
    return sorted(
        p
        for p in path.rglob("*")
        if p.is_file()
        and p.name.lower().endswith(_DATA_SUFFIXES)
        and not p.name.upper().startswith(("LICENSE", "README", "PROVENANCE", "SHA256"))
    )


def route(path: Path) -> tuple[Importer | None, str]:
    """The importer for ``path`` and, when there is none, why (for the import report's ``skipped`` list)."""
    for parent in path.parents:
        routes = _BY_FOLDER.get(parent.name)
        if routes is None:
            continue
        for r in routes:
            if fnmatch(path.name.lower(), r.pattern.lower()):
                return r.importer, r.reason or f"no importer for {path.name} in dataset {parent.name}"
        return None, f"no importer for {path.name} in dataset {parent.name}"
    if path.suffix in (".csv", ".gz"):
        try:
            head = read_bytes(path)[:4096].decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()[0]
        except (OSError, IndexError, ValueError):
            return None, "unreadable file"
        cols = {c.strip() for c in head.split(",")}
        for sig, imp in _BY_HEADER:
            if sig <= cols:
                return imp, ""
    return None, "not a recognised dataset folder or file header"


def importer_for(path: Path) -> Importer | None:
    """The importer for ``path``, or None when no importer recognises it."""
    return route(path)[0]

"""Build the bundled sample (src/tandem/sample_data/) from the real data in ../shared/data.

Imports the shared datasets into a temporary store with Tandem's own importers, picks a representative slice
(stocks across boards and industries with at least five years of bars, the issue's named examples, broad indices,
fundamentals of the chosen stocks, and fund NAV histories), and writes each table as ``<table>.parquet``.
Rerun it after importer changes; it is deterministic for the same inputs.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

import polars as pl
from build_news_sample import build as build_news_slice

from tandem.core.models import board_of
from tandem.marketdata.importing import import_paths
from tandem.marketdata.versioned import VersionedStore

DATASETS = [
    "instruments/eastmoney_industry_csi500_2026",
    "instruments/abu_2017",
    "instruments/wengowl_tushare_2016",
    "instruments/jq_stock_master_lfql",
    "daily/csi300_baostock_raw_2020_2025",
    "index/baostock_csindex_2005_2026",
    "fundamentals/baostock_quarterly_2013_2023",
    "fundamentals/wengowl_tushare_sina_2014_2016",
    "funds/fund_study_eastmoney_2015_2021",
    "funds/spider_eastmoney_100funds_2013_2017",
    "funds/etf_rotation_31etfs_to_2023",
]
# Named in the issues: a liquor leader, banks, ChiNext growth, STAR, insurers, utilities, and the qfq/hfq overlap.
MUST = [
    "600519.SH",
    "000858.SZ",
    "600036.SH",
    "601398.SH",
    "000001.SZ",
    "300750.SZ",
    "601318.SH",
    "600900.SH",
    "688981.SH",
    "688111.SH",
    "300059.SZ",
    "002594.SZ",
    "600276.SH",
    "000333.SZ",
    "601012.SH",
    "688036.SH",
    "688599.SH",
    "300015.SZ",
    "300033.SZ",
    "000625.SZ",
]
# Real ST periods and long suspensions (issue 11): the whole 2010-2024 histories of these 13 stocks, added after the
# pick so the 100-stock selection stays what it was; where a picked stock has its own bars (000408.SZ, 002459.SZ,
# 600150.SH, 600887.SH from 2020), those rows win and the ST history adds the earlier years.
ST_HISTORY = "daily/st_history_baostock_2010_2024"
ST_PROVENANCE = """
ST history slice: the 13 stocks of `daily/st_history_baostock_2010_2024` (BaoStock raw bars with `isST` and
`tradestatus`: real ST periods and long suspensions, 2010-01-04 .. 2024-08-20; `zsh-a/quant`, commit
`d3361a3a303ccaf0780e02fa44a30b3111c3c2b6`, no licence in the repository), read by the `baostock-st-history`
importer, with their CSI 300 set bars (2020-01-02 .. 2025-04-07) where they have them; on a (code, date) both sets
hold, the CSI 300 row is kept (it carries the valuation columns; prices and flags are the same BaoStock values).
`source` = `baostock-st-history:<file>` for the rows from the ST set. The store rebuilds its `st_periods` table
(code, first and last ST day, sessions) from the `is_st` flags on import.
"""
INDEXES = ["000300.SH", "000905.SH", "000852.SH", "000001.SH", "399001.SZ", "H00300.CSI"]
N_STOCKS = 100
N_FUNDS_NAV = 40


def _pick_stocks(bars: pl.DataFrame, inst: pl.DataFrame) -> list[str]:
    span = bars.group_by("code").agg(
        pl.col("date").min().alias("first"), pl.col("date").max().alias("last"), pl.len().alias("n")
    )
    full = span.filter((pl.col("first") <= pl.date(2020, 1, 2)) & (pl.col("n") >= 1200))
    info = (
        full.join(inst.select("code", "industry"), on="code", how="left")
        .with_columns(
            pl.col("industry").fill_null("未分类"),
            pl.col("code").str.slice(0, 3).alias("prefix"),
        )
        .sort("code")
    )
    chosen = [c for c in MUST if c in set(span["code"].to_list())]  # named examples even when listed after 2020
    # All qualifying ChiNext and STAR names first (boards the rules treat differently), then one per industry.
    for c in info.filter(pl.col("prefix").is_in(["300", "688", "689"]))["code"].to_list():
        if len(chosen) < N_STOCKS // 3 and c not in chosen:
            chosen.append(c)
    seen = set(info.filter(pl.col("code").is_in(chosen))["industry"].to_list())
    for row in info.iter_rows(named=True):
        if len(chosen) >= N_STOCKS:
            break
        if row["industry"] not in seen and row["code"] not in chosen:
            chosen.append(row["code"])
            seen.add(row["industry"])
    for c in info["code"].to_list():
        if len(chosen) >= N_STOCKS:
            break
        if c not in chosen:
            chosen.append(c)
    return sorted(chosen)


PROVENANCE_HEAD = """# Provenance of the bundled sample

Real public A-share market data, selected by `scripts/build_sample.py` from the datasets staged in `../shared/data/`
(see that folder's PROVENANCE.md for each source repository, commit, licence, units and quirks). The values were read by
Tandem's importers (units normalised: prices CNY, volume in shares, amount CNY, ratios as decimals) and written
unchanged otherwise; nothing here is synthetic. Upstream sources: BaoStock (daily bars, valuation ratios, quarterly
profit/growth data), China Securities Index / BaoStock (index bars), East Money 天天基金 (fund list and NAVs),
exchange ETF prices (etf_rotation), East Money industry boards, JoinQuant/Tushare/abu stock lists (names,
listing dates).
Licences: see ../shared/data/PROVENANCE.md — several source repositories carry no explicit licence; the abu stock list
is GPL-3.0; DolphinDB/czsc/etf_rotation data is Apache-2.0. Use for tests, demos and benchmarks.

"""


def _write_provenance(
    out: Path, tables: dict[str, pl.DataFrame], stocks: list[str], etfs: list[str], navs: list[str]
) -> None:
    lines = [
        PROVENANCE_HEAD,
        f"Stocks ({len(stocks)}): {', '.join(stocks)}\n",
        f"ETFs ({len(etfs)}): {', '.join(etfs)}\n",
        f"Fund NAV series ({len(navs)}): {', '.join(navs)}\n",
        ST_PROVENANCE,
        "| table | rows | source (dataset file prefix) | rows |",
        "| --- | --- | --- | --- |",
    ]
    for name, frame in tables.items():
        if "source" not in frame.columns or frame.height == 0:
            lines.append(f"| {name} | {frame.height:,} | | |")
            continue
        by = (
            frame.with_columns(pl.col("source").str.extract(r"^([^:]+(?::[^.]+)?)", 1).alias("s"))
            .group_by("s")
            .agg(pl.len().alias("n"))
            .sort("s")
        )
        first = True
        for s, n in by.iter_rows():
            lines.append(f"| {name if first else ''} | {frame.height if first else ''} | {s} | {n:,} |")
            first = False
    (out / "PROVENANCE.md").write_text("\n".join(lines) + "\n", encoding="utf-8")


FIXED_INCOME_ETFS = {
    "511880": "货币型",
    "511990": "货币型",
    "511660": "货币型",
    "511010": "债券型",
    "511260": "债券型",
    "511220": "债券型",
    "511030": "债券型",
    "511360": "债券型",
}


def _fixed_income_etf_navs(
    bars: pl.DataFrame, funds: pl.DataFrame, inst: pl.DataFrame
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Total-return NAV series for the exchange-traded funds, derived from their real exchange prices.

    The fund NAV files hold almost no money-market or bond funds, which conservative clients (C1/C2) need, and they end
    in 2017 or 2021 while the ETF prices run to 2023. An ETF's
    accumulated value is the chain of close / pre_close (the exchange's ex-distribution reference), so a money-market
    ETF's yearly payout is not a loss. Rows are labelled ``derived:etf-close-chain`` in ``source``.
    """
    codes = sorted(c for c in bars["code"].unique().to_list() if c[:2] in ("51", "15", "56", "58"))
    b = bars.filter(pl.col("code").is_in(codes) & ~pl.col("suspended")).sort("code", "date")
    ret = (pl.col("close") / pl.col("preclose") - 1.0).fill_nan(None)
    nav = (
        b.with_columns(ret.alias("daily_return"))
        .with_columns(
            (pl.col("daily_return").fill_null(0.0) + 1.0).cum_prod().over("code").alias("growth"),
            pl.col("close").first().over("code").alias("base"),
        )
        .select(
            pl.col("code").str.slice(0, 6),
            "date",
            pl.col("close").alias("nav"),
            (pl.col("growth") * pl.col("base")).alias("acc_nav"),
            "daily_return",
            pl.lit("derived:etf-close-chain").alias("source"),
        )
    )
    names = inst.filter(pl.col("code").is_in(codes)).select(pl.col("code").str.slice(0, 6), "name", "initials")
    six = [c[:6] for c in codes]
    listed = funds.filter(pl.col("code").is_in(six)).select(
        "code",
        pl.col("name").alias("listed_name"),
        pl.col("initials").alias("listed_initials"),
        pl.col("fund_type").alias("listed_type"),
    )
    meta = (
        pl.DataFrame({"code": six, "fixed_income": [FIXED_INCOME_ETFS.get(c) for c in six]})
        .join(names, on="code", how="left")
        .join(listed, on="code", how="left")
        .filter(pl.col("code").is_in(nav["code"].unique().to_list()))
        .select(
            "code",
            pl.coalesce("listed_name", "name", "code").alias("name"),
            pl.coalesce("fixed_income", "listed_type", pl.lit("ETF-场内")).alias("fund_type"),
            pl.coalesce("listed_initials", "initials").alias("initials"),
            pl.lit("exchange ETF (etf_rotation)").alias("source"),
        )
    )
    return nav, meta


L2_TRADE_FILES = [
    "level2/dolphindb_tutorials_cn/data/dolphinscheduler_integration/20230201.zip",
    "level2/dolphindb_tutorials_cn/data/DolphinDB_Python_Parser_Intro_for_Quantitative_Finance/tradeData.zip",
    "level2/dolphindb_tutorials_cn/data/streaming_capital_flow_order_by_order/20200102_SH_trade.csv",
    "level2/dolphindb_tutorials_cn/script/orderBookSnapshotEngine/SHtrans.zip",
]


def _level2_capital_flow(shared: Path) -> pl.DataFrame:
    """Daily capital flow (East Money thresholds) computed by the Level-2 engine from every real trade file."""
    from tandem.level2.flow import capital_flow
    from tandem.level2.readers import read_events
    from tandem.level2.thresholds import threshold_set

    frames = []
    for rel in L2_TRADE_FILES:
        path = shared / rel
        if not path.exists():
            continue
        for batch in read_events([path]).values():
            daily = capital_flow(batch, threshold_set("eastmoney")).daily
            daily["source"] = f"level2:{path.name}"
            frames.append(pl.from_pandas(daily))
    if not frames:
        return pl.DataFrame()
    return pl.concat(frames, how="diagonal_relaxed").select(
        "code", "date", "threshold_set", "class", "buy_amount", "sell_amount", "net_amount", "source"
    )


# Dated industry lists and East Money boards (issue 11 item 4), imported into their own store so that their names
# (Tushare 2023) never patch the sample's instruments; only the rows of the sample's stocks are kept.
INDUSTRY_SOURCES = [
    "instruments/csrc_industry_baostock_2026",
    "instruments/tushare_stock_basic_2023/stock_basic.csv",
    "instruments/wengowl_tushare_2016",
]
_INDUSTRY_MARK = "<!-- industries: written by scripts/build_sample.py --industries-only -->"


def industry_tables(shared: Path, stocks: list[str]) -> dict[str, pl.DataFrame]:
    """Classification snapshots and board membership rows of ``stocks`` (every board they belong to)."""
    tmp = Path(tempfile.mkdtemp(prefix="tandem-sample-ind-"))
    try:
        import_paths(tmp / "market", [shared / d for d in INDUSTRY_SOURCES])
        vs = VersionedStore(tmp / "market")
        return {
            "industry_classification": vs.read("industry_classification").filter(pl.col("code").is_in(stocks)),
            "board_membership": vs.read("board_membership").filter(pl.col("code").is_in(stocks)),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _write_industry_provenance(out: Path, tables: dict[str, pl.DataFrame]) -> None:
    """Replace (or append) the marked industries section of PROVENANCE.md, leaving the rest as it is."""
    ic, bm = tables["industry_classification"], tables["board_membership"]
    snaps = ic.group_by("system", "snapshot_date", "date_basis").len().sort("snapshot_date")
    lines = [
        _INDUSTRY_MARK,
        "## Industries and boards (dated snapshots)",
        "",
        "Rows of the sample's stocks only, read by Tandem's importers from `../shared/data/instruments/"
        "csrc_industry_baostock_2026/` (BaoStock CSRC list, East Money board membership), "
        "`instruments/tushare_stock_basic_2023/stock_basic.csv` and `instruments/wengowl_tushare_2016/` (Tushare "
        "lists). A snapshot without a date of its own is dated by its source commit (see that PROVENANCE.md).",
        "",
        "| table | system | snapshot date | date basis | rows |",
        "| --- | --- | --- | --- | --- |",
        *(f"| industry_classification | {s} | {d} | {b} | {n} |" for s, d, b, n in snaps.iter_rows()),
        *(
            f"| board_membership | East Money boards ({bm['board_code'].n_unique()}) | {d} | {b} | {n} |"
            for d, b, n in bm.group_by("snapshot_date", "date_basis").len().iter_rows()
        ),
        "",
    ]
    path = out / "PROVENANCE.md"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    text = text.split(_INDUSTRY_MARK)[0].rstrip("\n") + "\n\n"
    path.write_text(text + "\n".join(lines), encoding="utf-8")


def _industries_only(shared: Path, out: Path) -> int:
    """Write only the industry tables for the stocks already in the sample (the rest of it stays byte-identical)."""
    codes = pl.read_parquet(out / "daily_bars.parquet", columns=["code"]).get_column("code").unique().to_list()
    stocks = sorted(c for c in codes if board_of(c).value not in ("FUND", "INDEX"))
    tables = industry_tables(shared, stocks)
    for name, frame in tables.items():
        frame.write_parquet(out / f"{name}.parquet", compression="zstd", compression_level=19)
        print(f"{name:24s} {frame.height:>8,} rows")
    _write_industry_provenance(out, tables)
    return 0


def _st_history_bars(shared: Path, tmp: Path, bars: pl.DataFrame) -> pl.DataFrame:
    """The ST history's bars (its own importer, its own store), minus the (code, date) rows ``bars`` already has."""
    if not (shared / ST_HISTORY).exists():
        return bars.clear()
    import_paths(tmp / "st_history", [shared / ST_HISTORY])
    st = VersionedStore(tmp / "st_history").read("daily_bars")
    return st.join(bars.select("code", "date"), on=["code", "date"], how="anti").select(bars.columns)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--shared", type=Path, default=Path(__file__).resolve().parents[2] / "shared" / "data")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parents[1] / "src/tandem/sample_data")
    ap.add_argument("--industries-only", action="store_true", help="only (re)write the industry and board tables")
    args = ap.parse_args()
    if not args.shared.exists():
        print(f"no shared data at {args.shared}", file=sys.stderr)
        return 2
    if args.industries_only:
        return _industries_only(args.shared, args.out)
    tmp = Path(tempfile.mkdtemp(prefix="tandem-sample-"))
    try:
        paths = [args.shared / d for d in DATASETS if (args.shared / d).exists()]
        report = import_paths(tmp / "market", paths)
        print(
            f"imported {report.rows_loaded:,} rows ({report.rows_quarantined} quarantined); skipped "
            f"{len(report.skipped)} files"
        )
        vs = VersionedStore(tmp / "market")
        bars = vs.read("daily_bars")
        inst = vs.read("instruments")
        stock_bars = bars.filter(~pl.col("code").str.slice(0, 2).is_in(["51", "15", "56", "58", "16"]))
        stocks = _pick_stocks(stock_bars, inst)
        funds_nav = vs.read("fund_nav")
        # Every fixed-income fund first (conservative levels need them), then the longest other histories.
        types = vs.read("funds").select("code", "fund_type")
        lengths = funds_nav.group_by("code").agg(pl.len().alias("n")).filter(pl.col("n") >= 250)
        ranked = (
            lengths.join(types, on="code", how="left")
            .with_columns(pl.col("fund_type").fill_null("").str.contains("债|货币").alias("fixed_income"))
            .sort(["fixed_income", "n", "code"], descending=[True, True, False])
        )
        nav_codes = ranked.head(N_FUNDS_NAV)["code"].to_list()
        etf_codes = sorted(set(bars["code"].to_list()) - set(stock_bars["code"].to_list()))
        st_bars = _st_history_bars(args.shared, tmp, bars)
        st_codes = sorted(set(st_bars["code"].to_list()))
        stocks = sorted(set(stocks) | set(st_codes))
        keep_bars = stocks + etf_codes
        tables = {
            "instruments": inst.filter(pl.col("code").is_in(keep_bars + INDEXES)),
            "daily_bars": pl.concat([bars.filter(pl.col("code").is_in(keep_bars)), st_bars]).sort("code", "date"),
            "index_bars": vs.read("index_bars").filter(pl.col("code").is_in(INDEXES)),
            "fundamentals": vs.read("fundamentals").filter(pl.col("code").is_in(stocks)),
            "funds": vs.read("funds").filter(pl.col("code").is_in(nav_codes + etf_codes)),
            "fund_nav": funds_nav.filter(pl.col("code").is_in(nav_codes)),
        }
        tables["capital_flow"] = _level2_capital_flow(args.shared)
        derived_nav, derived_funds = _fixed_income_etf_navs(bars, vs.read("funds"), inst)
        tables["fund_nav"] = pl.concat([tables["fund_nav"], derived_nav], how="diagonal_relaxed")
        tables["funds"] = pl.concat([tables["funds"], derived_funds], how="diagonal_relaxed").unique(
            "code", keep="first", maintain_order=True
        )
        args.out.mkdir(parents=True, exist_ok=True)
        for name, frame in tables.items():
            frame.write_parquet(args.out / f"{name}.parquet", compression="zstd", compression_level=19)
            print(f"{name:14s} {frame.height:>8,} rows")
        industry = industry_tables(args.shared, stocks)
        for name, frame in industry.items():
            frame.write_parquet(args.out / f"{name}.parquet", compression="zstd", compression_level=19)
        _write_provenance(args.out, tables, stocks, etf_codes, nav_codes)
        _write_industry_provenance(args.out, industry)
        build_news_slice(args.shared, args.out)  # real news, tagged against the instruments just written
        total = sum(p.stat().st_size for p in args.out.glob("*.parquet"))
        print(
            f"sample: {len(stocks)} stocks, {len(etf_codes)} ETFs, {len(nav_codes)} fund NAV series, "
            f"{total / 1e6:.1f} MB"
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

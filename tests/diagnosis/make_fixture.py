"""Build the diagnosis test fixture (and optionally fill a dev store) from the real data in /work/shared/data.

The market-data importers for instruments, index bars and fundamentals are not in the store yet, so this script
maps the raw public files to the store's tables itself (verbatim values, renamed columns; nothing synthesised):

* instruments: names from abu_2017 ``stock_code_CN.csv.gz`` (GPL-3.0 data) or the JQ stock master, industries
  from East Money ``industry.csv`` (2026 classification — applied to every date, a known simplification);
* index_bars: BaoStock ``sh000300.csv`` (CSI 300);
* fundamentals: BaoStock quarterly profit + growth (announce date = ``pubDate``);
* daily_bars: read back from a store that imported ``csi300_baostock_raw_2020_2025`` with ``tandem data import``.

Usage::

    python tests/diagnosis/make_fixture.py --from-store /tmp/x-home/market          # writes tests/diagnosis/data
    python tests/diagnosis/make_fixture.py --from-store /tmp/x-home/market --fill-store   # adds reference tables
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

DATA = Path("/work/shared/data")
OUT = Path(__file__).parent / "data"
# A liquor leader and its peer, banks, ChiNext growth, STAR, and stocks with recent limit-down days.
FIXTURE_CODES = (
    "600519.SH",
    "000858.SZ",
    "000568.SZ",
    "600036.SH",
    "601398.SH",
    "000001.SZ",
    "300750.SZ",
    "300059.SZ",
    "688981.SH",
    "688111.SH",
    "600276.SH",
    "601127.SH",
    "000625.SZ",
    "601878.SH",
)
_PROFIT = {
    "roeAvg": "roe_avg",
    "npMargin": "np_margin",
    "gpMargin": "gp_margin",
    "netProfit": "net_profit",
    "epsTTM": "eps_ttm",
    "MBRevenue": "revenue",
    "totalShare": "total_share",
    "liqaShare": "liq_share",
}
_GROWTH = {
    "YOYEquity": "yoy_equity",
    "YOYAsset": "yoy_asset",
    "YOYNI": "yoy_ni",
    "YOYEPSBasic": "yoy_eps",
    "YOYPNI": "yoy_pni",
}


def _code(col: str) -> pl.Expr:
    raw = pl.col(col).str.strip_chars()
    return raw.str.slice(3) + "." + raw.str.slice(0, 2).str.to_uppercase()


def fundamentals() -> pl.DataFrame:
    """BaoStock quarterly profit and growth tables in the store's long format."""
    frames = []
    for name, mapping in (("profit_data", _PROFIT), ("growth_data", _GROWTH)):
        raw = pl.read_csv(DATA / f"fundamentals/baostock_quarterly_2013_2023/{name}.csv.gz", infer_schema_length=0)
        long = raw.unpivot(index=["code", "pubDate", "statDate"], on=list(mapping), variable_name="f", value_name="v")
        frames.append(
            long.filter(pl.col("v").is_not_null() & (pl.col("v") != "")).select(
                _code("code").alias("code"),
                pl.col("statDate").str.to_date().alias("report_period"),
                pl.col("pubDate").str.to_date().alias("announce_date"),
                pl.col("f").replace_strict(mapping).alias("field"),
                pl.col("v").cast(pl.Float64).alias("value"),
                pl.lit(f"baostock:{name}").alias("source"),
            )
        )
    return pl.concat(frames)


def index_bars() -> pl.DataFrame:
    """CSI 300 daily bars (BaoStock)."""
    raw = pl.read_csv(DATA / "index/baostock_csindex_2005_2026/sh000300.csv")
    return raw.select(
        pl.lit("000300.SH").alias("code"),
        pl.col("date").str.to_date(),
        *(pl.col(c).cast(pl.Float64) for c in ("open", "high", "low", "close", "volume", "amount")),
        pl.lit("baostock:sh000300").alias("source"),
    )


def instruments(codes: list[str]) -> pl.DataFrame:
    """Names and industries for ``codes`` (abu 2017 / JQ master names, East Money industries)."""
    abu = pl.read_csv(DATA / "instruments/abu_2017/stock_code_CN.csv.gz", infer_schema_length=0)
    abu = abu.filter(pl.col("market").is_in(["SH", "SZ"])).select(
        (pl.col("symbol") + "." + pl.col("market")).alias("code"), pl.col("co_name").alias("name")
    )
    jq = pl.read_csv(DATA / "instruments/jq_stock_master_lfql/stock_master.csv", infer_schema_length=0)
    jq = jq.rename({jq.columns[0]: "code"}).select(
        pl.col("code").str.replace(".XSHG", ".SH", literal=True).str.replace(".XSHE", ".SZ", literal=True),
        pl.col("display_name").alias("name"),
        pl.col("list_date").str.to_date(),
    )
    em = pl.read_csv(DATA / "instruments/eastmoney_industry_csi500_2026/industry.csv", infer_schema_length=0)
    em = em.unique("stock_code", keep="first")
    base = pl.DataFrame({"code": codes})
    out = (
        base.join(abu.unique("code"), on="code", how="left")
        .join(jq.unique("code").rename({"name": "jq_name"}), on="code", how="left")
        .with_columns(pl.col("code").str.slice(0, 6).alias("num"))
        .join(em.rename({"stock_code": "num"}), on="num", how="left")
    )
    return out.select(
        "code",
        pl.coalesce("name", "jq_name").alias("name"),
        pl.lit("stock").alias("kind"),
        pl.col("code").str.slice(7).alias("exchange"),
        pl.lit(None, pl.String).alias("board"),
        pl.col("list_date"),
        pl.lit(None, pl.Date).alias("delist_date"),
        pl.col("industry"),
        pl.lit(None, pl.String).alias("initials"),
        pl.lit("abu2017+jq+eastmoney2026").alias("source"),
    )


def main() -> None:
    """Write the fixture Parquet files, and with ``--fill-store`` upsert the reference tables into the store."""
    from tandem.marketdata.store import MarketStore

    ap = argparse.ArgumentParser()
    ap.add_argument("--from-store", type=Path, required=True)
    ap.add_argument("--fill-store", action="store_true")
    args = ap.parse_args()
    store = MarketStore.open(args.from_store)
    all_codes = store.instruments(kind="stock")["code"].tolist()
    if args.fill_store:
        with store.versioned.transaction() as tx:
            tx.upsert("instruments", instruments(all_codes))
            tx.upsert("index_bars", index_bars())
            tx.upsert("fundamentals", fundamentals().filter(pl.col("code").is_in(all_codes)))
        return
    OUT.mkdir(exist_ok=True)
    bars = store.versioned.read("daily_bars").filter(pl.col("code").is_in(FIXTURE_CODES))
    bars.write_parquet(OUT / "daily_bars.parquet", compression="zstd")
    instruments(list(FIXTURE_CODES)).write_parquet(OUT / "instruments.parquet")
    index_bars().filter(pl.col("date") >= pl.date(2015, 1, 1)).write_parquet(OUT / "index_bars.parquet")
    fundamentals().filter(pl.col("code").is_in(FIXTURE_CODES)).write_parquet(
        OUT / "fundamentals.parquet", compression="zstd"
    )


if __name__ == "__main__":
    main()

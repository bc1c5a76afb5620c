"""One test per importer family, on small real fixtures cut from /work/shared/data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from tandem.marketdata.importing import import_paths
from tandem.marketdata.versioned import VersionedStore

DATA = Path(__file__).parent / "data"


def _import(tmp_path: Path, *rel: str) -> tuple[VersionedStore, object]:
    report = import_paths(tmp_path / "store", [DATA / r for r in rel], reports_dir=tmp_path / "reports")
    return VersionedStore(tmp_path / "store"), report


def test_raw_daily_bars_and_resumed_listing(tmp_path: Path) -> None:
    store, report = _import(tmp_path, "daily/csi300_baostock_raw_2020_2025")
    bars = store.read("daily_bars")
    assert set(bars["code"].unique()) == {"600519.SH", "000792.SZ"}
    first = bars.filter((pl.col("code") == "600519.SH") & (pl.col("date") == dt.date(2020, 1, 2)))
    assert first["close"][0] == pytest.approx(1130.0)
    # 000792.SZ resumed listing on 2021-08-10 after a year-long suspension: +306% is real and no limit applies
    resumed = bars.filter((pl.col("code") == "000792.SZ") & (pl.col("date") == dt.date(2021, 8, 10)))
    assert resumed["close"][0] == pytest.approx(35.90)
    assert not [p for p in report.problems if "limit" in p.message]


def test_vendor_adjusted_hfq_and_qfq(tmp_path: Path) -> None:
    store, _ = _import(tmp_path, "daily/hfq_baostock_2012_2023_subset40", "daily/qfq_baostock_5stocks_to_2026")
    adj = store.read("vendor_adjusted_bars")
    assert set(adj["adjust"].unique()) == {"hfq", "qfq"}
    qfq = adj.filter(pl.col("adjust") == "qfq")
    assert qfq["code"].unique().to_list() == ["600519.SH"]  # code from the file name sh600519.csv
    assert qfq.sort("date")["date"][0] == dt.date(2001, 8, 27)


def test_index_bars_all_sources(tmp_path: Path) -> None:
    store, report = _import(tmp_path, "index")
    idx = store.read("index_bars")
    assert {"000300.SH", "H00300.CSI", "000852.SH", "000905.SH"} <= set(idx["code"].unique())
    tr = idx.filter(pl.col("code") == "H00300.CSI")
    assert tr["open"].null_count() == tr.height  # close-only file: nothing invented
    assert dt.date(2018, 6, 18) not in tr["date"].to_list()
    assert "h00300.csv:11: date: not an XSHG trading day" in [str(p) for p in report.problems]
    jq = idx.filter((pl.col("code") == "000852.SH") & (pl.col("date") == dt.date(2020, 1, 2)))
    assert jq["amount"][0] == pytest.approx(176874948018.9)  # JoinQuant "money"
    members = store.read("index_membership")
    first = members.filter(pl.col("date") == dt.date(2013, 9, 18)).filter(pl.col("code") == "000527.SZ")
    assert first["action"].to_list() == ["out"] and first["index_code"][0] == "000300.SH"


def test_instruments_patch_across_sources(tmp_path: Path) -> None:
    store, report = _import(tmp_path, "instruments")
    ins = store.read("instruments")
    mt = ins.filter(pl.col("code") == "600519.SH").row(0, named=True)
    assert mt["name"] == "贵州茅台" and mt["initials"] == "GZMT" and mt["board"] == "SSE_MAIN"
    assert mt["industry"]  # from East Money (newest vintage) or abu, never '-'
    assert "-" not in ins["industry"].drop_nulls().to_list()
    idx = ins.filter(pl.col("code") == "399101.SZ")
    assert idx["kind"][0] == "index" and idx["board"][0] == "INDEX"
    assert ins.filter(pl.col("code") == "204028.SH").height == 0  # repos are not instruments
    jq = ins.filter(pl.col("code") == "000006.SZ").row(0, named=True)
    assert jq["list_date"] == dt.date(1992, 4, 27) and jq["delist_date"] is None
    assert any("calendar.csv" in s for s in report.skipped)
    assert store.read("index_membership").filter(pl.col("action") == "member").height == 11


def test_abu_multiline_records_keep_their_line_numbers(tmp_path: Path) -> None:
    from tandem.marketdata.csvio import parse_quoted

    frame = parse_quoted(DATA / "instruments/abu_2017/stock_code_CN.csv").frame
    text = (DATA / "instruments/abu_2017/stock_code_CN.csv").read_text().split("\n")
    for line, symbol in frame.select("_line", "symbol").iter_rows():
        assert symbol in text[line - 1]


def test_fundamentals_point_in_time(tmp_path: Path) -> None:
    store, report = _import(tmp_path, "fundamentals")
    f = store.read("fundamentals")
    bs = f.filter((pl.col("source") == "baostock") & (pl.col("code") == "600000.SH"))
    row = bs.filter((pl.col("field") == "net_profit") & (pl.col("report_period") == dt.date(2013, 3, 31)))
    assert row["value"][0] == pytest.approx(8951000000.0) and row["announce_date"][0] == dt.date(2013, 4, 27)
    assert (f["announce_date"] >= f["report_period"]).all() or f.filter(
        pl.col("announce_date") < pl.col("report_period")
    )["field"].str.starts_with("forecast").all()
    ts = f.filter(pl.col("source") == "tushare_sina:report")
    assert ts.height > 0 and (ts["report_period"] == dt.date(2015, 12, 31)).all()
    # the 08-23 row under 2015Q4 belongs to a later period: reported and left out
    assert any("probably belongs to a later period" in p.message for p in report.problems)
    profit = f.filter((pl.col("source") == "tushare_sina:profit") & (pl.col("field") == "revenue"))
    assert profit.height > 0 and profit["value"].min() > 1e5  # 百万元 → CNY
    assert f.filter(pl.col("field") == "debt_ratio").height > 0
    assert f.filter(pl.col("field") == "forecast_change_low").height > 0


def test_funds_and_navs(tmp_path: Path) -> None:
    store, report = _import(tmp_path, "funds")
    funds = store.read("funds")
    assert funds.filter(pl.col("code") == "110011")["fund_type"][0]
    nav = store.read("fund_nav")
    zo = nav.filter(pl.col("code") == "001938")  # 中欧时代先锋A.csv resolved through the fund list
    assert zo.height == 19
    assert nav.filter(pl.col("code") == "110011").sort("date")["daily_return"][-1] == pytest.approx(0.0225)
    spider = nav.filter(pl.col("source").str.starts_with("eastmoney-spider"))
    assert spider.height == 17 and spider["daily_return"].null_count() > 0  # 封闭期 rows: NAV, no return
    bars = store.read("daily_bars").filter(pl.col("code") == "159915.SZ")
    assert bars["date"].min() == dt.date(2011, 12, 9)
    placeholders = [p for p in report.problems if "placeholder row before trading started" in p.message]
    assert placeholders and all(p.file == "159915.SZ.csv" for p in placeholders)
    idx = store.read("index_bars").filter(pl.col("code") == "000300.SH")
    assert idx.sort("date")["close"][-1] == pytest.approx(5458.0812)
    series = store.read("series")
    assert {"000300.SH_pe_ttm", "NASDAQ_COMP", "NASDAQ_COMP_volume"} <= set(series["series"].unique())
    nq = series.filter((pl.col("series") == "NASDAQ_COMP") & (pl.col("date") == dt.date(2021, 1, 20)))
    assert nq["value"][0] == pytest.approx(13423.44)
    vol = series.filter((pl.col("series") == "NASDAQ_COMP_volume") & (pl.col("date") == dt.date(2021, 1, 20)))
    assert vol["value"][0] == pytest.approx(357.32e6)


def test_minute_bars_and_skips(tmp_path: Path) -> None:
    store, report = _import(tmp_path, "intraday", "level2")
    m = store.read("minute_bars")
    assert set(m["code"].unique()) == {"000001.SH", "000001.SZ"}
    first = m.filter(pl.col("code") == "000001.SZ").sort("ts").row(0, named=True)
    assert first["ts"] == dt.datetime(2018, 1, 2, 9, 31) and first["amount"] == pytest.approx(26785576.72)
    assert any("Level-2 files are read by `tandem l2` (see level2/)" in s for s in report.skipped)
    assert any("trades.csv" in s and "tick data" in s for s in report.skipped)

"""Vendor layouts of the same real trades (600519.SH, 2023-02-01 to 09:50, see fixtures/make_layout_fixtures.py).

The exchange-native rows and their DolphinDB and HTSC Insight rewrites must give the same events and the same
capital flow; an unknown header is refused with the header and every layout's columns; an explicit layout and
column mapping read a renamed file; a file that ends before the close is read with a warning naming its last time.
"""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tandem.cli.main import main
from tandem.core.errors import UserError
from tandem.level2.flow import capital_flow
from tandem.level2.readers import coverage_warnings, read_events
from tandem.level2.schema import EventBatch
from tandem.level2.sources import LayoutChoice, csv_members
from tandem.level2.thresholds import threshold_set

DDB = "dolphindb_600519_20230201_trades.zip"
INSIGHT = "insight_600519_20230201_trades.zip"


@pytest.fixture(scope="module")
def native_trades(fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The exchange-native trade.csv of the 600519 fixture on its own (the zip also holds orders)."""
    out = tmp_path_factory.mktemp("native") / "trade_20230201.csv"
    with zipfile.ZipFile(fixtures / "sse_600519_20230201_0950.zip") as zf:
        out.write_bytes(zf.read("20230201/trade.csv"))
    return out


def _ddb_frame(fixtures: Path) -> pd.DataFrame:
    with zipfile.ZipFile(fixtures / DDB) as zf:
        return pd.read_csv(io.BytesIO(zf.read("ticksh.csv")), dtype=str)


def _same_events(a: EventBatch, b: EventBatch) -> None:
    assert a.code == b.code and a.rules == b.rules and a.date == b.date
    for field in ("channel", "seq", "time_ms", "kind", "side", "price", "qty", "buy_no", "sell_no"):
        np.testing.assert_array_equal(getattr(a, field), getattr(b, field), err_msg=field)


def test_dolphindb_and_insight_layouts_read_like_the_native_file(fixtures: Path, native_trades: Path) -> None:
    native = read_events([native_trades])["600519.SH"]
    ddb = read_events([fixtures / DDB])["600519.SH"]
    insight = read_events([fixtures / INSIGHT])["600519.SH"]
    assert [t.fmt for t in csv_members(fixtures / DDB)] == ["dolphindb_trades"]
    assert len(native) == len(ddb) > 2000
    _same_events(native, ddb)
    np.testing.assert_array_equal(native.side, insight.side)
    np.testing.assert_array_equal(native.price, insight.price)
    ts = threshold_set("eastmoney")
    flows = [capital_flow(e, ts).daily["net_amount"].to_numpy() for e in (native, ddb, insight)]
    np.testing.assert_allclose(flows[0], flows[1])
    np.testing.assert_allclose(flows[0], flows[2])


def test_an_unknown_header_is_refused_with_the_header_and_each_layouts_columns(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "renamed.csv"
    _ddb_frame(fixtures).rename(columns={"TradePrice": "Price"}).to_csv(path, index=False)
    with pytest.raises(UserError) as err:
        read_events([path])
    msg = str(err.value)
    assert "no recognised Level-2 table" in msg
    assert "header found: SecurityID, TradeTime, Price, TradeQty" in msg
    assert "dolphindb_trades — DolphinDB SSE trade table" in msg and "(missing: TradePrice)" in msg
    for layout in ("sse_trades", "insight_trades", "mixed_trades", "simple_trades", "sse_orders"):
        assert f"  {layout} — " in msg
    assert "--layout" in msg and "--columns" in msg


def test_a_column_mapping_reads_the_renamed_file(fixtures: Path, native_trades: Path, tmp_path: Path) -> None:
    path = tmp_path / "renamed.csv"
    _ddb_frame(fixtures).rename(columns={"TradePrice": "Price", "BizIndex": "Seq"}).to_csv(path, index=False)
    choice = LayoutChoice.parse("dolphindb_trades", "TradePrice=Price,BizIndex=Seq")
    _same_events(read_events([native_trades])["600519.SH"], read_events([path], choice=choice)["600519.SH"])


def test_a_forced_layout_names_the_columns_it_lacks(fixtures: Path, tmp_path: Path) -> None:
    path = tmp_path / "renamed.csv"
    _ddb_frame(fixtures).rename(columns={"TradePrice": "Price"}).to_csv(path, index=False)
    with pytest.raises(UserError, match=r"--layout dolphindb_trades needs columns \['TradePrice'\]"):
        read_events([path], choice=LayoutChoice.parse("dolphindb_trades", None))
    with pytest.raises(
        UserError, match="is not a known layout here; use one of sse_orders, sse_trades, dolphindb_trades"
    ):
        LayoutChoice.parse("ddb", None)
    with pytest.raises(UserError, match="write LAYOUT_COLUMN=FILE_COLUMN"):
        LayoutChoice.parse(None, "TradePrice")


def test_a_part_day_file_is_processed_with_a_warning_naming_the_last_time(fixtures: Path) -> None:
    events = read_events([fixtures / DDB])
    last = pd.read_csv(io.BytesIO(zipfile.ZipFile(fixtures / DDB).read("ticksh.csv")))["TradeTime"].max()
    (warning,) = coverage_warnings(events)
    assert warning.startswith("600519.SH 20230201: the files cover only part of the day")
    assert f"last event at {last[-12:]}" in warning


def test_cli_flow_with_layout_and_columns_and_the_part_day_warning(
    fixtures: Path, native_trades: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:  # fmt: skip
    path = tmp_path / "renamed.csv"
    _ddb_frame(fixtures).rename(columns={"TradePrice": "Price"}).to_csv(path, index=False)

    def flow(*args: str) -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "argv", ["tandem", "l2", "flow", *args, "--format", "json"])
        code = 0
        try:
            main()
        except SystemExit as exc:
            code = int(exc.code or 0)
        out = capsys.readouterr()
        return code, out.out, out.err

    code, out, err = flow(str(path))
    assert code == 2 and "header found: SecurityID, TradeTime, Price" in err
    code, out, err = flow(str(path), "--layout", "dolphindb_trades", "--columns", "TradePrice=Price")
    assert code == 0, err
    assert "warning: 600519.SH 20230201: the files cover only part of the day — last event at 09:4" in err
    code, native_out, _ = flow(str(native_trades))
    assert json.loads(out)["main_net_amount"] == json.loads(native_out)["main_net_amount"]

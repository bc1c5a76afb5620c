"""A directory of days × stocks: decoded per file on a runner, merged per stock-day, flow and book from the CLI."""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from tandem.cli.main import main
from tandem.compute import LocalPoolRunner, SerialRunner
from tandem.level2.days import flow_days, level2_files, read_days
from tandem.level2.flow import capital_flow
from tandem.level2.readers import read_events, read_table
from tandem.level2.schema import EVENT_COLUMNS, TRADE, EventBatch
from tandem.level2.thresholds import threshold_set

LAYOUT = {
    "20230201/sse_600519_20230201_0950.zip": "sse_600519_20230201_0950.zip",
    "20230711/orders/insight_601825_orders.zip": "insight_601825_orders.zip",
    "20230711/trades/insight_601825_trades.zip": "insight_601825_trades.zip",
    "20230201/szse_000001_trades_head.zip": "szse_000001_trades_head.zip",
    "20200102/simple_600000_20200102_head.zip": "simple_600000_20200102_head.zip",
    "20211201/mdl_snapshots_head.zip": "mdl_snapshots_head.zip",  # snapshots only: skipped, counted
}


@pytest.fixture(scope="module")
def day_dir(fixtures: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("days")
    for rel, name in LAYOUT.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fixtures / name, root / rel)
    return root


def _same(a: EventBatch, b: EventBatch) -> None:
    assert (a.code, a.rules, a.date) == (b.code, b.rules, b.date)
    for name in EVENT_COLUMNS:
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name), err_msg=name)


def test_directory_read_equals_reading_the_files_with_the_reference_reader(day_dir: Path) -> None:
    files = level2_files([day_dir])
    assert len(files) == len(LAYOUT)
    read = read_days([day_dir], SerialRunner())
    reference = read_events(files, reader=read_table)
    assert sorted(read.days) == sorted((code, b.date) for code, b in reference.items())
    for (code, _), batch in read.days.items():
        _same(batch, reference[code])
    assert [p.name for p in read.skipped] == ["mdl_snapshots_head.zip"] and read.files == len(LAYOUT)


def test_worker_processes_give_the_serial_result_and_report_progress(day_dir: Path) -> None:
    seen: list[tuple[int, int]] = []
    with LocalPoolRunner(2, start_method="fork") as runner:
        pooled = read_days([day_dir], runner, trades_only=True, progress=lambda d, t: seen.append((d, t)))
    serial = read_days([day_dir], SerialRunner())
    assert seen and seen[-1] == (len(LAYOUT), len(LAYOUT))
    ts = threshold_set("eastmoney")
    for key, batch in pooled.days.items():
        assert np.all(batch.kind == TRADE)
        full = serial.days[key]
        np.testing.assert_array_equal(batch.seq, full.seq[full.kind == TRADE])
        np.testing.assert_array_equal(
            flow_days({key: batch}, ts)[key].daily["net_amount"], capital_flow(full, ts).daily["net_amount"]
        )


def _run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setenv("TANDEM_COMPUTE_WORKERS", "1")
    monkeypatch.setattr(sys, "argv", ["tandem", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def test_cli_flow_over_a_directory_prints_every_stock_days_daily_rows(
    day_dir: Path, fixtures: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(monkeypatch, capsys, "l2", "flow", str(day_dir), "--format", "csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert {r["code"] for r in rows} == {"600519.SH", "601825.SH", "000001.SZ", "600000.SH"} and len(rows) == 16
    ts = threshold_set("eastmoney")
    one = capital_flow(read_events([fixtures / "szse_000001_trades_head.zip"])["000001.SZ"], ts).daily
    got = [float(r["net_amount"]) for r in rows if r["code"] == "000001.SZ"]
    np.testing.assert_allclose(got, one["net_amount"].to_numpy(), rtol=0, atol=0.005)
    assert "the files cover only part of the day" in err
    code, out, _ = _run(monkeypatch, capsys, "l2", "flow", str(day_dir), "--code", "601825")
    assert code == 0 and "601825.SH 2023-07-11" in out and "600519" not in out


def test_cli_book_over_a_directory_rebuilds_every_stock_day(
    day_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(monkeypatch, capsys, "l2", "book", str(day_dir), "--format", "json")
    assert code == 0, err
    rows = {r["code"]: r for r in json.loads(out)}
    assert rows["600519.SH"]["events"] == 8233 + 3512 and rows["601825.SH"]["orders"] == 2500
    assert rows["600519.SH"]["snapshot_match_rate"] is None
    args = ("l2", "book", str(day_dir), "--check-snapshots", str(day_dir), "--format", "json")
    code, out, err = _run(monkeypatch, capsys, *args)
    assert code == 0, err
    checked = {r["code"]: r["snapshot_match_rate"] for r in json.loads(out)}
    z = day_dir / "20230201" / "sse_600519_20230201_0950.zip"
    code, single, _ = _run(
        monkeypatch, capsys, "l2", "book", str(z), str(z), "--check-snapshots", str(z), "--format", "json"
    )
    assert checked["600519.SH"] == json.loads(single)["match_rate"] > 0.99
    assert checked["000001.SZ"] is None  # no snapshots of it in the directory


def test_one_bad_file_stops_the_directory_run_with_its_line_and_prints_nothing(
    day_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_dir = tmp_path / "days"
    shutil.copytree(day_dir, bad_dir)
    bad = bad_dir / "20200102" / "20200102_SH_trade.csv"
    bad.write_text("SecurityID,Market,TradeTime,TradePrice,TradeQty,TradeAmount,BuyNum,SellNum\n"
                   "600000,XSHG,2020.01.02T09:30:00.000,12.48,2000,24960,161622,26852\n"
                   "600000,XSHG,2020.01.02T09:30:00.000,12.4?,271,3379.37,132062,161903\n")  # fmt: skip
    code, out, err = _run(monkeypatch, capsys, "l2", "flow", str(bad_dir))
    assert code == 2 and out == ""
    assert "20200102_SH_trade.csv:3: TradePrice: '12.4?' is not a decimal price" in err

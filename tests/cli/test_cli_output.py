"""Honest CLI output (issue 20): screen days named, empty-store hint, integer counts, CJK columns aligned."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from rich.cells import cell_len

from tandem.cli.display import COUNT_METRICS, count_metrics, metric_text, pad
from tandem.cli.main import main
from tandem.marketdata.store import MarketStore

ROOT = Path(__file__).resolve().parents[2]
L2_ZIP = ROOT / "tests" / "level2" / "fixtures" / "sse_600519_20230201_0950.zip"


def run(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["tandem", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def sample_home(sample_store: MarketStore, monkeypatch: pytest.MonkeyPatch) -> Path:
    """TANDEM_HOME over the session's sample store (read-only use)."""
    home = Path(sample_store.root).parent
    monkeypatch.setenv("TANDEM_HOME", str(home))
    monkeypatch.setenv("COLUMNS", "200")
    return home


@pytest.mark.parametrize(
    ("day", "named"),
    [
        ("2022-12-31", ["2022-12-30", "2023-01-03", "not a trading day"]),  # a Saturday
        ("2022-10-03", ["2022-09-30", "2022-10-10", "not a trading day"]),  # National Day holiday
        ("2030-01-01", ["after the data", "2025-04-07"]),
        ("1999-01-04", ["before the data"]),
    ],
)
def test_screen_on_a_day_without_a_session_exits_2_naming_the_nearest(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], day: str, named: list[str]
) -> None:
    code, out, err = run(monkeypatch, capsys, "screen", "close > 100", "--date", day)
    assert code == 2 and out == ""
    assert err.startswith("error: --date ") and all(n in err for n in named), err


def test_screen_on_a_session_still_runs(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(monkeypatch, capsys, "screen", "close > 100", "--date", "2022-12-30", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["date"] == "2022-12-30" and data["count"] > 0


def test_data_info_on_an_empty_store_says_how_to_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TANDEM_HOME", str(tmp_path / "empty"))
    code, out, _ = run(monkeypatch, capsys, "data", "info")
    assert code == 0
    hint = out.strip().splitlines()[-1]
    assert hint.endswith(f"tandem data import {ROOT / 'src' / 'tandem' / 'sample_data'}")
    assert "bars" in out and ".0" not in out
    code, _, err = run(monkeypatch, capsys, "screen", "close > 1")
    assert code == 2 and "tandem data import" in err


def test_data_info_counts_are_integers(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(monkeypatch, capsys, "data", "info")
    assert code == 0
    bars = next(line for line in out.splitlines() if " bars " in line)
    assert bars.split("│")[2].strip().replace(",", "").isdigit()


def test_backtest_counts_print_as_integers(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    args = [
        "backtest",
        str(ROOT / "examples" / "dual_moving_average.py"),
        "--start",
        "2022-01-04",
        "--end",
        "2022-06-30",
    ]
    code, out, err = run(monkeypatch, capsys, *args)
    assert code == 0, err
    rows = {line.split("│")[1].strip(): line.split("│")[2].strip() for line in out.splitlines() if line.count("│") == 3}
    assert rows["trades"].replace(",", "").isdigit() and int(rows["trades"].replace(",", "")) > 0
    assert "." in rows["sharpe"]
    code, out, err = run(monkeypatch, capsys, *args, "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert all(isinstance(data["metrics"][k], int) for k in COUNT_METRICS if data["metrics"][k] is not None)
    assert all(isinstance(t["qty"], int) for t in data["trades"])


def test_count_helpers() -> None:
    assert count_metrics({"trades": 259.0, "sharpe": 1.0}) == {"trades": 259, "sharpe": 1.0}
    assert metric_text("trades", 1259.0) == "1,259" and metric_text("sharpe", 1.0) == "1.0000"
    assert metric_text("alpha", None) == "—"


def test_pad_counts_terminal_cells() -> None:
    assert cell_len(pad("大单", 6)) == 6 and pad("大单", 6) == "大单  "
    assert pad("ab", 4, ">") == "  ab" and pad("超大单", 2) == "超大单"


def _cells_before(line: str, marker: str) -> int:
    return cell_len(line[: line.index(marker)])


def test_l2_flow_columns_line_up(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(monkeypatch, capsys, "l2", "flow", str(L2_ZIP))
    assert code == 0
    lines = [x for x in out.splitlines() if "流入" in x]
    assert len(lines) == 4
    for marker in ("流入", "流出", "净额"):
        assert len({_cells_before(x, marker) for x in lines}) == 1, marker


def test_wealth_plan_columns_line_up(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(monkeypatch, capsys, "wealth", "plan", "--level", "C3", "--amount", "100000")
    assert code == 0, err
    lines = [x for x in out.splitlines() if "%" in x and "¥" in x]
    assert len(lines) >= 3
    assert len({_cells_before(x, " R") for x in lines}) == 1
    assert len({_cells_before(x, "¥") for x in lines}) == 1


def test_wealth_plan_c2_100000_builds_from_the_store(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Issue 11 item 2: `tandem wealth plan --level C2 --amount 100000` succeeds; holdings show channel and minimum."""
    code, out, err = run(monkeypatch, capsys, "wealth", "plan", "--level", "C2", "--amount", "100000")
    assert code == 0, err
    rows = [x for x in out.splitlines() if "%" in x and "¥" in x]
    assert rows and all(("场内" in x) != ("场外" in x) and "份" in x and "起购 ¥" in x for x in rows)
    assert "起购依据 一手: 场内一手（100份）× 最新收盘价" in out
    assert len({_cells_before(x, "起购") for x in rows}) == 1


@pytest.mark.parametrize("level", ["C3", "C4", "C5"])
def test_wealth_plan_from_1000_json(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], level: str
) -> None:
    code, out, err = run(
        monkeypatch, capsys, "wealth", "plan", "--level", level, "--amount", "1000", "--format", "json"
    )
    assert code == 0, err
    plan = json.loads(out)
    fen = round(plan["cash_residual"] * 100) + sum(round(h["amount"] * 100) for h in plan["holdings"])
    assert fen == 100_000
    for h in plan["holdings"]:
        assert h["channel"] == "otc" and h["amount"] >= h["min_purchase"] and h["units"] > 0
        assert h["min_purchase_source"] == "default" and h["lots"] is None


def test_wealth_plan_c1_at_1000_names_the_exact_minimum(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(monkeypatch, capsys, "wealth", "plan", "--level", "C1", "--amount", "1000")
    assert code == 2 and out == ""
    assert "one lot of 100 units on the exchange" in err and "this plan needs at least ¥17,774" in err


def test_wealth_plan_uses_the_fund_master(
    sample_home: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    master = tmp_path / "fund_basic.csv"
    master.write_text("ts_code,min_amount\n217011.OF,0.1\nXX.OF,0.1\n", encoding="utf-8")  # ¥1,000 (0.1 万元)
    code, out, err = run(
        monkeypatch, capsys, "wealth", "plan", "--level", "C3", "--amount", "100000", "--format", "json",
        "--fund-master", str(master),
    )  # fmt: skip
    assert code == 0, err
    row = next(h for h in json.loads(out)["holdings"] if h["code"] == "217011")
    assert row["min_purchase"] == 1000.0 and row["min_purchase_source"] == "fund_master"
    assert "fund_basic.csv:3: ts_code: 'XX.OF' is not a six-digit fund code (row left out)" in err

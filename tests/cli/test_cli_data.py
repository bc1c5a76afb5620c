"""The issue-2 CLI contract, run as a user would: a real ``tandem`` process against a temp data home."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "tandem" / "sample_data"
GOOD_ROWS = """date,code,open,high,low,close,preclose,volume,amount,adjustflag,turn,tradestatus,pctChg,isST
2024-01-02,sh.600519,1715.00,1718.19,1678.10,1685.01,1726.00,3215644,5440082621.0,3,0.26,1,-2.37,0
2024-01-03,sh.600519,1681.11,1695.22,1676.33,1694.00,1685.01,2022929,3411399155.0,3,0.16,1,0.53,0
"""


def tandem(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TANDEM_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "tandem.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    h = tmp_path_factory.mktemp("cli-home")
    r = tandem(h, "data", "import", str(SAMPLE))
    assert r.returncode == 0, r.stderr
    return h


def test_info_json_has_the_contract_keys(home: Path) -> None:
    r = tandem(home, "data", "info", "--format", "json")
    assert r.returncode == 0, r.stderr
    info = json.loads(r.stdout)
    assert {"instruments", "bars", "first_date", "last_date"} <= info.keys()
    assert info["bars"] > 100_000 and info["first_date"] <= "2020-01-02" <= info["last_date"]


def test_quote_json_and_adjustment(home: Path) -> None:
    raw = json.loads(tandem(home, "quote", "600519.SH", "--format", "json").stdout)
    qfq = json.loads(tandem(home, "quote", "600519", "--adjust", "qfq", "--format", "json").stdout)
    assert raw["code"] == qfq["code"] == "600519.SH"
    assert raw["close"] == pytest.approx(qfq["close"])  # qfq is anchored at the last day
    assert raw["date"] == qfq["date"]


def test_unknown_code_exits_2_with_a_suggestion(home: Path) -> None:
    r = tandem(home, "quote", "60051.SH")
    assert r.returncode == 2
    assert "no instrument 60051.SH; did you mean 600519.SH" in r.stderr
    assert r.stdout == ""


def test_bad_option_exits_2(home: Path) -> None:
    r = tandem(home, "quote", "600519.SH", "--adjust", "forward")
    assert r.returncode == 2 and "--adjust must be qfq, hfq or none" in r.stderr


def test_corrupted_csv_strict_is_rejected_and_store_unchanged(home: Path, tmp_path: Path) -> None:
    before = (home / "market" / "CURRENT").read_text()
    bad = tmp_path / "sh.600519.csv"
    bad.write_bytes(
        GOOD_ROWS.encode()
        + b"2024-13-04,sh.600519,1690.0,1700.0,1680.0,1695.0,1694.0,100,1,3,0.1,1,0.1,0\n"
        + b"2024-01-05,sh.600519,-1690.0,1700.0,1680.0,1695.0,1694.0,100,1,3,0.1,1,0.1,0\n"
        + "2024-01-08,sh.600519,1690.0,1700.0,1680.0,1695.0,1694.0,100,1,3,0.1,1,0.1,0 贵州茅台\n".encode("gbk")
        + b"2024-01-09,sh.600519,1690.0,1700.0\n"
    )
    r = tandem(home, "data", "import", str(bad), "--strict")
    assert r.returncode == 2
    assert "sh.600519.csv:4: date: '2024-13-04' is not a date" in r.stderr
    assert "sh.600519.csv:5: open: '-1690.0' is not a positive price" in r.stderr
    assert "sh.600519.csv:6: encoding:" in r.stderr
    assert "sh.600519.csv:7: line: has 4 fields, expected 14" in r.stderr
    assert (home / "market" / "CURRENT").read_text() == before


def test_corrupted_csv_default_quarantines_and_imports_the_rest(tmp_path: Path) -> None:
    bad = tmp_path / "sh.600519.csv"
    bad.write_text(GOOD_ROWS + "2024-01-04,sh.600519,1690.0,1700.0,1680.0,1695.0,1694.0,-5,1,3,0.1,1,0.1,0\n")
    r = tandem(tmp_path / "h", "data", "import", str(bad))
    assert r.returncode == 0, r.stderr
    assert "2 rows loaded, 1 quarantined" in r.stdout.replace("\n", " ")
    again = tandem(tmp_path / "h", "data", "import", str(bad))
    assert "no change" in again.stdout
    q = json.loads(tandem(tmp_path / "h", "quote", "600519", "--format", "json", "--days", "10").stdout)
    assert [b["date"] for b in q["bars"]] == ["2024-01-02", "2024-01-03"]


def test_validate_rechecks_the_store(home: Path, tmp_path: Path) -> None:
    ok = tandem(home, "data", "validate", "--format", "json")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert json.loads(ok.stdout)["count"] == 0
    # A row written behind the importers' back (here: high below low) is caught by `data validate`.
    import datetime as dt

    import polars as pl

    from tandem.marketdata.versioned import VersionedStore

    bad_home = tmp_path / "bad"
    with VersionedStore(bad_home / "market").transaction() as tx:
        tx.upsert(
            "daily_bars",
            pl.DataFrame(
                {
                    "code": ["600519.SH"],
                    "date": [dt.date(2024, 1, 2)],
                    "open": [10.0],
                    "high": [9.0],
                    "low": [9.5],
                    "close": [9.8],
                    "preclose": [9.9],
                    "volume": [100.0],
                    "suspended": [False],
                    "is_st": [False],
                }
            ),
        )
    r = tandem(bad_home, "data", "validate")
    assert r.returncode == 1
    assert "daily_bars/600519.SH:1: high: high is below open/close/low" in r.stdout


def test_cli_quote_is_the_quote_the_web_shows(home: Path) -> None:
    from tandem.marketdata.quote import quote
    from tandem.marketdata.store import MarketStore

    out = json.loads(tandem(home, "quote", "sh.600519", "--adjust", "qfq", "--format", "json").stdout)
    q = quote(MarketStore.open(home / "market"), "600519.SH")  # the web's default series is qfq too
    assert (out["code"], out["date"], out["close"], out["preclose"]) == (
        q.code,
        q.date.isoformat(),
        q.close,
        q.preclose,
    )
    assert out["change_pct"] == round(q.change_pct, 4)

"""``tandem data industries`` and ``tandem screen --industry`` on the bundled sample, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

SAMPLE = Path(__file__).resolve().parents[2] / "src" / "tandem" / "sample_data"


def tandem(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TANDEM_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "tandem.cli.main", *args], capture_output=True, text=True, env=env, check=False,
        timeout=300,
    )  # fmt: skip


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    h = tmp_path_factory.mktemp("cli-industries")
    r = tandem(h, "data", "import", str(SAMPLE))
    assert r.returncode == 0, r.stderr
    return h


def test_the_lists_and_the_one_in_force(home: Path) -> None:
    r = tandem(home, "data", "industries", "--date", "2021-06-01", "--code", "600519", "--format", "json")
    assert r.returncode == 0, r.stderr
    out = json.loads(r.stdout)
    assert [(s["system"], s["snapshot_date"]) for s in out["snapshots"]] == [
        ("tushare", "2016-09-13"),
        ("tushare", "2023-08-15"),
        ("csrc", "2026-03-09"),
    ]
    assert out["in_force"] == {"system": "tushare", "snapshot_date": "2016-09-13", "backfilled": False}
    assert out["industry"] == "白酒" and "白酒" in out["boards"]  # boards: the 2026 list, the only one, backfilled
    late = json.loads(tandem(home, "data", "industries", "--date", "2026-03-10", "--format", "json").stdout)
    assert late["in_force"]["system"] == "csrc"
    bad = tandem(home, "data", "industries", "--code", "600519")
    assert bad.returncode == 2 and "--code needs --date" in bad.stderr


def test_screen_by_industry_and_an_unknown_one(home: Path) -> None:
    r = tandem(home, "screen", "close > 0", "--industry", "银行", "--date", "2024-01-02", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = json.loads(r.stdout)["rows"]
    assert rows and {row["industry"] for row in rows} == {"银行"}
    bad = tandem(home, "screen", "close > 0", "--industry", "银", "--date", "2024-01-02")
    assert bad.returncode == 2 and "did you mean 银行?" in bad.stderr

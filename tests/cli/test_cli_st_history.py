"""``tandem data import`` of the ST history folder, and its refusals, as a user runs them (real process, temp home)."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

SLICE = Path(__file__).resolve().parents[1] / "marketdata" / "data" / "daily" / "st_history_baostock_2010_2024"


def tandem(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The ``tandem`` command in a child process with ``home`` as its data home."""
    env = {**os.environ, "TANDEM_HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-m", "tandem.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=300,
    )


def test_import_then_info_and_validate(tmp_path: Path) -> None:
    r = tandem(tmp_path, "data", "import", str(SLICE))
    assert r.returncode == 0, r.stderr
    info = json.loads(tandem(tmp_path, "data", "info", "--format", "json").stdout)
    assert info["tables"]["st_periods"] == 2 and info["stocks_with_bars"] == 2
    v = tandem(tmp_path, "data", "validate", "--format", "json")
    # the stored periods are the ones the bars give, and no close is beyond its (5% ST) band
    assert not [p for p in json.loads(v.stdout)["problems"] if "st_periods" in p or "limit" in p]


def test_a_bare_code_is_refused_under_strict_with_the_fix(tmp_path: Path) -> None:
    src = tmp_path / "st_history_baostock_2010_2024"
    shutil.copytree(SLICE, src)
    path = src / "601919.csv.gz"
    text = gzip.decompress(path.read_bytes()).decode("utf-8").replace("sh.601919", "601919", 1)
    path.write_bytes(gzip.compress(text.encode("utf-8"), mtime=0))
    r = tandem(tmp_path / "home", "data", "import", str(src), "--strict")
    assert r.returncode == 2
    assert "601919.csv.gz:2: code: '601919' has no exchange prefix or suffix" in r.stderr
    assert "nothing was imported" in r.stderr
    info = json.loads(tandem(tmp_path / "home", "data", "info", "--format", "json").stdout)
    assert info["version"] is None

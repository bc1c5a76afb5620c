"""``tandem ops`` as a user runs it: simulate into a fresh home, then funnel / cohorts / attribution read it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def _run(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "TANDEM_HOME": str(home)}
    return subprocess.run([sys.executable, "-m", "tandem.cli.main", "ops", *args], capture_output=True, text=True,
                          env=env, check=False)  # fmt: skip


def test_simulate_then_analyse(tmp_path: Path) -> None:
    home = tmp_path / "home"
    r = _run(home, "simulate", "--visitors", "2000", "--days", "28", "--end", "2026-11-30", "--seed", "3")
    assert r.returncode == 0, r.stderr
    assert "SYNTHETIC" in r.stdout
    assert json.loads((home / "MANIFEST.ops.json").read_text())["synthetic"] is True
    span = ("--from", "2026-11-03", "--to", "2026-11-30", "--format", "json")
    f = _run(home, "funnel", *span)
    assert f.returncode == 0, f.stderr
    steps = json.loads(f.stdout)
    assert [s["step"] for s in steps][:2] == ["landing", "sign_up"]
    assert steps[0]["clients"] > steps[1]["clients"] > 0
    a = _run(home, "attribution", *span, "--by", "partner")
    assert a.returncode == 0, a.stderr
    assert json.loads(a.stdout)["conversions"] > 0
    c = _run(home, "cohorts", *span, "--weeks", "2")
    assert c.returncode == 0, c.stderr
    assert all(row["size"] > 0 for row in json.loads(c.stdout))


def test_bad_input_exits_2_with_the_reason(tmp_path: Path) -> None:
    r = _run(tmp_path, "funnel", "--from", "2026-13-01")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr
    r = _run(tmp_path, "attribution", "--by", "client_id")
    assert r.returncode == 2 and "dimension must be one of" in r.stderr
    r = _run(tmp_path, "simulate", "--visitors", "3")
    assert r.returncode == 2 and "visitors must be" in r.stderr

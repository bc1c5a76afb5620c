from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from tandem.cli.wealth import app

DATA = Path(__file__).parent / "data"
FILES = ["--funds-file", str(DATA / "funds.parquet"), "--nav-file", str(DATA / "fund_nav.parquet")]
runner = CliRunner()


def test_plan_json_contract() -> None:
    res = runner.invoke(app, ["plan", "--level", "C2", "--amount", "200000", "--format", "json", *FILES])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["level"] == "C2" and data["strategy"] == "steady" and data["disclaimer"]
    assert set(data["expected"]) >= {"return", "volatility", "max_drawdown"}
    for h in data["holdings"]:
        assert {"code", "name", "risk_level", "weight", "amount"} <= set(h)
        assert h["risk_level"] in ("R1", "R2")


def test_plan_refuses_mismatched_strategy() -> None:
    res = runner.invoke(app, ["plan", "--level", "C2", "--amount", "200000", "--strategy", "growth", *FILES])
    assert res.exit_code != 0 and "does not match category C2" in str(res.exception)


def test_strategies_json_gated_by_level() -> None:
    res = runner.invoke(app, ["strategies", "--level", "C2", "--format", "json", *FILES])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.stdout)
    assert [r["key"] for r in rows] == ["cash", "steady"]
    assert all("backtest" in r and r["backtest"]["volatility"] > 0 for r in rows)
    res = runner.invoke(app, ["strategies", "--format", "json"])
    assert all("backtest" not in r for r in json.loads(res.stdout))


def test_assess_interactive_reprompts_and_scores() -> None:
    answers = "z\na\nd\nd\na\nd\nd\nd\nd\n"  # first answer invalid, then the top option everywhere
    res = runner.invoke(app, ["assess", "--format", "json"], input=answers)
    assert res.exit_code == 0, res.output
    assert "choose one of a, b, c, d, e" in res.output
    data = json.loads(res.output[res.output.index("{") :])
    assert data["level"] == "C5" and not data["lowest_category"]


def test_batch_summary_is_labelled_synthetic(tmp_path: Path) -> None:
    out = tmp_path / "book.json"
    res = runner.invoke(
        app, ["batch", "--clients", "30", "--out", str(out), *FILES], env={"TANDEM_COMPUTE_WORKERS": "1"}
    )
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout)
    assert summary["synthetic"] is True and "SYNTHETIC" in summary["label"]
    assert summary["plans"] + summary["refused"] == 30
    saved = json.loads(out.read_text(encoding="utf-8"))
    assert all(r["synthetic"] and r["client_id"].startswith("SYN-") for r in saved["results"])

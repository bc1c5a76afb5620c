"""Job service (child process, limits, cancel, persistence) and the CLI on the bundled sample store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.jobs.service import JobLimits, JobService
from tandem.core.db import Base, make_engine, make_sessionmaker
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SPEC = {
    "name": "low_pe",
    "universe": ["600036.SH", "601398.SH", "000001.SZ", "600519.SH", "000858.SZ", "601318.SH"],
    "screen": "pe_ttm > 0 and pe_ttm < 30",
    "rank_by": "pe_ttm",
    "max_positions": 3,
    "rebalance": "monthly",
    "start": "2022-01-04",
    "end": "2022-06-30",
}


@pytest.fixture
def service(sample_store, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    Base.metadata.create_all(engine, tables=[BacktestJob.__table__])  # type: ignore[list-item]
    svc = JobService(make_sessionmaker(engine), sample_store.root, limits=JobLimits(seconds=120, memory_mb=4096))
    yield svc.start()
    svc.stop()


def test_job_runs_persists_and_is_private(service):
    job = service.submit(owner_user_id=7, spec=SPEC)
    assert job.status == JobStatus.QUEUED
    done = service.wait(owner_user_id=7, job_id=job.id, timeout=120)
    assert done.status == JobStatus.DONE, done.error
    assert done.progress == 1.0
    assert {"total_return", "annual_return", "sharpe", "max_drawdown", "alpha", "beta", "turnover"} <= set(
        done.result["metrics"]
    )
    assert done.result["trades"] and {"date", "code", "side", "qty", "price", "fee"} == set(done.result["trades"][0])
    with pytest.raises(NotFoundError):
        service.get(owner_user_id=8, job_id=job.id)
    with pytest.raises(ConflictError):
        service.cancel(owner_user_id=7, job_id=job.id)


def test_limits_stop_the_job_and_say_so(sample_store, tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'jobs.db'}")
    Base.metadata.create_all(engine, tables=[BacktestJob.__table__])  # type: ignore[list-item]
    svc = JobService(make_sessionmaker(engine), sample_store.root, limits=JobLimits(seconds=0.5)).start()
    try:
        job = svc.wait(owner_user_id=1, job_id=svc.submit(owner_user_id=1, spec=SPEC).id, timeout=60)
        assert job.status == JobStatus.FAILED and "exceeded its time limit of 0.5 s" in job.error
        svc.limits = JobLimits(seconds=60, memory_mb=200)
        job = svc.wait(owner_user_id=1, job_id=svc.submit(owner_user_id=1, spec=SPEC).id, timeout=60)
        assert job.status == JobStatus.FAILED and "memory limit of 200 MB" in job.error
    finally:
        svc.stop()


def test_cancel_and_bad_spec(service):
    job = service.submit(owner_user_id=3, spec=SPEC)
    cancelled = service.cancel(owner_user_id=3, job_id=job.id)
    assert cancelled.status in (JobStatus.CANCELLED, JobStatus.RUNNING)
    final = service.wait(owner_user_id=3, job_id=job.id, timeout=60)
    assert final.status == JobStatus.CANCELLED and "cancelled" in final.error
    with pytest.raises(ValidationFailed) as e:
        service.submit(owner_user_id=3, spec={**SPEC, "screen": "pe_ttm <", "code": "import os"})
    assert any("code" in p for p in e.value.problems)


def _cli(sample_store, monkeypatch, args):
    from tandem.cli.main import app

    monkeypatch.setenv("TANDEM_HOME", str(sample_store.root.parent))
    return CliRunner().invoke(app, args)


def test_cli_backtest_json_and_report(sample_store, monkeypatch, tmp_path):
    out = tmp_path / "r.html"
    res = _cli(sample_store, monkeypatch, ["backtest", str(EXAMPLES / "dual_moving_average.py"), "--start",
                                           "2022-01-01", "--end", "2022-12-31", "--format", "json", "--out", str(out),
                                           "--csv", str(tmp_path / "csv")])  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert {"total_return", "annual_return", "sharpe", "max_drawdown", "alpha", "beta", "turnover"} <= set(
        data["metrics"]
    )
    assert data["metrics"]["beta"] is not None  # the sample has 000300.SH
    assert data["start"] >= "2022-01-01" and data["end"] <= "2022-12-31"
    assert all({"date", "code", "rule", "detail"} == set(e) for e in data["rule_events"])
    html = out.read_text(encoding="utf-8")
    assert "回测报告" in html and "data:image/png;base64" in html
    assert (tmp_path / "csv" / "trades.csv").exists() and (tmp_path / "csv" / "positions.csv").exists()


@pytest.mark.parametrize("example", ["small_cap_rotation.json", "low_pe_high_roe.json"])
def test_cli_runs_the_json_examples(sample_store, monkeypatch, example):
    res = _cli(sample_store, monkeypatch, ["backtest", str(EXAMPLES / example), "--start", "2022-01-01", "--end",
                                           "2022-12-30", "--format", "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["trades"]


def test_cli_screen_and_errors(sample_store, monkeypatch):
    res = _cli(sample_store, monkeypatch, ["screen", "pe_ttm > 0 and pe_ttm < 15", "--date", "2023-06-30", "--format",
                                           "json"])  # fmt: skip
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["count"] == len(data["rows"]) > 0 and all(0 < r["pe_ttm"] < 15 for r in data["rows"])
    from tandem.core.errors import UserError

    bad = _cli(sample_store, monkeypatch, ["screen", "pe_tm < 20", "--date", "2023-06-30"])
    assert isinstance(bad.exception, UserError) and "did you mean pe_ttm?" in str(bad.exception)
    outside = _cli(sample_store, monkeypatch, ["backtest", str(EXAMPLES / "dual_moving_average.py"), "--start",
                                               "2030-01-01", "--end", "2030-12-31"])  # fmt: skip
    assert isinstance(outside.exception, UserError) and "no bars between 2030-01-01 and 2030-12-31" in str(
        outside.exception
    )

"""Two server processes' job services on one DB (as under ``uvicorn --workers 2``): a job runs once, cancels travel."""

from __future__ import annotations

import time

import pytest

from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.jobs.service import JobLimits, JobService
from tandem.core.db import make_engine, make_sessionmaker
from tandem.migrations.runner import upgrade

SPEC = {
    "name": "two_workers",
    "universe": ["600036.SH", "601398.SH", "600519.SH"],
    "screen": "pe_ttm > 0",
    "rank_by": "pe_ttm",
    "max_positions": 2,
    "start": "2022-01-04",
    "end": "2022-03-31",
    "benchmark": None,
}


@pytest.fixture
def sessions(tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    return make_sessionmaker(make_engine(url))


def test_a_job_is_claimed_by_exactly_one_process(sessions, sample_store) -> None:
    a = JobService(sessions, sample_store.root, limits=JobLimits(seconds=60))
    b = JobService(sessions, sample_store.root, limits=JobLimits(seconds=60))
    job = a.submit(owner_user_id=1, spec=SPEC)  # queued, no worker started yet
    claimed = a._claim_next()
    assert claimed is not None and claimed[0] == job.id
    assert b._claim_next() is None and a._claim_next() is None
    assert a.get(owner_user_id=1, job_id=job.id).status == JobStatus.RUNNING


def test_idle_worker_runs_jobs_queued_by_another_process(sessions, sample_store) -> None:
    submitter = JobService(sessions, sample_store.root)  # never started: like a worker busy elsewhere
    runner = JobService(sessions, sample_store.root, limits=JobLimits(seconds=60)).start()
    try:
        job = submitter.submit(owner_user_id=2, spec=SPEC)
        done = runner.wait(owner_user_id=2, job_id=job.id, timeout=90)
        assert done.status == JobStatus.DONE, done.error
        assert done.result is not None and done.result["report_html"].startswith("<!doctype html>")
    finally:
        runner.stop()


def test_cancel_from_another_process_stops_the_run(sessions, sample_store) -> None:
    runner = JobService(sessions, sample_store.root, limits=JobLimits(seconds=60)).start()
    other = JobService(sessions, sample_store.root)
    try:
        job = runner.submit(owner_user_id=3, spec={**SPEC, "end": "2024-12-31", "rebalance": "daily"})
        deadline = time.monotonic() + 30
        while runner.get(owner_user_id=3, job_id=job.id).status != JobStatus.RUNNING and time.monotonic() < deadline:
            time.sleep(0.05)
        other.cancel(owner_user_id=3, job_id=job.id)
        t0 = time.monotonic()
        final = runner.wait(owner_user_id=3, job_id=job.id, timeout=30)
        assert final.status == JobStatus.CANCELLED and final.error == "cancelled by the user while running"
        with sessions() as s:  # the worker moved on: the row was not overwritten with a result
            assert s.get(BacktestJob, job.id).result is None
        assert time.monotonic() - t0 < 5
    finally:
        runner.stop()


def test_restart_marks_only_runs_older_than_the_limit_as_interrupted(sessions, sample_store) -> None:
    from datetime import timedelta

    from tandem.core.db import utcnow

    with sessions() as s:
        old = BacktestJob(owner_user_id=4, spec=SPEC, status="running", started_at=utcnow() - timedelta(hours=2))
        fresh = BacktestJob(owner_user_id=4, spec=SPEC, status="running", started_at=utcnow())
        s.add_all([old, fresh])
        s.commit()
        ids = old.id, fresh.id
    svc = JobService(sessions, sample_store.root, limits=JobLimits(seconds=60)).start()
    try:
        assert svc.get(owner_user_id=4, job_id=ids[0]).status == JobStatus.FAILED
        assert svc.get(owner_user_id=4, job_id=ids[1]).status == JobStatus.RUNNING  # another process runs it
    finally:
        svc.stop()

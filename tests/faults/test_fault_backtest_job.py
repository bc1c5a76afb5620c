"""A backtest job's process killed: the job ends failed with the reason, never stays running, never gets a result.

Two kills: the job's own child process (SIGKILL while it reports progress), and the whole server process that runs
the job service (its job is then ended by a surviving worker on the same DB once the time limit has passed).
"""

from __future__ import annotations

import json
import multiprocessing as mp
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

import tandem.backtest.jobs.service as job_service
from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.jobs.service import JobLimits, JobService
from tandem.core.db import make_engine, make_sessionmaker
from tandem.marketdata.store import MarketStore
from tandem.migrations.runner import upgrade

SPEC = {
    "name": "killed",
    "universe": ["600036.SH", "601398.SH", "000001.SZ", "600519.SH", "000858.SZ", "601318.SH"],
    "screen": "pe_ttm > 0 and pe_ttm < 30",
    "rank_by": "pe_ttm",
    "max_positions": 3,
    "rebalance": "monthly",
    "start": "2020-01-02",
    "end": "2023-06-30",
}
OWNER = 7


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    upgrade(url)
    return url


@pytest.fixture
def sessions(db_url: str) -> sessionmaker[Session]:
    return make_sessionmaker(make_engine(db_url))


@pytest.fixture
def service(sessions: sessionmaker[Session], sample_store: MarketStore) -> Iterator[JobService]:
    svc = JobService(sessions, sample_store.root, limits=JobLimits(seconds=120, memory_mb=4096))
    yield svc.start()
    svc.stop()


def _job_children() -> list[int]:
    """Pids of this process's live job children (the service starts them with ``multiprocessing``)."""
    return [p.pid for p in mp.active_children() if p.pid is not None]


def _rows(sessions: sessionmaker[Session]) -> list[BacktestJob]:
    with sessions() as s:
        return list(s.scalars(select(BacktestJob)))


def test_killed_job_child_fails_with_the_reason_and_runs_once(
    service: JobService, sessions: sessionmaker[Session]
) -> None:
    before = set(_job_children())
    job = service.submit(owner_user_id=OWNER, spec=SPEC)
    deadline = time.monotonic() + 30
    victim: int | None = None
    while time.monotonic() < deadline and victim is None:
        row = service.get(owner_user_id=OWNER, job_id=job.id)
        assert row.status in (JobStatus.QUEUED, JobStatus.RUNNING), f"the job ended before the kill: {row.error}"
        fresh = [p for p in _job_children() if p not in before]
        if row.status == JobStatus.RUNNING and row.progress > 0.01 and fresh:
            victim = fresh[0]
        time.sleep(0.01)
    assert victim is not None, "the job never reported progress from a child process"
    os.kill(victim, signal.SIGKILL)

    done = service.wait(owner_user_id=OWNER, job_id=job.id, timeout=20)
    assert done.status == JobStatus.FAILED
    assert done.result is None and done.finished_at is not None
    assert "killed by SIGKILL" in (done.error or "") and "submit it again" in (done.error or "")
    started = done.started_at
    time.sleep(job_service.POLL_SECONDS + 0.5)  # an idle poll later nothing has picked it up again
    rows = _rows(sessions)
    assert [(r.id, r.status, r.result, r.started_at) for r in rows] == [(job.id, "failed", None, started)]
    assert [p for p in _job_children() if p not in before] == []


SERVER = textwrap.dedent(
    """
    import json, sys, time
    from pathlib import Path
    from tandem.backtest.jobs.service import JobLimits, JobService
    from tandem.core.db import make_engine, make_sessionmaker
    svc = JobService(make_sessionmaker(make_engine(sys.argv[1])), Path(sys.argv[2]), limits=JobLimits(seconds=120))
    svc.start()
    job = svc.submit(owner_user_id=int(sys.argv[3]), spec=json.loads(sys.argv[4]))
    time.sleep(600)
    """
)


def test_a_killed_servers_job_is_failed_by_a_surviving_worker(
    db_url: str, sessions: sessionmaker[Session], sample_store: MarketStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The survivor started before the kill, so its start-up sweep cannot be what ends the orphaned run."""
    monkeypatch.setattr(job_service, "STALE_GRACE_SECONDS", 0.5)
    survivor = JobService(sessions, sample_store.root, limits=JobLimits(seconds=1.0)).start()

    server = subprocess.Popen(
        [sys.executable, "-c", SERVER, db_url, str(sample_store.root), str(OWNER), json.dumps(SPEC)],
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not any(r.status == "running" for r in _rows(sessions)):
            assert server.poll() is None, "the server process ended on its own"
            time.sleep(0.02)
        assert [r.status for r in _rows(sessions)] == ["running"], "the server never started its job"
        os.killpg(server.pid, signal.SIGKILL)  # the server and its job child, as a host crash would
        server.wait(timeout=10)

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _rows(sessions)[0].status == "running":
            time.sleep(0.1)
        (row,) = _rows(sessions)
        assert row.status == "failed", "the orphaned run stayed 'running'"
        assert row.result is None and "submit it again" in (row.error or "")
    finally:
        survivor.stop()
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)

"""Backtest jobs on one database with three worker processes: each job runs exactly once and none is lost.

On PostgreSQL the claim is ``FOR UPDATE SKIP LOCKED``: a claimer passes over a row another transaction holds instead
of waiting for it. On SQLite (one writer) the conditional update alone decides, and the same three processes agree.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from multiproc_helpers import child_env
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.jobs.service import JobService
from tandem.core.db import make_engine, make_sessionmaker
from tandem.marketdata.store import MarketStore
from tandem.migrations.runner import upgrade

WORKER = Path(__file__).with_name("job_worker_proc.py")
SPEC = {
    "name": "many_workers",
    "universe": ["600036.SH", "601398.SH", "600519.SH"],
    "screen": "pe_ttm > 0",
    "rank_by": "pe_ttm",
    "max_positions": 2,
    "start": "2022-01-04",
    "end": "2022-02-28",
    "benchmark": None,
}
JOBS = 6


@contextmanager
def _sessions(url: str) -> Iterator[sessionmaker[Session]]:
    upgrade(url)
    engine = make_engine(url)
    try:
        yield make_sessionmaker(engine)
    finally:
        engine.dispose()


def _three_workers_run_each_job_once(url: str, store: MarketStore) -> None:
    with _sessions(url) as sessions:
        _run_three(sessions, url, store)


def _run_three(sessions: sessionmaker[Session], url: str, store: MarketStore) -> None:
    submitter = JobService(sessions, store.root)  # never started: the web worker that only queues
    ids = [submitter.submit(owner_user_id=7, spec=SPEC).id for _ in range(JOBS)]
    argv = [sys.executable, str(WORKER), url, str(store.root), str(JOBS)]
    pipe = subprocess.PIPE
    procs = [subprocess.Popen(argv, env=child_env(), stdout=pipe, stderr=pipe, text=True) for _ in range(3)]
    claimed: list[int] = []
    for p in procs:
        out, err = p.communicate(timeout=900)
        assert p.returncode == 0, err[-3000:]
        claimed += json.loads(out.strip().splitlines()[-1])["claimed"]
    assert sorted(claimed) == ids  # every job claimed once: none twice, none lost
    with sessions() as s:
        jobs = list(s.scalars(select(BacktestJob).order_by(BacktestJob.id)))
    assert [(j.id, j.status) for j in jobs] == [(i, JobStatus.DONE) for i in ids], [j.error for j in jobs]


@pytest.mark.postgres
def test_three_worker_processes_on_postgresql(pg_schema_url: str, sample_store: MarketStore) -> None:
    _three_workers_run_each_job_once(pg_schema_url, sample_store)


def test_three_worker_processes_on_sqlite(tmp_path: Path, sample_store: MarketStore) -> None:
    _three_workers_run_each_job_once(f"sqlite:///{tmp_path / 'app.db'}", sample_store)


@pytest.mark.postgres
def test_a_claim_skips_the_row_another_transaction_holds(pg_schema_url: str, sample_store: MarketStore) -> None:
    with _sessions(pg_schema_url) as sessions:
        _skips_the_locked_row(sessions, sample_store)


def _skips_the_locked_row(sessions: sessionmaker[Session], sample_store: MarketStore) -> None:
    service = JobService(sessions, sample_store.root)
    first, second = (service.submit(owner_user_id=8, spec=SPEC).id for _ in range(2))
    holder = sessions()
    try:  # another worker's claim transaction, still open on the oldest job
        holder.execute(select(BacktestJob).where(BacktestJob.id == first).with_for_update())
        got: list[tuple[int, str] | None] = []
        claimer = threading.Thread(target=lambda: got.append(service._claim_next()), daemon=True)
        claimer.start()
        claimer.join(30)
        assert not claimer.is_alive(), "the claim waited for the locked row instead of skipping it"
        assert got[0] is not None and got[0][0] == second
    finally:
        holder.rollback()
        holder.close()
    again = service._claim_next()
    assert again is not None and again[0] == first  # released: the oldest job is next

"""Job service: submit a declarative spec, a worker thread runs it in a child process under limits.

Why a child process: a runaway backtest must not take the web server down. The child sets
``RLIMIT_AS`` (memory) on itself; the worker enforces the wall-clock limit and cancellation by terminating
the child, and writes progress, result or error to ``backtest_jobs``. The web layer calls only
:meth:`JobService.submit`, :meth:`get`, :meth:`list` and :meth:`cancel` (user Python never reaches here).

Several server processes (``uvicorn --workers 4`` on several hosts) may each run a service on the same DB: the
table is the real queue. A worker claims the oldest queued job with ``SELECT … FOR UPDATE SKIP LOCKED`` and moves
it to running in the same transaction (:meth:`JobService._claim_next`): on PostgreSQL concurrent claimers skip the
row another one holds instead of queueing behind it, so each takes a different job and none waits. On SQLite (one
writer at a time, ``FOR UPDATE`` is not rendered) the ``UPDATE … WHERE status = 'queued'`` is what guarantees one
winner. A submit wakes a local worker at once; idle workers poll for jobs queued by other processes, a cancel
is written to the row (the process running the job sees it on its next poll), and only runs older than the time
limit count as interrupted (any worker fails them at start-up and on every idle poll, so a killed server's job never
stays ``running``).
"""

from __future__ import annotations

import multiprocessing as mp
import queue
import signal
import threading
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import structlog
from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from tandem.backtest.jobs.child import run_job
from tandem.backtest.jobs.models import BacktestJob, JobStatus
from tandem.backtest.spec import StrategySpec
from tandem.core.db import session_scope, utcnow
from tandem.core.errors import ConflictError, NotFoundError, ValidationFailed

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class JobLimits:
    """Per-job limits: wall-clock seconds and address-space megabytes of the child process."""

    seconds: float = 300.0
    memory_mb: int = 4096


_FINISHED = (JobStatus.DONE.value, JobStatus.FAILED.value, JobStatus.CANCELLED.value)
_WAKE = 0
"""Put on the local queue when there may be a queued job (job ids start at 1; None stops a worker)."""
POLL_SECONDS = 2.0
"""How often an idle worker looks for jobs queued by another process."""
STALE_GRACE_SECONDS = 60.0
"""A run older than its time limit plus this grace has no live worker (it would have been stopped)."""


def died_reason(exitcode: int | None, memory_mb: int) -> str:
    """Why a job's process ended without a result: the signal that killed it, or its exit code."""
    if exitcode is not None and exitcode < 0:
        try:
            name = signal.Signals(-exitcode).name
        except ValueError:
            name = f"signal {-exitcode}"
        return (
            f"stopped: the job process was killed by {name} (exit code {exitcode}), by the system's out-of-memory "
            f"killer or an operator, before it finished; nothing was saved, submit it again (memory limit "
            f"{memory_mb} MB)"
        )
    return (
        f"stopped: the job process ended unexpectedly (exit code {exitcode}) before it finished; it most likely "
        f"exceeded its memory limit of {memory_mb} MB"
    )


class JobService:
    """Queue + in-process worker threads; each job runs in its own spawned child process."""

    def __init__(
        self, sessions: sessionmaker[Session], market_dir: Path, *, workers: int = 1, limits: JobLimits | None = None
    ) -> None:
        self.sessions = sessions
        self.market_dir = market_dir
        self.limits = limits or JobLimits()
        self._queue: queue.Queue[int | None] = queue.Queue()
        self._cancel: set[int] = set()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, daemon=True, name=f"backtest-{i}") for i in range(workers)]
        self._started = False
        self._stopping = threading.Event()

    # ---------------------------------------------------------------- API for the web layer
    def start(self) -> JobService:
        """Start the workers and re-queue jobs left queued by a previous process."""
        if not self._started:
            self._started = True
            for t in self._threads:
                t.start()
            self._fail_stale()
            for _ in self._threads:  # jobs left queued by a previous process: each worker looks at once
                self._queue.put(_WAKE)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Ask the workers to finish after their current job."""
        self._stopping.set()
        for _ in self._threads:
            self._queue.put(None)
        for t in self._threads:
            if t.is_alive():
                t.join(timeout)

    def submit(self, *, owner_user_id: int, spec: dict[str, Any] | StrategySpec) -> BacktestJob:
        """Validate and queue a spec; returns the queued job."""
        try:
            parsed = spec if isinstance(spec, StrategySpec) else StrategySpec.model_validate(spec)
        except ValidationError as exc:
            problems = [f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()]
            raise ValidationFailed("invalid strategy spec", problems) from exc
        with session_scope(self.sessions) as s:
            job = BacktestJob(owner_user_id=owner_user_id, spec=parsed.model_dump(mode="json"))
            s.add(job)
            s.flush()
            job_id = job.id
        self._queue.put(_WAKE)
        return self.get(owner_user_id=owner_user_id, job_id=job_id)

    def get(self, *, owner_user_id: int, job_id: int) -> BacktestJob:
        """One of the caller's jobs (another user's job is reported as not found)."""
        with session_scope(self.sessions) as s:
            job = s.get(BacktestJob, job_id)
            if job is None or job.owner_user_id != owner_user_id:
                raise NotFoundError(f"no backtest job {job_id} for this user")
            s.expunge(job)
            return job

    def list(self, *, owner_user_id: int, limit: int = 50) -> list[BacktestJob]:
        """The caller's jobs, newest first."""
        with session_scope(self.sessions) as s:
            q = select(BacktestJob).where(BacktestJob.owner_user_id == owner_user_id)
            jobs = list(s.scalars(q.order_by(BacktestJob.id.desc()).limit(limit)))
            for j in jobs:
                s.expunge(j)
            return jobs

    def cancel(self, *, owner_user_id: int, job_id: int) -> BacktestJob:
        """Cancel a queued or running job; a finished job cannot be cancelled."""
        job = self.get(owner_user_id=owner_user_id, job_id=job_id)
        if job.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED):
            raise ConflictError(f"job {job_id} already finished ({job.status}); nothing to cancel")
        with self._lock:
            self._cancel.add(job_id)
        started = job.status == JobStatus.RUNNING
        msg = "cancelled by the user while running" if started else "cancelled by the user before it started"
        with session_scope(self.sessions) as s:  # conditional: a job that just finished keeps its result
            s.execute(
                update(BacktestJob)
                .where(BacktestJob.id == job_id, BacktestJob.status.not_in(_FINISHED))
                .values(status=JobStatus.CANCELLED.value, error=msg, finished_at=utcnow())
            )
        return self.get(owner_user_id=owner_user_id, job_id=job_id)

    def wait(self, *, owner_user_id: int, job_id: int, timeout: float = 60.0) -> BacktestJob:
        """Block until the job finishes (tests and the CLI use this)."""
        deadline = time.monotonic() + timeout
        while True:
            job = self.get(owner_user_id=owner_user_id, job_id=job_id)
            if job.status in (JobStatus.DONE, JobStatus.FAILED, JobStatus.CANCELLED) or time.monotonic() > deadline:
                return job
            time.sleep(0.05)

    # ---------------------------------------------------------------- worker side
    def _update(self, job_id: int, **fields: Any) -> None:
        with session_scope(self.sessions) as s:
            job = s.get(BacktestJob, job_id)
            if job is not None:
                for k, v in fields.items():
                    setattr(job, k, v)

    def _finish(self, job_id: int, status: JobStatus, *, error: str | None = None, result: Any = None) -> None:
        fields: dict[str, Any] = {"status": status.value, "error": error, "finished_at": utcnow()}
        if result is not None:
            fields.update(result=result, progress=1.0)
        with session_scope(self.sessions) as s:  # never overwrite a cancel written by any process
            s.execute(
                update(BacktestJob)
                .where(BacktestJob.id == job_id, BacktestJob.status.not_in(_FINISHED))
                .values(**fields)
            )

    def _claim_next(self) -> tuple[int, str] | None:
        """Move the oldest queued job to running; (id, spec JSON) when this process won one, None when none is left.

        ``FOR UPDATE SKIP LOCKED`` makes concurrent claimers on PostgreSQL pass over a row another transaction
        holds; the conditional update is the guarantee on SQLite and against any row that changed meanwhile.
        """
        for attempt in range(10):
            try:
                with session_scope(self.sessions) as s:
                    q = select(BacktestJob).where(BacktestJob.status == JobStatus.QUEUED.value)
                    job = s.scalars(q.order_by(BacktestJob.id).limit(1).with_for_update(skip_locked=True)).first()
                    if job is None:
                        return None
                    won = s.execute(
                        update(BacktestJob)
                        .where(BacktestJob.id == job.id, BacktestJob.status == JobStatus.QUEUED.value)
                        .values(status=JobStatus.RUNNING.value, started_at=utcnow(), progress=0.01)
                        .execution_options(synchronize_session=False)
                    )
                    if won.rowcount == 1:  # type: ignore[attr-defined]
                        log.info("backtest job claimed", job_id=job.id)
                        return job.id, StrategySpec.model_validate(job.spec).model_dump_json()
            except OperationalError as exc:  # SQLite: another writer committed after our read; try again
                log.info("backtest job claim retried", error=str(exc.orig), attempt=attempt)
                time.sleep(0.05 * (attempt + 1))
        return None  # lost ten races in a row: the other workers are busy with the queue

    def _fail_stale(self) -> int:
        """Fail runs older than the time limit plus grace: no live worker holds them (it would have stopped them).

        Called at start-up and on every idle poll, so a job whose server was killed does not stay ``running``
        until some process restarts: any surviving worker on the same DB ends it. Conditional on the status, so a
        job that finishes meanwhile keeps its result.
        """
        cutoff = utcnow() - timedelta(seconds=self.limits.seconds + STALE_GRACE_SECONDS)
        running = BacktestJob.status == JobStatus.RUNNING.value
        with session_scope(self.sessions) as s:  # read first: an idle poll must not take SQLite's write lock
            stale = list(s.scalars(select(BacktestJob.id).where(running, BacktestJob.started_at < cutoff)))
            if not stale:
                return 0
            failed = s.execute(
                update(BacktestJob)
                .where(BacktestJob.id.in_(stale), running)
                .values(
                    status=JobStatus.FAILED.value,
                    error="interrupted: the server running it stopped during the run; submit it again",
                    finished_at=utcnow(),
                )
            )
            return int(failed.rowcount)  # type: ignore[attr-defined]

    def _cancelled_elsewhere(self, job_id: int) -> bool:
        with session_scope(self.sessions) as s:
            return s.scalar(select(BacktestJob.status).where(BacktestJob.id == job_id)) == JobStatus.CANCELLED.value

    def _work(self) -> None:
        while True:
            try:
                wake = self._queue.get(timeout=POLL_SECONDS)
            except queue.Empty:
                wake = _WAKE  # idle: fail runs of dead servers, look for jobs queued by another server process
                try:
                    self._fail_stale()
                except Exception:  # the DB busy or briefly gone: the next poll tries again, the worker lives on
                    log.warning("backtest.poll_failed", exc_info=True)
                    continue
            if wake is None:
                return
            while (claimed := self._safe_claim()) is not None:
                job_id, spec_json = claimed
                try:
                    self._run(job_id, spec_json)
                except Exception as exc:  # keep the worker alive; the job records the failure
                    log.exception("backtest job crashed", job_id=job_id)
                    self._finish(job_id, JobStatus.FAILED, error=f"internal error: {type(exc).__name__}: {exc}")
                if self._stopping.is_set():
                    return

    def _safe_claim(self) -> tuple[int, str] | None:
        """:meth:`_claim_next`, or None when the database is unreachable (logged; the next poll tries again)."""
        try:
            return self._claim_next()
        except Exception:  # the worker thread must outlive a database outage
            log.exception("backtest job claim failed; retrying at the next poll")
            return None

    def _run(self, job_id: int, spec_json: str) -> None:
        ctx = mp.get_context("spawn")
        parent, child = ctx.Pipe(duplex=False)
        proc = ctx.Process(target=run_job, args=(spec_json, str(self.market_dir), self.limits.memory_mb, child))
        proc.start()
        child.close()
        deadline = time.monotonic() + self.limits.seconds
        next_db_check = time.monotonic() + 0.5
        outcome: tuple[Any, ...] | None = None
        while outcome is None:
            with self._lock:
                cancelled = job_id in self._cancel
            if not cancelled and time.monotonic() > next_db_check:
                cancelled, next_db_check = self._cancelled_elsewhere(job_id), time.monotonic() + 0.5
            if cancelled:
                proc.terminate()
                proc.join(5)
                self._finish(job_id, JobStatus.CANCELLED, error="cancelled by the user while running")
                return
            if time.monotonic() > deadline:
                proc.terminate()
                proc.join(5)
                self._finish(
                    job_id,
                    JobStatus.FAILED,
                    error=f"stopped: the job exceeded its time limit of {self.limits.seconds:g} s",
                )
                return
            if parent.poll(0.1):
                try:
                    msg = parent.recv()
                except EOFError:
                    outcome = ("error", "died", "")
                    break
                if msg[0] == "progress":
                    self._update(job_id, progress=float(msg[1]))
                else:
                    outcome = msg
            elif not proc.is_alive() and not parent.poll(0):
                outcome = ("error", "died", "")
        proc.join(5)
        if outcome[0] == "done":
            self._finish(job_id, JobStatus.DONE, result=outcome[1])
        elif outcome[1] == "died":
            self._finish(job_id, JobStatus.FAILED, error=died_reason(proc.exitcode, self.limits.memory_mb))
        else:
            self._finish(job_id, JobStatus.FAILED, error=str(outcome[2]))

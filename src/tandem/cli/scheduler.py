"""``tandem scheduler``: run the daily jobs at their configured times, each once per day across every scheduler.

Several schedulers may run (one per host for availability): before it starts a due job, a scheduler claims the
(job, market day) row in ``daily_runs`` (:mod:`tandem.compute.daily.claims`); only the one whose insert succeeded
runs it, so there is one diagnosis batch a day, not one per process. The job itself is the ordinary CLI command in
a child process (``python -m tandem …``), so it runs exactly as an operator would run it by hand, and its output
goes to the scheduler's log. While the child runs the scheduler renews the claim's heartbeat; a scheduler that
dies mid-run lets another take the day's run over after the lease lapses.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Annotated

import structlog
import typer

from tandem.cli.context import print_json, settings
from tandem.compute.daily.claims import DEFAULT_LEASE_SECONDS, claim, finish, release, renew
from tandem.compute.daily.plan import Entry, due, market_day, parse_schedule
from tandem.core.db import make_engine, make_sessionmaker, utcnow
from tandem.core.errors import UserError
from tandem.migrations.migrate import migrate_app_db

log = structlog.get_logger(__name__)

DAILY_JOBS: dict[str, list[str]] = {
    "diagnosis": ["diagnose", "--all"],
    "triggers": ["engagement", "triggers"],
    "videos": ["diagnose", "--all", "--format", "mp4"],
    "education-reads": ["advisor", "education-reads"],
}
"""Each daily job and the ``tandem`` command line it runs (the latest session / today by default)."""


@dataclass(frozen=True, slots=True)
class RunReport:
    """What this scheduler ran: the job, the market day, the exit code and the end of the job's output."""

    job: str
    day: str
    exit_code: int
    output_tail: str


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def _run_child(argv: list[str], *, renew_claim: Callable[[], bool], heartbeat: float) -> tuple[int, str]:
    """Run ``python -m tandem argv`` to the end, renewing the claim every ``heartbeat`` s; (exit code, output tail)."""
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen([sys.executable, "-m", "tandem", *argv], stdout=out, stderr=subprocess.STDOUT)
        while True:
            try:
                code = proc.wait(timeout=heartbeat)
                break
            except subprocess.TimeoutExpired:
                if not renew_claim():
                    log.error("daily job's claim was taken over; stopping the child", argv=argv)
                    proc.terminate()
                    code = proc.wait()
                    break
        out.seek(0)
        tail = out.read()[-2000:].decode("utf-8", errors="replace")
    return code, tail


def run_due(
    entries: list[Entry], *, stopping: threading.Event | None = None, lease: float = DEFAULT_LEASE_SECONDS
) -> list[RunReport]:
    """Claim and run every entry due now that no scheduler ran today; what this process ran.

    A job that ends badly while ``stopping`` is set (the stop signal reached the child too) is released, not
    recorded as failed: the scheduler that starts next runs it again.
    """
    s = settings()
    engine = make_engine(s.sqlalchemy_url)
    sessions = make_sessionmaker(engine)
    owner = _owner()
    ran: list[RunReport] = []
    try:
        now = utcnow()
        day = market_day(now)
        for entry in due(entries, now):
            if stopping is not None and stopping.is_set():
                break
            if not claim(sessions, job=entry.job, day=day, owner=owner, lease=lease, now=now):
                continue
            log.info("daily job started", job=entry.job, day=str(day), owner=owner)

            def keep(job: str = entry.job) -> bool:
                return renew(sessions, job=job, day=day, owner=owner)

            try:
                code, tail = _run_child(DAILY_JOBS[entry.job], renew_claim=keep, heartbeat=max(1.0, lease / 5))
            except OSError as exc:
                code, tail = 127, f"could not start the job: {exc}"
            if code != 0 and stopping is not None and stopping.is_set():
                release(sessions, job=entry.job, day=day, owner=owner)
                log.info("daily job interrupted by the stop; released for the next scheduler", job=entry.job)
                continue
            finish(sessions, job=entry.job, day=day, owner=owner, ok=code == 0, detail=f"exit {code}\n{tail}")
            log.info("daily job finished", job=entry.job, day=str(day), exit_code=code)
            ran.append(RunReport(job=entry.job, day=day.isoformat(), exit_code=code, output_tail=tail))
    finally:
        engine.dispose()
    return ran


def scheduler(
    once: Annotated[bool, typer.Option("--once", help="Run what is due now, then exit (cron-style).")] = False,
    interval: Annotated[float, typer.Option("--interval", min=1.0, max=3600.0, help="Seconds between checks.")] = 30.0,
    fmt: Annotated[str, typer.Option("--format", help="text or json (with --once).")] = "text",
) -> None:
    """Run the daily jobs of TANDEM_SCHEDULE at their times; each runs once per day however many schedulers run."""
    if fmt not in ("text", "json"):
        raise UserError(f"--format must be text or json, not {fmt!r}")
    s = settings()
    entries = parse_schedule(s.schedule, known=DAILY_JOBS)
    if not entries:
        raise UserError("TANDEM_SCHEDULE lists no job; set it to e.g. diagnosis@16:30,triggers@17:00")
    migrate_app_db(s)
    if once:
        ran = run_due(entries)
        if fmt == "json":
            print_json({"ran": [asdict(r) for r in ran]})
        else:
            for r in ran:
                typer.echo(f"{r.job} {r.day}: exit {r.exit_code}")
            if not ran:
                typer.echo("nothing due that another scheduler has not already run today")
        return
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    log.info("scheduler started", schedule=s.schedule, owner=_owner())
    while not stop.is_set():
        run_due(entries, stopping=stop)
        stop.wait(interval)
    log.info("scheduler stopped", owner=_owner())

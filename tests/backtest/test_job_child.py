"""The backtest job's child process when the server that started it has stopped (found by the soak benchmark)."""

from __future__ import annotations

import multiprocessing as mp
from pathlib import Path

from tandem.backtest.jobs.child import run_job
from tandem.backtest.jobs.service import JobLimits

SPEC = (
    '{"name": "orphan", "universe": ["600036.SH", "601398.SH", "600519.SH"], "screen": "pe_ttm > 0", '
    '"rank_by": "pe_ttm", "max_positions": 2, "start": "2022-01-04", "end": "2022-03-31", "benchmark": null}'
)


def _orphan_exit_code(market_dir: Path) -> int | None:
    """Run a job whose parent end of the pipe is already closed, as after a server stop mid-job."""
    ctx = mp.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    parent.close()  # the web worker is gone: nobody reads the progress any more
    proc = ctx.Process(target=run_job, args=(SPEC, str(market_dir), JobLimits().memory_mb, child))
    proc.start()
    child.close()
    proc.join(120)
    assert not proc.is_alive(), "the orphaned job kept running"
    return proc.exitcode


def test_an_orphaned_job_stops_quietly_at_its_first_progress_report(sample_store) -> None:
    assert _orphan_exit_code(sample_store.root) == 0


def test_an_orphaned_job_that_fails_does_not_crash_reporting_the_failure(tmp_path) -> None:
    assert _orphan_exit_code(tmp_path / "no-store") == 0  # the store error cannot be sent either

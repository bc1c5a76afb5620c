"""A Ray worker process SIGKILLed while it runs a sweep chunk: Ray reruns the task and the sweep equals the clean run.

The sweep is the real :func:`tandem.backtest.sweep.ma_sweep` on real closes (8 stocks, 2020–2024) on a two-CPU local
Ray. The runner the test hands it wraps each chunk so that, while the test's ``armed`` file exists, a chunk writes
its worker's pid and waits; the test disarms, then kills that worker. The wait only holds the window open; the
kill is real, and the rerun runs the chunk unchanged.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd
import pytest

from tandem.backtest.sweep import ma_sweep
from tandem.compute import BatchRunner, RayRunner
from tandem.compute.runner import Progress

pytestmark = pytest.mark.ray
T = TypeVar("T")
R = TypeVar("R")
BARS = Path(__file__).resolve().parents[1] / "backtest" / "data" / "bars_8codes_2020_2024.csv.gz"


def _held(marks: str, fn: Callable[[T], R], item: T) -> R:
    """Run ``fn(item)``; first, while ``marks/armed`` exists, announce this worker's pid and wait to be killed."""
    root = Path(marks)
    if (root / "armed").exists():
        (root / f"running-{os.getpid()}").write_text(str(os.getpid()))
        deadline = time.monotonic() + 30
        while (root / "armed").exists() and time.monotonic() < deadline:
            time.sleep(0.02)
    return fn(item)


class HeldRunner(BatchRunner):
    """Delegates to a Ray runner with every chunk wrapped in :func:`_held`."""

    def __init__(self, inner: RayRunner, marks: Path) -> None:
        self._inner, self._marks = inner, str(marks)

    @property
    def workers(self) -> int:
        """The wrapped runner's CPU count."""
        return self._inner.workers

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        *,
        chunksize: int | None = None,
        progress: Progress | None = None,
    ) -> list[R]:
        """The inner map over the wrapped function."""
        return self._inner.map(partial(_held, self._marks, fn), items, chunksize=chunksize, progress=progress)


@pytest.fixture(scope="module")
def ray_runner() -> Iterator[RayRunner]:
    ray: Any = pytest.importorskip("ray")
    ray.cloudpickle.register_pickle_by_value(sys.modules[__name__])  # Ray workers cannot import the test module
    with RayRunner(2) as runner:
        yield runner


@pytest.fixture(scope="module")
def close() -> pd.DataFrame:
    bars = pd.read_csv(BARS, parse_dates=["date"])
    panel = bars.assign(h=bars["close"] * bars["adj_factor"]).pivot(index="date", columns="code", values="h")
    return panel.dropna(axis=1)


def test_killed_worker_chunk_reruns_and_the_sweep_equals_the_clean_run(
    ray_runner: RayRunner, close: pd.DataFrame, tmp_path: Path
) -> None:
    fasts, slows = [5, 10, 20], [30, 60]
    clean = ma_sweep(close, fasts, slows, runner=ray_runner).table

    marks = tmp_path / "marks"
    marks.mkdir()
    (marks / "armed").touch()
    killed: list[int] = []

    def kill_first_running() -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            running = sorted(marks.glob("running-*"))
            if running:
                pid = int(running[0].read_text())
                (marks / "armed").unlink()  # the rerun and the other chunk go straight through
                os.kill(pid, signal.SIGKILL)
                killed.append(pid)
                return
            time.sleep(0.02)

    killer = threading.Thread(target=kill_first_running, daemon=True)
    killer.start()
    faulted = ma_sweep(close, fasts, slows, runner=HeldRunner(ray_runner, marks)).table
    killer.join(5)

    assert killed, "no chunk ever ran on a worker the test could kill"
    with pytest.raises(ProcessLookupError):
        os.kill(killed[0], 0)  # that worker is gone: the result came from a rerun
    pd.testing.assert_frame_equal(faulted, clean, check_exact=True)
    assert len(clean) == 6 and clean["mean_return"].abs().sum() > 0

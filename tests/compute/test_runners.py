"""Every runner gives the same ordered results, names the failing item and reports progress.

Task functions are standard-library callables so that spawned pool workers and Ray workers can import them
without this test module on their path.
"""

from __future__ import annotations

import math
import operator
import os
from collections.abc import Iterator
from functools import partial

import pytest

from tandem.compute import (
    BatchError,
    BatchItemError,
    BatchRunner,
    LocalPoolRunner,
    RayRunner,
    SerialRunner,
    runner_from_settings,
)
from tandem.core.errors import ValidationFailed
from tandem.core.settings import Settings

ITEMS = list(range(23))
EXPECTED = [x * 7 for x in ITEMS]
TIMES_7 = partial(operator.mul, 7)


def _exit_on(bad: int, x: int) -> int:
    """Kill the worker process on item ``bad`` (stands in for an out-of-memory kill)."""
    if x == bad:
        os._exit(1)
    return x


@pytest.fixture(scope="module")
def pool() -> Iterator[LocalPoolRunner]:
    """One two-process pool for the module (spawn start-up is paid once)."""
    with LocalPoolRunner(2) as runner:
        yield runner


@pytest.fixture(scope="module")
def ray_runner() -> Iterator[RayRunner]:
    """One one-CPU local Ray instance for the module (Ray 2.60 has no local_mode)."""
    pytest.importorskip("ray")
    with RayRunner(1) as runner:
        yield runner


def _check_runner(runner: BatchRunner) -> None:
    seen: list[tuple[int, int]] = []
    assert runner.map(TIMES_7, ITEMS, chunksize=4, progress=lambda d, t: seen.append((d, t))) == EXPECTED
    assert seen[-1] == (len(ITEMS), len(ITEMS))
    # Monotonic and complete; how many updates arrive depends on how many chunks finish between two waits.
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert runner.map(TIMES_7, ITEMS) == EXPECTED  # default chunking
    assert runner.map(TIMES_7, []) == []
    with pytest.raises(BatchItemError, match=r"item #13 \(-2.5\) failed: ValueError: math domain error") as info:
        runner.map(math.sqrt, [float(x) for x in range(13)] + [-2.5, 4.0], chunksize=3)
    assert info.value.index == 13 and isinstance(info.value.__cause__, ValueError)


def test_serial_runner_results_failures_and_progress() -> None:
    _check_runner(SerialRunner())


def test_pool_results_failures_and_progress(pool: LocalPoolRunner) -> None:
    _check_runner(pool)


def test_pool_failure_carries_the_worker_traceback(pool: LocalPoolRunner) -> None:
    with pytest.raises(BatchItemError) as info:
        pool.map(math.sqrt, [1.0, 2.0, -1.0, 3.0], chunksize=2)
    assert info.value.index == 2
    assert any("traceback in the worker" in n and "math domain error" in n for n in info.value.__notes__)


def test_pool_reports_an_unpicklable_function(pool: LocalPoolRunner) -> None:
    with pytest.raises(BatchError, match="could not be sent"):
        pool.map(lambda x: x, [1, 2, 3, 4], chunksize=1)
    assert pool.map(TIMES_7, [1, 2], chunksize=1) == [7, 14]  # the pool is still usable


def test_pool_names_the_chunk_whose_worker_died(pool: LocalPoolRunner) -> None:
    with pytest.raises(BatchError, match=r"worker process died while running items #2\.\.#3"):
        pool.map(partial(_exit_on, 3), [0, 1, 2, 3], chunksize=2)
    assert pool.map(TIMES_7, [1, 2], chunksize=1) == [7, 14]  # a fresh pool replaces the broken one


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValidationFailed, match="chunksize 0"):
        SerialRunner().map(TIMES_7, [1], chunksize=0)
    with pytest.raises(ValidationFailed, match="at least 1"):
        LocalPoolRunner(0)
    with pytest.raises(ValidationFailed, match="at least 1"):
        RayRunner(0)


def test_runner_from_settings_picks_the_adapter() -> None:
    assert isinstance(runner_from_settings(Settings(compute="local", compute_workers=1)), SerialRunner)
    pool = runner_from_settings(Settings(compute="local", compute_workers=3))
    assert isinstance(pool, LocalPoolRunner) and pool.workers == 3
    ray = runner_from_settings(Settings(compute="ray", compute_workers=2, ray_address="ray://head:10001"))
    assert isinstance(ray, RayRunner) and ray.workers == 2  # nothing starts until the first map


@pytest.mark.ray
def test_ray_matches_the_pool(ray_runner: RayRunner, pool: LocalPoolRunner) -> None:
    _check_runner(ray_runner)
    words = [f"股票{i}" for i in range(9)]
    assert ray_runner.map(len, words, chunksize=2) == pool.map(len, words, chunksize=2) == [3] * 9

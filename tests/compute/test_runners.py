"""Every runner gives the same ordered results, names the failing item and reports progress.

Task functions are standard-library callables so that spawned pool workers and Ray workers can import them
without this test module on their path.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import operator
import os
import time
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from pathlib import Path

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
from tandem.compute.chunks import split
from tandem.compute.worker_death import worker_death_error
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


def _slow_first_exit_on(bad: int, x: int) -> int:
    """Item 0 takes a while, so its chunk is still running when item ``bad`` kills its worker."""
    if x == 0:
        time.sleep(1.0)
    return _exit_on(bad, x)


def _exit_once_on(flag: str, bad: int, x: int) -> int:
    """Kill the worker on item ``bad`` the first time only (a death that happens only under parallel load)."""
    if x == 0:
        time.sleep(1.0)
    if x == bad and not Path(flag).exists():
        Path(flag).write_text("died once", encoding="ascii")
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


def test_a_death_names_the_culprit_not_the_chunk_running_beside_it(pool: LocalPoolRunner) -> None:
    # Chunk #0..#1 is usually still running when #2..#3 kills its worker, and the executor then fails every
    # unfinished future alike; whichever is reported first, the culprit is named.
    pool.map(partial(_slow_first_exit_on, -1), [0, 1, 2, 3], chunksize=2)  # both workers up
    with pytest.raises(BatchError, match=r"running items #2\.\.#3 ") as info:
        pool.map(partial(_slow_first_exit_on, 3), [0, 1, 2, 3], chunksize=2)
    assert (info.value.first, info.value.last) == (2, 3)
    assert pool.map(TIMES_7, [1, 2], chunksize=1) == [7, 14]


CHUNKS = split([0, 1, 2, 3], 2)
BROKEN = BrokenProcessPool("A process in the process pool was terminated abruptly")


def test_two_suspects_are_run_alone_and_the_one_that_dies_again_is_named() -> None:
    error = worker_death_error(
        BROKEN,
        reported=CHUNKS[0],
        chunks=CHUNKS,
        in_flight=[0, 2],
        ctx=mp.get_context("spawn"),
        fn=partial(_exit_on, 3),
    )
    assert "running items #2..#3 (it died again when run alone; #0..#1 ran alone without dying)" in str(error)
    assert (error.first, error.last) == (2, 3)


def test_a_death_only_side_by_side_is_reported_as_such(tmp_path: Path) -> None:
    flag = tmp_path / "died"
    flag.write_text("the first death already happened", encoding="ascii")
    error = worker_death_error(
        BROKEN,
        reported=CHUNKS[1],
        chunks=CHUNKS,
        in_flight=[0, 2],
        ctx=mp.get_context("spawn"),
        fn=partial(_exit_once_on, str(flag), 3),
    )
    assert "items #0..#1, #2..#3 ran side by side, and each ran alone without dying" in str(error)
    assert (error.first, error.last) == (0, 3)


def test_one_suspect_is_named_without_a_rerun() -> None:
    error = worker_death_error(
        BROKEN,
        reported=CHUNKS[0],
        chunks=CHUNKS,
        in_flight=[2],
        ctx=mp.get_context("spawn"),
        fn=partial(_exit_on, 3),
    )
    assert str(error).startswith("a worker process died while running items #2..#3 (A process")


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

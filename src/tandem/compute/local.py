"""Runners on this machine: :class:`SerialRunner` (this process) and :class:`LocalPoolRunner` (worker processes).

The pool starts its workers with ``forkserver`` by default: the parent usually holds threads (DuckDB, pyarrow,
numba) and forking a process with live threads can deadlock the child, while ``spawn`` makes every worker import
the program again (seconds for the ``tandem`` CLI). The fork server imports the main module and the task's module
once and forks clean workers from itself. Workers are started on the first ``map`` and kept until ``close`` so
several batches in a row (a walk-forward runs two sweeps) pay the start-up once.
"""

from __future__ import annotations

import multiprocessing as mp
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any, Literal, TypeVar

import structlog

from tandem.compute.chunks import Chunk, ChunkOutcome, chunk_size, collect, split
from tandem.compute.errors import BatchError, BatchItemError, describe
from tandem.compute.runner import BatchRunner, Progress
from tandem.compute.worker_death import InFlightMarks, run_marked_chunk, worker_death_error
from tandem.core.errors import ValidationFailed

T = TypeVar("T")
R = TypeVar("R")
StartMethod = Literal["spawn", "forkserver", "fork"]
Pending = Future[ChunkOutcome[Any]]

log = structlog.get_logger(__name__)


def _wait_some(pending: list[Pending]) -> tuple[list[Pending], list[Pending]]:
    done, not_done = wait(pending, return_when=FIRST_COMPLETED)
    return list(done), list(not_done)


def _module_of(fn: Callable[..., object]) -> str:
    """The module defining ``fn`` (through ``functools.partial``), for the fork server to import up front."""
    inner = fn.func if isinstance(fn, partial) else fn
    return str(getattr(inner, "__module__", None) or __name__)


class SerialRunner(BatchRunner):
    """Every item in this process, one after another: for tiny batches, tests and debugging (real tracebacks)."""

    @property
    def workers(self) -> int:
        """Always one."""
        return 1

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        *,
        chunksize: int | None = None,
        progress: Progress | None = None,
    ) -> list[R]:
        """Apply ``fn`` in order; ``chunksize`` is checked but changes nothing here."""
        chunk_size(len(items), 1, chunksize)
        out: list[R] = []
        for i, item in enumerate(items):
            try:
                out.append(fn(item))
            except Exception as exc:
                raise BatchItemError(i, describe(item), exc) from exc
            if progress is not None:
                progress(i + 1, len(items))
        return out


class LocalPoolRunner(BatchRunner):
    """A ``concurrent.futures`` process pool of ``workers`` processes (``Settings.compute_workers``)."""

    def __init__(self, workers: int, *, start_method: StartMethod = "forkserver") -> None:
        if workers < 1:
            raise ValidationFailed(f"workers={workers}: a process pool needs at least 1 (TANDEM_COMPUTE_WORKERS)")
        self._workers = workers
        self._start_method = start_method
        self._pool: ProcessPoolExecutor | None = None
        self._marks: InFlightMarks | None = None

    @property
    def workers(self) -> int:
        """The number of worker processes."""
        return self._workers

    def _executor(self, fn: Callable[..., object]) -> ProcessPoolExecutor:
        if self._pool is None:
            ctx = mp.get_context(self._start_method)
            if self._start_method == "forkserver":  # no effect once this process's fork server runs
                ctx.set_forkserver_preload(["__main__", __name__, _module_of(fn)])
            self._pool = ProcessPoolExecutor(self._workers, mp_context=ctx)
            log.debug("process pool started", workers=self._workers, start_method=self._start_method)
        return self._pool

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        *,
        chunksize: int | None = None,
        progress: Progress | None = None,
    ) -> list[R]:
        """Chunks go to the workers; a batch that fits in one chunk runs here (a worker would only add start-up)."""
        chunks = split(items, chunk_size(len(items), self._workers, chunksize))
        if len(chunks) <= 1:
            return SerialRunner().map(fn, items, progress=progress)
        pool = self._executor(fn)
        if self._marks is None:
            self._marks = InFlightMarks()
        self._marks.reset()
        marks = str(self._marks.path)
        futures = {pool.submit(run_marked_chunk, marks, c.start, fn, c.items): c for c in chunks}
        return collect(
            futures,
            wait_some=_wait_some,
            fetch=partial(self._outcome, fn, chunks),
            cancel=Future.cancel,
            progress=progress,
        )

    def _outcome(
        self, fn: Callable[[T], R], chunks: list[Chunk[T]], fut: Future[ChunkOutcome[R]], chunk: Chunk[T]
    ) -> ChunkOutcome[R]:
        last = chunk.start + len(chunk.items) - 1
        try:
            return fut.result()
        except BrokenProcessPool as exc:
            in_flight = self._marks.in_flight() if self._marks is not None else []
            self.close()
            ctx = mp.get_context(self._start_method)
            raise worker_death_error(exc, reported=chunk, chunks=chunks, in_flight=in_flight, ctx=ctx, fn=fn) from exc
        except Exception as exc:  # fn, an item or a result could not be pickled
            raise BatchError(
                f"items #{chunk.start}..#{last} could not be sent to or back from a worker: "
                f"{type(exc).__name__}: {exc}; pass a module-level function and picklable items",
                first=chunk.start,
                last=last,
            ) from exc

    def close(self) -> None:
        """Stop the worker processes (queued chunks are dropped); the next ``map`` starts new ones."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        if self._marks is not None:
            self._marks.close()
            self._marks = None

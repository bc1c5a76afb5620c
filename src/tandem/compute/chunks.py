"""What every adapter shares: cutting a batch into chunks and running one chunk so that failures name an item.

A chunk runs in a worker (or in this process) through :func:`run_chunk`, which never raises for an item: it
returns the results so far and the failure, with the exception made safe to send back and the traceback as text.
The driver turns that into :class:`~tandem.compute.errors.BatchItemError` with :func:`raise_for_failure`.
"""

from __future__ import annotations

import pickle
import traceback
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from tandem.compute.errors import BatchItemError, describe
from tandem.compute.runner import Progress
from tandem.core.errors import ValidationFailed

T = TypeVar("T")
R = TypeVar("R")
H = TypeVar("H", bound=Hashable)

CHUNKS_PER_WORKER = 4
"""Default chunks per worker: enough to balance uneven items and report progress, few enough to keep IPC low."""


@dataclass(frozen=True)
class Chunk(Generic[T]):
    """Items ``start .. start + len(items) - 1`` of a batch."""

    start: int
    items: list[T]


@dataclass(frozen=True)
class ChunkOutcome(Generic[R]):
    """Results of a chunk in order; on failure, those before it plus the failing offset, exception and traceback."""

    results: list[R]
    failed_at: int | None = None
    error: BaseException | None = None
    trace: str = ""


def chunk_size(n_items: int, workers: int, chunksize: int | None) -> int:
    """The chunk size to use: the caller's, or about ``CHUNKS_PER_WORKER`` chunks per worker."""
    if chunksize is not None:
        if chunksize < 1:
            raise ValidationFailed(f"chunksize {chunksize} must be at least 1 (items sent to a worker together)")
        return chunksize
    return max(1, -(-n_items // (workers * CHUNKS_PER_WORKER)))


def split(items: Sequence[T], size: int) -> list[Chunk[T]]:
    """Consecutive chunks of ``size`` items (the last may be shorter)."""
    return [Chunk(i, list(items[i : i + size])) for i in range(0, len(items), size)]


def _sendable(exc: BaseException) -> BaseException:
    """``exc`` if it survives a pickle round trip, else a RuntimeError carrying its type and message."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return RuntimeError(f"{type(exc).__name__}: {exc}")
    return exc


def run_chunk(fn: Callable[[T], R], items: list[T]) -> ChunkOutcome[R]:
    """Apply ``fn`` to each item in order, stopping at the first exception (returned, not raised)."""
    results: list[R] = []
    for offset, item in enumerate(items):
        try:
            results.append(fn(item))
        except Exception as exc:
            return ChunkOutcome(results, offset, _sendable(exc), traceback.format_exc())
    return ChunkOutcome(results)


def raise_for_failure(outcome: ChunkOutcome[R], chunk: Chunk[T], *, remote: bool) -> None:
    """Raise :class:`BatchItemError` for a failed chunk (with the worker's traceback as a note when ``remote``)."""
    if outcome.failed_at is None or outcome.error is None:
        return
    index = chunk.start + outcome.failed_at
    failure = BatchItemError(index, describe(chunk.items[outcome.failed_at]), outcome.error)
    if remote and outcome.trace:
        failure.add_note(f"traceback in the worker:\n{outcome.trace.rstrip()}")
    raise failure from outcome.error


def collect(
    submitted: dict[H, Chunk[Any]],
    *,
    wait_some: Callable[[list[H]], tuple[list[H], list[H]]],
    fetch: Callable[[H, Chunk[Any]], ChunkOutcome[R]],
    cancel: Callable[[H], object],
    progress: Progress | None,
) -> list[R]:
    """Wait for submitted chunks (``handle → chunk``, in batch order), fail fast, report progress, keep item order.

    ``wait_some`` splits the pending handles into finished and still pending; ``fetch`` reads one finished chunk's
    outcome; ``cancel`` drops a chunk not yet run once another has failed.
    """
    total = sum(len(c.items) for c in submitted.values())
    outcomes: dict[int, ChunkOutcome[R]] = {}
    pending = list(submitted)
    try:
        while pending:
            finished, pending = wait_some(pending)
            for handle in finished:
                chunk = submitted[handle]
                outcome = fetch(handle, chunk)
                raise_for_failure(outcome, chunk, remote=True)
                outcomes[chunk.start] = outcome
            if progress is not None:
                progress(sum(len(o.results) for o in outcomes.values()), total)
    finally:
        for handle in pending:
            cancel(handle)
    return [r for c in submitted.values() for r in outcomes[c.start].results]

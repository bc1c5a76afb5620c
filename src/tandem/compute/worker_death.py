"""Which chunk killed a worker: in-flight markers, then each suspect alone in a fresh one-process pool.

When one worker of a ``ProcessPoolExecutor`` dies (an out-of-memory kill, a crash in native code, ``os._exit``)
the executor fails *every* unfinished future with the same ``BrokenProcessPool`` and terminates the other workers,
so the future that reports the break is not necessarily the chunk that caused it. Each worker therefore leaves a
marker file for the chunk it is running and removes it when the chunk returns; a chunk whose marker is still there
after the break was running when the pool died. With one suspect it is named; with several, each runs again alone
(at most one chunk per worker, in batch order) and the first that kills its worker again is the culprit. If none
does, the batch died from running them side by side (memory) and the message says so.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any, TypeVar

from tandem.compute.chunks import Chunk, ChunkOutcome, run_chunk
from tandem.compute.errors import BatchError

T = TypeVar("T")
R = TypeVar("R")

_ADVICE = "often out of memory: lower TANDEM_COMPUTE_WORKERS or the batch size"


def run_marked_chunk(marks: str, start: int, fn: Callable[[T], R], items: list[T]) -> ChunkOutcome[R]:
    """:func:`run_chunk` with a marker ``marks/start`` present while it runs (left behind if the process dies)."""
    marker = Path(marks) / str(start)
    marker.write_text(str(os.getpid()), encoding="ascii")
    outcome = run_chunk(fn, items)
    marker.unlink(missing_ok=True)
    return outcome


class InFlightMarks:
    """A private directory of markers for one pool; ``reset`` before a batch, ``close`` with the pool."""

    def __init__(self) -> None:
        self.path = Path(tempfile.mkdtemp(prefix="tandem-pool-"))

    def reset(self) -> None:
        """Forget markers of an earlier batch (a worker killed on purpose by ``close`` can leave one)."""
        for marker in self.path.iterdir():
            marker.unlink(missing_ok=True)

    def in_flight(self) -> list[int]:
        """Start positions of chunks that began and never returned, in batch order."""
        return sorted(int(m.name) for m in self.path.iterdir() if m.name.isdigit())

    def close(self) -> None:
        """Remove the directory."""
        shutil.rmtree(self.path, ignore_errors=True)


def _label(chunk: Chunk[Any]) -> str:
    return f"#{chunk.start}..#{chunk.start + len(chunk.items) - 1}"


def _dies_alone(ctx: BaseContext, fn: Callable[[Any], Any], chunk: Chunk[Any]) -> bool:
    """Run ``chunk`` alone in a fresh one-process pool; True if its worker died again."""
    with ProcessPoolExecutor(1, mp_context=ctx) as solo:
        try:
            solo.submit(run_chunk, fn, chunk.items).result()
        except BrokenProcessPool:
            return True
    return False


def worker_death_error(
    cause: BrokenProcessPool,
    *,
    reported: Chunk[Any],
    chunks: Sequence[Chunk[Any]],
    in_flight: Sequence[int],
    ctx: BaseContext,
    fn: Callable[[Any], Any],
) -> BatchError:
    """The error to raise for a broken pool, naming the chunk that killed its worker when it can be found."""
    by_start = {c.start: c for c in chunks}
    suspects = [by_start[s] for s in in_flight if s in by_start] or [reported]
    if len(suspects) == 1:
        culprit = suspects[0]
        return _died(culprit, f"a worker process died while running items {_label(culprit)} ({cause}); {_ADVICE}")
    for suspect in suspects:
        if _dies_alone(ctx, fn, suspect):
            others = ", ".join(_label(s) for s in suspects if s is not suspect)
            return _died(
                suspect,
                f"a worker process died while running items {_label(suspect)} (it died again when run alone; "
                f"{others} ran alone without dying); {_ADVICE}",
            )
    first, last = suspects[0], suspects[-1]
    return BatchError(
        f"a worker process died while items {', '.join(_label(s) for s in suspects)} ran side by side, and each "
        f"ran alone without dying: the batch needs more memory than {len(suspects)} workers have; lower "
        "TANDEM_COMPUTE_WORKERS or the batch size",
        first=first.start,
        last=last.start + len(last.items) - 1,
    )


def _died(chunk: Chunk[Any], message: str) -> BatchError:
    return BatchError(message, first=chunk.start, last=chunk.start + len(chunk.items) - 1)

"""Batches on Ray: a local instance started on first use, or a cluster at a configured address.

Ray is an optional dependency (``pip install tandem[ray]``) and is imported only when a batch runs on it. The
function is put in the object store once per ``map`` and every chunk task reads it by reference, so a large shared
argument (a market snapshot, a price panel) is serialised once, not once per chunk.

A chunk whose worker process dies (killed, out of memory, a node lost) is run again by Ray, up to
:data:`CHUNK_RETRIES` times: a chunk is a pure function of its items, so a rerun gives the same result and the batch
equals a run without the fault. An exception raised *by* the function is not retried; it is the item's error.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import structlog

from tandem.compute.chunks import Chunk, ChunkOutcome, chunk_size, collect, run_chunk, split
from tandem.compute.errors import BatchError
from tandem.compute.runner import BatchRunner, Progress
from tandem.core.errors import UserError, ValidationFailed

T = TypeVar("T")
R = TypeVar("R")

log = structlog.get_logger(__name__)

CHUNK_RETRIES = 3
"""How often Ray reruns a chunk whose worker died before the batch fails with that chunk named."""


def _ray() -> Any:
    try:
        return importlib.import_module("ray")
    except ImportError as exc:
        raise UserError(
            "TANDEM_COMPUTE=ray but Ray is not installed; `pip install 'tandem[ray]'` or set TANDEM_COMPUTE=local"
        ) from exc


class RayRunner(BatchRunner):
    """Chunks as Ray tasks; ``num_cpus`` sizes a local instance, or is only the chunking hint on a cluster.

    If Ray is already initialised (by the caller, or another runner) it is reused and left running on ``close``;
    an instance this runner started is shut down on ``close``.
    """

    def __init__(self, num_cpus: int, *, address: str | None = None) -> None:
        if num_cpus < 1:
            raise ValidationFailed(f"num_cpus={num_cpus}: Ray needs at least 1 CPU (TANDEM_COMPUTE_WORKERS)")
        self._num_cpus = num_cpus
        self._address = address
        self._started = False

    @property
    def workers(self) -> int:
        """The configured CPU count."""
        return self._num_cpus

    def _connect(self) -> Any:
        ray = _ray()
        if not ray.is_initialized():
            if self._address:
                ray.init(address=self._address, log_to_driver=False)
            else:
                ray.init(num_cpus=self._num_cpus, include_dashboard=False, log_to_driver=False)
            self._started = True
            log.debug("ray started", address=self._address or "local", num_cpus=self._num_cpus)
        return ray

    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        *,
        chunksize: int | None = None,
        progress: Progress | None = None,
    ) -> list[R]:
        """Submit every chunk, collect outcomes as they finish, return results in item order."""
        chunks = split(items, chunk_size(len(items), self._num_cpus, chunksize))
        if not chunks:
            return []
        ray = self._connect()
        task = ray.remote(max_retries=CHUNK_RETRIES, retry_exceptions=False)(run_chunk)
        fn_ref = ray.put(fn)
        refs = {task.remote(fn_ref, c.items): c for c in chunks}
        return collect(
            refs,
            wait_some=lambda pending: ray.wait(pending, num_returns=1),
            fetch=lambda ref, chunk: self._outcome(ray, ref, chunk),
            cancel=ray.cancel,
            progress=progress,
        )

    @staticmethod
    def _outcome(ray: Any, ref: Any, chunk: Chunk[Any]) -> ChunkOutcome[Any]:
        try:
            outcome: ChunkOutcome[Any] = ray.get(ref)
        except Exception as exc:  # the task itself failed: worker crash, object lost, unpicklable fn or item
            last = chunk.start + len(chunk.items) - 1
            raise BatchError(
                f"Ray could not run items #{chunk.start}..#{last}: {type(exc).__name__}: {exc}",
                first=chunk.start,
                last=last,
            ) from exc
        return outcome

    def close(self) -> None:
        """Shut Ray down if this runner started it."""
        if self._started:
            _ray().shutdown()
            self._started = False

"""The port every batch goes through: ``map(fn, items)`` with ordered results, named failures and progress.

A capability that has many independent pieces of work (parameter pairs, client chunks, scorers) calls
:meth:`BatchRunner.map` on the runner it was given; it never chooses processes or Ray itself. To add a backend,
subclass :class:`BatchRunner`, implement ``workers`` and ``map`` (run ``fn`` on every item, return results in item
order, raise :class:`~tandem.compute.errors.BatchItemError` naming the first failing item seen, call ``progress``
as items finish) and release resources in ``close``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from types import TracebackType
from typing import Self, TypeVar

T = TypeVar("T")
R = TypeVar("R")

Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` with the number of items finished so far, each time a chunk finishes."""


class BatchRunner(ABC):
    """Runs ``fn`` over a batch of items, somewhere; usable as a context manager that closes it."""

    @property
    @abstractmethod
    def workers(self) -> int:
        """How many items can run at once; capabilities that batch coarse work split it into this many parts."""

    @abstractmethod
    def map(
        self,
        fn: Callable[[T], R],
        items: Sequence[T],
        *,
        chunksize: int | None = None,
        progress: Progress | None = None,
    ) -> list[R]:
        """``[fn(x) for x in items]``, possibly in parallel; ``chunksize`` items travel to a worker together.

        ``fn`` and the items must be picklable for runners that leave this process (a module-level function, or
        ``functools.partial`` of one carrying the shared arguments: these travel once per chunk, not per item).
        """

    def close(self) -> None:
        """Release workers; the default holds none."""
        return None

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

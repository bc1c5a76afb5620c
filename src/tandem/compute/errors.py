"""Why a batch stopped: one item raised, or the machinery running a chunk of items died.

Both name the items concerned by their position in the batch, so a failure in item 4,137 of a 10,000-client book
can be found and re-run alone. The original exception stays attached as ``__cause__``; when it was raised in
another process its traceback text is added as a note, since a traceback cannot cross a process boundary.
"""

from __future__ import annotations

import reprlib

from tandem.core.errors import TandemError

_SHORT = reprlib.Repr()
_SHORT.maxstring = 80
_SHORT.maxother = 80
_SHORT.maxlevel = 3


def describe(item: object) -> str:
    """A short repr of ``item`` for error messages (large arrays and long strings are cut)."""
    return _SHORT.repr(item)


class BatchError(TandemError):
    """A chunk of items ``first..last`` (0-based positions in the batch) could not be run at all."""

    def __init__(self, message: str, *, first: int, last: int) -> None:
        super().__init__(message)
        self.first = first
        self.last = last

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild_failed, (str(self), self.first, self.last))


class BatchItemError(BatchError):
    """Item ``index`` of the batch raised; ``item`` is its short repr and ``__cause__`` the original exception."""

    def __init__(self, index: int, item: str, cause: BaseException) -> None:
        super().__init__(
            f"batch item #{index} ({item}) failed: {type(cause).__name__}: {cause}", first=index, last=index
        )
        self.index = index
        self.item = item
        self.cause = cause

    def __reduce__(self) -> tuple[object, ...]:
        return (type(self), (self.index, self.item, self.cause))


def _rebuild_failed(message: str, first: int, last: int) -> BatchError:
    return BatchError(message, first=first, last=last)

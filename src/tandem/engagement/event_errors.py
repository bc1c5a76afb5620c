"""Typed rejections of an event batch: each names the index in the batch and the field that is wrong.

All problems of a batch are collected before anything is stored, so one error carries every problem found;
its class is that of the first problem (the web layer maps any of them to a 422 listing ``problems``).
"""

from __future__ import annotations

from dataclasses import dataclass

from tandem.core.errors import ValidationFailed


@dataclass(frozen=True, slots=True)
class EventProblem:
    """One thing wrong with one event of a batch: where (``index``, ``field``) and what, in words."""

    index: int
    field: str
    message: str
    kind: type[EventBatchError]

    def __str__(self) -> str:
        return f"events[{self.index}].{self.field}: {self.message}"


class EventBatchError(ValidationFailed):
    """A batch was refused and nothing of it stored; ``detail`` lists every :class:`EventProblem`."""

    def __init__(self, problems: list[EventProblem]) -> None:
        if not problems:
            raise ValueError("an EventBatchError needs at least one problem")
        first = problems[0]
        more = f" (and {len(problems) - 1} more problems)" if len(problems) > 1 else ""
        super().__init__(f"event batch rejected, nothing stored: {first}{more}", [str(p) for p in problems])
        self.detail: tuple[EventProblem, ...] = tuple(problems)
        self.index = first.index
        self.field = first.field


class MalformedEventError(EventBatchError):
    """A field is missing, of the wrong type, or not parseable (a bad id, a naive timestamp)."""


class UnknownEventTypeError(EventBatchError):
    """The ``type`` is not in the schema, or is one only server code may emit."""


class FutureEventTimeError(EventBatchError):
    """``client_time`` is later than the server clock plus the allowed clock skew."""


class StaleEventTimeError(EventBatchError):
    """``client_time`` is older than the replay window (the idempotency check only covers that window)."""


class WrongClientError(EventBatchError):
    """``client_id`` is not the authenticated user's id: a client may only report its own behaviour."""


class BatchTooLargeError(EventBatchError):
    """More events than one batch may carry; split it."""

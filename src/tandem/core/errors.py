"""Errors a user can act on. Each carries what went wrong, where, and how to fix it.

The CLI maps :class:`UserError` to exit code 2 and the web layer to a problem+json 4xx response;
anything else is a bug and surfaces as such.
"""

from __future__ import annotations


class TandemError(Exception):
    """Base class for every error Tandem raises on purpose."""


class UserError(TandemError):
    """Bad input from a user: the message says what, where, and how to fix it."""


class NotFoundError(UserError):
    """A named object (instrument, plan, job) does not exist or is not visible to the caller."""


class ValidationFailed(UserError):  # noqa: N818 - reads as a verdict: "validation failed"
    """Input data failed validation; ``problems`` lists ``file:line: field: what is wrong`` strings."""

    def __init__(self, message: str, problems: list[str] | None = None) -> None:
        super().__init__(message)
        self.problems: list[str] = list(problems or [])


class ConflictError(UserError):
    """The request conflicts with the current state (duplicate account, running job, stale lock)."""

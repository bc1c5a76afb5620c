"""Web errors on top of :mod:`tandem.core.errors`, each mapped to one HTTP status by :mod:`tandem.web.problems`.

Identity's credential errors (401, 423) are re-exported so handlers and the problem mapping name one module.
"""

from __future__ import annotations

from tandem.core.errors import UserError
from tandem.identity import AccountLockedError, AuthRequiredError

__all__ = [
    "AccountLockedError",
    "AuthRequiredError",
    "ForbiddenError",
    "PayloadTooLargeError",
    "TooManyRequestsError",
]


class ForbiddenError(UserError):
    """Authenticated, but the role may not do this: 403."""


class TooManyRequestsError(UserError):
    """The caller hit a rate limit (429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PayloadTooLargeError(UserError):
    """The request body exceeds the size limit (413)."""

"""Web-only errors on top of :mod:`tandem.core.errors`, each mapped to one HTTP status by :mod:`tandem.web.problems`."""

from __future__ import annotations

from tandem.core.errors import UserError


class AuthRequiredError(UserError):
    """No valid credentials (missing, wrong, expired or revoked): 401."""


class ForbiddenError(UserError):
    """Authenticated, but the role may not do this: 403."""


class AccountLockedError(UserError):
    """Too many wrong passwords: the account is locked for a while (423)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TooManyRequestsError(UserError):
    """The caller hit a rate limit (429)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class PayloadTooLargeError(UserError):
    """The request body exceeds the size limit (413)."""

"""Identity's errors on top of :mod:`tandem.core.errors`; the web maps each to one HTTP status (401, 423)."""

from __future__ import annotations

from tandem.core.errors import UserError


class AuthRequiredError(UserError):
    """No valid credentials (missing, wrong, expired or revoked): 401."""


class AccountLockedError(UserError):
    """Too many wrong passwords: the account is locked for a while (423)."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after

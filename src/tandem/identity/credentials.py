"""Passwords (argon2id), bearer tokens (HS256 JWT) and the password policy.

A token carries the user's ``token_version``; bumping it (logout everywhere, password change) revokes every token
issued before, without a token blacklist.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from tandem.core.errors import ValidationFailed
from tandem.identity.errors import AuthRequiredError

TOKEN_TTL = timedelta(hours=2)
SESSION_TTL = timedelta(days=7)
MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
_ISSUER = "tandem"

# Moderate argon2id costs: ~20 ms per hash on this class of machine keeps login fast under load and brute force slow.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19_456, parallelism=1)
_DUMMY_HASH = _HASHER.hash("tandem-timing-equaliser")


def hash_password(password: str) -> str:
    """Argon2id hash of a password that passed :func:`check_password_policy`."""
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """Whether ``password`` matches; never raises on a wrong password."""
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def burn_verify_time(password: str) -> None:
    """Spend the same time as a real verification, so unknown usernames are not revealed by timing."""
    verify_password(_DUMMY_HASH, password)


def check_password_policy(password: str) -> None:
    """At least 10 characters with at least one letter and one digit."""
    if len(password) < 10 or not re.search(r"[A-Za-z]", password) or not re.search(r"\d", password):
        raise ValidationFailed("password must be at least 10 characters and contain both letters and digits")


@dataclass(frozen=True, slots=True)
class TokenClaims:
    """What a verified bearer token says."""

    user_id: int
    token_version: int
    expires_at: datetime


def issue_token(key: bytes, *, user_id: int, token_version: int, now: datetime | None = None) -> tuple[str, int]:
    """A signed bearer token and its lifetime in seconds."""
    t = now or datetime.now(UTC)
    exp = t + TOKEN_TTL
    claims = {"sub": str(user_id), "ver": token_version, "iat": t, "exp": exp, "iss": _ISSUER}
    return jwt.encode(claims, key, algorithm="HS256"), int(TOKEN_TTL.total_seconds())


def verify_token(key: bytes, token: str) -> TokenClaims:
    """Decode and check a bearer token (signature, expiry, issuer), or raise AuthRequiredError."""
    try:
        claims = jwt.decode(token, key, algorithms=["HS256"], issuer=_ISSUER, options={"require": ["exp", "sub"]})
        return TokenClaims(
            user_id=int(claims["sub"]),
            token_version=int(claims.get("ver", 0)),
            expires_at=datetime.fromtimestamp(int(claims["exp"]), UTC),
        )
    except jwt.ExpiredSignatureError:
        raise AuthRequiredError("the bearer token has expired; log in again at POST /api/v1/auth/login") from None
    except (jwt.InvalidTokenError, ValueError, KeyError):
        raise AuthRequiredError("the bearer token is invalid; log in again at POST /api/v1/auth/login") from None


class VerifiedTokens:
    """:func:`verify_token` with a per-process memo of the tokens whose signature it already checked.

    PyJWT's decode (key preparation, base64, JSON, HMAC, claim checks) was a sixth of a cached quote's server time
    under load. A token is immutable and its signature under a key checks the same every time, so a token seen
    before is answered from the memo; its expiry is still checked on every call against the clock, exactly as
    PyJWT does (expired when ``exp <= now``). Only tokens that verified are kept (a flood of forged ones adds
    nothing), at most ``capacity`` of them; when full the memo starts over. Revocation is not this memo's business:
    callers still compare the token version with the account (see :mod:`tandem.identity.authcache`).
    """

    def __init__(self, capacity: int = 4096) -> None:
        if capacity < 1:
            raise ValueError(f"token memo capacity must be at least 1, got {capacity}")
        self.capacity = capacity
        self._seen: dict[tuple[bytes, str], tuple[TokenClaims, float]] = {}

    def verify(self, key: bytes, token: str, now: float | None = None) -> TokenClaims:
        """The token's claims (signature, issuer and expiry checked), or AuthRequiredError as from verify_token."""
        hit = self._seen.get((key, token))
        if hit is None:
            claims = verify_token(key, token)
            if len(self._seen) >= self.capacity:
                self._seen = {}
            self._seen[(key, token)] = (claims, claims.expires_at.timestamp())
            return claims
        claims, exp = hit
        if exp <= (datetime.now(UTC).timestamp() if now is None else now):
            self._seen.pop((key, token), None)
            raise AuthRequiredError("the bearer token has expired; log in again at POST /api/v1/auth/login")
        return claims


def new_session_token() -> tuple[str, str]:
    """A random browser-session token and the SHA-256 hex that the DB stores."""
    token = secrets.token_urlsafe(32)
    return token, session_digest(token)


def session_digest(token: str) -> str:
    """The stored form of a session token."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(key: bytes, session_token: str) -> str:
    """The CSRF token bound to a browser session (an HMAC of the session token, so it needs no storage)."""
    return hmac.new(key, session_token.encode(), hashlib.sha256).hexdigest()[:32]

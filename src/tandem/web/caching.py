"""HTTP cache headers of the public market pages and endpoints (quotes, K-line, search, the landing state).

A visitor's answer holds market data only, so browsers and shared caches may keep it for a minute
(``public, max-age=60``). The same URL answers a signed-in caller with personal parts (watch state, watchlist,
scores), so that answer is ``private, no-cache`` and every answer names ``Authorization`` and ``Cookie`` in
``Vary``: a shared cache keys on them and never hands a visitor's copy to a signed-in user or the reverse. A request
carrying a session cookie or an Authorization header is never answered ``public``, even when the cookie has expired.
"""

from __future__ import annotations

from fastapi import Request, Response

from tandem.web.deps import SESSION_COOKIE

PUBLIC_MAX_AGE = 60
PRIVATE = "private, no-cache"


def is_shared_safe(request: Request, *, anonymous: bool) -> bool:
    """True when the answer to ``request`` may be stored by shared caches (no caller and no credentials sent)."""
    return anonymous and "authorization" not in request.headers and SESSION_COOKIE not in request.cookies


def mark_cacheable(response: Response, request: Request, *, anonymous: bool, max_age: int = PUBLIC_MAX_AGE) -> None:
    """Set ``Cache-Control`` (public for a visitor, private for a caller) and ``Vary: Authorization, Cookie``."""
    shared = is_shared_safe(request, anonymous=anonymous)
    response.headers["Cache-Control"] = f"public, max-age={max_age}" if shared else PRIVATE
    response.headers.add_vary_header("Authorization")
    response.headers.add_vary_header("Cookie")

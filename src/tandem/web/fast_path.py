"""A plain-ASGI answer for repeat GETs of the quote, K-line and diagnosis, ahead of FastAPI's router.

With the finished bodies cached (:mod:`tandem.web.response_cache`) a repeat request spent most of its CPU in
FastAPI itself: dependency solving ~37 %, routing ~10 % (py-spy, benchmarks/RESULTS.md, session 6). This wrapper
sits just inside the timing middleware and outside the router. It answers only when everything the route would do
is already known without I/O: the path and query parse exactly as the route's (same bounds, defaults and the
instrument spelling the route resolved before in this store version), the caller is a visitor or a bearer token in
the per-worker memo (the same check :func:`tandem.web.deps.require_caller` makes, so a revoked token misses), and
the body is cached. The response is built with the route's own helpers, so bytes and headers are the route's; the
outer middleware (gzip, security headers, request timing under the route's template) runs as for any request.

Anything else falls through to the normal route unchanged: another method, a root path, an unknown, repeated or
blank query parameter, a value the route would reject or parse differently, a session cookie, an Authorization
header that is not a remembered bearer token, a missing body, or a visitor over the rate limit (a refused hit is
not recorded, so the route's own check refuses again and answers 429). The routes' paths are unique among the
app's routes, and the fast path answers a path only after the router matched it to that endpoint's own route.
"""

from __future__ import annotations

import re
from collections.abc import Hashable
from datetime import date
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Receive, Scope, Send

from tandem.marketdata.quote import remembered_instrument
from tandem.web.api import stocks
from tandem.web.caching import mark_cacheable
from tandem.web.deps import SESSION_COOKIE
from tandem.web.response_cache import accepts_gzip, finish_gzip, json_response
from tandem.web.state import AppState

_PATH = re.compile(r"/api/v1/stocks/([^/]+)/(quote|bars|diagnosis)")
"""The three routes' templates as Starlette compiles them (``{code}`` matches one path segment)."""
_TEMPLATE = "/api/v1/stocks/{{code}}/{}"
_ENDPOINTS = {"quote": stocks.get_quote, "bars": stocks.get_bars, "diagnosis": stocks.get_diagnosis}
_PARAMS = {"quote": frozenset[str](), "bars": frozenset({"adjust", "start", "end"}), "diagnosis": frozenset({"as_of"})}
_ADJUST = frozenset({"qfq", "hfq", "none"})
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
_CODE_MAX = 20  # get_stock's Path(max_length=20)


class MarketFastPath:
    """Answer cache hits of GET quote / bars / diagnosis without the router; pass everything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._routes: dict[str, BaseRoute] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Send the cached answer, or call the app as if this wrapper were not there."""
        if scope["type"] != "http" or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        hit = self.answer(scope)
        if hit is not None:
            route, response = hit
            scope["route"] = route  # what the router sets: the timing middleware labels by its template
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)
        self._learn(scope)

    def answer(self, scope: Scope) -> tuple[BaseRoute, Response] | None:
        """The matched route and the route's own response when this request is a cache hit, else None."""
        if scope.get("root_path"):
            return None
        matched = _PATH.fullmatch(scope["path"])
        if matched is None:
            return None
        code, name = matched.groups()
        route = self._routes.get(name)
        if route is None or len(code) > _CODE_MAX:
            return None
        params = _query(scope.get("query_string", b""), _PARAMS[name])
        if params is None:
            return None
        state: AppState = scope["app"].state.tandem
        request = Request(scope)
        authorization = request.headers.get("authorization")
        caller: object | None = None
        if authorization is not None:
            caller = _remembered_bearer(state, authorization)
            if caller is None:
                return None
        elif name == "diagnosis" or request.cookies.get(SESSION_COOKIE):
            return None  # login required, or a cookie: the route checks the DB in a worker thread
        inst = remembered_instrument(state.store, code)
        if inst is None:
            return None
        key = _key(name, inst.code, params)
        if key is None:
            return None
        cached = state.responses.cached(name, key, gzip=accepts_gzip(request.headers.get("accept-encoding")))
        if cached is None:
            return None
        if caller is None:
            host = request.client.host if request.client else "unknown"
            if state.public_limiter.hit(f"ip:{host}") > 0:
                return None
        body, gz = cached
        out = json_response(body)
        if name != "diagnosis":
            mark_cacheable(out, request, anonymous=caller is None)
        return route, finish_gzip(out) if gz else out

    def _learn(self, scope: Scope) -> None:
        """Remember the route object the router matched for one of the three paths (the timing label's source).

        Learnt from a request the router answered rather than searched for in ``app.routes`` (FastAPI nests
        included routers), and only when the matched route is the endpoint's own, so a path some other route
        would answer is never taken over. A hit needs a body the route built already, so the route is known by then.
        """
        route = scope.get("route")
        matched = _PATH.fullmatch(scope["path"])
        if matched is None or route is None or matched.group(2) in self._routes:
            return
        name = matched.group(2)
        if (
            getattr(route, "path", None) == _TEMPLATE.format(name)
            and getattr(route, "endpoint", None) is _ENDPOINTS[name]
        ):
            self._routes[name] = route


def _query(raw: bytes, allowed: frozenset[str]) -> dict[str, str] | None:
    """The query as Starlette parses it, or None when a name is unknown, repeated or blank."""
    if not raw:
        return {}
    out: dict[str, str] = {}
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name not in allowed or name in out or not value:
            return None
        out[name] = value
    return out


def _day(value: str | None) -> date | bool | None:
    """``value`` as a date when it is plainly ``YYYY-MM-DD``; None when absent; False for any other spelling."""
    if value is None:
        return None
    if _DAY.fullmatch(value) is None:
        return False
    try:
        return date.fromisoformat(value)
    except ValueError:
        return False


def _key(name: str, code: str, params: dict[str, str]) -> Hashable | None:
    """The route's cache key for these parameters (its defaults filled in), or None when the route would parse."""
    if name == "quote":
        return code
    days: dict[str, Any] = {}
    for param in ("start", "end") if name == "bars" else ("as_of",):
        day = _day(params.get(param))
        if day is False:
            return None
        days[param] = day
    if name == "diagnosis":
        return (code, days["as_of"])
    adjust = params.get("adjust", "qfq")
    return (code, adjust, days["start"], days["end"]) if adjust in _ADJUST else None


def _remembered_bearer(state: AppState, authorization: str) -> object | None:
    """The caller of a well-formed bearer header remembered by the memo, else None (the route decides)."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    try:
        claims = state.tokens.verify(state.keys.jwt, token.strip())
    except Exception:  # an expired or forged token: the route raises the same error and answers it
        return None
    return state.bearer.lookup(claims.user_id, claims.token_version)

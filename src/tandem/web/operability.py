"""Operability endpoints: ``/livez``, ``/readyz`` and Prometheus ``/metrics``, plus the request-timing middleware.

Each app gets its own registry (tests build many apps in one process; a module-level registry would collide).
Metrics are per worker process: a scraper reads each worker's port or a multiprocess collector (see
docs/deploy.md). Route labels are the matched route template (``/api/v1/stocks/{code}/quote``), never the raw
path, so a crawler cannot blow up the label set; unmatched paths share the label ``unmatched``.

``/metrics`` is for the operations role (session or bearer) or a scraper on an allowed address
(``TANDEM_METRICS_SCRAPE_HOSTS``, loopback by default); anyone else gets 403.
"""

from __future__ import annotations

import time

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from tandem.operations.health import StateCollector, readiness
from tandem.web.deps import MaybeUser
from tandem.web.state import AppState

SCRAPE_ROLES = ("operations", "admin")
BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


def _route_label(scope: Scope) -> str:
    """The matched route's template (set in the scope by the router), or ``unmatched``."""
    matched = scope.get("route")
    path = getattr(matched, "path", None)
    return str(path) if path else "unmatched"


class RequestTiming:
    """Observe each HTTP request's latency per (method, route template, status) and count the 5xx answers.

    Pure ASGI rather than ``@app.middleware("http")``: Starlette's ``BaseHTTPMiddleware`` runs every request in
    a task group with memory streams between the app and the server, which cost more than the quote handler itself
    under load (py-spy, benchmarks/RESULTS.md). The time is taken when the response has started, as before; an
    exception that escapes the app is observed by nobody here (the outer error handler answers 500 for it).
    """

    def __init__(self, app: ASGIApp, *, latency: Histogram, errors: Counter) -> None:
        self.app = app
        self.latency = latency
        self.errors = errors

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Time the request up to the response start and record it under the matched route."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()

        async def timed_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status = int(message["status"])
                route = _route_label(scope)
                self.latency.labels(scope["method"], route, str(status)).observe(time.perf_counter() - start)
                if status >= 500:
                    self.errors.labels(route).inc()
            await send(message)

        await self.app(scope, receive, timed_send)


def install(app: FastAPI, state: AppState) -> None:
    """Add the timing middleware and the three endpoints to ``app``."""
    registry = CollectorRegistry()
    latency = Histogram(
        "tandem_http_request_duration_seconds",
        "Request latency by route template",
        ["method", "route", "status"],
        registry=registry,
        buckets=BUCKETS,
    )
    errors = Counter("tandem_http_errors", "Responses with status >= 500", ["route"], registry=registry)
    registry.register(StateCollector(state.sessions, state.diagnosis))

    app.add_middleware(RequestTiming, latency=latency, errors=errors)

    router = APIRouter(tags=["health"])

    @router.get("/livez", summary="Liveness: the process answers")
    def livez() -> dict[str, str]:
        """200 while the worker serves requests (restart it when this fails)."""
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: the dependencies answer", responses={503: {"description": "not ready"}})
    def readyz() -> JSONResponse:
        """200 when the database, the market store and (when configured) Redis answer; 503 naming what failed."""
        checks = readiness(state.sessions, state.store, redis_url=state.settings.redis_url)
        ok = all(v == "ok" for v in checks.values())
        return JSONResponse({"status": "ok" if ok else "unavailable", "checks": checks}, status_code=200 if ok else 503)

    @router.get("/metrics", include_in_schema=False)
    def metrics(request: Request, user: MaybeUser) -> Response:
        """Prometheus exposition for the operations role or an allowed scrape address."""
        host = request.client.host if request.client else ""
        if host not in state.settings.metrics_scrape_hosts and (user is None or user.role not in SCRAPE_ROLES):
            return JSONResponse(
                {"detail": "metrics are for the operations role or a scraper on TANDEM_METRICS_SCRAPE_HOSTS"},
                status_code=403,
            )
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    app.include_router(router)

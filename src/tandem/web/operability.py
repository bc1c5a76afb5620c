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
from collections.abc import Awaitable, Callable, Iterator

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from tandem.backtest.jobs.stats import queue_depth
from tandem.engagement.delivery.stats import outbox_stats
from tandem.web.deps import MaybeUser
from tandem.web.state import AppState

SCRAPE_ROLES = ("operations", "admin")
BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _StateCollector(Collector):
    """Gauges read at scrape time: job queue, push outbox, diagnosis cache hit rates."""

    def __init__(self, state: AppState) -> None:
        self._state = state

    def collect(self) -> Iterator[GaugeMetricFamily]:
        jobs = GaugeMetricFamily("tandem_backtest_jobs", "Backtest jobs by status", labels=["status"])
        outbox = GaugeMetricFamily("tandem_push_outbox_pending", "Pushes waiting in the outbox")
        lag = GaugeMetricFamily("tandem_push_outbox_lag_seconds", "Age of the oldest due push not yet delivered")
        dead = GaugeMetricFamily("tandem_push_dead_letters", "Dead letters not yet replayed")
        with self._state.sessions() as db:
            for status, n in queue_depth(db).items():
                jobs.add_metric([status], n)
            stats = outbox_stats(db)
        outbox.add_metric([], stats.pending)
        lag.add_metric([], stats.lag_seconds)
        dead.add_metric([], stats.dead_letters)
        yield from (jobs, outbox, lag, dead)
        hits = GaugeMetricFamily("tandem_cache_hit_ratio", "Hit ratio per cache in this worker", labels=["cache"])
        for name, c in self._state.diagnosis.cache_stats().items():
            total = c.hits + c.misses
            hits.add_metric([f"diagnosis_{name}"], c.hits / total if total else 0.0)
        yield hits


def _route_label(request: Request) -> str:
    """The matched route's template (set in the scope by the router), or ``unmatched``."""
    matched = request.scope.get("route")
    path = getattr(matched, "path", None)
    return str(path) if path else "unmatched"


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
    registry.register(_StateCollector(state))

    @app.middleware("http")
    async def timing(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        route = _route_label(request)
        latency.labels(request.method, route, str(response.status_code)).observe(time.perf_counter() - start)
        if response.status_code >= 500:
            errors.labels(route).inc()
        return response

    router = APIRouter(tags=["health"])

    @router.get("/livez", summary="Liveness: the process answers")
    def livez() -> dict[str, str]:
        """200 while the worker serves requests (restart it when this fails)."""
        return {"status": "ok"}

    @router.get("/readyz", summary="Readiness: the dependencies answer", responses={503: {"description": "not ready"}})
    def readyz() -> JSONResponse:
        """200 when the database, the market store and (when configured) Redis answer; 503 naming what failed."""
        checks = _readiness(state)
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


def _readiness(state: AppState) -> dict[str, str]:
    checks: dict[str, str] = {}
    try:
        with state.sessions() as db:
            db.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # a readiness probe reports, it does not raise
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        version = state.store.current_version()
        checks["market_store"] = "ok" if version else "empty: run `tandem data import`"
    except OSError as exc:
        checks["market_store"] = f"error: {type(exc).__name__}"
    if state.settings.redis_url:
        import redis

        try:
            with redis.Redis.from_url(state.settings.redis_url, socket_timeout=1) as client:  # closed: probes are many
                client.ping()
            checks["redis"] = "ok"
        except redis.RedisError as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    return checks

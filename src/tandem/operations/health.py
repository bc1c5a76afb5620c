"""What the process's health endpoints report: readiness of its dependencies and the scrape-time gauges.

``/readyz`` and ``/metrics`` (:mod:`tandem.web.operability`) serve these; they are read from the database, the
market store, Redis and the diagnosis caches, so any other front end (a CLI check, a sidecar) reports the same.
"""

from __future__ import annotations

from collections.abc import Iterator

from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from tandem.backtest.jobs.stats import queue_depth
from tandem.diagnosis.service import DiagnosisService
from tandem.engagement.delivery.stats import outbox_stats
from tandem.marketdata.store import MarketStore


class StateCollector(Collector):
    """Gauges read at scrape time: job queue, push outbox, diagnosis cache hit rates."""

    def __init__(self, sessions: sessionmaker[Session], diagnosis: DiagnosisService) -> None:
        self._sessions = sessions
        self._diagnosis = diagnosis

    def collect(self) -> Iterator[GaugeMetricFamily]:
        """The job queue, the outbox and each diagnosis cache's hit ratio, read now."""
        jobs = GaugeMetricFamily("tandem_backtest_jobs", "Backtest jobs by status", labels=["status"])
        outbox = GaugeMetricFamily("tandem_push_outbox_pending", "Pushes waiting in the outbox")
        lag = GaugeMetricFamily("tandem_push_outbox_lag_seconds", "Age of the oldest due push not yet delivered")
        dead = GaugeMetricFamily("tandem_push_dead_letters", "Dead letters not yet replayed")
        with self._sessions() as db:
            for status, n in queue_depth(db).items():
                jobs.add_metric([status], n)
            stats = outbox_stats(db)
        outbox.add_metric([], stats.pending)
        lag.add_metric([], stats.lag_seconds)
        dead.add_metric([], stats.dead_letters)
        yield from (jobs, outbox, lag, dead)
        hits = GaugeMetricFamily("tandem_cache_hit_ratio", "Hit ratio per cache in this worker", labels=["cache"])
        for name, c in self._diagnosis.cache_stats().items():
            total = c.hits + c.misses
            hits.add_metric([f"diagnosis_{name}"], c.hits / total if total else 0.0)
        yield hits


def readiness(sessions: sessionmaker[Session], store: MarketStore, *, redis_url: str | None) -> dict[str, str]:
    """Each dependency's state: ``ok``, ``empty: …`` (the store has no data yet) or ``error: <type>``."""
    checks: dict[str, str] = {}
    try:
        with sessions() as db:
            db.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # a readiness probe reports, it does not raise
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        version = store.current_version()
        checks["market_store"] = "ok" if version else "empty: run `tandem data import`"
    except OSError as exc:
        checks["market_store"] = f"error: {type(exc).__name__}"
    if redis_url:
        import redis

        try:
            with redis.Redis.from_url(redis_url, socket_timeout=1) as client:  # closed: probes are many
                client.ping()
            checks["redis"] = "ok"
        except redis.RedisError as exc:
            checks["redis"] = f"error: {type(exc).__name__}"
    return checks

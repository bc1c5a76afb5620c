"""What a running app holds: settings, the market store, the DB session factory and the crypto keys.

Built once per process by :func:`tandem.web.app.create_app` (the composition root) and stored on
``app.state.tandem``; handlers reach it through the dependencies in :mod:`tandem.web.deps`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tandem.core.settings import Settings
from tandem.diagnosis.market_home import HomeCache
from tandem.diagnosis.service import DiagnosisService
from tandem.engagement.delivery.channels.hub import MemoryNotificationHub, NotificationHub
from tandem.engagement.delivery.live import LiveWaiters, WakingHub
from tandem.engagement.score_changes import DiagnosisChanges
from tandem.identity import BearerMemo, Keys, VerifiedTokens
from tandem.marketdata.store import MarketStore
from tandem.web.ratelimit import SlidingWindowLimiter
from tandem.web.response_cache import ResponseBodies


@dataclass(slots=True)
class AppState:
    """Per-process application state (the market store is thread-safe itself: handlers share it without a lock)."""

    settings: Settings
    store: MarketStore
    sessions: sessionmaker[Session]
    keys: Keys
    static_dir: Path
    vendor_missing: list[str]
    login_limiter: SlidingWindowLimiter
    public_limiter: SlidingWindowLimiter
    secure_cookies: bool
    diagnosis: DiagnosisService
    changes: DiagnosisChanges
    home: HomeCache = field(default_factory=HomeCache)
    bearer: BearerMemo = field(default_factory=BearerMemo)
    tokens: VerifiedTokens = field(default_factory=VerifiedTokens)
    landing_limiter: SlidingWindowLimiter = field(default_factory=lambda: SlidingWindowLimiter(limit=60, window=60.0))
    waiters: LiveWaiters = field(default_factory=LiveWaiters)
    hub: NotificationHub = field(default_factory=MemoryNotificationHub)
    live: LiveStreamConfig = field(default_factory=lambda: LiveStreamConfig())
    responses: ResponseBodies = field(init=False)
    """Finished bodies of the quote, K-line and diagnosis endpoints per store version (see response_cache)."""

    def __post_init__(self) -> None:
        """The hub in-process dispatchers publish to wakes this worker's open notification streams."""
        self.responses = ResponseBodies(self.store.current_version)
        if not isinstance(self.hub, WakingHub):
            self.hub = WakingHub(self.hub, self.waiters)


@dataclass(slots=True)
class LiveStreamConfig:
    """Timing of ``GET /api/v1/notifications/stream`` (tests shorten it).

    ``heartbeat``: seconds of silence before a comment line keeps proxies and the browser from closing the stream;
    ``poll``: how often the table is re-read without a wake-up (a dispatcher in another process and no Redis);
    ``lifetime``: seconds after which the server ends the stream and the browser reconnects with its
    ``Last-Event-ID`` — it bounds how long one connection holds a worker slot; ``retry``: the reconnect delay the
    browser is told.
    """

    heartbeat: float = 15.0
    retry: float = 3.0
    poll: float = 5.0
    lifetime: float = 600.0

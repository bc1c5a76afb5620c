"""What the app lifespan starts and stops per server process: the backtest job service and the live wake listener.

Each uvicorn worker builds its own :class:`JobService`; they share the DB, where a job is claimed atomically, so
``--workers 2`` never runs a job twice (see :mod:`tandem.backtest.jobs.service`). With ``TANDEM_REDIS_URL`` each
worker also listens for notification wake-ups (:func:`tandem.engagement.delivery.live.listen_for_wakes`), so a
push delivered by any process reaches the client's open page on whichever worker holds its stream, and two
pub/sub listener threads: bearer revocations (:func:`tandem.identity.revocation_listener`) and new market store
versions (:func:`tandem.marketdata.version_bus.version_listener`).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tandem.backtest.jobs.service import JobLimits, JobService
from tandem.core.pubsub import Listener
from tandem.engagement.delivery.live import LiveWaiters, listen_for_wakes

DEFAULT_LIMITS = JobLimits(seconds=300.0, memory_mb=4096)


def job_service(sessions: sessionmaker[Session], market_dir: Path) -> JobService:
    """One job service per server process with one worker thread (the other core keeps serving requests)."""
    return JobService(sessions, market_dir, workers=1, limits=DEFAULT_LIMITS)


def jobs_lifespan(
    jobs: JobService, *, wake: tuple[str, str, LiveWaiters] | None = None, listeners: Sequence[Listener] = ()
) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """The app lifespan: start the job workers (and the wake listener) with the server, stop them on shutdown.

    ``wake`` = (Redis URL, channel, waiters) when notifications are announced on Redis; ``listeners`` are the
    pub/sub threads started before the first request and stopped on shutdown. On shutdown the app's WeCom
    delivery (``app.state.wecom``, when the channel is on) also closes its HTTP connections.
    """

    @asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        for sub in listeners:
            await asyncio.to_thread(sub.start)
        jobs.start()
        listener = asyncio.create_task(listen_for_wakes(*wake)) if wake is not None else None
        try:
            yield
        finally:
            if listener is not None:
                listener.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await listener
            jobs.stop(timeout=5.0)
            for sub in listeners:
                await asyncio.to_thread(sub.stop)
            wecom = getattr(app.state, "wecom", None)
            if wecom is not None:
                wecom.close()

    return lifespan

"""The test's own app factory for ``uvicorn --factory``: the real app plus two holds where a kill hurts most.

Nothing here exists in production code. While the file named by ``TANDEM_FAULT_HOLD`` exists, a unit of work that
has written rows announces itself (``<hold>.paused``) just before it commits and waits: every row of the request
sent to the database, none committed. While ``<hold>.events`` exists, an event batch announces itself
(``<hold>.events.paused``) right after the event store took it and waits: stored, the client not yet told. The
test SIGKILLs the worker in either place.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.orm import Session

from tandem.engagement.ingest import EventIngestService, IngestResult
from tandem.marketdata.store import MarketStore
from tandem.web.app import create_app as real_create_app


def create_app() -> FastAPI:
    """The real app over the store at ``TANDEM_FAULT_MARKET``, with the pre-commit hold installed."""
    app = real_create_app(store=MarketStore.open(Path(os.environ["TANDEM_FAULT_MARKET"])))
    hold = Path(os.environ["TANDEM_FAULT_HOLD"])
    sessions = app.state.tandem.sessions

    @event.listens_for(sessions, "after_flush")
    def _wrote(session: Session, _ctx: Any) -> None:
        session.info["wrote"] = True

    @event.listens_for(sessions, "before_commit")
    def _hold(session: Session) -> None:
        session.flush()
        if session.info.get("wrote"):
            _wait_while(hold)

    ingest: EventIngestService = app.state.events
    real_ingest = ingest.ingest

    def ingest_then_hold(raw: Any, *, client_id: int) -> IngestResult:
        result = real_ingest(raw, client_id=client_id)
        _wait_while(Path(f"{hold}.events"))
        return result

    ingest.ingest = ingest_then_hold  # type: ignore[method-assign]
    return app


def _wait_while(hold: Path) -> None:
    if hold.exists():
        Path(f"{hold}.paused").write_text(str(os.getpid()), encoding="ascii")
        deadline = time.monotonic() + 60
        while hold.exists() and time.monotonic() < deadline:
            time.sleep(0.02)

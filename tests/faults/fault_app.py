"""The test's own app factory for ``uvicorn --factory``: the real app plus a hold between a request's writes and
its commit.

Nothing here exists in production code. While the file named by ``TANDEM_FAULT_HOLD`` exists, a unit of work that
has written rows announces itself (``<hold>.paused``) just before it commits and waits, so the test can SIGKILL
the worker at the worst moment: every row of the request sent to the database, none committed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.orm import Session

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
        if session.info.get("wrote") and hold.exists():
            Path(f"{hold}.paused").write_text(str(os.getpid()), encoding="ascii")
            deadline = time.monotonic() + 60
            while hold.exists() and time.monotonic() < deadline:
                time.sleep(0.02)

    return app

"""``tandem serve``: run the web app under uvicorn (the factory is loaded by path, so the CLI never imports web)."""

from __future__ import annotations

from typing import Annotated

import typer

from tandem.cli.context import err_console, market_store, settings
from tandem.core.errors import UserError
from tandem.core.settings import Settings
from tandem.diagnosis.service import DiagnosisService
from tandem.diagnosis.table_files import TableFiles


def prepare_diagnosis(s: Settings) -> None:
    """Score the latest session once, before any worker starts, into the data home's shared tables.

    Each worker then maps that table on its first diagnosis (~0.1 s) instead of scoring the whole market and
    loading the indicator kernels itself (~1–2.5 s per worker, and on a busy 2-core machine long enough to
    delay the worker's health check). Nothing to do when the table is already stored for this store version.
    """
    store = market_store(s)
    if store.current_version() is None:
        return
    try:
        DiagnosisService(store, table_files=TableFiles.under(s.home)).table()
    except UserError as exc:  # e.g. a store with funds only: the pages say so per request
        err_console.print(f"diagnosis not prepared: {exc}")


GRACEFUL_SHUTDOWN_S = 5
"""How long a stopping worker waits for open responses before it cancels them. Live streams (notifications,
Level-2 replays) never finish on their own, so without this bound uvicorn would wait on every open page."""


def serve(
    host: Annotated[str | None, typer.Option("--host", help="Bind address (default TANDEM_HOST or 127.0.0.1)")] = None,
    port: Annotated[int | None, typer.Option("--port", help="Port (default TANDEM_PORT or 8000)")] = None,
    workers: Annotated[int | None, typer.Option("--workers", help="Worker processes (default TANDEM_WORKERS)")] = None,
) -> None:
    """Serve the app on http://HOST:PORT."""
    import uvicorn

    s = settings()
    prepare_diagnosis(s)
    uvicorn.run(
        "tandem.web.app:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        workers=workers or s.workers,
        timeout_worker_healthcheck=s.worker_healthcheck_timeout,
        timeout_keep_alive=s.keep_alive_timeout,
        log_level=s.log_level.lower(),
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        proxy_headers=False,
    )

"""``tandem serve``: run the web app under uvicorn (the factory is loaded by path, so the CLI never imports web)."""

from __future__ import annotations

from typing import Annotated

import typer

from tandem.cli.context import settings

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
    uvicorn.run(
        "tandem.web.app:create_app",
        factory=True,
        host=host or s.host,
        port=port or s.port,
        workers=workers or s.workers,
        timeout_worker_healthcheck=s.worker_healthcheck_timeout,
        log_level=s.log_level.lower(),
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_S,
        proxy_headers=False,
    )

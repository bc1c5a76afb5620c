"""Errors as ``application/problem+json`` (RFC 9457) for the API, a friendly page (or the login page) for browsers.

The mapping is the one place that decides status codes: user errors are 4xx with their message as ``detail``;
anything unexpected is a 500 with a reference id, logged with its stack but never showing it to the client. A
database connection lost in the middle of a request (the server restarted, ``pg_terminate_backend``, a failover) is
a 503 with ``Retry-After``: the transaction was rolled back with the connection, so retrying is safe, and the pool's
pre-ping hands the retry a live connection.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import quote

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tandem.backtest.jobs.queries import TooManyActiveJobsError
from tandem.core.errors import ConflictError, NotFoundError, UserError, ValidationFailed
from tandem.web.errors import (
    AccountLockedError,
    AuthRequiredError,
    ForbiddenError,
    PayloadTooLargeError,
    TooManyRequestsError,
)

log = structlog.get_logger(__name__)
ErrorPages = Callable[[Request, int, str], Response | None]
PROBLEM_JSON = "application/problem+json"

_STATUS: tuple[tuple[type[UserError], int, str], ...] = (
    (AuthRequiredError, 401, "Unauthorized"),
    (ForbiddenError, 403, "ForbiddenError"),
    (NotFoundError, 404, "Not Found"),
    (ConflictError, 409, "Conflict"),
    (PayloadTooLargeError, 413, "Payload Too Large"),
    (AccountLockedError, 423, "Locked"),
    (TooManyRequestsError, 429, "Too Many Requests"),
    (TooManyActiveJobsError, 429, "Too Many Requests"),
    (ValidationFailed, 400, "Bad Request"),
    (UserError, 400, "Bad Request"),
)

PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"description": title, "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}}}
    for code, title in ((400, "Bad request"), (401, "Not authenticated"), (404, "Not found"), (422, "Invalid input"))
}
# The public market endpoints answer visitors without an account, who are rate-limited per client address.
RATE_LIMITED_RESPONSES: dict[int | str, dict[str, Any]] = {
    429: {
        "description": "Too many requests without logging in from this address; retry after Retry-After seconds",
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds to wait"}},
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
}


def problem(
    status: int,
    title: str,
    detail: str,
    request: Request,
    headers: dict[str, str] | None = None,
    errors: list[str] | None = None,
) -> Response:
    """One problem+json response; ``errors`` (RFC 9457 extension member) lists every problem of a validation."""
    body: dict[str, object] = {
        "type": "about:blank", "title": title, "status": status, "detail": detail, "instance": request.url.path,
    }  # fmt: skip
    if errors:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _wants_page(request: Request) -> bool:
    return not request.url.path.startswith(("/api/", "/healthz", "/openapi")) and "text/html" in request.headers.get(
        "accept", ""
    )


def status_of(exc: UserError) -> tuple[int, str]:
    """HTTP status and title for a user error (most specific class first)."""
    for cls, status, title in _STATUS:
        if isinstance(exc, cls):
            return status, title
    return 400, "Bad Request"


async def _user_error(request: Request, exc: Exception) -> Response:
    if not isinstance(exc, UserError):
        return await _unexpected(request, exc)
    status, title = status_of(exc)
    page = _page(request, status, str(exc))
    if page is not None:
        return page
    if status == 401 and _wants_page(request):
        return RedirectResponse(f"/login?next={quote(request.url.path)}", status_code=303)
    headers: dict[str, str] = {}
    if isinstance(exc, AccountLockedError | TooManyRequestsError | TooManyActiveJobsError):
        headers["Retry-After"] = str(exc.retry_after)
    if status == 401:
        headers["WWW-Authenticate"] = "Bearer"
    errors = exc.problems if isinstance(exc, ValidationFailed) else None
    return problem(status, title, str(exc), request, headers, errors)


async def _validation_error(request: Request, exc: Exception) -> Response:
    errors = exc.errors() if isinstance(exc, RequestValidationError) else []
    parts = []
    for e in errors[:10]:
        where = ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body"
        parts.append(f"{where}: {e.get('msg', 'invalid')}")
    detail = "; ".join(parts) or "the request is not valid"
    return problem(422, "Unprocessable Content", detail, request)


async def _http_error(request: Request, exc: Exception) -> Response:
    status = exc.status_code if isinstance(exc, StarletteHTTPException) else 500
    detail = str(exc.detail) if isinstance(exc, StarletteHTTPException) else "error"
    if status == 404 and detail == "Not Found":
        detail = f"no such page or endpoint: {request.url.path}"
    headers = dict(exc.headers or {}) if isinstance(exc, StarletteHTTPException) else None
    page = _page(request, status, detail)
    if page is not None:
        return page
    return problem(status, detail if status >= 500 else _title(status), detail, request, headers)


def _title(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


async def _unexpected(request: Request, exc: Exception) -> Response:
    ref = uuid.uuid4().hex[:12]
    log.error("request.failed", ref=ref, path=request.url.path, exc_info=exc)
    return problem(500, "Internal Server Error", f"an internal error occurred (reference {ref})", request)


async def _db_error(request: Request, exc: Exception) -> Response:
    if not (isinstance(exc, DBAPIError) and exc.connection_invalidated):
        return await _unexpected(request, exc)
    log.warning("request.db_connection_lost", path=request.url.path, error=type(exc.orig).__name__)
    detail = "the database connection was lost during the request; nothing of it was saved, please try again"
    return problem(503, "Service Unavailable", detail, request, {"Retry-After": "1"})


def _page(request: Request, status: int, detail: str) -> Response | None:
    """An HTML error page from the renderer given to :func:`install`, when it has one for this request."""
    renderer: ErrorPages | None = getattr(request.app.state, "error_pages", None)
    return renderer(request, status, detail) if renderer is not None else None


def install(app: FastAPI, *, pages: ErrorPages | None = None) -> None:
    """Register the handlers on ``app``; ``pages`` may answer some errors with an HTML page (staff screens)."""
    app.state.error_pages = pages
    app.add_exception_handler(UserError, _user_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _db_error)
    app.add_exception_handler(Exception, _unexpected)
